"""A wave as the comparison sees it: its results document, and its respondents when known."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import BoolArray, FloatArray, Responses
from leadlens.results.document import Results
from leadlens.scoring.engine import score
from leadlens.scoring.groups import Grouping, group_key, group_respondents

IntArray = npt.NDArray[np.int64]


def match_key(value: str, not_stated: bool) -> str:
    """How a group is recognised in another wave: its normalised value ("" = not stated)."""
    return "" if not_stated else group_key(value)


@dataclass
class Respondents:
    """Per-respondent figures, known only when a wave is given as responses files.

    They stay in memory for the comparison; no per-respondent figure is ever written into a
    results or comparison document.
    """

    ids: list[str | None] | None
    principles: dict[str, FloatArray]
    """0-100 score per respondent, by principle id (NaN: no score)."""
    overall: FloatArray
    groupings: dict[str, Grouping] = field(default_factory=dict)
    answered: dict[str, BoolArray] = field(default_factory=dict)
    """Who gave a scored answer, by answer key."""
    answers: dict[str, IntArray] = field(default_factory=dict)
    """Each respondent's scored answer (option index from 1; 0: none), by answer key: tells
    an answer that changed between the waves from one that did not (never written out)."""

    @property
    def n(self) -> int:
        return int(self.overall.shape[0])

    def members(self, field_id: str, key: str) -> BoolArray:
        """Which respondents are in the group whose normalised value is ``key``."""
        grouping = self.groupings[field_id]
        codes = [i for i, v in enumerate(grouping.values)
                 if match_key(v, grouping.not_stated[i]) == key]
        mask: BoolArray = np.isin(grouping.codes, codes)
        return mask


@dataclass
class Wave:
    """One wave: a results document, where its questions are, and maybe its respondents."""

    label: str
    kind: Literal["results", "responses"]
    file: str
    """The file named in problems about this wave."""
    results: Results
    question_at: list[str]
    """Where each question of the wave's question set is: ``file:line`` or a document path."""
    respondents: Respondents | None = None

    @property
    def sources(self) -> list[str]:
        return [self.file]


def results_wave(label: str, file: str, results: Results) -> Wave:
    """A wave given as a results document: no per-respondent figures."""
    places = [f"{file}: question_set.questions[{i}] ({q.id})"
              for i, q in enumerate(results.question_set.questions)]
    return Wave(label=label, kind="results", file=file, results=results, question_at=places)


def scored_wave(label: str, file: str, question_set: QuestionSet, responses: Responses, *,
                by: Sequence[str] = (), min_group_size: int | None = None,
                question_at: list[str] | None = None,
                generated_at: dt.datetime | None = None,
                held_back: Callable[[Results], Results] | None = None) -> Wave:
    """A wave given as responses: scored as ``leadlens score`` does, respondents kept.

    ``held_back``: marks what a workshop's screen showed with slightly different answers
    (:meth:`leadlens.workshop.published.PackGuard.results`; its answers are already left
    out of ``responses``); when it holds the overall back, no respondent's overall is
    compared either (it would be the overall of the other principles only)."""
    scored = score(question_set, responses, by=by, min_group_size=min_group_size,
                   generated_at=generated_at)
    if held_back is not None:
        scored.results = held_back(scored.results)
    overall_held = held_back is not None and scored.results.overall.score is None
    scales = {key: question_set.scales[q.scale or ""] for q in question_set.questions
              if q.type == "rating" for key in q.answer_keys}
    # A principle's question is counted over the people scored on the principle, as the
    # results count it (docs/scoring.md, section 3).
    principle_of = {key: q.principle for q in question_set.questions if q.type == "rating"
                    for key in q.answer_keys}
    scored_on = {pid: np.isfinite(values)
                 for pid, values in scored.respondents.by_principle.items()}
    answered: dict[str, BoolArray] = {}
    answers: dict[str, IntArray] = {}
    for j, key in enumerate(responses.keys):
        codes = responses.codes[:, j]
        answered[key] = (codes >= 1) & (codes <= len(scales[key].options))
        pid = principle_of.get(key)
        if pid is not None and pid in scored_on:
            answered[key] &= scored_on[pid]
        answers[key] = np.where(answered[key], codes, 0).astype(np.int64)
    people = Respondents(
        ids=responses.respondent_ids, principles=dict(scored.respondents.by_principle),
        overall=(np.full_like(scored.respondents.overall, np.nan) if overall_held
                 else scored.respondents.overall),
        groupings={f: group_respondents(f, responses.fields[f]) for f in by},
        answered=answered, answers=answers)
    places = question_at or [f"{file}: questions[{i}] ({q.id})"
                             for i, q in enumerate(question_set.questions)]
    return Wave(label=label, kind="responses", file=file, results=scored.results,
                question_at=places, respondents=people)
