"""Checks on a results document read back from a file: every value's domain, and anonymity.

A results document may have been edited by hand or made by something else, so ``report``
trusts none of it: counts are whole numbers between 0 and the respondents, scores lie in
0-100, means on their scales, shares in 0-1, bands are the question set's. The anonymity
rules are applied again, never taken from the file's ``suppressed`` flags: every shown group
has at least ``min_group_size`` respondents, no hidden group publishes figures, the hidden
groups together cannot be worked out by subtraction nor any of them narrowed to a single size
(see :func:`leadlens.scoring.groups.suppression`, the rule ``score`` applies), and comments
are withheld when there are fewer respondents than the threshold.

Whether several breakdowns can be shown together depends on who is in which group of each
(:mod:`leadlens.scoring.disclosure`), which a results document never holds: publishing it
would itself give people away. So ``score`` seals what it writes (:func:`sealed`, a SHA-256
of the document) and :func:`unchecked_breakdowns` shows only the first breakdown of a
document whose seal does not match: one changed after scoring, or made by something else.
The seal catches edits and other tools, not a forger (who could write a report by hand).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from leadlens.errors import Code, LeadlensError, Problem, format_path
from leadlens.results.document import (
    DisclosureStep,
    Favourability,
    GroupBreakdown,
    GroupICC,
    GroupPrinciple,
    GroupResult,
    ItemResult,
    OverallResult,
    PerspectiveScore,
    PrincipleResult,
    Results,
    ResultWarning,
    TimepointMean,
    TimepointResult,
    seal_of,
)

MAX_RESPONDENTS = 1_000_000_000
TOLERANCE = 1e-6  # sums in another order differ in the last bits

PathT = tuple[str | int, ...]
Rule = Callable[[Any], str | None]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _within(low: float, high: float, what: str) -> Rule:
    def rule(value: Any) -> str | None:
        if value is None:
            return None
        if not _finite(value):
            return f"{value!r} is not a finite number"
        if not low - TOLERANCE <= value <= high + TOLERANCE:
            return f"{value!r} is not {what} ({low:g} to {high:g})"
        return None
    return rule


def _count(respondents: int) -> Rule:
    def rule(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{value!r} is not a whole number"
        if not 0 <= value <= respondents:
            return f"{value} is not a count of respondents (0 to {respondents})"
        return None
    return rule


def _rules(results: Results) -> dict[str, Rule]:
    scales = results.question_set.scales.values()
    low = min((s.min for s in scales), default=0)
    high = max((s.max for s in scales), default=0)
    score = _within(0, 100, "a 0-100 score")
    count = _count(results.respondents)
    return {
        "score": score, "overall": score, "spread": score,
        "perspective_gap": _within(-100, 100, "a difference of 0-100 scores"),
        "mean": _within(low, high, "on the question set's scales"),
        "gap": _within(low - high, high - low, "a difference on the question set's scales"),
        "sd": _within(0, max(high - low, 100), "a standard deviation"),
        "below_50": _within(0, 1, "a share"), "above_50": _within(0, 1, "a share"),
        "clearly_below": _within(0, 1, "a share"), "clearly_above": _within(0, 1, "a share"),
        "paired_means": _within(low, high, "on the question set's scales"),
        "unscored_share": _within(0, 1, "a share"), "band_position": _within(0, 1, "a share"),
        "alpha": _within(-1e6, 1, "a Cronbach's alpha (at most 1)"),
        "item_total_r": _within(-1, 1, "a correlation"),
        "weight": _within(1e-300, 1e300, "a weight above 0"),
        "n": count, "missing": count, "unscored": count, "alpha_n": count, "gap_n": count,
    }


def walk(value: Any, path: PathT) -> Iterator[tuple[PathT, Any]]:
    """Every leaf value of a document (models, lists, mappings) with its path; a results
    document's embedded question set is skipped (its model checks its own domains)."""
    if isinstance(value, BaseModel):
        if path == ("question_set",):
            return  # validated as a question set (its own domains) by the model
        for name in type(value).model_fields:
            yield from walk(getattr(value, name), (*path, name))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from walk(item, (*path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, str(key)))
    else:
        yield path, value


def domain_problems(results: Results, file: str) -> list[Problem]:
    """Every value outside its domain, located by its path in the document."""
    problems: list[Problem] = []

    def add(path: PathT, message: str, hint: str = "") -> None:
        problems.append(Problem(file=file, path=format_path(path), message=message, hint=hint,
                                code=Code.RESULTS_OUT_OF_DOMAIN))

    if not 0 <= results.respondents <= MAX_RESPONDENTS:
        add(("respondents",), f"{results.respondents} is not a number of respondents "
                              f"(0 to {MAX_RESPONDENTS:,})")
        return problems
    rules = _rules(results)
    bands = {b.id for b in results.question_set.bands}
    count = _count(results.respondents)
    for path, value in walk(results, ()):
        names = [p for p in path if isinstance(p, str)]
        last = names[-1] if names else ""
        parent = names[-2] if len(names) > 1 else ""
        if parent in ("counts", "bands") and path[-1] == last:
            message = count(value)  # respondents per option or band
        elif last == "ci95":
            message = rules["score"](value)
        elif path[-1] != last and parent == "ci95":
            message = rules["score"](value)
        elif last in ("band", "overall_band") and value is not None:
            message = None if value in bands else f"{value!r} is not a band of the question set"
        elif last in rules and (last != "overall" or not isinstance(value, BaseModel)):
            message = rules[last](value)
        else:
            message = None
        if message is not None:
            add(path, message)
    for i, principle in enumerate(results.principles):
        keys = [item.key for item in principle.items]
        for j, key in enumerate(keys):
            if key in keys[:j]:
                add(("principles", i, "items", j, "key"),
                    f"{key!r} is listed twice among the principle's questions")
        for j, key in enumerate(principle.reverse_suggested):
            if key not in keys:
                add(("principles", i, "reverse_suggested", j),
                    f"{key!r} is not one of the principle's questions "
                    f"({', '.join(map(repr, keys)) or 'none listed'})")
    return problems


def anonymity_problems(results: Results, file: str) -> list[Problem]:
    """Where the document would publish something the anonymity rules hide."""
    # The question set's own threshold is at least 3 (its model says so); --min-group-size
    # may only have raised it, so the document's threshold is the larger of the two.
    floor = results.question_set.scoring.min_group_size
    problems: list[Problem] = []
    hint = "Re-score the responses with leadlens score; report never publishes small groups"
    bundled = _bundled_floor(results)
    if bundled is not None and bundled > floor:
        # An edited document may lower its embedded set's threshold with its own: the bundled
        # set of the same id says what the threshold was.
        problems.append(Problem(
            file=file, path="question_set.scoring.min_group_size", hint=hint,
            code=Code.RESULTS_ANONYMITY,
            message=f"{floor} is below the anonymity threshold of the bundled question set "
                    f"{results.question_set.id!r} ({bundled}), and the document was changed "
                    "after leadlens score wrote it (its seal does not match)"))
        floor = bundled
    threshold = max(floor, results.min_group_size)
    if results.min_group_size < floor:
        problems.append(Problem(file=file, path="min_group_size", hint=hint,
                                code=Code.RESULTS_ANONYMITY,
                                message=f"{results.min_group_size} is below the question "
                                        f"set's anonymity threshold ({floor})"))
    if results.respondents < threshold and any(results.comments.values()):
        problems.append(Problem(file=file, path="comments", hint=hint,
                                code=Code.RESULTS_ANONYMITY,
                                message=f"comments from fewer than {threshold} respondents "
                                        "are published"))
    problems += _short_comment_lists(results, threshold, file, hint)
    for field, breakdown in results.groups.items():
        problems += _group_problems(breakdown, ("groups", field), results.respondents,
                                    threshold, file, hint,
                                    [p.id for p in results.principles if p.score is not None])
    problems += [Problem(file=file, path=format_path(path), hint=hint,
                         code=Code.RESULTS_ANONYMITY,
                         message=f"a figure resting on {n} {unit}{'s' if n != 1 else ''}, fewer "
                                 f"than the threshold ({threshold}), is published")
                 for path, n, unit in _thin_figures(results, threshold)]
    return problems


def _bundled_floor(results: Results) -> int | None:
    """The threshold of the bundled question set whose id the document's set has, when the
    document's seal does not match (a sealed one was scored with the set it embeds)."""
    from leadlens.questionset.loading import bundled_sets, load_question_set

    if results.question_set.id not in bundled_sets() or results.seal == seal_of(results):
        return None
    try:
        return load_question_set(results.question_set.id).scoring.min_group_size
    except LeadlensError:
        return None


def _short_comment_lists(results: Results, threshold: int, file: str,
                         hint: str) -> list[Problem]:
    """Comment lists shorter than the threshold (edited, or made by something else): each
    person gives at most one comment per question, so fewer comments may mean fewer
    commenters. ``score`` counts the commenters after the facilitator's
    ``--withhold-comments``, so it never writes one."""
    lists: list[tuple[PathT, list[str]]] = [
        (("comments", key), texts) for key, texts in results.comments.items()]
    for field, breakdown in results.groups.items():
        for i, group in enumerate(breakdown.groups):
            lists += [(("groups", field, "groups", i, "comments", key), texts)
                      for key, texts in group.comments.items()]
    return [Problem(file=file, path=format_path(path), hint=hint, code=Code.RESULTS_ANONYMITY,
                    message=f"{len(texts)} comment(s) published, fewer than the threshold "
                            f"({threshold}): fewer comments may mean fewer people")
            for path, texts in lists if 0 < len(texts) < threshold]


# Every figure that carries its own count, by the model that holds it: count field -> the
# figures resting on it. One rule applies to all of them, whole survey and groups alike: a
# figure published on fewer than the threshold (but some) respondents or answers is refused.
# A group's own ``n`` is checked by _group_problems (a shown group below the threshold) and is
# listed in COUNTS_CHECKED_ELSEWHERE; tests/test_hostile_results.py fails when a model gains a
# count field that neither table names.
COUNTED: dict[type[BaseModel], dict[str, tuple[str, ...]]] = {
    OverallResult: {"n": ("score", "sd", "ci95", "band")},
    PrincipleResult: {
        "n": ("score", "mean", "sd", "ci95", "band", "band_position", "bands", "below_50",
              "above_50", "clearly_below", "clearly_above", "unscored_share",
              "perspective_gap"),
        "alpha_n": ("alpha", "alpha_std", "average_r", "g6", "alpha_ci95", "omega_total",
                    "alpha_rekeyed"),
        "agreement_n": ("rwg_j", "ad_m"),
    },
    PerspectiveScore: {
        "n": ("score", "mean"),
        "alpha_n": ("alpha", "alpha_std", "average_r", "g6", "alpha_ci95", "omega_total"),
    },
    ItemResult: {"n": ("mean", "sd", "counts", "item_total_r", "alpha_if_dropped",
                       "pc1_loading")},
    TimepointMean: {"n": ("mean", "score")},
    TimepointResult: {"gap_n": ("gap", "paired_means")},
    GroupPrinciple: {
        "n": ("score", "mean", "sd", "ci95", "band"),
        "agreement_n": ("rwg_j", "ad_m", "agreement"),
    },
    Favourability: {"answers": ("favourable", "neutral", "unfavourable", "favourable_ci95",
                                "neutral_ci95", "unfavourable_ci95")},
    GroupICC: {"n": ("icc1", "icc2", "p")},
}
# Whole numbers in the model that are not the base of a figure of their own, or are checked
# by another rule.
COUNTS_CHECKED_ELSEWHERE: dict[type[BaseModel], tuple[str, ...]] = {
    GroupResult: ("n",),  # _group_problems: a shown group below the threshold
    Results: ("respondents", "min_group_size"),  # _thin_figures and anonymity_problems
    ItemResult: ("missing", "unscored"),  # parts of the item's respondents, as its counts
    GroupICC: ("groups",),  # how many shown groups, each checked by _group_problems
    ResultWarning: ("line", "col"),  # where a warning points in a file
}
EMPTY: tuple[object, ...] = (None, {}, [], ())


def _thin_figures(results: Results, threshold: int) -> Iterator[tuple[PathT, int, str]]:
    """Figures published on fewer than the threshold (but some): every figure of
    :data:`COUNTED`, wherever it sits in the document, and the overall of a survey with
    fewer respondents than the threshold: (where, the count, what it counts)."""
    if 0 < results.respondents < threshold and results.overall.score is not None:
        yield ("overall",), results.respondents, "respondent"
    yield from _thin_in(results, (), threshold)


def _thin_in(value: Any, path: PathT, threshold: int) -> Iterator[tuple[PathT, int, str]]:
    if isinstance(value, BaseModel):
        if path == ("question_set",):
            return
        for count_field, figures in COUNTED.get(type(value), {}).items():
            n = getattr(value, count_field)
            if n is not None and 0 < n < threshold and any(
                    getattr(value, f) not in EMPTY for f in figures):
                yield ((path if count_field == "n" else (*path, count_field)), n,
                       "answer" if count_field == "answers" else "respondent")
        for name in type(value).model_fields:
            yield from _thin_in(getattr(value, name), (*path, name), threshold)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _thin_in(item, (*path, i), threshold)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _thin_in(item, (*path, str(key)), threshold)


def _hidden_principles(group: GroupResult, scored: Sequence[str]) -> list[str]:
    """The principles a shown group hides (or leaves out) among those the whole survey
    scores: its overall, a weighted mean of its principles, would give them away."""
    shown = {p.id for p in group.principles if p.suppressed_reason is None}
    return [pid for pid in scored if pid not in shown]


def _group_problems(breakdown: GroupBreakdown, base: PathT, respondents: int,
                    threshold: int, file: str, hint: str,
                    scored: Sequence[str] = ()) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: PathT, message: str) -> None:
        problems.append(Problem(file=file, path=format_path(path), message=message, hint=hint,
                                code=Code.RESULTS_ANONYMITY))

    problems += _bound_problems(breakdown, base, respondents, threshold, file, hint)
    shown_total, hidden = 0, 0
    for i, group in enumerate(breakdown.groups):
        path = (*base, "groups", i)
        if group.suppressed:
            hidden += 1
            if group.n is not None or group.principles or group.comments \
                    or group.overall is not None:
                add(path, f"hidden group {group.value!r} publishes figures or comments")
            continue
        if group.n is None or group.n < threshold:
            count = ("has no respondent count" if group.n is None
                     else f"has {group.n} respondents, fewer than the threshold ({threshold})")
            add((*path, "n"), f"group {group.value!r} {count}, but is shown")
            continue
        shown_total += group.n
        if group.overall is not None and (hidden_ids := _hidden_principles(group, scored)):
            add((*path, "overall"), f"group {group.value!r} publishes its overall beside its "
                                    f"hidden principle(s) {', '.join(map(repr, hidden_ids))}: "
                                    "the overall and the shown principles give them")
    if shown_total > respondents:
        add((*base, "groups"), f"the shown groups have {shown_total} respondents, more than "
                               f"the {respondents} scored")
    elif hidden and shown_total and (hidden < 2 or respondents - shown_total < threshold):
        add((*base, "groups"), f"the hidden groups together ({respondents - shown_total} "
                               "respondents) can be worked out by subtraction from the total")
    return problems


UNBOUNDED = 10**12


def pinned(lows: Sequence[int], highs: Sequence[int], total: int) -> list[int]:
    """Which unknowns, each between its low and high and together ``total``, can only take
    one value."""
    low_sum, high_sum = sum(lows), sum(highs)
    found = []
    for i, (low, high) in enumerate(zip(lows, highs, strict=True)):
        least = max(low, total - (high_sum - high))
        most = min(high, total - (low_sum - low))
        if least == most:  # (least > most: the figures contradict each other, no value)
            found.append(i)
    return found


def _bound_problems(breakdown: GroupBreakdown, base: PathT, respondents: int,
                    threshold: int, file: str, hint: str) -> list[Problem]:
    """Hidden groups whose size the published sizes narrow to a single value (a group shown
    as "fewer than 5" has 1 to 4; one hidden to protect another at least 5): e.g. groups of
    10, "protected" and "fewer than 5" in 16 must be 5 and 1."""
    hidden = [(i, g) for i, g in enumerate(breakdown.groups) if g.suppressed]
    shown = sum(g.n or 0 for g in breakdown.groups if not g.suppressed)
    if not hidden or shown > respondents:
        return []
    lows = [1 if g.suppressed_reason == "small" else threshold for _, g in hidden]
    highs = [threshold - 1 if g.suppressed_reason == "small" else UNBOUNDED for _, g in hidden]
    found = pinned(lows, highs, respondents - shown)
    if not found or len(hidden) < 2:
        return []  # one hidden group: the subtraction check says so
    names = ", ".join(repr(hidden[i][1].value) for i in found)
    return [Problem(file=file, path=format_path((*base, "groups")), hint=hint,
                    code=Code.RESULTS_ANONYMITY,
                    message=f"the size of hidden group(s) {names} can be worked out from the "
                            "shown groups and what the hidden ones are labelled")]


def _shown(breakdown: GroupBreakdown) -> bool:
    return breakdown.withheld is None and any(not g.suppressed for g in breakdown.groups)


def unchecked_breakdowns(results: Results, file: str) -> Results:
    """The document with only its first breakdown, when it shows several and its seal does
    not match: whether they can be shown together cannot be checked from it."""
    shown = [f for f, b in results.groups.items() if _shown(b)]
    audit = results.disclosure
    if len(shown) < 2 or results.seal == seal_of(results):
        return results
    why = ("Not shown: this results document was changed after leadlens score wrote it, or "
           "made by something else, so whether this breakdown can be shown beside "
           f"{shown[0]!r} without a hidden figure being worked out by combining them cannot "
           "be checked. Re-score the responses with leadlens score to show both.")
    empty: list[GroupResult] = []
    groups = {f: b if f not in shown[1:] else b.model_copy(
        update={"groups": empty, "spread": [], "icc": [], "withheld": why})
        for f, b in results.groups.items()}
    steps = [DisclosureStep(breakdown=f, group=None, figure="group", reason="withheld",
                            text=f"{f}: withheld by leadlens report; the document's "
                                 "breakdowns could not be checked together")
             for f in shown[1:]]
    warning = ResultWarning.of(Problem(
        file=file, path="seal", severity="warning",
        code=Code.RESULTS_UNCHECKED_BREAKDOWNS,
        message=f"only the breakdown by {shown[0]!r} is shown ({', '.join(map(repr, shown[1:]))} "
                "withheld): the document was changed after leadlens score wrote it, or made by "
                "something else, so its breakdowns cannot be checked together",
        hint="Re-score the responses: leadlens score RESPONSES.csv --by ... -o results.json"))
    update: dict[str, object] = {"groups": groups,
                                 "warnings": [*results.warnings, warning]}
    if audit is not None:
        update["disclosure"] = audit.model_copy(update={"steps": [*audit.steps, *steps]})
    return results.model_copy(update=update)
