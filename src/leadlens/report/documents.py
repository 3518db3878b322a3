"""The three documents a report is made from: a results, a comparison or a trend document.

``leadlens report`` (and :func:`leadlens.render_report`) take any of them; each is told apart
by its version key (``results_version``, ``compare_version``, ``trend_version``). A results
document is read by :func:`leadlens.results.loading.load_results` (strictly, with its
domains and the anonymity rules applied again). A comparison or trend document is read the
same way, since it may have been edited by hand too:

- strictly typed (no text for numbers, no ``NaN``), of a version this leadlens reads, every
  problem located at its line and column;
- every value in its domain: counts are whole numbers of at least 0, scores and their
  intervals lie in 0-100, differences in -100 to 100, p-values and shares in 0-1;
- the anonymity rules that the document itself lets be checked, instead of trusting its
  ``withheld`` texts and flags: ``min_group_size`` is at least the least threshold any question
  set may have (3); every figure published has at least ``min_group_size`` respondents in
  each wave; a withheld group or trend point publishes no figures; and, for a change not
  paired by respondent ids, a change whose number of respondents moved by 1 to
  ``min_group_size - 1`` is refused (those few people's answers are the difference).

What ``compare`` withholds on the respondents linked by ids (who changed, who stayed) is not
in the document, so a paired change is checked as far as its counts allow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from leadlens.errors import MAX_PROBLEMS, Code, Problem, format_path
from leadlens.results.checks import walk
from leadlens.results.loading import (
    NotFinite,
    ResultsError,
    located,
    locations,
    parse_results,
    read_document_text,
    refuse_constant,
)

if TYPE_CHECKING:
    from leadlens.report import Format
    from leadlens.report.cover import Cover
    from leadlens.results.document import Results
    from leadlens.waves.document import Change, Comparison, Trend

    Document = Results | Comparison | Trend

LEAST_THRESHOLD = 3
"""The lowest ``min_group_size`` a question set may declare (its model's bound)."""

REPORT_READS = ("Make one with: leadlens score RESPONSES.csv -o results.json (or leadlens "
                "compare / leadlens trend ... -o compare.json)")
"""The hint for JSON that is none of the three documents."""
REPORT_TAKES = ("leadlens report takes the document that leadlens score, compare or trend "
                "writes. Make one with: leadlens score RESPONSES.csv -o results.json, then: "
                "leadlens report results.json")
"""The hint for a file that is no JSON at all (a responses CSV given to report)."""

_FIRST_KEY = re.compile(r'^\s*\{\s*"([a-z_]+)"\s*:')
_KINDS = {"compare_version": "comparison", "trend_version": "trend"}


def document_kind(text: str) -> str:
    """``"results"``, ``"comparison"`` or ``"trend"``: the version key the document starts
    with (as leadlens writes it), else the first version key it holds (``results`` when none,
    for the results reader to say what is wrong)."""
    first = _FIRST_KEY.match(text)
    if first is not None and first.group(1) in _KINDS:
        return _KINDS[first.group(1)]
    if first is not None and first.group(1) == "results_version" or \
            '"results_version"' in text:
        return "results"
    for key, kind in _KINDS.items():
        if f'"{key}"' in text:
            return kind
    return "results"


def load_document(path: Path) -> Document:
    """A results, comparison or trend document from ``path``, validated and checked again.

    Raises:
        ResultsError: located problems (not JSON, not a leadlens document, a newer version,
            a value outside its domain, a figure the anonymity rules forbid).
    """
    return parse_document(read_document_text(path, hint=REPORT_READS), str(path))


def parse_document(text: str, file: str) -> Document:
    """:func:`load_document` for a document's text."""
    kind = document_kind(text[:4096])
    if kind != "results":
        return parse_wave_document(text, file, kind)
    try:
        return parse_results(text, file, not_json_hint=REPORT_TAKES)
    except ResultsError as exc:
        if [p.code for p in exc.problems] == [Code.RESULTS_NOT_RESULTS] and \
                exc.problems[0].line is None:  # JSON, but none of the three documents
            raise ResultsError([Problem(
                file=file, message="not a leadlens results, comparison or trend document "
                "(no results_version, compare_version or trend_version)", hint=REPORT_READS,
                code=Code.RESULTS_NOT_RESULTS)]) from None
        raise


def parse_wave_document(text: str, file: str, kind: str) -> Comparison | Trend:
    """A comparison (``kind="comparison"``) or trend document, validated and checked again."""
    from leadlens.waves.document import COMPARE_VERSION, TREND_VERSION, Comparison, Trend

    model: type[Comparison] | type[Trend] = Comparison if kind == "comparison" else Trend
    key, version = (("compare_version", COMPARE_VERSION) if kind == "comparison"
                    else ("trend_version", TREND_VERSION))
    what = f"a leadlens {kind} document"
    remake = f"Make it again with: leadlens {'compare' if kind == 'comparison' else 'trend'} " \
             f"... -o {'compare' if kind == 'comparison' else 'trend'}.json"

    def refuse(message: str, code: Code, path: str = "", line: int | None = None,
               col: int | None = None) -> ResultsError:
        return ResultsError([Problem(file=file, line=line, col=col, path=path,
                                     message=message, hint=remake, code=code)])

    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        from leadlens.source.nodes import json_syntax

        raise refuse(json_syntax(exc), Code.JSON_SYNTAX, line=exc.lineno,
                     col=exc.colno) from None
    except NotFinite as exc:
        raise refuse(f"{exc} is not a number {what} may hold", Code.RESULTS_NOT_FINITE) from None
    except (ValueError, RecursionError):
        raise refuse(f"not {what}: a number of thousands of digits, or nested too deeply",
                     Code.RESULTS_NOT_FINITE) from None
    if not isinstance(data, dict) or data.get(key) is None:
        raise refuse(f"not {what} (no {key})", Code.RESULTS_NOT_RESULTS)
    if type(data[key]) is not int or data[key] != version:
        raise refuse(f"version {json.dumps(data[key])[:40]} is not supported; this leadlens "
                     f"reads version {version}", Code.RESULTS_VERSION, path=key)
    smap = locations(text, file)
    try:
        doc = model.model_validate_json(text, strict=True)
    except ValidationError as exc:
        from leadlens.source.schema_errors import validation_problems

        problems = validation_problems(exc, file, model, smap=smap)
        raise ResultsError(problems[:MAX_PROBLEMS],
                           omitted=max(len(problems) - MAX_PROBLEMS, 0)) from None
    problems = wave_problems(doc, file)
    if problems:
        if smap is not None:
            problems = [located(p, smap) for p in problems]
        raise ResultsError(problems[:MAX_PROBLEMS], omitted=max(len(problems) - MAX_PROBLEMS, 0))
    return doc


# ---------------------------------------------------------------------------------------
# The checks

PathT = tuple[str | int, ...]

_SCORE = (0.0, 100.0, "a 0-100 score")
_DIFFERENCE = (-100.0, 100.0, "a difference of 0-100 scores")
_SHARE = (0.0, 1.0, "a share")
_SHARE_DIFFERENCE = (-1.0, 1.0, "a difference of shares")
_DOMAINS: dict[str, tuple[float, float, str]] = {
    "score": _SCORE, "from": _SCORE, "from_": _SCORE, "sd": (0.0, 100.0, "a standard deviation"),
    "p": _SHARE, "p_holm": _SHARE, "alpha": _SHARE, "power": _SHARE,
    "detectable": (0.0, 200.0, "a change in points"),
}
_COUNTS = {"n", "respondents", "linked", "baseline_n", "followup_n", "target_n", "current_n",
           "min_group_size", "wave"}
# Raw scale units (items, timepoints) have no 0-100 domain: their values are only finite.
_RAW = {"items", "timepoints"}


def _domain(path: PathT, value: Any) -> str | None:
    """Why ``value`` at ``path`` is outside its domain, or None."""
    import math

    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    names = [part for part in path if isinstance(part, str)]
    name = names[-1] if names else ""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if name in _COUNTS:
        if not isinstance(value, int) or value < 0:
            return f"{value!r} is not a count (a whole number of at least 0)"
        return None
    if not isinstance(value, int | float) or _RAW & set(names):
        return None
    parent = names[-2] if len(names) > 1 else ""
    if "favourable" in names:
        low, high, what = (_SHARE_DIFFERENCE if name in ("difference", "ci95")
                           or parent == "ci95" else _SHARE)
    elif name == "difference" or (name == "ci95" or parent == "ci95") and \
            "difference" not in names and _is_change_interval(path):
        low, high, what = _DIFFERENCE
    elif name in _DOMAINS:
        low, high, what = _DOMAINS[name]
    elif "ci95" in names:
        low, high, what = _SCORE
    else:
        return None
    if not low - 1e-6 <= value <= high + 1e-6:
        return f"{value!r} is not {what} ({low:g} to {high:g})"
    return None


def _is_change_interval(path: PathT) -> bool:
    """Whether ``path`` is the interval of a change's difference (not of a wave's score)."""
    names = [part for part in path if isinstance(part, str)]
    return "ci95" in names and not {"baseline", "followup", "points"} & set(names[-3:])


def _problem(file: str, path: PathT, message: str, code: Code) -> Problem:
    hint = ("Make the document again with leadlens compare or leadlens trend; reports take "
            "only what those publish")
    return Problem(file=file, path=format_path(path), message=message, hint=hint, code=code)


def wave_problems(doc: Comparison | Trend, file: str) -> list[Problem]:
    """Every value of a comparison or trend document outside its domain, and every figure
    it publishes that the anonymity rules forbid (see the module's docstring)."""
    from leadlens.waves.document import Comparison

    problems = [_problem(file, path, message, Code.RESULTS_OUT_OF_DOMAIN)
                for path, value in walk(doc, ())
                if (message := _domain(path, value)) is not None]
    threshold = doc.min_group_size
    if threshold < LEAST_THRESHOLD:
        problems.append(_problem(file, ("min_group_size",), f"{threshold} is below the least "
                                 f"anonymity threshold a question set may have "
                                 f"({LEAST_THRESHOLD})", Code.RESULTS_ANONYMITY))
        threshold = LEAST_THRESHOLD
    bundled = _bundled_threshold(doc.question_set)
    if bundled is not None and threshold < bundled:
        # Unsealed: an edit may lower the threshold; the bundled set of its id says what it is.
        problems.append(_problem(file, ("min_group_size",), f"{threshold} is below the "
                                 f"anonymity threshold of the bundled question set "
                                 f"{doc.question_set!r} ({bundled})", Code.RESULTS_ANONYMITY))
        threshold = bundled
    for path, message in (_comparison_cells(doc, threshold) if isinstance(doc, Comparison)
                          else _trend_cells(doc, threshold)):
        problems.append(_problem(file, path, message, Code.RESULTS_ANONYMITY))
    return problems


def _bundled_threshold(question_set: str) -> int | None:
    """``min_group_size`` of the bundled question set with this id, if there is one."""
    from leadlens.errors import LeadlensError
    from leadlens.questionset.loading import bundled_sets, load_question_set

    if question_set not in bundled_sets():
        return None
    try:
        return load_question_set(question_set).scoring.min_group_size
    except LeadlensError:
        return None


def _change_cells(change: Change, path: PathT, threshold: int, sized: bool
                  ) -> Iterator[tuple[PathT, str]]:
    """A change's published figures; ``sized``: a wave was given as a results document, so
    no respondent ids can have counted who changed, and the change is judged from n."""
    for side in ("baseline", "followup"):
        figure = getattr(change, side)
        if figure.score is not None and figure.n < threshold:
            yield (*path, side, "n"), (f"a score of {figure.n} respondents is published "
                                       f"(fewer than min_group_size {threshold})")
    if change.favourable is not None:
        fav = change.favourable
        for side, share, n in (("baseline", fav.baseline, fav.baseline_n),
                               ("followup", fav.followup, fav.followup_n)):
            if share is not None and n < threshold:
                yield (*path, "favourable", f"{side}_n"), (
                    f"a share of {n} answers is published (fewer than min_group_size "
                    f"{threshold})")
    if change.difference is not None and sized:
        moved = abs(change.followup.n - change.baseline.n)
        if 0 < moved < threshold:
            yield (*path, "difference"), (
                f"a difference is published though the number of respondents changed by "
                f"{moved} (1 to {threshold - 1}) and a wave given as a results document has "
                "no respondent ids to count who changed: it could reveal the answers of "
                "those who joined or left")


def _comparison_cells(doc: Comparison, threshold: int) -> Iterator[tuple[PathT, str]]:
    sized = "results" in (doc.baseline.kind, doc.followup.kind)
    if doc.overall is not None:
        yield from _change_cells(doc.overall, ("overall",), threshold, sized)
    for i, change in enumerate(doc.principles):
        yield from _change_cells(change, ("principles", i), threshold, sized)
    for field, breakdown in doc.groups.items():
        for j, group in enumerate(breakdown.groups):
            base: PathT = ("groups", field, "groups", j)
            if group.withheld is not None:
                if group.changes or group.baseline_n is not None or group.followup_n is not None:
                    yield (*base, "withheld"), ("a withheld group publishes figures (its "
                                                "respondents or changes)")
                continue
            for side in ("baseline_n", "followup_n"):
                n = getattr(group, side)
                if n is None or n < threshold:
                    yield (*base, side), (f"a group of {n} respondents is shown (fewer than "
                                          f"min_group_size {threshold})")
            for k, change in enumerate(group.changes):
                yield from _change_cells(change, (*base, "changes", k), threshold, sized)


def _trend_cells(doc: Trend, threshold: int) -> Iterator[tuple[PathT, str]]:
    for name, line in [("overall", doc.overall), *(
            (f"principles[{i}]", line) for i, line in enumerate(doc.principles))]:
        base: PathT = ("overall",) if name == "overall" else (
            "principles", int(name[11:-1]))
        for j, point in enumerate(line.points):
            if point.withheld and (point.score is not None or point.ci95 is not None):
                yield (*base, "points", j, "score"), "a withheld point publishes a score"
            elif not point.withheld and point.score is not None and (
                    point.n is None or point.n < threshold):
                yield (*base, "points", j, "n"), (f"a score of {point.n} respondents is "
                                                  f"published (fewer than min_group_size "
                                                  f"{threshold})")
        pairs = line.step_waves or [[i, i + 1] for i in range(len(line.steps))]
        for k, step in enumerate(line.steps):
            waves = pairs[k] if k < len(pairs) else []
            yield from _change_cells(step, (*base, "steps", k), threshold, _sized(doc, waves))
        if line.since_first is not None:
            yield from _change_cells(line.since_first, (*base, "since_first"), threshold,
                                     _sized(doc, [0, len(doc.waves) - 1]))


def _sized(doc: Trend, waves: list[int]) -> bool:
    """Whether one of ``waves`` (indices; unknown ones count) was a results document."""
    return any(not 0 <= i < len(doc.waves) or doc.waves[i].kind == "results" for i in waves)


def render_document(doc: Document, fmt: Format, template: Path | None = None,
                    title: str | None = None, cover: Cover | None = None) -> str:
    """Any of the three documents as a report: a results document as ``leadlens report``
    renders it, a comparison or trend as ``leadlens compare`` / ``trend`` do with
    ``-o x.html`` (their renderers; ``cover`` applies to a results report only).

    Raises:
        TypeError: ``doc`` is none of the three documents.
        TemplateError: the template failed (located problems).
    """
    from leadlens.report import render_report
    from leadlens.results.document import Results
    from leadlens.waves.document import Comparison, Trend

    if isinstance(doc, Results):
        return render_report(doc, fmt, template, title, cover)
    if isinstance(doc, Comparison):
        from leadlens.report.waves import render_comparison

        return render_comparison(doc, fmt, template, (cover.title if cover else None) or title)
    if isinstance(doc, Trend):
        from leadlens.report.waves import render_trend

        return render_trend(doc, fmt, template, (cover.title if cover else None) or title)
    raise TypeError(f"{type(doc).__name__}: not a results, comparison or trend document "
                    "(leadlens.score, leadlens.compare or leadlens.trend give one)")


def document_what(doc: Document) -> str:
    """How the written report is named on stderr: "64 respondents", "comparison"."""
    from leadlens.results.document import Results
    from leadlens.waves.document import Comparison

    if isinstance(doc, Results):
        return f"{doc.respondents:,} respondent{'s' if doc.respondents != 1 else ''}"
    return "comparison" if isinstance(doc, Comparison) else "trend"
