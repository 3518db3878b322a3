"""``leadlens.compare`` and ``leadlens.trend``: waves compared, as the command line does.

``leadlens.compare_waves`` is the same function under the name it had before the waves
package was called :mod:`leadlens.waves` (kept so that existing notebooks go on working).

A wave is a :class:`~leadlens.results.document.Results` (from :func:`leadlens.score` or
:func:`leadlens.load_results`), a file (a results document ``.json``, or responses scored on
the spot), or a DataFrame of responses. Responses keep each respondent's scores in memory, so
a paired test can link people who answered both waves by ``respondent_id``; a results
document cannot.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadlens.errors import Code, LeadlensError, Problem, UsageError

if TYPE_CHECKING:
    from leadlens.questionset.model import QuestionSet
    from leadlens.responses.limits import RunBudget
    from leadlens.waves.document import Comparison, Trend
    from leadlens.waves.waves import Wave


def compare(baseline: Any, followup: Any, by: str | Sequence[str] = (), *,
            question_set: str | os.PathLike[str] | QuestionSet
            | Sequence[str | os.PathLike[str] | QuestionSet | None] | None = None,
            labels: Sequence[str] | None = None, independent: bool = False,
            min_group_size: int | None = None, title: str | None = None) -> Comparison:
    """Compare two waves, as ``leadlens compare BASELINE FOLLOWUP`` does.

    Args:
        baseline, followup: each a ``Results``, a path (results ``.json`` or responses) or a
            DataFrame of responses.
        by: respondent field(s) whose groups are compared too.
        question_set: the set responses are scored with (default: the bundled one), or a
            list with one per wave, in order, when the waves used different versions.
        labels: a name for each wave (default: when it was collected, "March 2026", from
            its ``submitted_at`` dates; else "wave 1", "wave 2": :func:`default_labels`).
        independent: the waves are different people (no paired test by ``respondent_id``).
        min_group_size: raise the anonymity threshold (never lower it).
        title: the comparison's title.

    Raises:
        UsageError, LeadlensError: as ``leadlens compare`` reports them.
    """
    from leadlens.analysis.scoring import generated_at
    from leadlens.waves.engine import compare as compare_documents

    fields = [by] if isinstance(by, str) else list(by)
    first, second = load_waves([baseline, followup], labels=labels, question_set=question_set,
                               by=fields, min_group_size=min_group_size)
    return compare_documents(first, second, by=fields, independent=independent,
                             min_group_size=min_group_size, title=title,
                             generated_at=generated_at())


def trend(waves: Sequence[Any], *,
          question_set: str | os.PathLike[str] | QuestionSet
          | Sequence[str | os.PathLike[str] | QuestionSet | None] | None = None,
          labels: Sequence[str] | None = None, independent: bool = False,
          min_group_size: int | None = None, title: str | None = None) -> Trend:
    """Three or more waves in order, as ``leadlens trend WAVE...`` does (see
    :func:`compare`).

    Raises:
        UsageError: fewer than three waves (option ``waves``), or a refused option.
        LeadlensError: as ``leadlens trend`` reports them.
    """
    from leadlens.analysis.scoring import generated_at
    from leadlens.waves.engine import trend as trend_waves

    items = list(waves)
    if len(items) < 3:
        raise UsageError.about("waves", f"{len(items)}: a trend needs three or more waves; "
                               "for two, use leadlens.compare",
                               code=Code.OPTION_TOO_FEW_WAVES)
    loaded = load_waves(items, labels=labels, question_set=question_set, by=[],
                        min_group_size=min_group_size)
    return trend_waves(loaded, independent=independent, min_group_size=min_group_size,
                       title=title, generated_at=generated_at())


def load_waves(items: Sequence[Any], *, labels: Sequence[str | None] | None = None,
               question_set: str | os.PathLike[str] | QuestionSet
               | Sequence[str | os.PathLike[str] | QuestionSet | None] | None = None,
               by: Sequence[str] = (), min_group_size: int | None = None) -> list[Wave]:
    """Every wave, with the problems of all of them raised together (``compare`` and
    ``trend``, from Python and from the command line).

    Raises:
        UsageError: labels or question sets that are not one per wave, an item that is no
            wave, or a refused option.
        LeadlensError: every problem of every wave.
    """
    from leadlens.results.document import Results

    count = len(items)
    if labels is not None and (len(labels) != count or not all(labels)):
        raise UsageError.about("labels", f"{list(labels)!r}: give {count} non-empty "
                               "names, one per wave", code=Code.OPTION_BAD_LABELS)
    names = list(labels) if labels is not None else [None] * count
    sets = _per_wave(question_set, count)
    from leadlens.responses.limits import RunBudget

    waves: list[Wave] = []
    problems: list[Problem] = []
    budget = RunBudget()  # the waves given as responses read at most one run's columns
    for number, (item, name, ref) in enumerate(zip(items, names, sets, strict=True),
                                               start=1):
        try:
            if isinstance(item, Results):
                from leadlens.waves.waves import results_wave

                waves.append(results_wave(name or f"wave {number}", "<Results>", item))
            else:
                waves.append(_responses_wave(item, name or None, number, ref, list(by),
                                             min_group_size, budget))
        except UsageError:
            raise
        except LeadlensError as exc:
            problems += exc.problems
    if problems:
        raise LeadlensError(problems)
    if labels is None:
        for wave, label in zip(waves, default_labels(waves), strict=True):
            wave.label = label
    return waves


def _months(first: dt.date, last: dt.date, days: bool) -> str:
    """``March 2026``, ``March–April 2026``, ``December 2025–January 2026``; with ``days``,
    ``4–15 March 2026`` (or ``4 March 2026`` for one day)."""
    if days:
        if first == last:
            return f"{first.day} {first:%B %Y}"
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}\u2013{last.day} {last:%B %Y}"
        if first.year == last.year:
            return f"{first.day} {first:%B}\u2013{last.day} {last:%B %Y}"
        return f"{first.day} {first:%B %Y}\u2013{last.day} {last:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{last:%B %Y}"
    if first.year == last.year:
        return f"{first:%B}\u2013{last:%B %Y}"
    return f"{first:%B %Y}\u2013{last:%B %Y}"


def default_labels(waves: Sequence[Wave]) -> list[str]:
    """The waves' names when ``labels`` (``--labels``) are not given: when each wave was
    collected, from its responses' ``submitted_at`` dates (``collected_from`` and
    ``collected_to``): "March 2026", or "4–15 March 2026" when two waves share a month;
    "wave 1", "wave 2", ... for a wave without dates, or when the dates do not tell two waves
    apart. Never the file's name: "What changed since responses" names no time."""
    spans = [(w.results.collected_from, w.results.collected_to) for w in waves]
    numbered = [f"wave {number}" for number in range(1, len(waves) + 1)]
    for days in (False, True):
        names = [_months(first, last, days) if first is not None and last is not None
                 else numbered[i] for i, (first, last) in enumerate(spans)]
        if len(set(names)) == len(names):
            return names
    return numbered


def _per_wave(question_set: Any, count: int) -> list[Any]:
    """One question set (or None) per wave: the same for all, or one each."""
    if isinstance(question_set, list | tuple):
        if len(question_set) != count:
            raise UsageError.about("question_set", f"given {len(question_set)} times: give "
                                   f"it once for every wave, or once per wave ({count})",
                                   code=Code.OPTION_NOT_ONE_PER_WAVE)
        return list(question_set)
    return [question_set] * count


def _responses_wave(item: Any, name: str | None, number: int, ref: Any, by: list[str],
                    min_group_size: int | None, budget: RunBudget) -> Wave:
    """A wave given as a path (a results document, or responses scored on the spot) or as
    a DataFrame of responses."""
    from leadlens.analysis.scoring import generated_at
    from leadlens.questionset.loading import load_question_set
    from leadlens.questionset.model import QuestionSet
    from leadlens.responses.frames import frame_cells, frame_name, is_frame
    from leadlens.responses.reading import read_responses
    from leadlens.scoring.options import check_score_options
    from leadlens.waves.loading import is_results_file, load_wave
    from leadlens.waves.waves import scored_wave

    given = None if ref is None or isinstance(ref, QuestionSet) else (
        ref if isinstance(ref, str) else str(Path(ref)))
    if isinstance(item, str | os.PathLike):
        path = Path(item)
        if not isinstance(ref, QuestionSet) or is_results_file(path):
            return load_wave(path, label=name, question_set=given, by=by,
                             min_group_size=min_group_size, generated_at=generated_at(),
                             budget=budget)
        source: Any = path
        shown, label = str(path), name or path.stem
    elif is_frame(item):
        source, shown, label = frame_cells(item), frame_name(item), name or f"wave {number}"
    else:
        raise UsageError.about("waves", f"{type(item).__name__}: not Results, a path or a "
                               "DataFrame", code=Code.OPTION_NOT_DATA)
    from leadlens.workshop.records import workshop_guard

    qs = ref if isinstance(ref, QuestionSet) else load_question_set(given)
    check_score_options(qs, by=by, min_group_size=min_group_size)
    responses = read_responses([source], qs, budget=budget)
    guard = workshop_guard(qs, source, min_group_size) if isinstance(source, Path) else None
    if guard is not None:  # what a workshop's screen showed, as score holds it back
        responses = guard.responses(responses)
    held = guard.results if guard is not None else None
    return scored_wave(label, shown, qs, responses, by=by,
                       min_group_size=min_group_size, generated_at=generated_at(),
                       held_back=held)


compare_waves = compare
"""The earlier name of :func:`compare`, kept as an alias."""
