"""Compare waves: ``compare(baseline, followup)`` and ``trend(waves)``. Pure: no file access."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from leadlens._version import __version__
from leadlens.errors import Code, LeadlensError, Problem
from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import BoolArray, FloatArray, Int32Array
from leadlens.results.document import (
    GroupPrinciple,
    GroupResult,
    ItemResult,
    PrincipleResult,
    Results,
)
from leadlens.scoring.disclosure import Reason, atoms_of
from leadlens.scoring.disclosure import protect as protect_linked
from leadlens.scoring.stats import ci95
from leadlens.waves import stats
from leadlens.waves.anonymity import (
    Cells,
    answers_reason,
    change_reason,
    complement_reason,
    linked_change_reason,
    paired_change_note,
    paired_complement_note,
    protect,
    protect_changes,
)
from leadlens.waves.document import (
    BandInfo,
    BreakdownComparison,
    Change,
    Comparison,
    Favourable,
    GroupComparison,
    ItemChange,
    NotCompared,
    Side,
    Test,
    TimepointChange,
    Trend,
    TrendLine,
    TrendPoint,
    WaveInfo,
    Withheld,
)
from leadlens.waves.favourable import item_favourable, pooled_favourable
from leadlens.waves.matching import Matching, match_questions
from leadlens.waves.waves import Wave, match_key

IntRows = np.ndarray


class CompareError(LeadlensError):
    """Waves that cannot be compared: different question sets, missing breakdowns, ..."""


def wave_info(wave: Wave) -> WaveInfo:
    r = wave.results
    return WaveInfo(label=wave.label, kind=wave.kind, sources=wave.sources,
                    question_set_version=r.question_set.version, respondents=r.respondents,
                    generated_at=r.generated_at)


def band_infos(qs: QuestionSet) -> list[BandInfo]:
    return [BandInfo(id=b.id, label=b.label, from_=b.from_) for b in qs.bands]


# --- checks -------------------------------------------------------------------------------

def _linked_ids(a: Wave, b: Wave) -> list[str]:
    if a.respondents is None or b.respondents is None:
        return []
    if a.respondents.ids is None or b.respondents.ids is None:
        return []
    theirs = {i for i in b.respondents.ids if i is not None}
    return sorted({i for i in a.respondents.ids if i is not None and i in theirs})


def check_waves(waves: Sequence[Wave], by: Sequence[str], *, independent: bool) -> None:
    """Every reason the waves cannot be compared, as located problems (all at once)."""
    problems: list[Problem] = []
    first = waves[0]
    qs_id = first.results.question_set.id
    for wave in waves[1:]:
        other = wave.results.question_set.id
        if other != qs_id:
            problems.append(Problem(
                file=wave.file, path="question_set.id",
                message=f"question set {other!r} is not {qs_id!r}, the question set of "
                        f"{first.file}", hint="Only waves of one question set (any versions) "
                                              "can be compared",
                code=Code.COMPARE_OTHER_QUESTION_SET))
    for wave in waves:
        for field_id in by:
            if field_id not in wave.results.groups:
                known = ", ".join(wave.results.groups) or "none"
                problems.append(Problem(
                    file=wave.file, path="groups",
                    message=f"no breakdown by {field_id!r} (breakdowns: {known})",
                    hint=f"Score it again with --by {field_id}, or give its responses file",
                    code=Code.COMPARE_NO_BREAKDOWN))
    if independent:
        for i, a in enumerate(waves):
            for b in waves[i + 1:]:
                shared = _linked_ids(a, b)
                if shared:
                    shown = ", ".join(shared[:3]) + (", ..." if len(shared) > 3 else "")
                    some = "ids are" if len(shared) > 1 else "id is"
                    problems.append(Problem(
                        file=b.file, column="respondent_id",
                        message=f"{len(shared)} respondent {some} also"
                                f" in {a.file} ({shown}): the waves are not independent",
                        hint="Leave out --independent to pair them by respondent_id, or give "
                             "each wave its own ids if they are different people",
                        code=Code.COMPARE_NOT_INDEPENDENT))
    if problems:
        raise CompareError(problems)


# --- one comparison -----------------------------------------------------------------------

@dataclass
class Pairing:
    """Rows of the respondents present in both waves, aligned (empty when not linked)."""

    base_rows: IntRows
    follow_rows: IntRows

    @classmethod
    def of(cls, a: Wave, b: Wave, *, independent: bool) -> Pairing:
        shared = [] if independent else _linked_ids(a, b)
        if not shared or a.respondents is None or b.respondents is None \
                or a.respondents.ids is None or b.respondents.ids is None:
            return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        rows_a = {i: n for n, i in enumerate(a.respondents.ids) if i is not None}
        rows_b = {i: n for n, i in enumerate(b.respondents.ids) if i is not None}
        return cls(np.array([rows_a[i] for i in shared], dtype=np.int64),
                   np.array([rows_b[i] for i in shared], dtype=np.int64))

    @property
    def linked(self) -> int:
        return int(self.base_rows.size)


def _scale_width(qs: QuestionSet, scale_id: str | None) -> float | None:
    if scale_id is None or scale_id not in qs.scales:
        return None
    scale = qs.scales[scale_id]
    return float(scale.max - scale.min) or None


def _sd100(values: FloatArray | None) -> float | None:
    if values is None:
        return None
    kept = values[np.isfinite(values)]
    return float(kept.std(ddof=1)) if kept.size > 1 else None


def principle_side(r: Results, p: PrincipleResult, values: FloatArray | None) -> Side:
    sd = _sd100(values)
    width = _scale_width(r.question_set, p.scale)
    if sd is None and p.sd is not None and width:
        sd = p.sd * 100.0 / width
    return Side(n=p.n, score=p.score, sd=sd, ci95=p.ci95, band=p.band)


def group_side(r: Results, scale: str | None, gp: GroupPrinciple, values: FloatArray | None
               ) -> Side:
    sd = _sd100(values)
    given = getattr(gp, "sd", None)  # the results document's own group sd, when it has one
    width = _scale_width(r.question_set, scale)
    if sd is None and isinstance(given, float) and width:
        sd = given * 100.0 / width
    n = gp.n or 0  # null: the figure is hidden in that wave (a disclosure step)
    interval = getattr(gp, "ci95", None) or (ci95(gp.score, sd, n) if sd is not None
                                             else None)
    return Side(n=n, score=gp.score, sd=sd, ci95=interval, band=gp.band)


NO_SD = ("no standard deviation for one wave: give that wave as responses files (or a results "
         "document that has group sd) to test the change")


def change(ident: str, name: str, base: Side, follow: Side,
           paired_values: tuple[FloatArray, FloatArray] | None = None,
           favourable: Favourable | None = None, min_pairs: int = 2,
           withheld: list[Withheld] | None = None, what: str | None = None) -> Change:
    """One figure compared: the test (paired when linked, else Welch), g and the MDC.

    The paired test needs ``min_pairs`` linked respondents (the anonymity threshold): their
    mean change is a figure of its own, resting on them alone. And the respondents of each
    wave's figure who are not linked must be none or at least ``min_pairs``: the linked
    people's mean in one wave follows from their change and their mean in the other, so a
    wave's figure minus it would otherwise give the few unlinked people's answers (e.g. 6
    scored at baseline, 5 of them linked, and the 5 shown as a group in the follow-up's own
    document: the sixth person's baseline score).

    And the paired changes must rest on none or at least ``min_pairs`` people who changed:
    with k of n linked people changed, the mean and sd of the n differences give the k
    changes (one person: exactly). Else Welch, and a step saying so goes to ``withheld``
    (``what``: the figure)."""
    if base.score is None or follow.score is None:
        return Change(id=ident, name=name, baseline=base, followup=follow, difference=None,
                      ci95=None, favourable=favourable, note="no score in one of the waves",
                      band_moved=False)
    result = None
    test_name: str = "welch"
    linked = None
    pairs = stats.pairs(*paired_values) if paired_values is not None else 0

    def apart(n: int) -> bool:
        return n - pairs == 0 or n - pairs >= min_pairs

    changed = _paired_changed(*paired_values) if paired_values is not None else 0
    few_changed = 0 < changed < min_pairs
    if paired_values is not None and pairs >= max(2, min_pairs) \
            and apart(base.n) and apart(follow.n) and few_changed \
            and withheld is not None:
        withheld.append(Withheld(what=f"{what or name}: the paired test",
                                 reason=paired_change_note(min_pairs)))
    if paired_values is not None and pairs >= max(2, min_pairs) \
            and apart(base.n) and apart(follow.n) and not few_changed:
        result = stats.paired(*paired_values)
        test_name, linked = "paired", stats.pairs(*paired_values)
    elif base.sd is not None and follow.sd is not None:
        result = stats.welch(base.score, base.sd, base.n, follow.score, follow.sd, follow.n)
    g = (stats.hedges_g(base.score, base.sd, base.n, follow.score, follow.sd, follow.n)
         if base.sd is not None and follow.sd is not None else None)
    moved = base.band is not None and follow.band is not None and base.band != follow.band
    if result is None:
        note = NO_SD if (base.sd is None or follow.sd is None) and base.n > 1 and follow.n > 1 \
            else "fewer than 2 respondents in one of the waves"
        return Change(id=ident, name=name, baseline=base, followup=follow,
                      difference=follow.score - base.score, ci95=None, hedges_g=g,
                      band_moved=moved, favourable=favourable, note=note)
    test = Test(name="paired" if test_name == "paired" else "welch", statistic=result.t,
                df=result.df, p=result.p, linked=linked)
    return Change(id=ident, name=name, baseline=base, followup=follow,
                  difference=result.estimate, ci95=result.ci95, test=test, hedges_g=g,
                  detectable=result.detectable, band_moved=moved, favourable=favourable,
                  note=None if result.t is not None else "every answer was the same: no test")


def _paired_changed(va: FloatArray, vb: FloatArray) -> int:
    """How many of the paired scores differ between the waves."""
    both = np.isfinite(va) & np.isfinite(vb)
    return int((~np.isclose(va[both], vb[both], rtol=0.0, atol=1e-9)).sum())


def adjust(changes: list[Change]) -> list[Change]:
    """Holm across one family; significance and direction from the adjusted p."""
    adjusted = stats.holm([c.test.p if c.test else None for c in changes])
    out = []
    for c, p in zip(changes, adjusted, strict=True):
        if c.test is None:
            out.append(c)
            continue
        significant = p is not None and p < stats.ALPHA
        direction = ("up" if (c.difference or 0) > 0 else "down") if significant else "none"
        out.append(c.model_copy(update={"test": c.test.model_copy(update={"p_holm": p}),
                                        "significant": significant, "direction": direction}))
    return out


def _favourable(r: Results, items: Sequence[ItemResult]) -> tuple[int, int] | None:
    return pooled_favourable(item_favourable(i, r.question_set.scales[i.scale])
                             for i in items if i.scale in r.question_set.scales)


def favourable_change(a: tuple[int, int] | None, b: tuple[int, int] | None) -> Favourable | None:
    if a is None or b is None:
        return None
    interval = stats.newcombe(a[0], a[1], b[0], b[1])
    return Favourable(baseline=a[0] / a[1] if a[1] else None, baseline_n=a[1],
                      followup=b[0] / b[1] if b[1] else None, followup_n=b[1],
                      difference=interval[0] if interval else None,
                      ci95=interval[1] if interval else None)


def _paired(a: Wave, b: Wave, pairing: Pairing, principle: str | None,
            mask_a: np.ndarray | None = None, mask_b: np.ndarray | None = None
            ) -> tuple[FloatArray, FloatArray] | None:
    if pairing.linked == 0 or a.respondents is None or b.respondents is None:
        return None
    rows_a, rows_b = pairing.base_rows, pairing.follow_rows
    if mask_a is not None and mask_b is not None:
        keep = mask_a[rows_a] & mask_b[rows_b]
        rows_a, rows_b = rows_a[keep], rows_b[keep]
    va = a.respondents.overall if principle is None else a.respondents.principles[principle]
    vb = b.respondents.overall if principle is None else b.respondents.principles[principle]
    threshold = max(a.results.min_group_size, b.results.min_group_size)
    both = np.isfinite(va[rows_a]) & np.isfinite(vb[rows_b])
    for wave, values, mask, rows in ((a, va, mask_a, rows_a), (b, vb, mask_b, rows_b)):
        present = np.isfinite(values) if mask is None else np.isfinite(values) & mask
        linked = np.zeros(present.shape[0], dtype=bool)
        linked[rows[both]] = True
        if not _split_is_safe(wave, present, linked, threshold):
            return None
    return va[rows_a], vb[rows_b]


def _split_is_safe(wave: Wave, present: BoolArray, linked: BoolArray, threshold: int) -> bool:
    """Whether a paired test may be published beside this wave's own groups. The paired
    change and the other wave give the linked people's sum in this wave, and so the sum of
    those not linked: two more cells beside the groups its own document shows. A shown group
    lying wholly inside one of the two can be taken away from it; what is left of each must
    be none or at least ``threshold`` people (found by the property test: all 9 baseline
    people linked, the follow-up's 5 joiners were its whole minus the linked, and minus its
    own group of 4 joiners, the fifth joiner alone)."""
    people = wave.respondents
    if people is None:
        return True
    for field_id, breakdown in wave.results.groups.items():
        grouping = people.groupings.get(field_id)
        if grouping is None or breakdown.withheld is not None:
            continue
        size = len(grouping.values)
        inside = np.bincount(grouping.codes[present & linked], minlength=size)
        outside = np.bincount(grouping.codes[present & ~linked], minlength=size)
        keys = [match_key(v, grouping.not_stated[i]) for i, v in enumerate(grouping.values)]
        left = [int(inside.sum()), int(outside.sum())]
        for group in breakdown.groups:
            if group.suppressed:
                continue
            codes = [i for i, k in enumerate(keys) if k == match_key(group.value, group.not_stated)]
            parts = (int(inside[codes].sum()), int(outside[codes].sum()))
            if parts[0] == 0:
                left[1] -= parts[1]
            elif parts[1] == 0:
                left[0] -= parts[0]
        if any(0 < n < threshold for n in left):
            return False
    return True


def _values(wave: Wave, principle: str | None, mask: np.ndarray | None = None
            ) -> FloatArray | None:
    if wave.respondents is None:
        return None
    values = (wave.respondents.overall if principle is None
              else wave.respondents.principles[principle])
    return values if mask is None else values[mask]


def principle_changes(a: Wave, b: Wave, matching: Matching, pairing: Pairing, cells: Cells,
                      withheld: list[Withheld], unpaired: set[str] | None = None
                      ) -> tuple[Change | None, list[Change]]:
    """The overall score and every compared principle, Holm-adjusted across principles;
    ``unpaired``: principles whose paired test the breakdowns' linked tables leave out."""
    ra, rb = a.results, b.results
    pa = {p.id: p for p in ra.principles}
    pb = {p.id: p for p in rb.principles}
    changes = []
    for pid in matching.principles:
        x, y = pa[pid], pb[pid]
        reason = thin_reason(ra, x.withheld, rb, y.withheld) or cells.scored(pid, x.n, y.n)
        if reason is not None:
            withheld.append(Withheld(what=f"principle {y.name}", reason=reason))
            continue
        fav_a, fav_b = _favourable(ra, x.items), _favourable(rb, y.items)
        fav = None
        if fav_a is not None and fav_b is not None:
            why = cells.answers(_answer_keys(matching, y.items), fav_a[1], fav_b[1])
            if why is None:
                fav = favourable_change(fav_a, fav_b)
            else:
                withheld.append(Withheld(what=f"% favourable of {y.name}", reason=why))
        paired = _paired(a, b, pairing, pid)
        if unpaired and pid in unpaired and paired is not None:
            paired = None
            withheld.append(Withheld(what=f"principle {y.name}: the paired test",
                                     reason=paired_complement_note(cells.threshold)))
        changes.append(change(
            pid, y.name, principle_side(ra, x, _values(a, pid)),
            principle_side(rb, y, _values(b, pid)), paired, fav,
            min_pairs=cells.threshold, withheld=withheld, what=f"principle {y.name}"))
    overall = None
    if len(matching.principles) == len(rb.principles) == len(ra.principles) and all(
            pa[p].weight == pb[p].weight for p in matching.principles):
        oa, ob = ra.overall, rb.overall
        reason = thin_reason(ra, oa.withheld, rb, ob.withheld) or cells.scored(None, oa.n, ob.n)
        if reason is not None:
            withheld.append(Withheld(what="the overall score", reason=reason))
        else:
            overall = adjust([change(
                "overall", "Overall",
                Side(n=oa.n, score=oa.score, sd=oa.sd, ci95=oa.ci95, band=oa.band),
                Side(n=ob.n, score=ob.score, sd=ob.sd, ci95=ob.ci95, band=ob.band),
                _paired(a, b, pairing, None), min_pairs=cells.threshold, withheld=withheld,
                what="the overall score")])[0]
    return overall, adjust(changes)


def _whole_survey(a: Wave, b: Wave, matching: Matching, pairing: Pairing, cells: Cells,
                  withheld: list[Withheld], unpaired: set[str]
                  ) -> tuple[Change | None, list[Change], list[ItemChange],
                             list[TimepointChange]]:
    """The whole survey's figures compared: overall, principles, items, timepoints."""
    overall, principles = principle_changes(a, b, matching, pairing, cells, withheld,
                                            unpaired)
    items = item_changes(a, b, matching, cells, withheld)
    principles, items = protect_questions(principles, items, b.results, matching, cells,
                                          withheld)
    if overall is not None and (why := _overall_reason(principles, matching, cells)):
        withheld.append(Withheld(what="the overall score", reason=why))
        overall = None
    principles = protect_favourable(principles, b.results, matching, items, cells, withheld)
    return overall, principles, items, timepoint_changes(a, b, matching, cells, withheld)


def protect_questions(changes: list[Change], items: list[ItemChange], b: Results,
                      matching: Matching, cells: Cells, withheld: list[Withheld]
                      ) -> tuple[list[Change], list[ItemChange]]:
    """A principle's score is the mean of its questions' answers, so its change minus its
    questions' changes shown is the change of its other questions' answers: when those
    changed by 1 to the threshold - 1 (counted by ids), more of its questions are withheld
    (smallest change first), and the principle when no choice of them is enough."""
    if not cells.linked:
        return changes, items
    principles = {p.id: p for p in b.principles}
    ia = _items_by_key(cells.a.results)
    shown = {i.key: i for i in items}
    drop: set[str] = set()
    kept = []
    k = cells.threshold
    for c in changes:
        p = principles.get(c.id)
        keys = [(old, new) for old, new in _answer_keys(matching, p.items) if old in ia] \
            if p is not None else []
        hidden = [(old, new) for old, new in keys if new not in shown]
        if not hidden:
            kept.append(c)
            continue
        candidates = sorted((new for _, new in keys if new in shown),
                            key=lambda new: (cells.answers_change(
                                [(matching.keys[new], new)], 0, 0)[0], new))

        def change_without(more: set[str], hidden: list[tuple[str, str]] = hidden) -> int:
            extra = [(matching.keys[new], new) for new in more]
            return cells.answers_change(hidden + extra, 0, 0)[0]

        more = protect(candidates, change_without, k)
        left = change_without(set(more))
        if 0 < left < k:
            withheld.append(Withheld(
                what=f"principle {c.name}",
                reason=f"with its questions shown, it gives away its other questions' "
                       f"answers: {answers_reason(k)}"))
            continue
        for new in more:
            drop.add(new)
            withheld.append(Withheld(
                what=f"item {new}",
                reason=f"protects a question not compared: {c.name} minus its questions "
                       f"shown would give away answers that changed by fewer than {k}"))
        kept.append(c)
    return kept, [i for i in items if i.key not in drop]


def _overall_reason(changes: list[Change], matching: Matching, cells: Cells) -> str | None:
    """The overall score is the weighted mean of the principles: its change minus those of
    the principles shown is the change of those withheld, so their people whose score
    changed must be none or at least the threshold (counted by ids)."""
    shown = {c.id for c in changes}
    return _withheld_principles_reason(
        cells, [pid for pid in matching.principles if pid not in shown])


def _withheld_principles_reason(cells: Cells, principles: Sequence[str]) -> str | None:
    """Why an overall may not be compared beside the principles shown: the people whose
    score changed on any of ``principles`` (those not shown) number 1 to threshold - 1;
    None when they do not, or when the waves are not linked by ids."""
    people: set[object] = set()
    for pid in principles:
        found = cells.change_set(pid)
        if found is None:
            return None
        assert cells.ids_a is not None and cells.ids_b is not None
        people.update(cells.ids_a[found.left].tolist(), cells.ids_b[found.joined].tolist(),
                      cells.ids_a[found.pairs[0]].tolist())
    if 0 < len(people) < cells.threshold:
        return ("with the principles shown, it would give away the change of the principles "
                f"withheld: {change_reason(cells.threshold)}")
    return None


def _answer_keys(matching: Matching, items: Sequence[ItemResult]) -> list[tuple[str, str]]:
    """(baseline key, follow-up key) of the follow-up's ``items`` that are matched."""
    return [(matching.keys[i.key], i.key) for i in items if i.key in matching.keys]


def protect_favourable(changes: list[Change], b: Results, matching: Matching,
                       items: Sequence[ItemChange], cells: Cells,
                       withheld: list[Withheld]) -> list[Change]:
    """A principle's % favourable minus its questions' shown is its other questions' answers
    (those published in both waves' documents but not compared): withhold it when those
    answers changed by 1 to the threshold - 1."""
    shown = {i.key for i in items}
    principles = {p.id: p for p in b.principles}
    ia = _items_by_key(cells.a.results)
    out = []
    for c in changes:
        p = principles.get(c.id)
        if c.favourable is None or p is None:
            out.append(c)
            continue
        rest = [(old, new) for old, new in _answer_keys(matching, p.items)
                if new not in shown and old in ia]
        rest_items = [(ia[old], i) for old, new in rest for i in p.items if i.key == new]
        counted = [(x, y) for x, y in rest_items if x.n is not None and y.n is not None]
        why = None
        if counted:
            n_a = sum(_scored_answers(cells.a.results, x) for x, _ in counted)
            n_b = sum(_scored_answers(b, y) for _, y in counted)
            why = cells.answers([(x.key, y.key) for x, y in counted], n_a, n_b)
        if why is None:
            out.append(c)
            continue
        withheld.append(Withheld(
            what=f"% favourable of {c.name}",
            reason=f"with its questions shown, it gives away its other questions' answers: "
                   f"{why}"))
        out.append(c.model_copy(update={"favourable": None}))
    return out


def _scored_answers(r: Results, item: ItemResult) -> int:
    found = item_favourable(item, r.question_set.scales[item.scale]) \
        if item.scale in r.question_set.scales else None
    return found[1] if found is not None else (item.n or 0)


def thin_reason(a: Results, withheld_a: str | None, b: Results, withheld_b: str | None
                ) -> str | None:
    """Why a figure withheld in either wave (it rests on fewer than min_group_size there) is
    not compared: its counts and differences would rest on those few too."""
    if withheld_a is None and withheld_b is None:
        return None
    return f"fewer than {max(a.min_group_size, b.min_group_size)} respondents in one wave"


def _items_by_key(r: Results) -> dict[str, ItemResult]:
    found = {i.key: i for p in r.principles for i in p.items}
    found.update({i.key: i for i in r.items})
    return found


def item_changes(a: Wave, b: Wave, matching: Matching, cells: Cells,
                 withheld: list[Withheld]) -> list[ItemChange]:
    """Every compared answer key, Holm-adjusted across the items (Welch on raw values)."""
    ia, ib = _items_by_key(a.results), _items_by_key(b.results)
    qa, qb = a.results.question_set, b.results.question_set
    raw: list[ItemChange] = []
    tests: list[float | None] = []
    for key, old_key in matching.keys.items():
        if key not in ib or old_key not in ia:
            continue
        x, y = ia[old_key], ib[key]
        reason = thin_reason(a.results, x.withheld, b.results, y.withheld)
        if reason is None and x.n is not None and y.n is not None:
            reason = cells.answers([(old_key, key)], x.n, y.n)
        if reason is not None or x.n is None or y.n is None:
            withheld.append(Withheld(what=f"item {key}",
                                     reason=reason or "its answers are withheld in one wave"))
            continue
        sa, sb = qa.scales[x.scale], qb.scales[y.scale]
        side_a = Side(n=x.n, score=x.mean, sd=x.sd,
                      ci95=ci95(x.mean, x.sd, x.n, low=sa.min, high=sa.max))
        side_b = Side(n=y.n, score=y.mean, sd=y.sd,
                      ci95=ci95(y.mean, y.sd, y.n, low=sb.min, high=sb.max))
        result = None
        if x.mean is not None and x.sd is not None and y.mean is not None and y.sd is not None:
            result = stats.welch(x.mean, x.sd, x.n, y.mean, y.sd, y.n)
        test = (Test(name="welch", statistic=result.t, df=result.df, p=result.p)
                if result is not None else None)
        tests.append(test.p if test else None)
        difference = result.estimate if result else (
            y.mean - x.mean if x.mean is not None and y.mean is not None else None)
        raw.append(ItemChange(
            key=key, baseline_key=old_key, text=y.text, principle=y.principle,
            baseline=side_a, followup=side_b, difference=difference,
            ci95=result.ci95 if result else None, test=test,
            favourable=favourable_change(item_favourable(x, sa), item_favourable(y, sb))))
    out = []
    for item, p in zip(raw, stats.holm(tests), strict=True):
        if item.test is not None:
            item = item.model_copy(update={"test": item.test.model_copy(update={"p_holm": p}),
                                           "significant": p is not None and p < stats.ALPHA})
        out.append(item)
    return out


def timepoint_changes(a: Wave, b: Wave, matching: Matching, cells: Cells,
                      withheld: list[Withheld]) -> list[TimepointChange]:
    """For each timepoint question: the baseline's target against the follow-up's current."""
    by_question = {t.question: t for t in a.results.timepoints}
    out = []
    for t in b.results.timepoints:
        if len(t.timepoints) < 2:
            continue
        old_key = matching.keys.get(f"{t.question}@{t.timepoints[0].id}")
        old = by_question.get(old_key.partition("@")[0]) if old_key else None
        if old is None or len(old.timepoints) < 2:
            continue
        target, current_then = old.timepoints[-1], old.timepoints[0]
        current = t.timepoints[0]
        reason = (thin_reason(a.results, target.withheld or current_then.withheld,
                              b.results, current.withheld)
                  or cells.answered(f"{old.question}@{target.id}", f"{t.question}@{current.id}",
                                    target.n, current.n)
                  or cells.answers([(f"{old.question}@{current_then.id}",
                                     f"{t.question}@{current.id}")], current_then.n, current.n))
        if reason is not None:
            withheld.append(Withheld(what=f"timepoints of {t.question}", reason=reason))
            continue
        gap = (current.mean - target.mean
               if current.mean is not None and target.mean is not None else None)
        out.append(TimepointChange(
            question=t.question, text=t.text, scale=t.scale, target_label=target.label,
            target_then=target.mean, target_n=target.n, current_label=current.label,
            current_now=current.mean, current_n=current.n, current_then=current_then.mean,
            gap=gap))
    return out


@dataclass
class _Plan:
    """One breakdown's groups decided, before the paired tests of every breakdown are
    protected together (:func:`_protect_pairs`)."""

    field: str
    prompt: str
    order: list[str]
    values: dict[str, str]
    not_shown: dict[str, str]
    reasons: dict[str, str]
    masks: dict[str, Masks]
    old: dict[str, GroupResult]
    new: dict[str, GroupResult]
    published: dict[str, dict[str, GroupPrinciple]]
    names: dict[str, str]
    welch: dict[str, set[str]]
    withheld: list[Withheld | str]
    """What the breakdown withholds, in order; a principle id marks where the notes of the
    groups whose paired test of that principle is left out go."""
    left_out: dict[str, list[str]]


def _plan_groups(a: Wave, b: Wave, matching: Matching, field_id: str, cells: Cells
                 ) -> _Plan:
    """Groups shown in both waves, matched by value; each one's principles decided.

    Linked tables: in each wave the whole survey minus the groups compared gives the groups
    not compared, so their union must have changed by none or at least the threshold, for
    the group sizes and for each principle (else more groups are withheld, smallest first).
    The paired tests are protected afterwards, for every breakdown together."""
    ba, bb = a.results.groups[field_id], b.results.groups[field_id]
    names = {p.id: p.name for p in b.results.principles}
    whole_a = {p.id: p for p in a.results.principles}
    whole_b = {p.id: p for p in b.results.principles}
    old = {match_key(g.value, g.not_stated): g for g in ba.groups}
    new = {match_key(g.value, g.not_stated): g for g in bb.groups}
    order = list(new) + [k for k in old if k not in new]
    values: dict[str, str] = {}
    not_shown: dict[str, str] = {}
    reasons: dict[str, str] = {}
    masks: dict[str, Masks] = {}
    withheld: list[Withheld | str] = []
    for key in order:
        x, y = old.get(key), new.get(key)
        shown = y if y is not None else x
        values[key] = shown.value if shown is not None else key
        if x is None or y is None or x.suppressed or y.suppressed:
            # Absent from a wave that lists its groups: nobody gave that answer there. A
            # wave whose breakdown is withheld lists none, which says nothing of the group.
            listed = {"baseline": ba.withheld is None and bool(ba.groups),
                      "follow-up": bb.withheld is None and bool(bb.groups)}
            absent = [name for name, g in (("baseline", x), ("follow-up", y))
                      if g is None and listed[name]]
            hidden = [name for name, g in (("baseline", x), ("follow-up", y))
                      if (g is None and not listed[name]) or (g is not None and g.suppressed)]
            parts = []
            if absent:  # nobody gave this answer in that wave: not a matter of its size
                parts.append(f"no respondents in the {absent[0]}")
            if hidden:
                where = "either wave" if len(hidden) == 2 else f"the {hidden[0]}"
                parts.append(f"not shown in {where} (too few respondents, or protecting a "
                             "smaller group)")
            not_shown[key] = "; ".join(parts)
            continue
        masks[key] = (a.respondents.members(field_id, key) if a.respondents else None,
                      b.respondents.members(field_id, key) if b.respondents else None)
        reason = cells.group(field_id, key, x.n or 0, y.n or 0)
        if reason is not None:
            reasons[key] = reason
    # The group table: n of each group compared.
    compared = [k for k in order if k not in not_shown and k not in reasons]
    compared.sort(key=lambda k: ((old[k].n or 0) + (new[k].n or 0), values[k]))
    everyone = (np.ones(a.results.respondents, dtype=bool),
                np.ones(b.results.respondents, dtype=bool))
    for key in _protect_parts(cells, compared, everyone,
                              (a.results.respondents, b.results.respondents),
                              {k: masks[k] for k in compared},
                              {k: (old[k].n or 0, new[k].n or 0) for k in compared}):
        reasons[key] = complement_reason(cells.threshold)
    for key in order:
        if key in reasons:
            withheld.append(Withheld(what=f"{field_id} {values[key]}", reason=reasons[key]))
    compared = [k for k in compared if k not in reasons]
    # Each principle: its own cells, then the same complement.
    published: dict[str, dict[str, GroupPrinciple]] = {k: {} for k in compared}
    for pid in matching.principles:
        shown_p: list[str] = []
        for key in compared:
            gpa = {gp.id: gp for gp in old[key].principles}
            gpb = {gp.id: gp for gp in new[key].principles}
            if pid not in gpa or pid not in gpb:
                continue
            n_a, n_b = gpa[pid].n, gpb[pid].n
            if n_a is None or n_b is None:  # hidden in a wave: no difference either
                reason = ("not published in one of the waves (too few respondents, or "
                          "protecting a smaller group)")
            else:
                reason = cells.scored(pid, n_a, n_b, *masks[key])
            if reason is not None:
                withheld.append(Withheld(what=f"{field_id} {values[key]}: {names[pid]}",
                                         reason=reason))
                continue
            shown_p.append(key)
        sizes = {k: (_gp_n(old[k], pid), _gp_n(new[k], pid)) for k in shown_p}
        shown_p.sort(key=lambda k: (sum(sizes[k]), values[k]))
        scored = (_scored_mask(a, pid), _scored_mask(b, pid))
        whole_n = (whole_a[pid].n if pid in whole_a else None,
                   whole_b[pid].n if pid in whole_b else None)
        extra = _protect_parts(
            cells, shown_p, scored, whole_n,
            {k: (_and(masks[k][0], scored[0]), _and(masks[k][1], scored[1]))
             for k in shown_p}, sizes) if whole_n[0] is not None and whole_n[1] is not None \
            else []
        for key in extra:
            withheld.append(Withheld(what=f"{field_id} {values[key]}: {names[pid]}",
                                     reason=complement_reason(cells.threshold)))
        shown_p = [k for k in shown_p if k not in extra]
        for key in shown_p:
            published[key][pid] = next(gp for gp in new[key].principles if gp.id == pid)
        withheld.append(pid)  # where the paired tests left out of this principle go
    return _Plan(field=field_id, prompt=bb.prompt, order=order, values=values,
                 not_shown=not_shown, reasons=reasons, masks=masks, old=old, new=new,
                 published=published, names=names, welch={k: set() for k in compared},
                 withheld=withheld, left_out={})


def _group_comparison(a: Wave, b: Wave, pairing: Pairing, plan: _Plan, cells: Cells
                      ) -> tuple[BreakdownComparison, list[Withheld]]:
    """The breakdown's comparison, once its paired tests are decided, and what it withholds."""
    scales_a = {p.id: p.scale for p in a.results.principles}
    scales_b = {p.id: p.scale for p in b.results.principles}
    groups: list[GroupComparison] = []
    notes: list[Withheld] = []
    for key in plan.order:
        if key in plan.not_shown or key in plan.reasons:
            groups.append(GroupComparison(value=plan.values[key], baseline_n=None,
                                          followup_n=None,
                                          withheld=plan.not_shown.get(key)
                                          or plan.reasons[key]))
            continue
        x, y = plan.old[key], plan.new[key]
        mask_a, mask_b = plan.masks[key]
        gpa = {gp.id: gp for gp in x.principles}
        changes = []
        for pid in plan.published[key]:
            changes.append(change(
                pid, plan.names[pid],
                group_side(a.results, scales_a.get(pid), gpa[pid], _values(a, pid, mask_a)),
                group_side(b.results, scales_b.get(pid), plan.published[key][pid],
                           _values(b, pid, mask_b)),
                None if pid in plan.welch[key]
                else _paired(a, b, pairing, pid, mask_a, mask_b),
                min_pairs=cells.threshold, withheld=notes,
                what=f"{plan.field} {plan.values[key]}: {plan.names[pid]}"))
        groups.append(GroupComparison(value=plan.values[key], baseline_n=x.n, followup_n=y.n,
                                      changes=adjust(changes)))
    withheld: list[Withheld] = []
    for entry in plan.withheld:
        if isinstance(entry, str):
            withheld.extend(
                Withheld(what=f"{plan.field} {plan.values[key]}: {plan.names[entry]}",
                         reason=paired_complement_note(cells.threshold))
                for key in plan.left_out.get(entry, []))
        else:
            withheld.append(entry)
    withheld.extend(notes)
    return BreakdownComparison(field=plan.field, prompt=plan.prompt, groups=groups), withheld


def _gp_n(group: GroupResult, pid: str) -> int:
    return next((gp.n or 0 for gp in group.principles if gp.id == pid), 0)


def _and(mask: BoolArray | None, other: BoolArray | None) -> BoolArray | None:
    return None if mask is None or other is None else mask & other


def _scored_mask(wave: Wave, pid: str) -> BoolArray | None:
    if wave.respondents is None:
        return None
    present: BoolArray = np.isfinite(wave.respondents.principles[pid])
    return present


Masks = tuple[BoolArray | None, BoolArray | None]


def _protect_parts(cells: Cells, shown: list[str], whole: Masks,
                   whole_n: tuple[int | None, int | None], masks: dict[str, Masks],
                   sizes: dict[str, tuple[int, int]]) -> list[str]:
    """Groups (of ``shown``, smallest first) to withhold as well, so that the whole minus the
    groups shown changed by none or at least the threshold (see :func:`protect`)."""
    n_whole_a, n_whole_b = whole_n
    if n_whole_a is None or n_whole_b is None:
        return []

    # Groups of a breakdown are disjoint: what is not shown once ``more`` is withheld too is
    # what is not shown now, plus those groups (so each try costs |more| mask operations).
    rest0: list[BoolArray | None] = []
    for side in (0, 1):
        base = whole[side]
        parts = [masks[k][side] for k in shown]
        if base is None or any(m is None for m in parts):
            rest0.append(None)
            continue
        out = base.copy()
        for part in parts:
            assert part is not None
            out &= ~part
        rest0.append(out)
    n_rest = (n_whole_a - sum(sizes[k][0] for k in shown),
              n_whole_b - sum(sizes[k][1] for k in shown))

    def rest_change(more: set[str]) -> int | None:
        rest: list[BoolArray | None] = []
        for side in (0, 1):
            now, base = rest0[side], whole[side]
            if now is None or base is None:
                rest.append(None)
                continue
            out = now.copy()
            for k in more:
                part = masks[k][side]
                assert part is not None
                out |= part & base
            rest.append(out)
        n_a = n_rest[0] + sum(sizes[k][0] for k in more)
        n_b = n_rest[1] + sum(sizes[k][1] for k in more)
        return cells.change(rest[0], rest[1], n_a, n_b)[0]

    return protect(shown, rest_change, cells.threshold)


def _protect_pairs(a: Wave, b: Wave, pairing: Pairing, pid: str, plans: Sequence[_Plan],
                   threshold: int) -> list[list[str]]:
    """Per breakdown, the groups whose paired test of ``pid`` is left out (Welch instead).

    The paired tests of every breakdown and the whole survey's are one set of linked tables:
    each is the count and sum of its matched respondents' changes, and a matched respondent
    sits in one combination of groups across the breakdowns (an atom; one who changed group
    between the waves is in none of that breakdown's). So a sector's paired change minus
    those of its organisations shown would give the change of the organisations' matched
    respondents whose paired test is not shown. They are protected together by the control
    ``leadlens score`` uses (:func:`leadlens.scoring.disclosure.protect`)."""
    out: list[list[str]] = [[] for _ in plans]
    if pairing.linked == 0 or a.respondents is None or b.respondents is None or not plans:
        return out
    va, vb = a.respondents.principles[pid], b.respondents.principles[pid]
    both = np.isfinite(va[pairing.base_rows]) & np.isfinite(vb[pairing.follow_rows])
    rows_a, rows_b = pairing.base_rows[both], pairing.follow_rows[both]
    if rows_a.size == 0:
        return out
    codes: list[Int32Array] = []
    given: list[list[Reason | None]] = []
    caps: list[list[int | None]] = []
    keys: list[list[str | None]] = []
    for plan in plans:
        # Every group of the breakdown, and last, the matched respondents in none of them.
        code = np.full(rows_a.size, len(plan.order), dtype=np.int32)
        shown: list[Reason | None] = []
        cap: list[int | None] = []
        for i, key in enumerate(plan.order):
            mask_a, mask_b = plan.masks.get(key, (None, None))
            inside = np.zeros(rows_a.size, dtype=bool)
            if mask_a is not None and mask_b is not None:
                inside = mask_a[rows_a] & mask_b[rows_b]
                code[inside] = i
            # Taken as published when it may be (enough pairs; else Welch already): a
            # figure taken as published that is not only leaves a reader less to move.
            paired = pid in plan.published.get(key, {}) \
                and int(inside.sum()) >= max(2, threshold)
            shown.append(None if paired else "complement")
            # A group compared publishes its size in each wave: its matched are no more.
            cap.append(min(plan.old[key].n or 0, plan.new[key].n or 0)
                       if key in plan.masks else None)
        # Only the groups some matched respondent is in: an empty one has nothing to give
        # away, and a hidden group no one could be moved out of would look exposed.
        used, compact = np.unique(code, return_inverse=True)
        codes.append(compact.reshape(-1).astype(np.int32))
        keys.append([plan.order[i] if i < len(plan.order) else None for i in used.tolist()])
        given.append([shown[i] if i < len(shown) else "complement" for i in used.tolist()])
        caps.append([cap[i] if i < len(cap) else None for i in used.tolist()])
    atom_of, atom_groups = atoms_of(codes)
    counts = np.bincount(atom_of, minlength=atom_groups.shape[0]).astype(np.int64)
    found = protect_linked(atom_groups, counts, [len(k) for k in keys], threshold,
                           given=given, caps=caps)
    for f in range(len(plans)):
        out[f] = [key for key, g, r in zip(keys[f], given[f], found.reasons[f], strict=True)
                  if key is not None and g is None and r is not None]
    return out



@dataclass
class _Linked:
    """What the linked tables of one principle's changes leave out, per breakdown: groups
    whose comparison is withheld (with why), groups whose paired test is left out; and
    whether the whole survey's paired test is left out."""

    groups: list[dict[str, str]]
    pairs: list[list[str]]
    whole_unpaired: bool


def _group_codes(wave: Wave, plan: _Plan) -> Int32Array:
    """Each respondent's group in ``plan.order`` (``len(plan.order)``: none)."""
    code = np.full(wave.respondents.n if wave.respondents else 0, len(plan.order),
                   dtype=np.int32)
    if wave.respondents is not None and plan.field in wave.respondents.groupings:
        for i, key in enumerate(plan.order):
            code[wave.respondents.members(plan.field, key)] = i
    return code


def _protect_changes(a: Wave, b: Wave, pid: str, plans: Sequence[_Plan], cells: Cells,
                     whole_paired: bool) -> _Linked | None:
    """What the linked tables of ``pid``'s changes leave out (see :func:`_linked_changes`):
    counted over the people who changed, then with those who kept their score but moved
    group as well, and over everyone in the cells (a combination that singles out a few
    people who did not change says so: its difference is 0). Someone who moved group with
    the same score adds it to one group's change and takes it from another's: counting them
    hides a sum in which they cancel (a sector's change minus an organisation's, both
    holding them), leaving them out one that rests on them alone (a sector's minus its
    other organisations': the score they took away). Each count misses what the other
    finds, so both are made."""
    found = [_linked_changes(a, b, pid, plans, cells, whole_paired, everyone=everyone,
                             movers=movers)
             for everyone, movers in ((False, False), (False, True), (True, False))]
    if any(f is None for f in found):
        return None
    runs = [f for f in found if f is not None]
    return _Linked(
        [{key: why for run in reversed(runs) for key, why in run.groups[n].items()}
         for n in range(len(plans))],
        [sorted({key for run in runs for key in run.pairs[n]}) for n in range(len(plans))],
        any(run.whole_unpaired for run in runs))


def _linked_changes(a: Wave, b: Wave, pid: str, plans: Sequence[_Plan], cells: Cells,
                    whole_paired: bool, *, everyone: bool, movers: bool) -> _Linked | None:
    """The changes of ``pid`` that compare publishes, as one set of linked tables (None when
    respondent ids do not link the waves: then :func:`_protect_pairs`).

    Every difference compare shows rests on its cell's change set: a group's (or the whole
    survey's) two levels give the changes of those who joined, left or answered differently,
    and its paired test those of its people in both waves who changed. A changed person sits
    in one group of each breakdown (someone who moved group counts as two halves: their
    baseline score left one group, their follow-up score joined another), so the changes
    shown are sums over atoms of changed people, as respondents' figures are in ``leadlens
    score``: a sector's change minus an organisation's is the change of the sector's other
    organisations. The same control (:func:`leadlens.scoring.disclosure.protect`) decides
    which further groups to withhold so that no combination rests on fewer than the
    threshold. A group's paired test is a breakdown of its own (its people in both waves who
    changed; the others, none), and the whole survey's paired test one more."""
    found = cells.change_set(pid, everyone=everyone)
    if found is None:
        return None
    k = cells.threshold
    sides = [(_group_codes(a, plan), _group_codes(b, plan)) for plan in plans]
    # Units: (weight, level code per breakdown, paired code per breakdown, in the pairs).
    units: list[tuple[int, list[int], list[int], bool]] = []
    nones = [len(plan.order) for plan in plans]
    for row in found.left.tolist():
        units.append((2, [c[0][row] for c in sides], nones, False))
    for row in found.joined.tolist():
        units.append((2, [c[1][row] for c in sides], nones, False))
    for ra, rb in zip(*(r.tolist() for r in found.pairs), strict=True):
        before = [int(c[0][ra]) for c in sides]
        after = [int(c[1][rb]) for c in sides]
        paired = [x if x == y else n for x, y, n in zip(before, after, nones, strict=True)]
        if before == after:
            units.append((2, before, paired, True))
        else:  # moved group: their two scores are two unknowns, each half a person
            units += [(1, before, paired, True), (1, after, paired, True)]
    if movers and (every := cells.change_set(pid, everyone=True)) is not None:
        counted = set(found.pairs[0].tolist())
        for ra, rb in zip(*(r.tolist() for r in every.pairs), strict=True):
            before = [int(c[0][ra]) for c in sides]
            after = [int(c[1][rb]) for c in sides]
            if ra not in counted and before != after:  # same score: no paired change
                units += [(1, before, nones, False), (1, after, nones, False)]
    if not units:
        return _Linked([{} for _ in plans], [[] for _ in plans], False)
    # Breakdowns: each --by field's paired tests, then its levels, then the whole survey's
    # paired test (its people in both waves, and the rest).
    # In each breakdown, the groups not shown are taken together, as one group taken as
    # published: the whole minus the groups shown gives it, so it must rest on none or at
    # least the threshold too (hiding it, when it is not shown anyway, costs nothing).
    columns: list[list[int]] = []
    published: list[list[bool]] = []
    meaning: list[list[str | None]] = []
    # Paired tests first: where a combination uses both, leaving out a paired test (Welch
    # instead) is tried before withholding a group's change.
    for paired_side in (True, False):
        for f, plan in enumerate(plans):
            pairs_in: dict[int, int] = {}
            if paired_side:
                pairs_in = _pairs_per_group(a, b, pid, plan, sides[f])
            nobody = len(plan.order)
            shown = [pid in plan.published.get(key, {}) and (
                not paired_side or (pid not in plan.welch[key]
                                    and pairs_in.get(c, 0) >= max(2, k)))
                for c, key in enumerate(plan.order)] + [False]
            # The groups not shown are one: the whole minus those shown.
            raw = [c if shown[c] else nobody
                   for c in (u[2][f] if paired_side else u[1][f] for u in units)]
            used = sorted(set(raw))
            columns.append([used.index(c) for c in raw])
            meaning.append([plan.order[c] if c < nobody else None for c in used])
            published.append([c < nobody for c in used])
    raw = [0 if u[3] and whole_paired else 1 for u in units]
    used = sorted(set(raw))
    columns.append([used.index(c) for c in raw])
    meaning.append(["paired" if c == 0 else None for c in used])
    published.append([c == 0 for c in used])
    codes = [np.array(col, dtype=np.int32) for col in columns]
    atom_of, atom_groups = atoms_of(codes)
    weights = np.array([u[0] for u in units], dtype=np.int64)
    counts = np.bincount(atom_of, weights=weights, minlength=atom_groups.shape[0]) \
        .round().astype(np.int64)
    found_reasons = protect_changes(atom_groups, counts, [len(m) for m in meaning], 2 * k)
    out = _Linked([{} for _ in plans], [[] for _ in plans], False)
    for col, (keys, shown, reasons) in enumerate(zip(meaning, published, found_reasons,
                                                     strict=True)):
        for key, g, r in zip(keys, shown, reasons, strict=True):
            if key is None or not g or r is None:
                continue
            if col == len(meaning) - 1:
                out.whole_unpaired = True
            elif col >= len(plans):
                out.groups[col - len(plans)][key] = (change_reason(k) if r == "small"
                                                     else linked_change_reason(k))
            elif r != "small":  # 1 to k - 1 changed: change() says so itself
                out.pairs[col].append(key)
    return out


def _pairs_per_group(a: Wave, b: Wave, pid: str, plan: _Plan,
                     codes: tuple[Int32Array, Int32Array]) -> dict[int, int]:
    """Per group (index in ``plan.order``), its people in both waves with a score."""
    cells_pairs = Pairing.of(a, b, independent=False)
    if a.respondents is None or b.respondents is None or cells_pairs.linked == 0:
        return {}
    ra, rb = cells_pairs.base_rows, cells_pairs.follow_rows
    both = np.isfinite(a.respondents.principles[pid][ra]) \
        & np.isfinite(b.respondents.principles[pid][rb])
    ca, cb = codes[0][ra], codes[1][rb]
    same = both & (ca == cb)
    found = np.bincount(ca[same], minlength=len(plan.order) + 1)
    return {i: int(n) for i, n in enumerate(found.tolist())}


def _matching(a: Wave, b: Wave) -> Matching:
    return match_questions(a.results.question_set, b.results.question_set,
                           baseline_at=a.question_at, followup_at=b.question_at)


def compare(baseline: Wave, followup: Wave, *, by: Sequence[str] = (),
            independent: bool = False, min_group_size: int | None = None,
            title: str | None = None, generated_at: dt.datetime | None = None) -> Comparison:
    """Compare two waves of one question set.

    ``min_group_size`` raises the anonymity threshold (never lowers the waves' own).

    Raises:
        CompareError: different question sets, a breakdown one wave lacks, or respondents in
            both waves when ``independent`` is asked for; every problem at once.
    """
    check_waves([baseline, followup], by, independent=independent)
    matching = _matching(baseline, followup)
    pairing = Pairing.of(baseline, followup, independent=independent)
    cells = Cells(baseline, followup, min_group_size)
    withheld: list[Withheld] = []
    overall: Change | None = None
    principles: list[Change] = []
    items: list[ItemChange] = []
    timepoints: list[TimepointChange] = []
    reason = cells.survey_reason()
    if reason is None:
        overall, principles, items, timepoints = _whole_survey(
            baseline, followup, matching, pairing, cells, withheld, set())
    else:
        withheld.append(Withheld(what="the whole survey: scores, items and timepoints",
                                 reason=reason))
    plans = [_plan_groups(baseline, followup, matching, f, cells) for f in by]
    unpaired: set[str] = set()
    for pid in matching.principles:
        whole = next((c for c in principles if c.id == pid), None)
        linked = _protect_changes(
            baseline, followup, pid, plans, cells,
            whole is not None and whole.test is not None and whole.test.name == "paired") \
            if plans and pairing.linked else None
        if linked is None:
            left_out = _protect_pairs(baseline, followup, pairing, pid, plans,
                                      cells.threshold)
        else:
            left_out = linked.pairs
            if linked.whole_unpaired:
                unpaired.add(pid)
            for plan, hidden in zip(plans, linked.groups, strict=True):
                for key, why in hidden.items():
                    plan.published[key].pop(pid, None)
                    left_out[plans.index(plan)] = [x for x in left_out[plans.index(plan)]
                                                   if x != key]
                    plan.withheld.append(Withheld(
                        what=f"{plan.field} {plan.values[key]}: {plan.names[pid]}",
                        reason=why))
        for plan, keys in zip(plans, left_out, strict=True):
            plan.left_out[pid] = keys
            for key in keys:
                plan.welch[key].add(pid)
    if unpaired and reason is None:
        # The whole survey's paired test is left out for these principles: compared again
        # with Welch, and what the first pass withheld replaced.
        withheld = []
        overall, principles, items, timepoints = _whole_survey(
            baseline, followup, matching, pairing, cells, withheld, unpaired)
    groups: dict[str, BreakdownComparison] = {}
    for plan in plans:
        groups[plan.field], notes = _group_comparison(baseline, followup, pairing, plan, cells)
        withheld.extend(notes)
    not_compared = list(matching.not_compared)
    if reason is None and overall is None and not any(w.what == "the overall score"
                                                      for w in withheld):
        not_compared.insert(0, NotCompared(
            id="overall", reason="the principles or their weights differ between the waves"))
    qs = followup.results.question_set
    return Comparison(
        leadlens_version=__version__, generated_at=generated_at or dt.datetime.now(dt.UTC),
        question_set=qs.id, title=title or qs.title,
        baseline=wave_info(baseline), followup=wave_info(followup),
        min_group_size=cells.threshold, alpha=stats.ALPHA, power=stats.POWER,
        independent=pairing.linked == 0, linked=pairing.linked, overall=overall,
        principles=principles, principles_not_compared=not_compared, items=items,
        matching=matching.entries, timepoints=timepoints, bands=band_infos(qs),
        groups=groups, withheld=withheld,
        warnings=matching.warnings + _warnings(baseline, followup, pairing))


def _warnings(a: Wave, b: Wave, pairing: Pairing) -> list[str]:
    out = []
    if pairing.linked and pairing.linked < min(a.results.respondents, b.results.respondents):
        out.append(f"{pairing.linked} respondents are in both waves: differences are paired "
                   "changes of those respondents; the others are left out of the tests")
    return out


# --- trend --------------------------------------------------------------------------------

def trend(waves: Sequence[Wave], *, independent: bool = False,
          min_group_size: int | None = None, title: str | None = None,
          generated_at: dt.datetime | None = None) -> Trend:
    """Three or more waves in order: one line per principle, each wave against the one before.

    On each line, a wave's figure is withheld when its cell differs from that of a wave
    already shown on the line by fewer than the anonymity threshold (see
    :mod:`leadlens.waves.anonymity`).
    """
    check_waves(waves, (), independent=independent)
    matchings = [_matching(a, b) for a, b in zip(waves, waves[1:], strict=False)]
    last = waves[-1].results
    comparable = [p.id for p in last.principles
                  if all(p.id in m.principles for m in matchings)]
    not_compared = []
    for p in last.principles:
        if p.id not in comparable:
            reasons = [f"{waves[i].label} to {waves[i + 1].label}: {nc.reason}"
                       for i, m in enumerate(matchings) for nc in m.not_compared if nc.id == p.id]
            not_compared.append(NotCompared(id=p.id, reason="; ".join(reasons)))
    withheld: list[Withheld] = []
    names = {p.id: p.name for p in last.principles}
    # The principles first: the overall's change minus theirs shown is that of those not.
    lines = [_trend_line(waves, pid, names[pid], independent, min_group_size, withheld)
             for pid in comparable]
    shown_at = {line.id: {p.wave for p in line.points if not p.withheld} for line in lines}

    def principles_not_shown(i: int, j: int) -> str | None:
        return _principles_not_shown(waves, i, j, shown_at, min_group_size)

    overall_notes: list[Withheld] = []
    overall = _trend_line(waves, None, "Overall", independent, min_group_size,
                          overall_notes, principles_not_shown)
    withheld[:0] = overall_notes
    principles = _adjust_lines(lines)
    return Trend(
        leadlens_version=__version__, generated_at=generated_at or dt.datetime.now(dt.UTC),
        question_set=last.question_set.id, title=title or last.question_set.title,
        waves=[wave_info(w) for w in waves],
        min_group_size=max(min_group_size or 0, *(w.results.min_group_size for w in waves)),
        alpha=stats.ALPHA,
        power=stats.POWER, overall=overall, principles=principles,
        principles_not_compared=not_compared, bands=band_infos(last.question_set),
        withheld=withheld, warnings=list(dict.fromkeys(w for m in matchings for w in m.warnings)))


def _side(wave: Wave, principle: str | None) -> Side:
    r = wave.results
    if principle is None:
        o = r.overall
        return Side(n=o.n, score=o.score, sd=o.sd, ci95=o.ci95, band=o.band)
    p = next(p for p in r.principles if p.id == principle)
    return principle_side(r, p, _values(wave, principle))


def _principles_not_shown(waves: Sequence[Wave], i: int, j: int,
                          shown_at: dict[str, set[int]], min_group_size: int | None
                          ) -> str | None:
    """Why wave ``j``'s overall score may not be shown beside wave ``i``'s: its change minus
    that of the principles shown in both is the change of the others, so their people whose
    score changed (counted by ids) must be none or at least the threshold."""
    a, b = waves[i], waves[j]
    cells = Cells(a, b, min_group_size)
    ia, ib = a.respondents, b.respondents
    if ia is None or ib is None or cells.ids_a is None or cells.ids_b is None:
        return None
    return _withheld_principles_reason(
        cells, [pid for pid in ib.principles
                if pid in ia.principles and not {i, j} <= shown_at.get(pid, set())])


def _trend_line(waves: Sequence[Wave], principle: str | None, name: str, independent: bool,
                min_group_size: int | None, withheld: list[Withheld],
                beside: Callable[[int, int], str | None] | None = None) -> TrendLine:
    """One line; ``beside(i, j)``: a further reason wave ``j``'s point may not be shown
    with wave ``i``'s, or None."""
    ident = principle or "overall"
    published: list[int] = []
    points = []
    for j, wave in enumerate(waves):
        own = wave.results.overall if principle is None else next(
            p for p in wave.results.principles if p.id == principle)
        # Too few in this wave (withheld, its n null): no point, no n, no step.
        reasons: list[str | None] = [
            thin_reason(wave.results, own.withheld or "withheld", wave.results, None)] \
            if own.withheld or own.n is None else []
        if not reasons:
            side = _side(wave, principle)
            reasons += [r for i in published if (r := Cells(waves[i], wave, min_group_size)
                        .scored(principle, _side(waves[i], principle).n, side.n)) is not None]
            if beside is not None:
                reasons += [beside(i, j) for i in published]
        reasons = [r for r in reasons if r is not None]
        if reasons:
            withheld.append(Withheld(what=f"{name} in {wave.label}", reason=reasons[0]))
            points.append(TrendPoint(wave=j, n=None, score=None, withheld=True))
            continue
        published.append(j)
        points.append(TrendPoint(wave=j, n=side.n, score=side.score, ci95=side.ci95,
                                 band=side.band))
    # % favourable: a wave's share on the line, against every wave's share already shown.
    threshold = max(min_group_size or 0, *(w.results.min_group_size for w in waves))
    fav_shown: list[int] = []
    for j in published if principle is not None else []:
        assert principle is not None
        why = next((r for i in fav_shown
                    if (r := _favourable_reason(waves[i], waves[j], principle, threshold))
                    is not None), None)
        if why is None:
            fav_shown.append(j)
        else:
            withheld.append(Withheld(what=f"% favourable of {name} in {waves[j].label}",
                                     reason=why))

    # The steps' paired changes minus the last-against-first one cancel for whoever is in
    # every wave shown, and leave the change of those in some but not all: too few of them,
    # and the last against the first is tested with Welch.
    partial = _partial_pairs(waves, published, principle) if not independent else 0
    unpaired_first = 0 < partial < threshold and len(published) > 2
    if unpaired_first:
        withheld.append(Withheld(
            what=f"{name}: the paired test of the last wave against the first",
            reason=f"left out (Welch instead): with the paired tests of the steps it would "
                   f"give away the change of fewer than {threshold} people who missed a wave"))

    def step(i: int, j: int, unpaired: bool = False) -> Change:
        a, b = waves[i], waves[j]
        pairing = Pairing.of(a, b, independent=independent or unpaired)
        fav = None
        if principle is not None and i in fav_shown and j in fav_shown:
            pa = next(p for p in a.results.principles if p.id == principle)
            pb = next(p for p in b.results.principles if p.id == principle)
            fav = favourable_change(_favourable(a.results, pa.items),
                                    _favourable(b.results, pb.items))
        return change(ident, name, _side(a, principle), _side(b, principle),
                      _paired(a, b, pairing, principle), fav, min_pairs=threshold,
                      withheld=withheld, what=f"{name} from wave {a.label} to {b.label}")

    spans = list(zip(published, published[1:], strict=False))
    steps = [step(i, j) for i, j in spans]
    first = step(published[0], published[-1], unpaired_first) if len(published) >= 2 \
        else None
    if principle is None:
        steps = [adjust([s])[0] for s in steps]
        first = adjust([first])[0] if first else None
    return TrendLine(id=ident, name=name, points=points, steps=steps,
                     step_waves=[[i, j] for i, j in spans], since_first=first)


def _partial_pairs(waves: Sequence[Wave], published: list[int], principle: str | None
                   ) -> int:
    """How many people (by respondent id) have a score in at least two of the ``published``
    waves but not in all of them (0 without ids)."""
    seen: dict[str, int] = {}
    for j in published:
        people = waves[j].respondents
        if people is None or people.ids is None:
            return 0
        values = people.overall if principle is None else people.principles[principle]
        for i, v in zip(people.ids, values.tolist(), strict=True):
            if i is not None and np.isfinite(v):
                seen[i] = seen.get(i, 0) + 1
    return sum(1 for c in seen.values() if 2 <= c < len(published))


def _favourable_reason(a: Wave, b: Wave, principle: str, threshold: int) -> str | None:
    """Why two waves' % favourable of ``principle`` may not be shown side by side, or None."""
    pa = next(p for p in a.results.principles if p.id == principle)
    pb = next(p for p in b.results.principles if p.id == principle)
    fav_a, fav_b = _favourable(a.results, pa.items), _favourable(b.results, pb.items)
    if fav_a is None or fav_b is None:
        return None
    return Cells(a, b, threshold).answers(_answer_keys(_matching(a, b), pb.items),
                                          fav_a[1], fav_b[1])


def _adjust_lines(lines: list[TrendLine]) -> list[TrendLine]:
    """Holm across the principles of each step (the same two waves), and of since_first."""
    steps: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for n, line in enumerate(lines):
        for k, span in enumerate(line.step_waves):
            steps.setdefault(tuple(span), []).append((n, k))
    new_steps = [list(line.steps) for line in lines]
    for members in steps.values():
        for (n, k), adjusted in zip(members, adjust([lines[n].steps[k] for n, k in members]),
                                    strict=True):
            new_steps[n][k] = adjusted
    firsts: dict[tuple[int, int], list[int]] = {}
    for n, line in enumerate(lines):
        if line.since_first is not None:
            ends = (line.points[0].wave, line.points[-1].wave)
            shown = [p.wave for p in line.points if not p.withheld]
            firsts.setdefault((shown[0], shown[-1]) if shown else ends, []).append(n)
    new_first = [line.since_first for line in lines]
    for indices in firsts.values():
        changes = [lines[i].since_first for i in indices]
        for i, adjusted in zip(indices, adjust([c for c in changes if c is not None]),
                               strict=True):
            new_first[i] = adjusted
    return [line.model_copy(update={"steps": new_steps[n], "since_first": new_first[n]})
            for n, line in enumerate(lines)]
