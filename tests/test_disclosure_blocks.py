"""The disclosure check component by component gives what one dense decomposition gave.

``singled_out`` used to decompose the Gram matrix of every published group at once (about
410 x 410 for 600 organisations in 60 sectors, once per figure table). It now works on the
components of atoms that published groups link, with the whole survey's row as one rank-one
term across them (:func:`leadlens.scoring.disclosure.unseen_on_small_atoms`). The direct
computation is kept here, as it was, and both are run on random nested and crossed
breakdowns: the same ``I - P`` on the small atoms, the same set singled out, and the same
published, hidden and withheld groups from :func:`protect`. ``thin_residual`` (a whole minus
the shown groups inside it) now counts by pairs of groups rather than by masks of atoms per
whole, and is checked against its direct version the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadlens.responses.table import IntArray
from leadlens.scoring.disclosure import (
    BoolArray,
    Protection,
    _Cells,
    atoms_of,
    linked_components,
    protect,
    unseen_on_small_atoms,
)


def direct_unseen(groups: IntArray, shown: list[tuple[int, BoolArray]], small: IntArray
                  ) -> npt.NDArray[np.float64]:
    """``I - P`` on the small atoms from one decomposition of every published row."""
    matrix = [np.ones(groups.shape[0])]
    for k, published in shown:
        matrix += [(groups[:, k] == g).astype(np.float64)
                   for g in np.flatnonzero(published).tolist()]
    rows = np.array(matrix)
    values, vectors = np.linalg.eigh(rows @ rows.T)
    keep = values > 1e-10 * max(float(values.max()), 1.0)
    basis = (vectors[:, keep].T @ rows) / np.sqrt(values[keep])[:, None]
    seen = basis[:, small]
    unseen: npt.NDArray[np.float64] = np.eye(small.size) - seen.T @ seen
    return unseen


def direct_singled_out(self: _Cells) -> tuple[list[tuple[int, int]], int] | None:
    """``_Cells.singled_out`` as it was before the components (commit 92c484e)."""
    live = [k for k, a in enumerate(self.active) if a]
    present = self.counts > 0
    if not live or present.sum() < 2 or not (self.counts[present] < self.min_size).any():
        return None
    rows: list[tuple[int, int]] = [(-1, -1)]
    matrix = [np.ones(int(present.sum()))]
    for k in live:
        for g in np.flatnonzero(~self.hidden(k)).tolist():
            rows.append((k, g))
            matrix.append((self.groups[present, k] == g).astype(np.float64))
    published = np.array(matrix)
    gram_values, gram_vectors = np.linalg.eigh(published @ published.T)
    keep = gram_values > 1e-10 * max(float(gram_values.max()), 1.0)
    basis = (gram_vectors[:, keep].T @ published) / np.sqrt(gram_values[keep])[:, None]
    rank = int(keep.sum())
    counts = self.counts[present]
    small = [int(a) for a in np.argsort(counts, kind="stable") if counts[a] < self.min_size]
    seen = basis[:rank][:, small]
    unseen = np.eye(len(small)) - seen.T @ seen
    values, vectors = np.linalg.eigh(unseen)
    null = vectors[:, values < 1e-9]
    if null.shape[1] == 0:
        return None
    support = np.flatnonzero(np.abs(null).max(axis=1) > 1e-9)
    if null.shape[1] == 1 and int(counts[[small[i] for i in support]].sum()) >= self.min_size:
        return None
    small = [small[i] for i in support]
    unseen = unseen[np.ix_(support, support)]
    budget = [20_000]

    def dependent(chosen: list[int]) -> bool:
        block = unseen[np.ix_(chosen, chosen)]
        return float(np.linalg.eigvalsh(block)[0]) < 1e-9

    def search(start: int, chosen: list[int], total: int) -> list[int] | None:
        for position in range(start, len(small)):
            if total + counts[small[position]] >= self.min_size:
                continue
            budget[0] -= 1
            if budget[0] < 0:
                return []
            trial = [*chosen, position]
            if dependent(trial):
                return trial
            found = search(position + 1, trial, total + int(counts[small[position]]))
            if found is not None:
                return found
        return None

    found = search(0, [], 0)
    if found is None:
        return None
    finest = max(live, key=lambda k: (len(self.n[k]), k))
    if not found:
        return [], finest
    _, vectors = np.linalg.eigh(unseen[np.ix_(found, found)])
    target = np.zeros(published.shape[1])
    target[[small[i] for i in found]] = vectors[:, 0]
    weights, *_ = np.linalg.lstsq(published.T, target, rcond=None)
    used = [rows[i] for i in np.flatnonzero(np.abs(weights) > 1e-9) if rows[i][0] >= 0]
    return used, (used[0][0] if used else finest)


def direct_thin_residual(self: _Cells) -> tuple[int, list[int]] | None:
    """``_Cells.thin_residual`` as it was before it counted by group pairs (commit 92c484e)."""
    live = [k for k, a in enumerate(self.active) if a]
    wholes: list[tuple[int, BoolArray]] = [(-1, np.ones(self.groups.shape[0], dtype=bool))]
    for k in live:
        wholes += [(k, self.groups[:, k] == g)
                   for g in np.flatnonzero(~self.hidden(k)).tolist()]
    for f in live:
        shown = np.flatnonzero(~self.hidden(f))
        if not shown.size:
            continue
        for k, whole in wholes:
            if k == f:
                continue
            outside = np.unique(self.groups[~whole, f])
            inside = [int(g) for g in np.setdiff1d(np.unique(self.groups[whole, f]), outside)
                      if g in shown]
            if not inside:
                continue
            rest = whole & ~np.isin(self.groups[:, f], inside)
            residual = int(self.counts[rest].sum())
            if 0 < residual < self.min_size:
                return f, inside
    return None


@contextmanager
def direct() -> Iterator[None]:
    fast = _Cells.singled_out, _Cells.thin_residual
    _Cells.singled_out = direct_singled_out  # type: ignore[method-assign]
    _Cells.thin_residual = direct_thin_residual  # type: ignore[method-assign]
    try:
        yield
    finally:
        _Cells.singled_out, _Cells.thin_residual = fast  # type: ignore[method-assign]


@st.composite
def breakdowns(draw: st.DrawFn) -> tuple[list[IntArray], IntArray, int]:
    """Respondents in one to three breakdowns, each nested in the first (organisations in
    sectors) or crossed with it, many groups small; and a figure's flags (who it counts)."""
    n = draw(st.integers(4, 60))
    first = draw(st.integers(1, 12))
    finest = np.array(draw(st.lists(st.integers(0, first - 1), min_size=n, max_size=n)))
    codes = [finest]
    for _ in range(draw(st.integers(0, 2))):
        size = draw(st.integers(1, 5))
        if draw(st.booleans()):  # nested: a function of the finest group
            parent = np.array(draw(st.lists(st.integers(0, size - 1), min_size=first,
                                            max_size=first)))
            codes.append(parent[finest])
        else:  # crossed
            codes.append(np.array(draw(st.lists(st.integers(0, size - 1), min_size=n,
                                                max_size=n))))
    # Renumber so that every group occurs (as group_respondents numbers them).
    codes = [np.unique(c, return_inverse=True)[1].astype(np.int32) for c in codes]
    counted = draw(st.sampled_from([[1], [0, 1, 1, 1], [0, 1]]))  # everyone, most, half
    flags = np.array(draw(st.lists(st.sampled_from(counted), min_size=n, max_size=n)))
    return codes, flags, draw(st.integers(2, 6))


def both_ways(groups: IntArray, counts: IntArray, sizes: list[int], m: int,
              **known: Any) -> Protection:
    fast = protect(groups, counts, sizes, m, **known)
    with direct():
        before = protect(groups, counts, sizes, m, **known)
    assert fast == before
    return fast


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(breakdowns())
def test_protect_decides_as_the_direct_computation(
        case: tuple[list[IntArray], IntArray, int]) -> None:
    codes, flags, m = case
    atom_of, groups = atoms_of(codes)
    sizes = [int(c.max()) + 1 for c in codes]
    atoms = groups.shape[0]
    # The groups themselves, then one figure's table in them (as leadlens score does).
    sized = both_ways(groups, np.bincount(atom_of, minlength=atoms), sizes, m)
    caps = [[int(s) if r is None else m - 1 if r == "small" else None
             for r, s in zip(rs, np.bincount(c, minlength=size).tolist(), strict=True)]
            for rs, c, size in zip(sized.reasons, codes, sizes, strict=True)]
    both_ways(groups, np.bincount(atom_of, weights=flags, minlength=atoms).astype(np.int64),
              sizes, m, given=sized.reasons, caps=caps, withheld=sized.withheld)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(breakdowns(), st.data())
def test_the_same_sets_are_singled_out_with_any_groups_hidden(
        case: tuple[list[IntArray], IntArray, int], data: st.DataObject) -> None:
    codes, flags, m = case
    atom_of, groups = atoms_of(codes)
    sizes = [int(c.max()) + 1 for c in codes]
    counts = np.bincount(atom_of, weights=flags, minlength=groups.shape[0]).astype(np.int64)
    hidden = [data.draw(st.lists(st.sampled_from([False, False, True]), min_size=s, max_size=s))
              for s in sizes]
    cells = _Cells(groups, counts, sizes, m, [["complement" if h else None for h in hs]
                                              for hs in hidden], [[None] * s for s in sizes])
    withheld = data.draw(st.integers(-len(sizes), len(sizes) - 1))  # below 0: none
    cells.active = [k != withheld for k in range(len(sizes))]
    present = counts > 0
    if present.sum() >= 1:
        small = np.flatnonzero(counts[present] < m)
        shown = [(k, ~cells.hidden(k)) for k, a in enumerate(cells.active) if a]
        unseen, blocks = unseen_on_small_atoms(groups[present], shown, small)
        assert np.allclose(unseen, direct_unseen(groups[present], shown, small), atol=1e-9)
        # The blocks cover the small atoms once each, and nothing links two of them.
        where = np.full(small.size, -1)
        for b, block in enumerate(blocks):
            assert (where[block] == -1).all()
            where[block] = b
        assert (where >= 0).all()
        assert np.allclose(unseen[where[:, None] != where[None, :]], 0.0, atol=1e-12)
    assert cells.singled_out() == direct_singled_out(cells)
    assert cells.thin_residual() == direct_thin_residual(cells)


def test_components_follow_the_published_groups() -> None:
    # Organisations 0-5 in sectors 0, 0, 1, 1, 2, 2; one atom each. Sector 1 hidden: its
    # organisations 2 and 3 are linked to nothing (organisation 3 is hidden too).
    organisation = np.arange(6)
    sector = np.array([0, 0, 1, 1, 2, 2])
    _, groups = atoms_of([organisation, sector])
    shown = [(0, np.array([True, True, True, False, True, True])),
             (1, np.array([True, False, True]))]
    assert linked_components(groups, shown).tolist() == [0, 0, 2, 3, 4, 4]
    # Crossed: published groups across the sectors link them all.
    crossed = np.column_stack([groups, [0, 1, 0, 1, 0, 1]])
    assert linked_components(crossed, [*shown, (2, np.array([True, True]))]).tolist() \
        == [0] * 6


@pytest.mark.parametrize("hidden_sector", [False, True])
def test_the_whole_survey_couples_what_no_published_group_covers(hidden_sector: bool) -> None:
    # Organisations of 6, 6 (sector 0) and 2, 2, 6 (sector 1); the two of 2 hidden. Sector 1
    # shown: it minus organisation 4 is their 4 respondents, inside one component. Sector 1
    # hidden: the two are in no published group, and the whole survey minus sector 0 minus
    # organisation 4 gives them, through the survey's row across components.
    organisation = np.repeat(np.arange(5), [6, 6, 2, 2, 6])
    sector = np.repeat([0, 0, 1, 1, 1], [6, 6, 2, 2, 6])
    atom_of, groups = atoms_of([organisation, sector])
    cells = _Cells(groups, np.bincount(atom_of), [5, 2], 5,
                   [[None, None, "small", "small", None],
                    [None, "complement" if hidden_sector else None]],
                   [[None] * 5, [None] * 2])
    shown = [(0, ~cells.hidden(0)), (1, ~cells.hidden(1))]
    small = np.array([2, 3])
    unseen, blocks = unseen_on_small_atoms(groups, shown, small)
    # The only vector on the two: both together (I - P has it as its null space).
    assert np.allclose(unseen @ [1, 1], 0, atol=1e-12)
    assert np.linalg.matrix_rank(unseen) == 1
    assert [sorted(b.tolist()) for b in blocks] == [[0, 1]]
    found = cells.singled_out()
    assert found is not None and (0, 4) in found[0]
    assert found == direct_singled_out(cells)
