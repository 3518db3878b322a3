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

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadlens.errors import Code, LeadlensError, Problem, UsageError

if TYPE_CHECKING:
    from leadlens.questionset.model import QuestionSet
    from leadlens.waves.document import Comparison, Trend
    from leadlens.waves.waves import Wave


def compare(baseline: Any, followup: Any, by: str | Sequence[str] = (), *,
            question_set: str | os.PathLike[str] | QuestionSet | None = None,
            labels: Sequence[str] | None = None, independent: bool = False,
            min_group_size: int | None = None, title: str | None = None) -> Comparison:
    """Compare two waves, as ``leadlens compare BASELINE FOLLOWUP`` does.

    Args:
        baseline, followup: each a ``Results``, a path (results ``.json`` or responses) or a
            DataFrame of responses.
        by: respondent field(s) whose groups are compared too.
        question_set: the set responses are scored with (default: the bundled one).
        labels: a name for each wave (default: the file's name, or "wave 1", "wave 2").
        independent: the waves are different people (no paired test by ``respondent_id``).
        min_group_size: raise the anonymity threshold (never lower it).
        title: the comparison's title.

    Raises:
        UsageError, LeadlensError: as ``leadlens compare`` reports them.
    """
    from leadlens.analysis.scoring import generated_at
    from leadlens.waves.engine import compare as compare_documents

    fields = [by] if isinstance(by, str) else list(by)
    first, second = _waves([baseline, followup], labels, question_set, fields, min_group_size)
    return compare_documents(first, second, by=fields, independent=independent,
                         min_group_size=min_group_size, title=title,
                         generated_at=generated_at())


def trend(waves: Sequence[Any], *,
          question_set: str | os.PathLike[str] | QuestionSet | None = None,
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
    loaded = _waves(items, labels, question_set, [], min_group_size)
    return trend_waves(loaded, independent=independent, min_group_size=min_group_size,
                       title=title, generated_at=generated_at())


def _waves(items: list[Any], labels: Sequence[str] | None,
           question_set: str | os.PathLike[str] | QuestionSet | None, by: list[str],
           min_group_size: int | None) -> list[Wave]:
    """Every wave, with the problems of all of them raised together (as the CLI does)."""
    from leadlens.questionset.loading import load_question_set
    from leadlens.questionset.model import QuestionSet
    from leadlens.responses.frames import frame_cells, frame_name, is_frame
    from leadlens.responses.reading import read_responses
    from leadlens.results.document import Results
    from leadlens.scoring.options import check_score_options
    from leadlens.waves.loading import load_wave
    from leadlens.waves.waves import results_wave, scored_wave

    if labels is not None and (len(labels) != len(items) or not all(labels)):
        raise UsageError.about("labels", f"{list(labels)!r}: give {len(items)} non-empty "
                               "names, one per wave", code=Code.OPTION_BAD_LABELS)
    names = list(labels) if labels is not None else [None] * len(items)
    ref = None if question_set is None or isinstance(question_set, QuestionSet) else (
        question_set if isinstance(question_set, str) else str(Path(question_set)))
    waves: list[Wave] = []
    problems: list[Problem] = []
    for number, (item, name) in enumerate(zip(items, names, strict=True), start=1):
        try:
            if isinstance(item, Results):
                waves.append(results_wave(name or f"wave {number}", "<Results>", item))
            elif isinstance(item, str | os.PathLike) and not isinstance(question_set,
                                                                        QuestionSet):
                from leadlens.analysis.scoring import generated_at

                waves.append(load_wave(Path(item), label=name, question_set=ref, by=by,
                                       min_group_size=min_group_size,
                                       generated_at=generated_at()))
            elif isinstance(item, str | os.PathLike) or is_frame(item):
                from leadlens.analysis.scoring import generated_at

                qs = (question_set if isinstance(question_set, QuestionSet)
                      else load_question_set(ref))
                check_score_options(qs, by=by, min_group_size=min_group_size)
                source = Path(item) if isinstance(item, str | os.PathLike) else frame_cells(item)
                shown = str(item) if isinstance(item, str | os.PathLike) else frame_name(item)
                waves.append(scored_wave(name or f"wave {number}", shown, qs,
                                         read_responses([source], qs), by=by,
                                         min_group_size=min_group_size,
                                         generated_at=generated_at()))
            else:
                raise UsageError.about("waves", f"{type(item).__name__}: not Results, a path "
                                       "or a DataFrame", code=Code.OPTION_NOT_DATA)
        except UsageError:
            raise
        except LeadlensError as exc:
            problems += exc.problems
    if problems:
        raise LeadlensError(problems)
    return waves


compare_waves = compare
"""The earlier name of :func:`compare`, kept as an alias."""
