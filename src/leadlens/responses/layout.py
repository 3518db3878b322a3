"""The responses-file layout: the columns a leadlens responses file has, in order.

The survey writes this header, ``leadlens template`` writes it blank, every reader reserves
its first two names, and question-set checks refuse ids that would clash with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadlens.questionset.model import QuestionSet

RESERVED_COLUMNS = ("respondent_id", "submitted_at")
"""Columns every responses file may have besides answers and respondent fields."""


def responses_header(qs: QuestionSet) -> list[str]:
    """The responses CSV header for a question set: ids, respondent fields, answer keys."""
    return [*RESERVED_COLUMNS, *qs.respondent_field_ids(), *qs.answer_keys()]
