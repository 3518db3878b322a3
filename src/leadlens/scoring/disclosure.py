"""Disclosure control across linked tables: no hidden figure can be worked out from the rest.

Everything one run publishes is one set of linked tables: the whole survey, and every group
of every ``--by`` breakdown. A respondent sits in one *atom*: one combination of their
groups across the breakdowns. Every published figure of a kind (a count of respondents, the
count and sum of a principle's scores, a question's comments) is the sum of that figure over
the atoms of its group, so the published figures are linear equations in the atoms.

A hidden group's figure is safe when a second set of atoms, as plausible as the real one,
gives every published figure unchanged but the hidden one a different value. The check
looks for such a *move*: one respondent transferred from one atom to another such that every
group the transfer changes is hidden, and every hidden group stays within what a reader
knows of it (a group shown as "fewer than 5" has 1 to 4 respondents; one hidden to protect
another has at least 5). A move proves the hidden figure is not fixed by the published
equations (so neither its count nor its sum can be found by adding and subtracting
published figures) and cannot be narrowed to a single value. Where no move exists, another
group is hidden (secondary suppression), the smallest of the same breakdown that gives the
exposed group a move first. A pick that leads nowhere (a breakdown then withheld, or left
with no group shown) is taken back and the next one tried, depth first, within a bounded
number of alternatives (:data:`ALTERNATIVES`); when none is found, the first way's breakdown
is withheld for that figure. So a withheld breakdown means that no safe pattern was found,
not that none exists. Which group comes first among equals is decided by what a reader can
tell apart (sizes, and which groups hold which; :func:`canonical_order`), never by names.
Whatever a combination of published figures gives (some groups added, others
taken away) must rest on none or at least ``min_size`` respondents too: every set of atoms
holding fewer is checked exactly. ``docs/scoring.md`` says the same in plain words.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

from leadlens.responses.table import Int32Array, IntArray

_T = TypeVar("_T")

Reason = Literal["small", "complement", "withheld"]
"""Why a figure is hidden: too few respondents; protects another; the breakdown withheld."""

BoolArray = npt.NDArray[np.bool_]
UNBOUNDED = np.iinfo(np.int64).max // 4
ALTERNATIVES = 24
"""Picks tried in place of one that led nowhere, per :func:`protect` call (each is a
re-run of the checks from that pick on)."""
_REASON_CODES = {None: 0, "small": 1, "complement": 2, "withheld": 3}


def atoms_of(groupings: Sequence[Int32Array]) -> tuple[IntArray, IntArray]:
    """Each respondent's atom, and each atom's group in every breakdown.

    Args:
        groupings: per breakdown, the group index of each respondent.

    Returns:
        ``(atom per respondent, (atoms, breakdowns) group indices)``; only combinations
        that occur are atoms.
    """
    if not groupings:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.int64)
    sizes = [int(np.max(g, initial=-1)) + 1 for g in groupings]
    if math.prod(sizes) >= 1 << 62:  # too many combinations to number: compare whole rows
        stacked = np.column_stack([np.asarray(g, dtype=np.int64) for g in groupings])
        combos, inverse = np.unique(stacked, axis=0, return_inverse=True)
        return (np.asarray(inverse, dtype=np.int64).reshape(-1),
                np.asarray(combos, dtype=np.int64))
    # One number per combination, in the order of its groups (mixed radix): the atoms come
    # out as np.unique(axis=0) orders them, without sorting rows of a million respondents.
    key = np.zeros(len(groupings[0]), dtype=np.int64)
    for g, size in zip(groupings, sizes, strict=True):
        key *= size
        key += g
    space = math.prod(sizes)
    if space <= 1 << 22:
        table = np.bincount(key, minlength=space)
        values = np.flatnonzero(table)
        number = np.full(space, -1, dtype=np.int64)
        number[values] = np.arange(values.size)
        atom_of: IntArray = number[key]
    else:
        values, inverse = np.unique(key, return_inverse=True)
        atom_of = np.asarray(inverse, dtype=np.int64).reshape(-1)
    groups: IntArray = np.empty((values.size, len(groupings)), dtype=np.int64)
    rest = values.astype(np.int64)
    for j in range(len(groupings) - 1, -1, -1):
        groups[:, j] = rest % sizes[j]
        rest //= sizes[j]
    return atom_of, groups


@dataclass
class Protection:
    """Per breakdown and group: why its figure is hidden (None = published)."""

    reasons: list[list[Reason | None]]
    withheld: list[bool]
    """Breakdowns whose figure is withheld for every group: no safe pattern was found (the
    search is bounded, so one may exist)."""


def _ranks(rows: IntArray) -> IntArray:
    """Each row's rank among the distinct rows (lexicographic): a number that says what the
    row holds, whatever order the rows came in."""
    ranked: IntArray = np.zeros(rows.shape[0], dtype=np.int64)
    if rows.shape[0]:
        order = np.lexsort(rows.T[::-1])  # the first column first, as np.unique(axis=0)
        ordered = rows[order]
        ranked[order] = np.cumsum(np.r_[False, (ordered[1:] != ordered[:-1]).any(axis=1)])
    return ranked


def canonical_order(groups: IntArray, counts: IntArray, sizes: Sequence[int],
                    marks: Sequence[IntArray]) -> list[IntArray]:
    """Per breakdown, its groups in an order that depends on what a reader can tell apart,
    never on their names (the order :func:`protect` breaks ties in).

    Colour refinement first: an atom's colour starts as its count, a group's as its
    ``marks`` (what is given about it); a group then takes the multiset of its atoms'
    colours, an atom the colours of its groups, until no colour class splits. Then the
    breakdowns are ordered coarsest first (fewest groups), each group by its colour and then
    by the places of the groups that hold it in the breakdowns already ordered. For nested
    breakdowns (organisations in sectors, sectors in regions) groups left tied are siblings
    alike in everything below them, so one can be swapped for another without changing any
    count: renaming groups then gives :func:`protect` (which numbers groups in this order,
    and atoms by their groups) the same input. Ties left keep the groups' own order.

    Args:
        groups: ``(atoms, breakdowns)`` group index of each atom.
        counts: per atom, the respondents the figure counts.
        sizes: the number of groups of each breakdown.
        marks: per breakdown, ``(groups, columns)`` integers of what is given per group.

    Returns:
        Per breakdown, the group indices in canonical order.
    """
    atom_colour = _ranks(counts.reshape(-1, 1))
    group_colour = [_ranks(mark) for mark in marks]
    classes = -1
    while True:
        colours = int(atom_colour.max(initial=-1)) + 1
        refined = []
        for k, size in enumerate(sizes):
            # The distinct (group, atom colour) pairs with their multiplicity, each group's a
            # run in colour order: one padded row per group, compared whole.
            pairs, times = np.unique(groups[:, k] * colours + atom_colour, return_counts=True)
            owner = pairs // colours
            runs = np.bincount(owner, minlength=size)
            start = np.r_[0, np.cumsum(runs)[:-1]]
            place = np.arange(pairs.size) - start[owner]
            table = np.full((size, 1 + 2 * int(runs.max(initial=0))), -1, dtype=np.int64)
            table[:, 0] = group_colour[k]
            table[owner, 1 + 2 * place] = pairs % colours
            table[owner, 2 + 2 * place] = times
            refined.append(_ranks(table))
        group_colour = refined
        atom_colour = _ranks(np.column_stack(
            [atom_colour, *(colour[groups[:, k]] for k, colour in enumerate(group_colour))]))
        found = int(atom_colour.max(initial=-1)) + sum(int(c.max(initial=-1))
                                                       for c in group_colour)
        if found == classes:
            break
        classes = found
    orders: list[IntArray] = [np.zeros(0, dtype=np.int64)] * len(sizes)
    placed: list[tuple[int, IntArray]] = []  # breakdowns ordered so far: each group's place
    for k in sorted(range(len(sizes)), key=lambda k: (sizes[k], k)):
        codes = groups[:, k]
        held = []  # per group, the first and last place of the groups holding its atoms
        for j, place in placed:
            at = place[groups[:, j]]
            first = np.full(sizes[k], np.iinfo(np.int64).max, dtype=np.int64)
            last = np.full(sizes[k], -1, dtype=np.int64)
            np.minimum.at(first, codes, at)
            np.maximum.at(last, codes, at)
            held += [first, last]
        order = np.lexsort([np.arange(sizes[k]), *reversed(held), group_colour[k]])
        place = np.empty(sizes[k], dtype=np.int64)
        place[order] = np.arange(sizes[k])
        orders[k] = order
        placed.append((k, place))
    return orders


def linked_components(groups: IntArray, shown: Sequence[tuple[int, BoolArray]]) -> IntArray:
    """Per atom, the first atom of its component: atoms are linked when a published group
    holds both, and components are what chains of such links reach.

    Args:
        groups: ``(atoms, breakdowns)`` group index of each atom.
        shown: per breakdown taken into account, its index and which of its groups are
            published.
    """
    atoms = groups.shape[0]
    label: IntArray = np.arange(atoms, dtype=np.int64)
    # Each pass gives every atom of a published group the group's smallest label, then
    # jumps labels along (label[a] <= a throughout, so label[label] stays in the component).
    while True:
        before = label.copy()
        for k, published in shown:
            codes = groups[:, k]
            inside = published[codes]
            lowest = np.full(published.size, atoms, dtype=np.int64)
            np.minimum.at(lowest, codes[inside], label[inside])
            label[inside] = lowest[codes[inside]]
        label = label[label]
        if np.array_equal(label, before):
            return label


def unseen_on_small_atoms(groups: IntArray, shown: Sequence[tuple[int, BoolArray]],
                          small: IntArray) -> tuple[npt.NDArray[np.float64], list[IntArray]]:
    """On the ``small`` atoms, ``I - P`` with ``P`` the projection onto the row space of the
    whole survey and the published groups; and the blocks ``I - P`` is diagonal in.

    Computed component by component (:func:`linked_components`), never as one dense
    decomposition of every published group: the published groups of one component live on
    its atoms only, so their row space is the direct sum of the components' row spaces
    ``R_c`` (mutually orthogonal: disjoint supports), with projection ``P_0``, the sum of the
    components' projections. The whole survey's row is the one equation across components:
    its part that ``P_0`` does not see is ``q = 1 - P_0 1`` and ``P = P_0 + q q^T / |q|^2``
    (``P = P_0`` when ``q = 0``: the survey is then a combination of its groups). ``q`` is
    ``1_c - P_c 1_c`` on component ``c``: zero where the component's ones vector is in
    ``R_c`` (e.g. a published sector and its organisations), so those components stay blocks
    of their own; the components where it is not (a hidden sector's atoms, the atoms of no
    published group) are coupled by ``q q^T`` into one block. The same ``I - P`` as the
    direct computation, to rounding, at a fraction of its cost.

    Args:
        groups: ``(atoms, breakdowns)`` group index of each atom (the atoms of the figure).
        shown: per breakdown taken into account, its index and which groups are published.
        small: the atoms whose block is wanted, in the order wanted.

    Returns:
        ``(I - P)`` on ``small`` x ``small``, and the blocks as positions into ``small``.
    """
    atoms = groups.shape[0]
    label = linked_components(groups, shown)
    none = np.zeros(0, dtype=np.int64)
    row_k, row_g, row_atom = [none], [none], [none]
    for k, published in shown:
        codes = groups[:, k]
        member = np.full(published.size, -1, dtype=np.int64)
        member[codes] = np.arange(atoms)  # an atom of each group (which one: any)
        found = np.flatnonzero(published & (member >= 0))
        row_k.append(np.full(found.size, k, dtype=np.int64))
        row_g.append(found)
        row_atom.append(member[found])
    ks, gs = np.concatenate(row_k), np.concatenate(row_g)
    row_component = label[np.concatenate(row_atom)]
    position = np.full(atoms, -1, dtype=np.int64)
    position[small] = np.arange(small.size)
    unseen = np.eye(small.size)
    q_small = np.zeros(small.size)
    q_norm = 0.0
    blocks: list[IntArray] = []
    coupled: list[IntArray] = []
    order = np.argsort(label, kind="stable")
    starts = np.flatnonzero(np.r_[True, label[order][1:] != label[order][:-1]])
    row_order = np.argsort(row_component, kind="stable")
    row_starts = np.searchsorted(row_component[row_order], label[order][starts])
    row_ends = np.searchsorted(row_component[row_order], label[order][starts], side="right")
    for start, end, r0, r1 in zip(starts.tolist(), [*starts[1:].tolist(), atoms],
                                  row_starts.tolist(), row_ends.tolist(), strict=True):
        members = order[start:end]
        where = position[members]
        mine = where >= 0
        if r0 == r1:  # in no published group: only the whole survey's row sees it
            q = np.ones(members.size)
        else:
            rows = row_order[r0:r1]
            matrix = (groups[members][:, ks[rows]] == gs[rows]).T.astype(np.float64)
            values, vectors = np.linalg.eigh(matrix @ matrix.T)
            keep = values > 1e-10 * max(float(values.max()), 1.0)
            basis = (vectors[:, keep].T @ matrix) / np.sqrt(values[keep])[:, None]
            q = 1.0 - basis.T @ basis.sum(axis=1)
            if mine.any():
                seen = basis[:, mine]
                unseen[np.ix_(where[mine], where[mine])] -= seen.T @ seen
        if float(q @ q) > 1e-9:
            q_norm += float(q @ q)
            q_small[where[mine]] = q[mine]
            coupled.append(where[mine])
        elif mine.any():
            blocks.append(where[mine])
    if q_norm:
        unseen -= np.outer(q_small, q_small) / q_norm
        if (together := np.concatenate(coupled)).size:
            blocks.append(together)
    return unseen, blocks


class _Cells:
    """The linked tables of one figure: counts per group and what a reader knows of each."""

    def __init__(self, groups: IntArray, counts: IntArray, sizes: Sequence[int],
                 min_size: int, given: Sequence[Sequence[Reason | None]],
                 caps: Sequence[Sequence[int | None]],
                 lows: Sequence[Sequence[int]] | None = None) -> None:
        self.groups, self.counts, self.min_size = groups, counts, min_size
        self.active = [True] * len(sizes)
        self.total = int(counts.sum())
        self.n = [np.bincount(groups[:, f], weights=counts, minlength=size).round()
                  .astype(np.int64) for f, size in enumerate(sizes)]
        self.reasons: list[list[Reason | None]] = [list(g) for g in given]
        self.hidden_groups = [np.array([r is not None for r in g], dtype=bool) for g in given]
        """Per breakdown, which groups are hidden: ``reasons`` as arrays, kept in step."""
        self.slack: tuple[list[BoolArray], list[BoolArray]] | None = None
        """Per breakdown, the hidden groups that can lose and gain one respondent unseen
        (None: to be worked out again, after a group is hidden or shown)."""
        self.moving: set[tuple[int, int]] = set()
        """Hidden groups found to have a move: hiding more only allows more moves."""
        self.linked = True
        """False once no set of atoms is singled out: hiding more only shrinks the row space."""
        self.ran_out = False
        """True once :meth:`singled_out` had too many sets to try."""
        self.given = [[r is not None for r in g] for g in given]
        self.lo = [np.zeros(size, dtype=np.int64) if lows is None
                   else np.array(lows[f], dtype=np.int64) for f, size in enumerate(sizes)]
        self.hi = [np.array([UNBOUNDED if c is None else c for c in cap], dtype=np.int64)
                   for cap in caps]
        for f, n in enumerate(self.n):
            for g, count in enumerate(n.tolist()):
                if self.reasons[f][g] == "small":  # given so: a reader knows it is below
                    self.hi[f][g] = min(int(self.hi[f][g]), min_size - 1)
                if not self.given[f][g] and 0 < count < min_size:
                    self.hide(f, g, "small")

    def fork(self) -> _Cells:
        """A copy to try a pick on: what hiding changes is copied, the atoms shared."""
        other = copy.copy(self)
        other.active = list(self.active)
        other.reasons = [list(r) for r in self.reasons]
        other.hidden_groups = [h.copy() for h in self.hidden_groups]
        other.lo = [lo.copy() for lo in self.lo]
        other.hi = [hi.copy() for hi in self.hi]
        other.moving = set(self.moving)
        return other

    def bare(self) -> list[int]:
        """Breakdowns taken into account with no group shown."""
        return [f for f, a in enumerate(self.active) if a and bool(self.hidden_groups[f].all())]

    def hide(self, f: int, g: int, reason: Reason) -> None:
        self.reasons[f][g] = reason
        self.hidden_groups[f][g] = True
        self.slack = None
        if reason == "small":
            self.lo[f][g] = 1
            self.hi[f][g] = min(int(self.hi[f][g]), self.min_size - 1)
        elif reason == "complement":
            self.lo[f][g] = self.min_size

    def helps(self, candidate: tuple[int, int], exposed: tuple[int, int]) -> bool:
        """Whether hiding ``candidate`` as well gives the ``exposed`` group a move."""
        k, h = candidate
        lo, hi = int(self.lo[k][h]), int(self.hi[k][h])
        self.hide(k, h, "complement")
        moves = self.has_move(*exposed)
        self.reasons[k][h] = None
        self.hidden_groups[k][h] = False
        self.lo[k][h], self.hi[k][h] = lo, hi
        self.slack = None
        return moves

    def near(self, f: int, inside: BoolArray) -> BoolArray:
        """The atoms that share a group of another breakdown with the ``inside`` groups of
        breakdown ``f``: where a group hidden with them can give them a move."""
        atoms = inside[self.groups[:, f]]
        near = np.zeros(self.groups.shape[0], dtype=bool)
        for k, active in enumerate(self.active):
            if active and k != f:
                holding = np.zeros(self.n[k].size, dtype=bool)
                holding[self.groups[atoms, k]] = True
                near |= holding[self.groups[:, k]]
        return near

    def hidden(self, f: int) -> BoolArray:
        return self.hidden_groups[f]

    def has_move(self, f: int, g: int) -> bool:
        """Whether one respondent can move into or out of group ``g`` unseen."""
        inside = self.groups[:, f] == g
        present = self.counts > 0
        live = [k for k, a in enumerate(self.active) if a]
        if self.slack is None:
            self.slack = ([h & (n - 1 >= lo) for h, n, lo in
                           zip(self.hidden_groups, self.n, self.lo, strict=True)],
                          [h & (n + 1 <= hi) for h, n, hi in
                           zip(self.hidden_groups, self.n, self.hi, strict=True)])
        down, up = self.slack
        for source, target in ((inside & present, ~inside), (~inside & present, inside)):
            s_atoms, t_atoms = np.flatnonzero(source), np.flatnonzero(target)
            if not s_atoms.size or not t_atoms.size:
                continue
            ok = np.ones((s_atoms.size, t_atoms.size), dtype=bool)
            for k in live:
                s, t = self.groups[s_atoms, k], self.groups[t_atoms, k]
                ok &= (s[:, None] == t[None, :]) | (down[k][s][:, None] & up[k][t][None, :])
                if not ok.any():
                    break
            if ok.any():
                return True
        return False

    def pinned(self, f: int, g: int) -> bool:
        """Whether what a reader knows fixes the group's count (no hiding can move it)."""
        n = int(self.n[f][g])
        return n - 1 < int(self.lo[f][g]) and n + 1 > int(self.hi[f][g])

    def exposed(self) -> tuple[int, int] | None:
        for f, active in enumerate(self.active):
            if not active:
                continue
            for g in np.flatnonzero(self.hidden(f)).tolist():
                if (f, g) in self.moving:
                    continue
                if not self.has_move(f, g):
                    return f, g
                self.moving.add((f, g))
        return None

    def thin_residual(self) -> tuple[int, list[int]] | None:
        """Respondents that can be singled out by subtraction: fewer than ``min_size`` of
        them (but some).

        The whole survey, or a published group, minus the shown groups of another breakdown
        that lie inside it leaves the rest of it: for the whole, that breakdown's hidden
        groups together; for sector North minus its shown organisations, North's hidden
        organisations, or the part of North outside them. Returns that other breakdown and
        the shown groups that were subtracted.
        """
        live = [k for k, a in enumerate(self.active) if a]
        for f in live:
            shown = ~self.hidden(f)
            if not shown.any():
                continue
            codes = self.groups[:, f]
            atoms = np.bincount(codes, minlength=shown.size)
            # Inside the whole survey: every shown group (with an atom).
            inside = shown & (atoms > 0)
            residual = self.total - int(self.n[f][inside].sum())
            if inside.any() and 0 < residual < self.min_size:
                return f, np.flatnonzero(inside).tolist()
            for k in live:
                if k == f:
                    continue
                # A group of f lies inside the group of k that holds all of its atoms, if any.
                size = self.n[k].size
                pairs, together = np.unique(codes * size + self.groups[:, k],
                                            return_counts=True)
                whole = together == atoms[pairs // size]
                within = np.full(shown.size, -1, dtype=np.int64)
                within[pairs[whole] // size] = pairs[whole] % size
                taken = shown & (within >= 0)
                subtracted = np.bincount(within[taken], weights=self.n[f][taken],
                                         minlength=size).round().astype(np.int64)
                residuals = self.n[k] - subtracted
                thin = (~self.hidden(k) & (np.bincount(within[taken], minlength=size) > 0)
                        & (residuals > 0) & (residuals < self.min_size))
                if thin.any():
                    g = int(np.flatnonzero(thin)[0])
                    return f, np.flatnonzero(taken & (within == g)).tolist()
        return None

    def singled_out(self) -> tuple[list[tuple[int, int]], int] | None:
        """Fewer than ``min_size`` respondents (but some) whose figures some combination of
        published figures gives, whatever the coefficients (e.g. two groups added, a third
        taken away); the published groups that combination uses, and a breakdown among them.

        Exact in what it looks for: a set of atoms holding fewer than ``min_size`` (so at
        most ``min_size - 1`` atoms) is given away when some nonzero vector of the row space
        of the published groups lives on it, i.e. when the rows of the null-space basis for
        those atoms are linearly dependent. Every such set is tried (depth-first, smallest
        totals first); when there are too many to try, the finest breakdown is reported.
        """
        live = [k for k, a in enumerate(self.active) if a]
        present = self.counts > 0
        if not live or present.sum() < 2 or not (self.counts[present] < self.min_size).any():
            return None  # only atoms of min_size or more: no set small enough to give away
        counts = self.counts[present]
        small = [int(a) for a in np.argsort(counts, kind="stable") if counts[a] < self.min_size]
        shown = [(k, ~self.hidden(k)) for k in live]
        # On the small atoms, the part of each unit vector no published figure sees: a set of
        # them is given away exactly when this Gram block is singular. It is block diagonal
        # (see unseen_on_small_atoms), and so is its null space.
        unseen, blocks = unseen_on_small_atoms(self.groups[present], shown,
                                               np.array(small, dtype=np.int64))
        # The published vectors that live on small atoms only: the null space of that block.
        # A set is given away exactly when one of them lives on it, so an atom outside
        # every such vector's support is in no set worth trying, and with one such vector
        # (the usual case: the hidden groups' total) its support is the only set.
        dimension, supported = 0, np.zeros(len(small), dtype=bool)
        for block in blocks:
            values, vectors = np.linalg.eigh(unseen[np.ix_(block, block)])
            null = vectors[:, values < 1e-9]
            dimension += null.shape[1]
            supported[block[np.abs(null).max(axis=1, initial=0.0) > 1e-9]] = True
        if dimension == 0:
            return None
        support = np.flatnonzero(supported)
        if dimension == 1 and int(counts[[small[i] for i in support]].sum()) >= self.min_size:
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
        if not found:  # too many sets to try: withhold the finest breakdown
            self.ran_out = True
            return [], finest
        # The combination of published groups that gives a vector on the found atoms.
        rows: list[tuple[int, int]] = [(-1, -1)]
        matrix = [np.ones(int(present.sum()))]
        for k, published_k in shown:
            for g in np.flatnonzero(published_k).tolist():
                rows.append((k, g))
                matrix.append((self.groups[present, k] == g).astype(np.float64))
        published = np.array(matrix)
        _, vectors = np.linalg.eigh(unseen[np.ix_(found, found)])
        target = np.zeros(published.shape[1])
        target[[small[i] for i in found]] = vectors[:, 0]
        weights, *_ = np.linalg.lstsq(published.T, target, rcond=None)
        used = [rows[i] for i in np.flatnonzero(np.abs(weights) > 1e-9) if rows[i][0] >= 0]
        return used, (used[0][0] if used else finest)

    def candidates(self, f: int, near: BoolArray | None = None) -> list[tuple[int, int]]:
        """Published groups that could be hidden: the same breakdown first, smallest first,
        and of one size those meeting ``near`` (atoms) first."""
        found = []
        for k, active in enumerate(self.active):
            if not active:
                continue
            for g in range(len(self.n[k])):
                # A group of everyone is the whole survey again: hiding it protects nothing.
                if self.reasons[k][g] is None and self.total > self.n[k][g] >= self.min_size:
                    meets = near is None or bool((near & (self.groups[:, k] == g)).any())
                    found.append((k != f, int(self.n[k][g]), not meets, k, g))
        return [(k, g) for *_, k, g in sorted(found)]


def protect(groups: IntArray, counts: IntArray, sizes: Sequence[int], min_size: int, *,
            given: Sequence[Sequence[Reason | None]] | None = None,
            caps: Sequence[Sequence[int | None]] | None = None,
            withheld: Sequence[bool] | None = None,
            lows: Sequence[Sequence[int]] | None = None) -> Protection:
    """Decide which groups' figure to hide so that none can be worked out from the rest.

    The groups are numbered in :func:`canonical_order` first, so that which of two alike
    groups is hidden never depends on their names.

    Args:
        groups: ``(atoms, breakdowns)`` group index of each atom (see :func:`atoms_of`).
        counts: per atom, the respondents the figure counts (e.g. those with a score).
        sizes: the number of groups of each breakdown.
        min_size: the anonymity threshold.
        given: groups already hidden (e.g. the whole group is hidden); kept, and protected.
        caps: what a reader knows as each group's most (its published size), None = unknown.
        withheld: breakdowns already withheld (not published at all): left out.
        lows: what a reader knows as each group's least (e.g. a ``given`` group labelled
            "protects a smaller figure" has at least ``min_size``); default 0.

    Returns:
        Per group, ``"small"`` (fewer than ``min_size``), ``"complement"`` (hidden so that
        another cannot be worked out) or ``"withheld"`` (no safe way of showing the
        breakdown was found); None where the figure is published.
    """
    given = given if given is not None else [[None] * s for s in sizes]
    caps = caps if caps is not None else [[None] * s for s in sizes]
    active = [not w for w in withheld] if withheld is not None else [True] * len(sizes)
    if not sizes:
        return Protection([], [])
    marks = [np.array([[_REASON_CODES[r], -1 if c is None else c, 0 if lows is None else lows[f][g]]
                       for g, (r, c) in enumerate(zip(given[f], caps[f], strict=True))],
                      dtype=np.int64).reshape(size, 3) for f, size in enumerate(sizes)]
    order = canonical_order(groups, counts, sizes, marks)
    number = [np.argsort(o) for o in order]
    renumbered = np.column_stack([n[groups[:, k]] for k, n in enumerate(number)])
    atoms = np.lexsort(renumbered.T[::-1])

    def canonical(rows: Sequence[Sequence[_T]]) -> list[list[_T]]:
        return [[row[g] for g in o.tolist()] for row, o in zip(rows, order, strict=True)]

    found = _protect(renumbered[atoms], counts[atoms], sizes, min_size, canonical(given),
                     canonical(caps), active, None if lows is None else canonical(lows))
    return Protection([[row[g] for g in n.tolist()] for row, n in zip(found.reasons, number,
                                                                      strict=True)],
                      found.withheld)


def _protect(groups: IntArray, counts: IntArray, sizes: Sequence[int], min_size: int,
             given: Sequence[Sequence[Reason | None]], caps: Sequence[Sequence[int | None]],
             active: list[bool], lows: Sequence[Sequence[int]] | None) -> Protection:
    """:func:`protect` on groups numbered canonically."""
    budget = [ALTERNATIVES]
    while True:
        cells = _Cells(groups, counts, sizes, min_size, given, caps, lows)
        cells.active = list(active)
        cells = _suppress(cells, budget)
        if cells.active != active:
            # A breakdown withheld publishes nothing, so it links nothing: the groups hidden
            # for its sake are checked afresh without it.
            active = list(cells.active)
            continue
        # A breakdown left with nothing shown is better withheld: its hidden groups no
        # longer constrain the others, which may then show more (the finest goes first).
        bare = cells.bare()
        if not bare:
            break
        active[max(bare, key=lambda f: (sizes[f], f))] = False
    reasons: list[list[Reason | None]] = [
        r if active else [given[f][g] or "withheld" for g in range(len(r))]
        for f, (r, active) in enumerate(zip(cells.reasons, cells.active, strict=True))]
    return Protection(reasons, [not a for a in cells.active])


_Pick = tuple[int, int]


def _next(cells: _Cells) -> tuple[int, list[_Pick], tuple[int, int] | None] | None:
    """What is exposed next: its breakdown, the groups that could be hidden for it (best
    first; none: the breakdown is to be withheld), and the hidden group that must be given a
    move (None: the first of them will do). None when nothing is exposed."""
    if cells.linked and (thin := cells.thin_residual()) is not None:
        f, inside = thin
        within = set(inside)
        near = cells.near(f, cells.hidden(f))
        return f, [(k, h) for k, h in cells.candidates(f, near) if k == f and h in within], None
    if cells.linked and (single := cells.singled_out()) is not None:
        used, f = single
        options = [c for c in cells.candidates(f) if c in used]
        return f, options or [c for c in cells.candidates(-2) if c in used], None
    if (exposed := cells.exposed()) is not None:
        cells.linked = False
        f, g = exposed
        # A count a reader can pin down stays pinned whatever else is hidden.
        if cells.pinned(f, g):
            return f, [], exposed
        alone = np.zeros(cells.n[f].size, dtype=bool)
        alone[g] = True
        return f, cells.candidates(f, cells.near(f, alone)), exposed
    return None


def _pick(cells: _Cells, options: list[_Pick], exposed: tuple[int, int] | None,
          first: bool) -> tuple[_Pick | None, list[_Pick]]:
    """The next option to hide and those left after it: for an exposed group, the next that
    gives it a move (the first time, when none does, the smallest anyway)."""
    if exposed is None:
        return (options[0], options[1:]) if options else (None, [])
    for i, option in enumerate(options):
        if cells.helps(option, exposed):
            return option, options[i + 1:]
    return (options[0], []) if first and options else (None, [])


def _suppress(cells: _Cells, budget: list[int]) -> _Cells:
    """Hide groups until no hidden figure is exposed, or withhold one breakdown and return
    (the others are then checked afresh without it).

    Depth first over the picks: the first of each is taken, and a way that ends with a
    breakdown withheld or newly left with no group shown is undone to the latest pick with
    an alternative, while ``budget`` (alternatives, shared by the calls of one
    :func:`protect`) lasts. The first way is kept when no way works, or the set search of
    :meth:`_Cells.singled_out` ran out (trying again would only repeat it).
    """
    bare_before = set(cells.bare())
    first: _Cells | None = None
    tried: list[tuple[_Cells, list[_Pick], tuple[int, int] | None]] = []
    while True:
        step = _next(cells)
        if step is None:
            if set(cells.bare()) <= bare_before:
                return cells
        else:
            f, options, exposed = step
            pick, rest = _pick(cells, options, exposed, True)
            if pick is not None:
                if rest and budget[0] > 0:
                    tried.append((cells.fork(), rest, exposed))
                cells.hide(*pick, "complement")
                continue
            cells.active[f] = False
        if cells.ran_out:
            budget[0] = 0
        if first is None:
            first = cells
        while tried and budget[0] > 0:
            state, rest, exposed = tried[-1]
            pick, rest = _pick(state, rest, exposed, False)
            if pick is None:
                tried.pop()
                continue
            budget[0] -= 1
            tried[-1] = (state, rest, exposed)
            cells = state.fork()
            cells.hide(*pick, "complement")
            break
        else:
            return first
