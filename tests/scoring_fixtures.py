"""Small question sets and responses for the scoring tests, built in code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from leadlens.questionset.model import QuestionSet
from leadlens.scoring import Responses


def scale(low: int, high: int, unscored: Sequence[str] = ("Don't know",)) -> dict[str, Any]:
    return {"options": [{"value": v, "label": f"Option {v}"} for v in range(low, high + 1)],
            "unscored": list(unscored)}


BANDS = [{"id": "low", "label": "Low", "from": 0},
         {"id": "middle", "label": "Middle", "from": 40},
         {"id": "high", "label": "High", "from": 80}]


def build_set(questions: Sequence[Mapping[str, Any]], *,
              principles: Sequence[Mapping[str, Any]] = ({"id": "p", "name": "P"},),
              scales: Mapping[str, Any] | None = None, min_answered: float = 0.5,
              min_group_size: int = 5, respondent: Sequence[str] = ("organisation",),
              perspectives: Sequence[str] = (), timepoints: Sequence[str] = (),
              bands: Sequence[Mapping[str, Any]] = BANDS) -> QuestionSet:
    """A question set; questions default to principle ``p`` on the ``agree`` scale (1-5)."""
    return QuestionSet.model_validate({
        "schema_version": 1, "id": "test", "title": "Test", "version": "1",
        "scales": dict(scales or {"agree": scale(1, 5)}),
        "bands": list(bands),
        "principles": [dict(p) for p in principles],
        "perspectives": [{"id": p, "label": p.title()} for p in perspectives],
        "timepoints": [{"id": t, "label": t.title()} for t in timepoints],
        "respondent": [{"id": r, "prompt": r.title()} for r in respondent],
        "scoring": {"min_answered": min_answered, "min_group_size": min_group_size},
        "questions": [{"principle": "p", "scale": "agree", "text": q["id"], **q}
                      if q.get("type") != "text" else {"text": q["id"], **q}
                      for q in questions],
    })


def responses(qs: QuestionSet, rows: Sequence[Mapping[str, Any]]) -> Responses:
    return Responses.from_records(qs, rows, sources=["test"])
