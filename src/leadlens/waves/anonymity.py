"""Anonymity across waves: no published pair of figures may isolate a few respondents.

A figure (a principle's score, an item's answers, a group's score) is published for a *cell*:
the respondents it is computed from. When a cell is published in two waves, its n and mean in
each give ``n2 * mean2 - n1 * mean1``: if the cell's members changed by only a few people and
the others answered alike, that is those people's answers. So a cell is withheld from the
comparison when its membership changed by at least one and fewer than ``min_group_size``
respondents (the larger of the two waves' thresholds):

- when ``respondent_id`` links the waves (both given as responses files, every respondent with
  an id), the change is counted exactly: respondents in the cell in one wave and not the other;
  for a score (a principle's, the overall's, a group's), also those in it in both waves whose
  score differs. That is the *change set*: the two waves' n, score
  and sd of one cell give its total and sum of squares in each, and the difference of those
  is the change set's alone (one person re-answering one question, with everybody else the
  same, is their two scores exactly);
- otherwise it is judged from n: a cell whose n changed by 1 to ``min_group_size - 1`` is
  withheld (its membership changed by at least that much, and possibly by exactly that).

A cell of the same size, or of a size that changed by ``min_group_size`` or more, is shown.

Answers are a cell of their own (a question's answers; a principle's % favourable pools its
questions' answers): counted by ids, an answer changed when it was given in one wave only or
changed its option; judged from the answer counts otherwise.

Published figures are linked tables: in each wave, the whole survey minus the groups shown
gives the groups not shown, so that union's change must also be none or at least the
threshold (:func:`protect` picks the further groups to withhold); the same for a principle's
answers minus those of its questions shown. The paired tests of every breakdown are protected
together with the whole survey's, by :func:`leadlens.scoring.disclosure.protect`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from leadlens.responses.table import BoolArray, IntArray
from leadlens.scoring.disclosure import Reason, _Cells
from leadlens.waves.waves import Wave


def membership_reason(threshold: int) -> str:
    return (f"its respondents changed by fewer than {threshold} people between the waves, so "
            "the difference could reveal their answers")


def change_reason(threshold: int) -> str:
    return (f"fewer than {threshold} people's scores changed between the waves (joined, "
            "left, or answered differently), so the difference could reveal their answers")


def paired_change_note(threshold: int) -> str:
    return (f"the paired test is left out (Welch instead): fewer than {threshold} of the "
            "people in both waves changed their answers, so the paired changes could reveal "
            "theirs")


def linked_change_reason(threshold: int) -> str:
    return ("protects another figure's change: with the groups shown in the other "
            f"breakdowns it would give away the change of fewer than {threshold} people")


def size_reason(threshold: int) -> str:
    return (f"its number of respondents changed by fewer than {threshold} and respondent ids "
            "do not link the waves, so the difference could reveal the answers of the "
            "people who joined or left (give both waves as responses files with "
            "respondent_id to count the change exactly)")


def answers_reason(threshold: int) -> str:
    return (f"its answers changed by fewer than {threshold} between the waves (given in one "
            "wave only, or a different option), so the difference could reveal them")


def answers_size_reason(threshold: int) -> str:
    return (f"its number of answers changed by fewer than {threshold} and respondent ids do "
            "not link the waves, so the difference could reveal the answers given or left "
            "out (give both waves as responses files with respondent_id to count the change "
            "exactly)")


def complement_reason(threshold: int) -> str:
    return ("protects the groups not compared: the whole survey minus the groups shown "
            f"would give away their change of fewer than {threshold} people")


def paired_complement_note(threshold: int) -> str:
    return ("the paired test is left out (Welch instead), so that the paired changes shown "
            "(the whole survey's and every breakdown's groups') cannot be added and taken away "
            f"to give away fewer than {threshold} people's change")


def protect(candidates: Sequence[str], change_without: Callable[[set[str]], int | None],
            threshold: int) -> list[str]:
    """Further figures to withhold so that what is not shown changed by none or by at least
    ``threshold``: ``candidates`` (shown, smallest first), ``change_without(W)`` the change of
    the figures not shown once ``W`` is withheld too (None: not derivable). At each step, the
    smallest candidate that makes the change safe, else the smallest; until safe or none."""
    def safe(c: int | None) -> bool:
        return c is None or c == 0 or c >= threshold

    withheld: set[str] = set()
    while not safe(change_without(withheld)):
        left = [c for c in candidates if c not in withheld]
        if not left:
            break
        withheld.add(next((c for c in left if safe(change_without(withheld | {c}))), left[0]))
    return [c for c in candidates if c in withheld]


@dataclass
class ChangeSet:
    """The people whose contribution to a score's cell changed, by row: in the cell in the
    baseline only (left), in the follow-up only (joined), or in both with another score
    (``pairs``, baseline row and follow-up row)."""

    left: IntArray
    joined: IntArray
    pairs: tuple[IntArray, IntArray]

    @property
    def size(self) -> int:
        return int(self.left.size + self.joined.size + self.pairs[0].size)


class Cells:
    """Decides, cell by cell, whether two waves' figures may be published side by side."""

    def __init__(self, a: Wave, b: Wave, min_group_size: int | None = None) -> None:
        self.a, self.b = a, b
        self.threshold = max(a.results.min_group_size, b.results.min_group_size,
                             min_group_size or 0)
        self.ids_a = self._ids(a)
        self.ids_b = self._ids(b)
        self._row_in_b: IntArray | None = None

    def _rows_in_b(self) -> IntArray:
        """Per baseline row, the follow-up row of the same respondent id (-1: none)."""
        if self._row_in_b is None:
            assert self.ids_a is not None and self.ids_b is not None
            where = {i: n for n, i in enumerate(self.ids_b.tolist())}
            self._row_in_b = np.array([where.get(i, -1) for i in self.ids_a.tolist()],
                                      dtype=np.int64)
        return self._row_in_b

    def change_set(self, principle: str | None, in_a: BoolArray | None = None,
                   in_b: BoolArray | None = None, *, everyone: bool = False
                   ) -> ChangeSet | None:
        """Who changed a score's cell (``principle``; None: the overall score): its members
        with a score who joined, left or scored differently, restricted to ``in_a``/``in_b``
        (a group), counted by respondent id; ``everyone``: all its members, changed or not
        (a sum of changes that singles out a few people says, when it is 0, that they did
        not change). None when ids do not link the waves."""
        pa, pb = self.a.respondents, self.b.respondents
        if self.ids_a is None or self.ids_b is None or pa is None or pb is None:
            return None
        va = pa.overall if principle is None else pa.principles.get(principle)
        vb = pb.overall if principle is None else pb.principles.get(principle)
        if va is None or vb is None:
            return None
        cell_a: BoolArray = np.isfinite(va) if in_a is None else np.isfinite(va) & in_a
        cell_b: BoolArray = np.isfinite(vb) if in_b is None else np.isfinite(vb) & in_b
        to_b = self._rows_in_b()
        rows_a = np.flatnonzero(cell_a)
        partner = to_b[rows_a]
        both = partner >= 0
        both[both] = cell_b[partner[both]]
        kept_a, kept_b = rows_a[both], partner[both]
        in_both_b = np.zeros(cell_b.shape[0], dtype=bool)
        in_both_b[kept_b] = True
        # Only a score that differs counts: someone who re-answered a question but kept
        # their score adds nothing to the difference, so counting them would let a smaller
        # change set pass (their answers are the question's cell, counted on its own).
        differs = ~np.isclose(va[kept_a], vb[kept_b], rtol=0.0, atol=1e-9) | everyone
        return ChangeSet(left=rows_a[~both], joined=np.flatnonzero(cell_b & ~in_both_b),
                         pairs=(kept_a[differs], kept_b[differs]))

    @staticmethod
    def _ids(wave: Wave) -> np.ndarray | None:
        people = wave.respondents
        if people is None or people.ids is None or any(i is None for i in people.ids):
            return None
        return np.array(people.ids, dtype=object)

    @property
    def linked(self) -> bool:
        """Whether membership changes are counted exactly (ids on every respondent)."""
        return self.ids_a is not None and self.ids_b is not None

    def change(self, in_a: BoolArray | None, in_b: BoolArray | None, n_a: int, n_b: int
               ) -> tuple[int, bool]:
        """How many people a cell's membership changed by, and whether counted exactly (by
        ids) rather than judged from n."""
        if self.ids_a is not None and self.ids_b is not None and in_a is not None \
                and in_b is not None:
            members_a = set(self.ids_a[in_a].tolist())
            members_b = set(self.ids_b[in_b].tolist())
            return len(members_a ^ members_b), True
        return abs(n_a - n_b), False

    def reason(self, in_a: BoolArray | None, in_b: BoolArray | None, n_a: int | None,
               n_b: int | None) -> str | None:
        """Why a cell must be withheld, or None. ``in_a``/``in_b``: its members, by row;
        ``n_a``/``n_b`` its sizes, null where a wave's document withheld the figure."""
        k = self.threshold
        if n_a is None or n_b is None:
            return f"fewer than {k} respondents in one wave"
        changed, exact = self.change(in_a, in_b, n_a, n_b)
        if 0 < changed < k:
            return membership_reason(k) if exact else size_reason(k)
        return None

    def answers_change(self, keys: Sequence[tuple[str, str]], n_a: int, n_b: int
                       ) -> tuple[int, bool]:
        """How many answers to ``keys`` (baseline key, follow-up key) were given in one wave
        only or changed option, and whether counted exactly; else judged from the answer
        counts ``n_a``/``n_b``."""
        pa, pb = self.a.respondents, self.b.respondents
        if self.ids_a is None or self.ids_b is None or pa is None or pb is None \
                or any(ka not in pa.answers or kb not in pb.answers for ka, kb in keys):
            return abs(n_a - n_b), False
        changed = 0
        for ka, kb in keys:
            va, vb = pa.answers[ka], pb.answers[kb]
            given_a = {i: int(v) for i, v in zip(self.ids_a.tolist(), va.tolist(), strict=True)
                       if v}
            given_b = {i: int(v) for i, v in zip(self.ids_b.tolist(), vb.tolist(), strict=True)
                       if v}
            changed += len(given_a.keys() ^ given_b.keys())
            changed += sum(1 for i in given_a.keys() & given_b.keys() if given_a[i] != given_b[i])
        return changed, True

    def answers(self, keys: Sequence[tuple[str, str]], n_a: int | None, n_b: int | None
                ) -> str | None:
        """Why a comparison of answers (a question's, or a principle's % favourable) must be
        withheld, or None."""
        k = self.threshold
        if n_a is None or n_b is None:
            return f"fewer than {k} respondents in one wave"
        changed, exact = self.answers_change(keys, n_a, n_b)
        if 0 < changed < k:
            return answers_reason(k) if exact else answers_size_reason(k)
        return None

    def survey_reason(self) -> str | None:
        a, b = self.a.results.respondents, self.b.results.respondents
        return self.reason(np.ones(a, dtype=bool), np.ones(b, dtype=bool), a, b)

    def scored(self, principle: str | None, n_a: int | None, n_b: int | None,
               mask_a: BoolArray | None = None, mask_b: BoolArray | None = None) -> str | None:
        """The cell of respondents with a score for ``principle`` (None: overall). Linked by
        ids: withheld when its change set (who joined, left, or scored differently) holds 1
        to the threshold - 1 people."""
        k = self.threshold
        if n_a is None or n_b is None:
            return f"fewer than {k} respondents in one wave"
        found = self.change_set(principle, mask_a, mask_b)
        if found is not None:
            return change_reason(k) if 0 < found.size < k else None
        return self.reason(self._present(self.a, principle, mask_a),
                           self._present(self.b, principle, mask_b), n_a, n_b)

    def answered(self, key_a: str, key_b: str, n_a: int | None, n_b: int | None
                 ) -> str | None:
        """The cell of respondents who answered an item (``key_a`` in a, ``key_b`` in b)."""
        pa, pb = self.a.respondents, self.b.respondents
        in_a = pa.answered.get(key_a) if pa is not None else None
        in_b = pb.answered.get(key_b) if pb is not None else None
        return self.reason(in_a, in_b, n_a, n_b)

    def group(self, field_id: str, key: str, n_a: int, n_b: int) -> str | None:
        pa, pb = self.a.respondents, self.b.respondents
        return self.reason(pa.members(field_id, key) if pa is not None else None,
                           pb.members(field_id, key) if pb is not None else None, n_a, n_b)

    @staticmethod
    def _present(wave: Wave, principle: str | None, mask: BoolArray | None) -> BoolArray | None:
        people = wave.respondents
        if people is None:
            return None
        values = people.overall if principle is None else people.principles[principle]
        present: BoolArray = np.isfinite(values)
        return present if mask is None else present & mask


def protect_changes(groups: IntArray, counts: IntArray, sizes: Sequence[int], min_size: int
                    ) -> list[list[Reason | None]]:
    """Which groups' changes to withhold so that no combination of those shown (the whole
    survey's included) rests on 1 to ``min_size - 1`` changed people.

    The atoms and counts are changed people, as :func:`leadlens.scoring.disclosure.protect`
    takes respondents; its exact searches (:meth:`thin_residual`, :meth:`singled_out`) find
    what a combination of shown changes singles out, and the smallest group it uses is
    withheld, until none is found. Unlike a respondent count, a change set is published by
    no figure of its own, so a group withheld may be worked out from the rest when it holds
    the threshold or more: the search for a move that :func:`protect` also asks for is not
    needed here. Returns per breakdown and group: None (shown), ``"small"``,
    ``"complement"`` or ``"withheld"``."""
    cells = _Cells(groups, counts, sizes, min_size, [[None] * s for s in sizes],
                   [[None] * s for s in sizes])
    while True:
        options: list[tuple[int, int]] = []
        if (thin := cells.thin_residual()) is not None:
            f, inside = thin
            options = [(k, h) for k, h in cells.candidates(f) if k == f and h in inside]
        elif (single := cells.singled_out()) is not None:
            used, f = single
            options = [c for c in cells.candidates(f) if c in used]
            options = options or [c for c in cells.candidates(-2) if c in used]
        else:
            break
        if options:
            cells.hide(*options[0], "complement")
        else:
            cells.active[f] = False
    return [r if active else ["withheld"] * len(r)
            for r, active in zip(cells.reasons, cells.active, strict=True)]
