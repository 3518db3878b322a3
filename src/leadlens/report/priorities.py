"""What a board discusses first, and its next steps in order: rules, not file order.

"What to discuss first" holds at most :data:`MAX_FIRST` items, one of each kind in this
order, each with its recommendation, and then more split principles if places are left:

1. **A split room**: the contested principle whose smaller side is largest
   (:mod:`leadlens.scoring.contested`). An average hides it, so it comes first.
2. **The largest ambition gap**: the ICB question whose 12-month target is furthest above
   where the room places the ICB now (mean gap among those who answered both), if it is at
   least :data:`MIN_LEVEL_GAP` levels.
3. **The largest gap between the hats**: the principle scored most differently with the
   organisation hat and the system hat, if at least half an answer step apart.
4. **The weakest principle**: the lowest score, if it is not already listed.

Next steps list every principle weakest first (those above first when they are there), and
every ICB question largest gap first, each with the recommendation for the level where the
room's median answer places the ICB now.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from leadlens.questionset.model import QuestionSet
from leadlens.results.document import PrincipleResult, Results, TimepointResult

MAX_FIRST = 3
MIN_LEVEL_GAP = 1.0
"""An ICB question qualifies as an ambition gap from one maturity level."""

Kind = Literal["split", "ambition", "hats", "weakest"]


@dataclass(frozen=True)
class Priority:
    """One item of "What to discuss first"."""

    kind: Kind
    heading: str
    """What it is about: a principle's name or an ICB question's text."""
    finding: str
    """Why it is here, in numbers."""
    recommendation: str | None
    anchor: str
    """The id of the section with the detail."""


@dataclass(frozen=True)
class IcbStep:
    """An ICB question's next step: the recommendation for the room's current level."""

    question: str
    text: str
    level: int | None
    level_label: str | None
    means: list[float | None]
    """Each timepoint's mean among the ``gap_n`` who answered both (the gap's own people)."""
    gap: float | None
    gap_n: int | None
    """Null when the gap is withheld (fewer than the threshold answered both)."""
    recommendation: str | None


def _pct(share: float | None) -> str:
    return f"{(share or 0) * 100:.0f}%"


def median_level(qs: QuestionSet, results: Results, key: str) -> int | None:
    """The (lower) median option value answered for ``key`` (e.g. ``icb-1@current``)."""
    item = next((i for i in results.items if i.key == key), None)
    scale = qs.scales.get(item.scale) if item is not None else None
    if item is None or scale is None or not item.n:
        return None
    seen = 0
    for option in scale.options:
        seen += item.counts.get(str(option.value), 0)
        if seen * 2 >= item.n:
            return option.value
    return None


def icb_steps(qs: QuestionSet, results: Results) -> list[IcbStep]:
    """Every question with timepoints, largest gap first, with its level's recommendation."""
    steps = []
    for t in results.timepoints:
        question = qs.question_by_id.get(t.question)
        first = t.timepoints[0].id if t.timepoints else None
        level = median_level(qs, results, f"{t.question}@{first}") if first else None
        scale = qs.scales.get(t.scale)
        label = next((o.label for o in scale.options if o.value == level), None) \
            if scale is not None else None
        advice = question.recommendations.get(str(level)) \
            if question is not None and level is not None else None
        means = list(t.paired_means) or [m.mean for m in t.timepoints]
        steps.append(IcbStep(t.question, t.text, level, label, means, t.gap, t.gap_n, advice))
    return sorted(steps, key=lambda s: -(s.gap or 0.0))


def _advice(qs: QuestionSet, p: PrincipleResult) -> str | None:
    """The principle's recommendation for its band (from the set when the document has none)."""
    if p.recommendation is not None:
        return p.recommendation
    spec = qs.principle_by_id.get(p.id)
    return spec.recommendations.get(p.band) if spec is not None and p.band else None


def _split(p: PrincipleResult, qs: QuestionSet) -> Priority:
    if p.clearly_below is not None and p.clearly_above is not None:
        shares = (f"{_pct(p.clearly_below)} of respondents score it clearly below neutral "
                  f"and {_pct(p.clearly_above)} clearly above")
    else:  # a results document from before the shares were recorded
        shares = "at least a quarter of respondents score it on each side of neutral"
    return Priority(
        "split", p.name, f"The room is split: {shares}, so its average of "
        f"{qs.score_text(p.score)} describes almost nobody.", _advice(qs, p), "at-a-glance")


def _ambition(t: TimepointResult, step: IcbStep) -> Priority:
    now, then = (t.paired_means + [None, None])[:2] if t.paired_means else (None, None)
    where = f" (now {now:.1f}, in 12 months {then:.1f})" if now is not None and \
        then is not None else ""
    level = f" Most answers place it at \u201c{step.level_label}\u201d now." \
        if step.level_label else ""
    return Priority(
        "ambition", t.text,
        f"The largest gap between now and in 12 months: {t.gap or 0:+.1f} levels on average "
        f"among the {t.gap_n} who answered both{where}.{level}", step.recommendation,
        "now-and-target")


def _hats(p: PrincipleResult, qs: QuestionSet) -> Priority:
    first, last = p.perspectives[0], p.perspectives[-1]
    gap = p.perspective_gap or 0.0
    direction = "lower" if gap < 0 else "higher"
    return Priority(
        "hats", p.name,
        f"Scored {abs(gap):.0f} points {direction} with the {last.label.lower()} "
        f"({qs.score_text(last.score)}) than with the {first.label.lower()} "
        f"({qs.score_text(first.score)}): the largest gap between the two hats.",
        _advice(qs, p), "perspectives")


def _weakest(p: PrincipleResult, qs: QuestionSet) -> Priority:
    band = qs.band_by_id[p.band].label if p.band in qs.band_by_id else "no band"
    return Priority("weakest", p.name,
                    f"The lowest-scoring principle: {qs.score_text(p.score)} out of 100 "
                    f"({band}).", _advice(qs, p), "what-to-do-next")


def _hat_step(qs: QuestionSet, p: PrincipleResult) -> float:
    scale = qs.scales.get(p.scale or "")
    return 100 / (scale.max - scale.min) / 2 if scale is not None and scale.max > scale.min \
        else 12.5


def discuss_first(results: Results) -> list[Priority]:
    """At most three items, by the rule in the module docstring."""
    qs = results.question_set
    scored = [p for p in results.principles if p.score is not None]
    splits = sorted((p for p in scored if p.contested),
                    key=lambda p: -min(p.clearly_below or 0, p.clearly_above or 0))
    chosen: list[Priority] = []
    used: set[str] = set()
    if splits:
        chosen.append(_split(splits[0], qs))
        used.add(splits[0].id)
    steps = {s.question: s for s in icb_steps(qs, results)}
    gaps = [t for t in results.timepoints if t.gap is not None and t.gap >= MIN_LEVEL_GAP]
    if gaps:
        widest = max(gaps, key=lambda t: t.gap or 0.0)
        chosen.append(_ambition(widest, steps[widest.question]))
    hats = [p for p in scored if p.perspective_gap is not None and len(p.perspectives) >= 2
            and abs(p.perspective_gap) >= _hat_step(qs, p) and p.id not in used]
    if hats and len(chosen) < MAX_FIRST:
        widest_hats = max(hats, key=lambda p: abs(p.perspective_gap or 0.0))
        chosen.append(_hats(widest_hats, qs))
        used.add(widest_hats.id)
    if scored and len(chosen) < MAX_FIRST:
        weakest = min(scored, key=lambda p: p.score or 0.0)
        if weakest.id not in used:
            chosen.append(_weakest(weakest, qs))
            used.add(weakest.id)
    for p in splits[1:]:
        if len(chosen) >= MAX_FIRST:
            break
        if p.id not in used:
            chosen.append(_split(p, qs))
            used.add(p.id)
    return chosen[:MAX_FIRST]


def principle_order(results: Results, first: list[Priority]) -> list[str]:
    """Principle ids for "What to do next": those discussed first, then weakest first."""
    named = [p.id for item in first for p in results.principles
             if item.kind != "ambition" and p.name == item.heading]
    rest = sorted((p for p in results.principles if p.id not in named),
                  key=lambda p: (p.score is None, p.score or 0.0))
    return [*dict.fromkeys(named), *(p.id for p in rest)]


def as_data(items: list[Priority] | list[IcbStep]) -> list[dict[str, Any]]:
    """Plain data for the template context."""
    return [asdict(i) for i in items]
