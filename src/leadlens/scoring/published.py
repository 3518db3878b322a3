"""What may be published: the whole-survey minimum, the cell minimum and the audit trail.

Every figure computed from answers must rest on at least ``min_group_size`` respondents;
below that in the whole survey nothing computed from answers is published at all. The
linked-tables control of the groups is :mod:`leadlens.scoring.disclosure`.
"""

from __future__ import annotations

import typing
from dataclasses import replace

from pydantic import BaseModel

from leadlens.responses.table import FieldValues, Responses, TextAnswers
from leadlens.results.document import (
    DisclosureStep,
    ItemResult,
    OverallResult,
    PerspectiveScore,
    PrincipleResult,
    TimepointMean,
    TimepointResult,
    step_text,
)
from leadlens.scoring.disclosure import Reason

METHOD = (
    "Every published figure rests on at least min_group_size respondents; below that in "
    "the whole survey, no figure is published. Groups of every --by breakdown, the whole "
    "survey and the comments are treated as linked tables: a group or figure is also hidden "
    "when it could otherwise be worked out, or narrowed to a single value, by adding and "
    "subtracting published figures (secondary suppression), and a breakdown is withheld "
    "when no safe pattern exists. This covers one run: the figures of two runs with different "
    "--by breakdowns can be subtracted from one another, so publish every breakdown from one "
    "run. See docs/scoring.md, 'Disclosure control'.")


def survey_withheld(respondents: int, min_group_size: int, *, requested: bool = False) -> str:
    """The message shown instead of every figure when the whole survey is too small
    (``requested``: the threshold is the one asked for with ``--min-group-size``)."""
    people = "1 person" if respondents == 1 else f"{respondents} people"
    source = ("--min-group-size raised the threshold; the question set's "
              "scoring.min_group_size is the least it may be" if requested else
              "the question set's scoring.min_group_size sets the threshold, at least 3")
    return (f"Only {people} responded, fewer than the {min_group_size} needed before any "
            f"figure can be published without revealing individual answers, so no scores, "
            f"answer counts or comments are shown. Collect more responses ({source}).")


def no_respondents(responses: Responses) -> Responses:
    """The same responses with every respondent left out (the whole-survey minimum)."""
    return replace(
        responses, codes=responses.codes[:0],
        fields={k: FieldValues(v.codes[:0], v.labels) for k, v in responses.fields.items()},
        texts={k: TextAnswers(v.rows[:0], []) for k, v in responses.texts.items()},
        respondent_ids=None, line_parts=[])


def _blank(model: BaseModel, keep: set[str], **update: object) -> dict[str, object]:
    """Every figure of ``model`` (its nullable fields, except ``keep``) as null, plus
    ``update``: what a withheld figure publishes."""
    blank: dict[str, object] = {
        name: None for name, field in type(model).model_fields.items()
        if name not in keep and type(None) in typing.get_args(field.annotation)}
    return {**blank, **update}


def _thin(n: int | None, min_group_size: int) -> str | None:
    if n is not None and 0 < n < min_group_size:
        return f"fewer than {min_group_size} respondents answered"
    return None


def item_minimum(item: ItemResult, min_group_size: int) -> ItemResult:
    """An item whose answers rest on too few respondents: no mean, sd or counts."""
    why = item.withheld or _thin(item.n, min_group_size)  # or left out of its principle
    if why is None:
        return item
    return item.model_copy(update=_blank(item, {"principle", "perspective", "timepoint"},
                                         counts={}, flagged=False, withheld=why))


def principle_minimum(result: PrincipleResult, min_group_size: int) -> PrincipleResult:
    """A principle's figures, each hidden where it rests on too few respondents."""
    perspectives: list[PerspectiveScore] = [
        p if (why := _thin(p.n, min_group_size)) is None
        else p.model_copy(update=_blank(p, set(), withheld=why))
        for p in result.perspectives]
    perspectives = [p if p.alpha_n is None or p.alpha_n >= min_group_size
                    else p.model_copy(update=_blank(p, {"n", "mean", "score", "withheld"}))
                    for p in perspectives]
    update: dict[str, object] = {
        "items": [item_minimum(i, min_group_size) for i in result.items],
        "perspectives": perspectives}
    if any(p.withheld for p in perspectives):
        update["perspective_gap"] = None
    if result.alpha_n is not None and result.alpha_n < min_group_size:
        update.update(_blank(result, {"scale", "reliability_withheld", "n", "mean", "sd",
                                      "score", "ci95", "band", "band_position", "below_50",
                                      "above_50", "clearly_below", "clearly_above",
                                      "unscored_share", "rwg_j", "ad_m", "agreement_n",
                                      "favourability",
                                      "perspective_gap", "recommendation", "withheld"}))
        update["reverse_suggested"] = []
        if result.alpha_n:
            update["reliability_withheld"] = f"fewer than {min_group_size} respondents in " \
                "its sample"
    if result.agreement_n is not None and result.agreement_n < min_group_size:
        # rwg(j) and AD_M rest on those who answered every item: too few of them.
        update.update(rwg_j=None, ad_m=None, agreement_n=None)
    why = _thin(result.n, min_group_size) or result.withheld  # or nothing left to count
    if why is not None:
        update.update(_blank(result, {"scale", "reliability_withheld"}, bands={},
                             contested=False, withheld=why))
    return result.model_copy(update=update)


def overall_minimum(result: OverallResult, min_group_size: int,
                    principles: typing.Sequence[PrincipleResult] = ()) -> OverallResult:
    """The overall, withheld when it rests on too few, or when no principle counts towards
    it although some was answered (each withheld)."""
    why = _thin(result.n, min_group_size)
    if why is None and not result.n and any(p.withheld for p in principles):
        why = "no principle's score can be published, so there is no overall score"
    if why is None:
        return result
    return result.model_copy(update=_blank(result, set(), withheld=why))


def timepoint_minimum(result: TimepointResult, min_group_size: int) -> TimepointResult:
    means: list[TimepointMean] = [
        m if (why := _thin(m.n, min_group_size)) is None
        else m.model_copy(update=_blank(m, set(), withheld=why))
        for m in result.timepoints]
    gap_why = _thin(result.gap_n, min_group_size)
    if gap_why is None:
        return result.model_copy(update={"timepoints": means})
    return result.model_copy(update={"timepoints": means, "gap": None, "gap_n": None,
                                     "paired_means": [], "gap_withheld": gap_why})


def steps_of(breakdown: str, values: list[str], figure: str,
             reasons: list[Reason | None], min_group_size: int) -> list[DisclosureStep]:
    """Audit steps for one figure of one breakdown's groups (never the hidden sizes)."""
    return [DisclosureStep(breakdown=breakdown, group=value, figure=figure, reason=reason,
                           text=step_text(breakdown, [value], figure, reason, min_group_size))
            for value, reason in zip(values, reasons, strict=True) if reason is not None]
