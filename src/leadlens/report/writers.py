"""What ``leadlens score`` writes: the results document, per-respondent scores, a table.

Writers are looked up by format name in :data:`OUTPUT_WRITERS` (and formats by file
extension in :data:`FORMAT_BY_SUFFIX`), so report formats can be added as entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadlens.text import json_terminal_safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from leadlens.report.cover import Cover
    from leadlens.results.document import GroupBreakdown, PrincipleResult, Results
    from leadlens.scoring import Responses, Scored

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cells starting with these are formulas to a spreadsheet; they are prefixed with ``'``."""


@dataclass
class ScoreOutput:
    """Everything a writer may use: the results and the per-respondent scores."""

    scored: Scored
    responses: Responses
    cover: Cover | None = None
    """Title, organisation and logo for the HTML and Markdown reports (``score --title``)."""
    respondent_fields: str = "all"
    """scores.csv: ``all`` (ids and respondent fields), ``none``, or ``large`` (only fields
    whose every group has at least min_group_size respondents; no ids)."""

    @property
    def results(self) -> Results:
        return self.scored.results


INDENT_UP_TO = 10_000
"""Results documents for up to this many respondents are indented for people to read;
larger ones are compact (a million respondents' comments make a large file)."""


def results_json(results: Results) -> str:
    """The results document as JSON (field aliases, e.g. a band's ``from``; never rounded)."""
    from leadlens.results.document import sealed, sealed_json

    if results.respondents > INDENT_UP_TO:
        return json_terminal_safe(sealed_json(results)) + "\n"
    return json_terminal_safe(sealed(results).model_dump_json(by_alias=True, indent=2)) + "\n"


def guard_cell(text: str) -> str:
    """Neutralise spreadsheet formula injection: ``=1+1`` becomes ``'=1+1``."""
    return "'" + text if text.startswith(FORMULA_START) else text


def scores_csv(output: ScoreOutput) -> str:
    """One row per respondent: id, respondent fields, principle scores and overall (0-100).

    Scores keep full precision; a respondent without a score has an empty cell. Text cells
    that a spreadsheet would run as a formula are prefixed with ``'``. With fields ``none``
    or ``large`` (no ids) the rows are sorted, so their order says nothing of the input's.
    """
    responses = output.responses
    scores = output.scored.respondents
    header: list[str] = []
    columns: list[list[str]] = []
    chosen = output.respondent_fields
    if responses.respondent_ids is not None and chosen == "all":
        header.append("respondent_id")
        columns.append([guard_cell(i or "") for i in responses.respondent_ids])
    for field_id, values in responses.fields.items():
        if chosen == "none" or (chosen == "large" and not _large_groups(
                output, field_id)):
            continue
        header.append(field_id)
        if chosen == "large":
            # Each row's group as the report names it, never the spelling typed: one
            # person's "acme" among everyone's "Acme" would pick out their row.
            from leadlens.scoring.groups import NOT_STATED, group_respondents

            grouping = group_respondents(field_id, values)
            shown = [guard_cell("" if v == NOT_STATED and n else v)
                     for v, n in zip(grouping.values, grouping.not_stated, strict=True)]
            columns.append([shown[c] for c in grouping.codes.tolist()])
            continue
        labels = [guard_cell(label) for label in values.labels] + [""]
        columns.append([labels[c] for c in values.codes.tolist()])  # -1: the blank slot
    import numpy as np

    # An overall the results hold back (a workshop's screen showed one of its principles with
    # slightly different answers) is blank per respondent too, as that principle is.
    overall = scores.overall if output.results.overall.score is not None or \
        not (output.results.overall.withheld or "").startswith("held back") \
        else np.full_like(scores.overall, np.nan)
    numbers = [*scores.by_principle.values(), overall]
    header += [*scores.by_principle, "overall"]
    for column in numbers:
        columns.append(["" if v != v else repr(v) for v in column.tolist()])  # NaN: blank
    from leadlens.text import csv_records

    rows = list(zip(*columns, strict=True))
    if chosen != "all":
        # Without ids, the file's order would still match each row to its line of the
        # responses (or of the platform's export, in submission order): sorted by content.
        rows.sort()
    return csv_records([header, *rows])


def _large_groups(output: ScoreOutput, field_id: str) -> bool:
    """Whether every group of a field (blanks included) has at least min_group_size."""
    from leadlens.scoring.groups import group_respondents

    sizes = group_respondents(field_id, output.responses.fields[field_id]).sizes
    return bool((sizes >= output.results.min_group_size).all())


SCORES_FIELDS = ("all", "none", "large")


def render_table(results: Results, console: Console) -> None:
    """A readable summary on a terminal: principle scores, then groups. Text stays text.

    Each table is printed as columns when it fits the console, with names wrapped at word
    boundaries if need be; on a narrower console (e.g. 40 columns) it is stacked, one block
    per principle or group. Numbers are never wrapped or cut short.
    """
    from functools import partial

    from rich.text import Text

    qs = results.question_set
    title = Text(f"{qs.title}: {plural(results.respondents, 'respondent')}")
    if results.withheld:
        console.print(title)
        console.print(Text(results.withheld))
        return
    _print_fitting(console, lambda layout: _principle_table(results, title, layout),
                   lambda width: _principle_blocks(results, title, width))
    names = {p.id: p.name for p in qs.principles}
    for breakdown in results.groups.values():
        heading = Text(f"By {breakdown.prompt} ({breakdown.field})")
        if breakdown.withheld:
            console.print(heading, Text(breakdown.withheld))
            continue
        _print_fitting(console, partial(_group_table, results, breakdown, heading),
                       partial(_group_blocks, results, breakdown, heading))
        widest = [s for s in breakdown.spread if s.spread is not None][:3]
        if widest:
            console.print(Text("Seen most differently: " + "; ".join(
                f"{names.get(s.principle, s.principle)} ({s.spread:.1f} points, "
                f"{s.lowest} to {s.highest})" for s in widest)))
    if any(gp.suppressed_reason or g.overall_suppressed_reason for b in results.groups.values()
           for g in b.groups for gp in g.principles):
        console.print(Text(f"hidden: fewer than {results.min_group_size} scored, or shown, it "
                           "would let a smaller figure be worked out (see the disclosure "
                           "audit in the results document)"))
    if results.comments_withheld:
        console.print(Text(results.comments_withheld))


def _n(results: Results, n: int | None, withheld: str | None) -> str:
    """A figure's n, or ``<5`` where the figure is withheld (its count rests on too few; the
    document's n is null then)."""
    return f"<{results.min_group_size}" if withheld or n is None else str(n)


def plural(count: int, word: str) -> str:
    """``1 respondent``, ``2 respondents``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class _Layout:
    wrap: int | None  # wrap names at this many characters (None: one line each)
    compact: bool  # no outer edges


_LAYOUTS = (_Layout(None, False), _Layout(26, False), _Layout(16, False), _Layout(12, True),
            _Layout(9, True))
"""Tried in turn; the first whose natural width fits is printed."""


def _print_fitting(console: Console, build: Callable[[_Layout], Table],
                   stacked: Callable[[int], Table]) -> None:
    """Print a table in the first layout that fits without rich shrinking any column (which
    would cut words and numbers short with an ellipsis), else stacked."""
    from rich.measure import Measurement

    unlimited = console.options.update_width(1_000_000)
    for layout in _LAYOUTS:
        table = build(layout)
        if Measurement.get(console, unlimited, table).maximum <= console.width:
            console.print(table)
            return
    console.print(stacked(console.width))


def _wrapped(text: str, layout: _Layout) -> Text:
    """Untrusted text as rich Text (never markup), wrapped at word boundaries only."""
    import textwrap

    from rich.text import Text

    if layout.wrap is None or len(text) <= layout.wrap:
        return Text(text)
    return Text("\n".join(textwrap.wrap(text, layout.wrap, break_long_words=False,
                                        break_on_hyphens=False)))


def _principle_table(results: Results, title: Text, layout: _Layout) -> Table:
    from rich.table import Table
    from rich.text import Text

    band_label = {b.id: b.label for b in results.question_set.bands}
    table = Table(title=title, title_justify="left", show_lines=False,
                  show_edge=not layout.compact, pad_edge=not layout.compact)
    for name, justify in (("Principle", "left"), ("n", "right"), ("Mean", "right"),
                          ("Score", "right"), ("95% CI", "right"), ("Band", "left"),
                          ("Alpha", "right"), ("Notes", "left")):
        table.add_column(name, justify=justify,  # type: ignore[arg-type]
                         no_wrap=justify == "right")
    for p in results.principles:
        table.add_row(_wrapped(p.name, layout), _n(results, p.n, p.withheld), _num(p.mean, 2),
                      _score(results, p.score, 1),
                      _interval(p.ci95), _wrapped(band_label.get(p.band or "", "-"), layout),
                      _num(p.alpha, 2), _wrapped(", ".join(_notes(p)), layout))
    table.add_section()
    overall = results.overall
    table.add_row(Text("Overall"), _n(results, overall.n, overall.withheld), "",
                  _score(results, overall.score, 1),
                  _interval(overall.ci95), Text(band_label.get(overall.band or "", "-")), "", "")
    return table


def _notes(p: PrincipleResult) -> list[str]:
    notes = []
    if p.contested:
        notes.append("contested")
    if any(i.flagged for i in p.items):
        notes.append("key check: reverse " + ", ".join(p.reverse_suggested))
    if p.unscored_share is not None and p.unscored_share >= 0.1:
        notes.append(f"{p.unscored_share:.0%} don't know")
    return notes


def _group_table(results: Results, breakdown: GroupBreakdown, heading: Text,
                 layout: _Layout) -> Table:
    from rich.table import Table

    principles = results.question_set.principles
    groups = Table(title=heading, title_justify="left", show_edge=not layout.compact,
                   pad_edge=not layout.compact)
    groups.add_column("Group")
    groups.add_column("n", justify="right")
    groups.add_column("Overall", justify="right")
    for principle in principles:
        groups.add_column(_wrapped(principle.name, layout), justify="right")
    for g in breakdown.groups:
        if g.suppressed:
            groups.add_row(_wrapped(g.value, layout), _wrapped(g.n_text, layout), "-",
                           *["-" for _ in principles])
        else:
            overall = "hidden" if g.overall_suppressed_reason \
                else _score(results, g.overall, 1)
            groups.add_row(_wrapped(g.value, layout), str(g.n), overall,
                           *["hidden" if gp.suppressed_reason else _score(results, gp.score, 1)
                             for gp in g.principles])
    return groups


_Block = tuple["Text", str, list[tuple[str, str]]]
"""A stacked block: heading, value beside it, then (label, value) lines."""


def _blocks(title: Text, blocks: list[_Block], width: int) -> Table:
    """Narrow consoles: a heading line per block, then label/value lines; values never wrap.

    Where a label and its value cannot share a line of ``width`` (a phone-sized terminal),
    each line is "label: value", wrapped at spaces: squeezing the labels' column to nothing
    would leave bare numbers.
    """
    from rich.table import Table
    from rich.text import Text

    widest = max((len(value) for _, head, rows in blocks for value in
                  [head, *(v for _, v in rows)]), default=1)
    longest = max((len(word) for heading, _, rows in blocks
                   for text in [heading.plain, *(lb for lb, _ in rows)]
                   for word in text.split()), default=1)
    if width < 2 + longest + 1 + widest:
        return _one_column(title, blocks)
    grid = Table.grid(padding=(0, 1))
    grid.title, grid.title_justify = title, "left"
    grid.add_column(ratio=1)
    grid.add_column(justify="right", no_wrap=True, min_width=widest)
    for number, (heading, head_value, rows) in enumerate(blocks):
        if number and rows:
            grid.add_row("", "")  # a blank line between blocks with lines of their own
        heading.stylize("bold")
        grid.add_row(heading, head_value)
        for label, value in rows:
            grid.add_row(Text("  " + label), Text(value))
    return grid


def _one_column(title: Text, blocks: list[_Block]) -> Table:
    """Every heading and "label: value" on lines of their own (see :func:`_blocks`)."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid()
    grid.title, grid.title_justify = title, "left"
    grid.add_column(overflow="fold")
    for number, (heading, head_value, rows) in enumerate(blocks):
        if number and rows:
            grid.add_row("")
        line = heading.copy()
        line.stylize("bold")
        if head_value:
            line.append(f": {head_value}")
        grid.add_row(line)
        for label, value in rows:
            grid.add_row(Text(f"  {label}: {value}"))
    return grid


def _principle_blocks(results: Results, title: Text, width: int) -> Table:
    from rich.text import Text

    band_label = {b.id: b.label for b in results.question_set.bands}
    blocks: list[_Block] = []
    for p in results.principles:
        rows = [("Score", _score(results, p.score, 1)), ("95% CI", _interval(p.ci95)),
                ("Band", band_label.get(p.band or "", "-")), ("n", _n(results, p.n, p.withheld)),
                ("Mean", _num(p.mean, 2)), ("Alpha", _num(p.alpha, 2))]
        rows += [("Note", note) for note in _notes(p)]
        blocks.append((Text(p.name), "", rows))
    overall = results.overall
    blocks.append((Text("Overall"), "",
                   [("Score", _score(results, overall.score, 1)),
                    ("95% CI", _interval(overall.ci95)),
                    ("Band", band_label.get(overall.band or "", "-")),
                    ("n", _n(results, overall.n, overall.withheld))]))
    return _blocks(title, blocks, width)


def _group_blocks(results: Results, breakdown: GroupBreakdown, heading: Text,
                  width: int) -> Table:
    from rich.text import Text

    principles = results.question_set.principles
    blocks: list[_Block] = []
    for g in breakdown.groups:
        if g.suppressed:
            blocks.append((Text(g.value), g.n_text, []))
            continue
        rows = [("Overall", "hidden" if g.overall_suppressed_reason
                 else _score(results, g.overall, 1))]
        rows += [(principle.name,
                  "hidden" if gp.suppressed_reason else _score(results, gp.score, 1))
                 for principle, gp in zip(principles, g.principles, strict=True)]
        blocks.append((Text(g.value), f"n {g.n}", rows))
    return _blocks(heading, blocks, width)


def table_text(output: ScoreOutput) -> str:
    """The terminal table as plain text (for ``--format table -o FILE``)."""
    import io

    from leadlens.report.console import SafeConsole

    buffer = io.StringIO()
    render_table(output.results, SafeConsole(file=buffer, width=120, no_color=True,
                                             highlight=False, emoji=False, markup=False))
    return buffer.getvalue()


def _score(results: Results, value: float | None, places: int) -> str:
    """A score as the reports show it: rounded down, so it never contradicts its band."""
    return results.question_set.score_text(value, places)


def _num(value: float | None, places: int) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def _interval(interval: tuple[float, float] | None) -> str:
    return "-" if interval is None else f"{interval[0]:.1f}-{interval[1]:.1f}"


Writer = Callable[[ScoreOutput], str | bytes]


def html_report(output: ScoreOutput) -> str:
    """The bundled HTML report (see :mod:`leadlens.report`); Jinja loads only when used."""
    from leadlens.report import render_report

    return render_report(output.results, "html", cover=output.cover)


def markdown_report(output: ScoreOutput) -> str:
    """The bundled Markdown report (see :mod:`leadlens.report`)."""
    from leadlens.report import render_report

    return render_report(output.results, "md", cover=output.cover)


def wrote_message(path: object, respondents: int, what: str) -> str:
    """The line ``score`` and ``report`` print on stderr after writing a file."""
    return f"wrote {path} ({plural(respondents, 'respondent')}, {what})\n"


def tidy_parquet(output: ScoreOutput) -> bytes:
    """Every tidy table (:mod:`leadlens.results.tables`) in one Parquet file, told apart by
    its ``table`` column; suppressed cells are rows with null figures, marked."""
    import io

    from leadlens.results.tables import tidy

    buffer = io.BytesIO()
    tidy(output.results).write_parquet(buffer, compression="zstd", statistics=True)
    return buffer.getvalue()


def spreadsheet(output: ScoreOutput) -> bytes:
    """The accessible spreadsheet (:mod:`leadlens.report.spreadsheet`)."""
    from leadlens.report.spreadsheet import results_workbook

    return results_workbook(output.results, output.cover)


def pdf_report(output: ScoreOutput) -> bytes:
    """The HTML report printed by a headless Chromium (:mod:`leadlens.report.pdf`)."""
    from leadlens.report import render_report
    from leadlens.report.pdf import html_to_pdf

    return html_to_pdf(render_report(output.results, "html", cover=output.cover))


FORMAT_NAMES: dict[str, str] = {"json": "results document", "csv": "scores CSV",
                                "table": "table", "html": "HTML report",
                                "md": "Markdown report", "parquet": "tidy tables (Parquet)",
                                "xlsx": "spreadsheet", "pdf": "PDF report"}
"""How each output format is named in the ``wrote ...`` line."""

OUTPUT_WRITERS: dict[str, Writer] = {
    "json": lambda output: results_json(output.results),
    "csv": scores_csv,
    "table": table_text,
    "html": html_report,
    "md": markdown_report,
    "parquet": tidy_parquet,
    "xlsx": spreadsheet,
    "pdf": pdf_report,
}
"""Output format name -> writer returning the file's text (or bytes: :data:`BINARY_FORMATS`)."""

BINARY_FORMATS = frozenset({"parquet", "xlsx", "pdf"})
"""Formats whose writers return bytes: written to a file, never to a terminal."""

FORMAT_BY_SUFFIX: dict[str, str] = {".json": "json", ".csv": "csv", ".txt": "table",
                                    ".html": "html", ".htm": "html", ".md": "md",
                                    ".markdown": "md", ".parquet": "parquet", ".xlsx": "xlsx",
                                    ".pdf": "pdf"}
"""Output file extension -> format name, used when ``--format`` is not given."""

