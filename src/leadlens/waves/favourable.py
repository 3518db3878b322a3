"""% favourable from a results document's answer counts.

Which option values count as favourable is the scale's ``favourable:`` list when the question
set has one; otherwise the top two options of a 4- to 6-point scale and the top three of a
7-point scale (a scale of another length has no % favourable). On a reverse-keyed question the
mirror-image options are the favourable ones. Unscored answers ("Don't know") are left out of
the denominator.
"""

from __future__ import annotations

from collections.abc import Iterable

from leadlens.questionset.model import Scale
from leadlens.results.document import ItemResult

DEFAULT_TOP = {4: 2, 5: 2, 6: 2, 7: 3}


def favourable_values(scale: Scale) -> set[int]:
    """The option values of ``scale`` that count as favourable (empty: none defined)."""
    given = getattr(scale, "favourable", None)  # the question set's own list, when it has one
    if given:
        return {int(v) for v in given}
    values = sorted(o.value for o in scale.options)
    top = DEFAULT_TOP.get(len(values), 0)
    return set(values[len(values) - top:]) if top else set()


def item_favourable(item: ItemResult, scale: Scale) -> tuple[int, int] | None:
    """(favourable answers, scored answers) of one item, or None without a definition."""
    chosen = favourable_values(scale)
    if not chosen:
        return None
    low, high = scale.min, scale.max
    if item.reverse:
        chosen = {low + high - v for v in chosen}
    scored = sum(item.counts.get(str(o.value), 0) for o in scale.options)
    favourable = sum(item.counts.get(str(v), 0) for v in chosen)
    return favourable, scored


def pooled_favourable(pairs: Iterable[tuple[int, int] | None]) -> tuple[int, int] | None:
    """Sum of several items' (favourable, scored): a principle's share of answers."""
    known = [p for p in pairs if p is not None]
    if not known:
        return None
    return sum(k for k, _ in known), sum(n for _, n in known)
