"""Reading a wave from a file: a results document, or a responses file scored on the spot.

The only module of :mod:`leadlens.waves` that reads files; the CLI calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from leadlens.files import InputError, read_input
from leadlens.questionset.loading import bundled_dir, load_question_set, resolve
from leadlens.questionset.model import QuestionSet
from leadlens.responses.limits import RunBudget
from leadlens.responses.reading import read_responses
from leadlens.results.loading import load_results
from leadlens.scoring.options import check_score_options
from leadlens.source.yamltree import load_yaml
from leadlens.waves.waves import Wave, results_wave, scored_wave

RESULTS_SUFFIXES = (".json",)

WAVE_TAKES = ("A wave is a results document (leadlens score RESPONSES.csv -o results.json) or a "
              "responses file, scored here; a .json file is read as a results document, so "
              "name a responses file for what it is (.csv, .xlsx, ...)")
"""The hint for a ``.json`` wave that is no JSON at all (a responses file, most often)."""


def is_results_file(path: Path) -> bool:
    return path.suffix.lower() in RESULTS_SUFFIXES


def question_places(qs: QuestionSet, ref: str | None) -> list[str]:
    """``file:line`` of each question in the question-set file ``ref`` points to."""
    path = resolve(ref)
    try:
        shown = (f"question_sets/{path.name}" if path.resolve().is_relative_to(
            bundled_dir().resolve()) else str(path))
        _, smap, _ = load_yaml(read_input(path, "question set"), shown)
    except (OSError, InputError):
        return [f"{path}: questions[{i}]" for i in range(len(qs.questions))]
    return [f"{shown}:{smap.locate(('questions', i))[0]}" for i in range(len(qs.questions))]


def load_wave(path: Path, *, label: str | None = None, question_set: str | None = None,
              by: Sequence[str] = (), min_group_size: int | None = None,
              generated_at: dt.datetime | None = None,
              budget: RunBudget | None = None) -> Wave:
    """One wave: ``path`` is a results document (``.json``) or a responses file.

    Responses are read and scored as ``leadlens score`` does, with ``question_set`` (a file or
    bundled id) and ``--by`` fields; their per-respondent scores are kept in memory only.
    The waves of one run share one ``budget`` (:class:`~leadlens.responses.limits.RunBudget`).

    Raises:
        LeadlensError: the file cannot be read, or is not a valid results document or
            responses file.
        UsageError: a ``by`` field the question set does not have, or a lowered threshold.
    """
    name = label or path.stem
    if is_results_file(path):
        return results_wave(name, str(path), load_results(path, not_json_hint=WAVE_TAKES))
    qs = load_question_set(question_set)
    check_score_options(qs, by=by, min_group_size=min_group_size)
    from leadlens.workshop.records import workshop_guard

    responses = read_responses([path], qs, budget=budget)
    guard = workshop_guard(qs, path, min_group_size)
    if guard is not None:  # what a workshop's screen showed, as score holds it back
        responses = guard.responses(responses)
    held = guard.results if guard is not None else None
    return scored_wave(name, str(path), qs, responses, by=by,
                       min_group_size=min_group_size,
                       question_at=question_places(qs, question_set), generated_at=generated_at,
                       held_back=held)
