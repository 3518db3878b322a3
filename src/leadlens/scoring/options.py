"""The scoring options' rules, owned here and checked before any work is done.

The engine calls :func:`check_score_options` itself, and the command line calls it right
after loading the question set (before reading any response), so both refuse the same
options in the same words. A refused option is a :class:`~leadlens.errors.UsageError`.
"""

from __future__ import annotations

from collections.abc import Sequence

from leadlens.errors import Code, UsageError
from leadlens.questionset.model import QuestionSet

SMALLEST_GROUP = 3
"""No option or question set may show a group smaller than this."""


def anonymity_floor(question_set: QuestionSet) -> int:
    """The smallest group the set lets anyone show: its ``min_group_size``, at least 3."""
    return max(SMALLEST_GROUP, question_set.scoring.min_group_size)


def effective_min_group_size(question_set: QuestionSet, requested: int | None = None) -> int:
    """The anonymity threshold: the set's, raised (never lowered) by a request, at least 3."""
    return max(anonymity_floor(question_set), requested or 0)


def check_score_options(question_set: QuestionSet, *, by: Sequence[str] = (),
                        min_group_size: int | None = None) -> None:
    """Refuse a breakdown field the set does not ask for, or a lowered anonymity threshold.

    Raises:
        UsageError: the first refused option: ``code`` ``option.unknown-field`` (option
            ``by``), ``option.field-twice`` (``by`` names a field twice) or
            ``option.below-anonymity-floor`` (option ``min_group_size``).
    """
    known = question_set.respondent_field_ids()
    for index, field_id in enumerate(by):
        if field_id in by[:index]:
            raise UsageError.about(
                "by", f"{field_id!r}: named twice; give each breakdown field once",
                code=Code.OPTION_FIELD_TWICE)
        if field_id not in known:
            raise UsageError.about(
                "by", f"{field_id!r}: not a respondent field of {question_set.id}; choose "
                f"from {', '.join(known) or '(none)'}", code=Code.OPTION_UNKNOWN_FIELD)
    floor = anonymity_floor(question_set)
    if min_group_size is not None and min_group_size < floor:
        raise UsageError.about(
            "min_group_size", f"{min_group_size}: may raise the question set's threshold "
            f"({floor}) but not lower it", code=Code.OPTION_BELOW_ANONYMITY_FLOOR)
