"""Waves built in code for the compare tests: a small set, random respondents, known shifts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from leadlens.questionset.model import QuestionSet
from leadlens.waves.waves import Wave, scored_wave
from scoring_fixtures import build_set, responses

PRINCIPLES = ({"id": "p", "name": "People"}, {"id": "q", "name": "Purpose"})
QUESTIONS: list[dict[str, Any]] = [
    {"id": "p1", "principle": "p"}, {"id": "p2", "principle": "p"},
    {"id": "p3", "principle": "p", "reverse": True},
    {"id": "q1", "principle": "q"}, {"id": "q2", "principle": "q"},
    {"id": "q3", "principle": "q"},
]
ORGS = ("Alpha Trust", "Beta Council", "Gamma ICB")


def wave_set(version: str = "1", questions: Sequence[Mapping[str, Any]] = QUESTIONS, *,
             min_group_size: int = 5, timepoints: bool = False) -> QuestionSet:
    qs = list(questions)
    if timepoints:
        qs.append({"id": "t1", "principle": None, "scale": "level",
                   "timepoints": ["now", "later"]})
    scales: dict[str, Any] = {"agree": {"options": [{"value": v, "label": f"Option {v}"}
                                                    for v in range(1, 6)],
                                        "unscored": ["Don't know"]}}
    if timepoints:
        scales["level"] = {"options": [{"value": v, "label": f"Level {v}"} for v in range(5)]}
    built = build_set(qs, principles=PRINCIPLES, min_group_size=min_group_size,
                      scales=scales, timepoints=("now", "later") if timepoints else ())
    return built.model_copy(update={"version": version})


def people(seed: int, n: int, *, shift: Mapping[str, float] | None = None,
           prefix: str = "A", orgs: Sequence[str] = ORGS,
           timepoints: bool = False) -> list[dict[str, Any]]:
    """``n`` respondents; each has a view per principle (1-5) plus ``shift``."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        row: dict[str, Any] = {"respondent_id": f"{prefix}{i:03d}",
                               "organisation": orgs[int(rng.integers(len(orgs)))]}
        for principle in ("p", "q"):
            view = 3.0 + (shift or {}).get(principle, 0.0) + rng.normal(0, 0.7)
            for q in QUESTIONS:
                if q["principle"] != principle:
                    continue
                value = view + rng.normal(0, 0.6)
                if q.get("reverse"):
                    value = 6 - value
                row[q["id"]] = int(np.clip(round(value), 1, 5))
        if timepoints:
            now = int(rng.integers(0, 3))
            row["t1@now"], row["t1@later"] = now, min(4, now + int(rng.integers(0, 3)))
        rows.append(row)
    return rows


def make_wave(label: str, qs: QuestionSet, rows: Sequence[Mapping[str, Any]], *,
              by: Sequence[str] = ("organisation",)) -> Wave:
    return scored_wave(label, f"{label}.csv", qs, responses(qs, rows), by=by)
