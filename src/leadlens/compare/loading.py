"""Reading a wave from a file: a results document, or a responses file scored on the spot.

The only module of :mod:`leadlens.compare` that reads files; the CLI calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from leadlens.compare.waves import Respondents, Wave
from leadlens.errors import LeadlensError
from leadlens.models import QuestionSet
from leadlens.questionset import bundled_dir, load_question_set, resolve
from leadlens.report.loading import load_results
from leadlens.responses import read_responses
from leadlens.scoring import score
from leadlens.scoring.data import BoolArray, Responses
from leadlens.scoring.groups import group_respondents
from leadlens.yamlsource import load_yaml

RESULTS_SUFFIXES = (".json",)


def is_results_file(path: Path) -> bool:
    return path.suffix.lower() in RESULTS_SUFFIXES


def question_places(qs: QuestionSet, ref: str | None) -> list[str]:
    """``file:line`` of each question in the question-set file ``ref`` points to."""
    path = resolve(ref)
    try:
        shown = (f"question_sets/{path.name}" if path.resolve().is_relative_to(
            bundled_dir().resolve()) else str(path))
        _, smap, _ = load_yaml(path.read_bytes(), shown)
    except OSError:
        return [f"{path}: questions[{i}]" for i in range(len(qs.questions))]
    return [f"{shown}:{smap.locate(('questions', i))[0]}" for i in range(len(qs.questions))]


def _answered(qs: QuestionSet, responses: Responses) -> dict[str, BoolArray]:
    scales = {key: qs.scales[q.scale or ""] for q in qs.questions if q.type == "rating"
              for key in q.answer_keys}
    out: dict[str, BoolArray] = {}
    for j, key in enumerate(responses.keys):
        codes = responses.codes[:, j]
        answered: BoolArray = (codes >= 1) & (codes <= len(scales[key].options))
        out[key] = answered
    return out


def load_wave(path: Path, *, label: str | None = None, question_set: str | None = None,
              by: Sequence[str] = (), min_group_size: int | None = None,
              generated_at: dt.datetime | None = None) -> Wave:
    """One wave: ``path`` is a results document (``.json``) or a responses file.

    Responses are read and scored as ``leadlens score`` does, with ``question_set`` (a file or
    bundled id) and ``--by`` fields; their per-respondent scores are kept in memory only.

    Raises:
        LeadlensError: the file cannot be read, is not a valid results document or responses
            file, or a --by field is not in the question set.
    """
    name = label or path.stem
    if is_results_file(path):
        results = load_results(path)
        places = [f"{path}: question_set.questions[{i}] ({q.id})"
                  for i, q in enumerate(results.question_set.questions)]
        return Wave(label=name, kind="results", file=str(path), results=results,
                    question_at=places)
    qs = load_question_set(question_set)
    known = qs.respondent_field_ids()
    missing = [f for f in by if f not in known]
    if missing:
        raise LeadlensError.single(str(path), f"--by {missing[0]!r}: not a respondent field "
                                   f"of {qs.id}", hint=f"Fields: {', '.join(known) or 'none'}")
    data = read_responses([path], qs)
    scored = score(qs, data, by=by, min_group_size=min_group_size, generated_at=generated_at)
    people = Respondents(
        ids=data.respondent_ids, principles=dict(scored.respondents.by_principle),
        overall=scored.respondents.overall,
        groupings={f: group_respondents(f, data.fields[f]) for f in by},
        answered=_answered(qs, data))
    return Wave(label=name, kind="responses", file=str(path), results=scored.results,
                question_at=question_places(qs, question_set), respondents=people)
