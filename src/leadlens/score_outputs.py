"""What ``leadlens score`` writes: the results document, per-respondent scores, a table.

Writers are looked up by format name in :data:`OUTPUT_WRITERS` (and formats by file
extension in :data:`FORMAT_BY_SUFFIX`), so report formats can be added as entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leadlens.results import Results

if TYPE_CHECKING:
    from rich.console import Console

    from leadlens.scoring import Responses, Scored

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cells starting with these are formulas to a spreadsheet; they are prefixed with ``'``."""


@dataclass
class ScoreOutput:
    """Everything a writer may use: the results and the per-respondent scores."""

    scored: Scored
    responses: Responses

    @property
    def results(self) -> Results:
        return self.scored.results


INDENT_UP_TO = 10_000
"""Results documents for up to this many respondents are indented for people to read;
larger ones are compact (a million respondents' comments make a large file)."""


def results_json(results: Results) -> str:
    """The results document as JSON (field aliases, e.g. a band's ``from``; never rounded)."""
    indent = 2 if results.respondents <= INDENT_UP_TO else None
    return results.model_dump_json(by_alias=True, indent=indent) + "\n"


def results_json_schema() -> dict[str, Any]:
    """The JSON Schema of the results document (as published in ``schema/``)."""
    from leadlens.schemas import json_schema

    return json_schema("results")


def guard_cell(text: str) -> str:
    """Neutralise spreadsheet formula injection: ``=1+1`` becomes ``'=1+1``."""
    return "'" + text if text.startswith(FORMULA_START) else text


def scores_csv(output: ScoreOutput) -> str:
    """One row per respondent: id, respondent fields, principle scores and overall (0-100).

    Scores keep full precision; a respondent without a score has an empty cell. Text cells
    that a spreadsheet would run as a formula are prefixed with ``'``.
    """
    import csv
    import io

    responses = output.responses
    scores = output.scored.respondents
    header: list[str] = []
    columns: list[list[str]] = []
    if responses.respondent_ids is not None:
        header.append("respondent_id")
        columns.append([guard_cell(i or "") for i in responses.respondent_ids])
    for field_id, values in responses.fields.items():
        labels = [guard_cell(label) for label in values.labels] + [""]
        header.append(field_id)
        columns.append([labels[c] for c in values.codes.tolist()])  # -1: the blank slot
    numbers = [*scores.by_principle.values(), scores.overall]
    header += [*scores.by_principle, "overall"]
    for column in numbers:
        columns.append(["" if v != v else repr(v) for v in column.tolist()])  # NaN: blank
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue()


def render_table(results: Results, console: Console) -> None:
    """A readable summary on a terminal: principle scores, then groups. Text stays text."""
    from rich.table import Table
    from rich.text import Text

    qs = results.question_set
    band_label = {b.id: b.label for b in qs.bands}
    title = Text(f"{qs.title}: {results.respondents} respondents")
    table = Table(title=title, title_justify="left", show_lines=False)
    for name, justify in (("Principle", "left"), ("n", "right"), ("Mean", "right"),
                          ("Score", "right"), ("95% CI", "right"), ("Band", "left"),
                          ("Alpha", "right"), ("Notes", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for p in results.principles:
        notes = []
        if p.contested:
            notes.append("contested")
        if any(i.flagged for i in p.items):
            notes.append("item correlates negatively")
        if p.unscored_share >= 0.1:
            notes.append(f"{p.unscored_share:.0%} don't know")
        table.add_row(Text(p.name), str(p.n), _num(p.mean, 2), _num(p.score, 1),
                      _interval(p.ci95), Text(band_label.get(p.band or "", "-")),
                      _num(p.alpha, 2), Text(", ".join(notes)))
    table.add_section()
    overall = results.overall
    table.add_row(Text("Overall"), str(overall.n), "", _num(overall.score, 1),
                  _interval(overall.ci95), Text(band_label.get(overall.band or "", "-")), "", "")
    console.print(table)
    names = {p.id: p.name for p in qs.principles}
    for breakdown in results.groups.values():
        groups = Table(title=Text(f"By {breakdown.prompt} ({breakdown.field})"),
                       title_justify="left")
        groups.add_column("Group")
        groups.add_column("n", justify="right")
        groups.add_column("Overall", justify="right")
        for principle in qs.principles:
            groups.add_column(Text(names[principle.id]), justify="right")
        for g in breakdown.groups:
            if g.suppressed:
                groups.add_row(Text(g.value), Text(g.n_text), "-", *["-" for _ in qs.principles])
            else:
                groups.add_row(Text(g.value), str(g.n), _num(g.overall, 1),
                               *[_num(gp.score, 1) for gp in g.principles])
        console.print(groups)
        widest = [s for s in breakdown.spread if s.spread is not None][:3]
        if widest:
            console.print(Text("Seen most differently: " + "; ".join(
                f"{names.get(s.principle, s.principle)} ({s.spread:.1f} points, "
                f"{s.lowest} to {s.highest})" for s in widest)))
    if results.comments_withheld:
        console.print(Text(results.comments_withheld))


def table_text(output: ScoreOutput) -> str:
    """The terminal table as plain text (for ``--format table -o FILE``)."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    render_table(output.results, Console(file=buffer, width=120, no_color=True,
                                         highlight=False, emoji=False, markup=False))
    return buffer.getvalue()


def _num(value: float | None, places: int) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def _interval(interval: tuple[float, float] | None) -> str:
    return "-" if interval is None else f"{interval[0]:.1f}-{interval[1]:.1f}"


Writer = Callable[[ScoreOutput], str]


def html_report(output: ScoreOutput) -> str:
    """The bundled HTML report (see :mod:`leadlens.report`); Jinja loads only when used."""
    from leadlens.report import render_report

    return render_report(output.results, "html")


def markdown_report(output: ScoreOutput) -> str:
    """The bundled Markdown report (see :mod:`leadlens.report`)."""
    from leadlens.report import render_report

    return render_report(output.results, "md")


OUTPUT_WRITERS: dict[str, Writer] = {
    "json": lambda output: results_json(output.results),
    "csv": scores_csv,
    "table": table_text,
    "html": html_report,
    "md": markdown_report,
}
"""Output format name -> writer returning the file's text."""

FORMAT_BY_SUFFIX: dict[str, str] = {".json": "json", ".csv": "csv", ".txt": "table",
                                    ".html": "html", ".htm": "html", ".md": "md",
                                    ".markdown": "md"}
"""Output file extension -> format name, used when ``--format`` is not given."""

