"""Anonymity across waves: no published pair of figures may isolate a few respondents.

A figure (a principle's score, an item's answers, a group's score) is published for a *cell*:
the respondents it is computed from. When a cell is published in two waves, its n and mean in
each give ``n2 * mean2 - n1 * mean1``: if the cell's members changed by only a few people and
the others answered alike, that is those people's answers. So a cell is withheld from the
comparison when its membership changed by at least one and fewer than ``min_group_size``
respondents (the larger of the two waves' thresholds):

- when ``respondent_id`` links the waves (both given as responses files, every respondent with
  an id), the change is counted exactly: respondents in the cell in one wave and not the other;
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

import numpy as np

from leadlens.responses.table import BoolArray
from leadlens.waves.waves import Wave


def membership_reason(threshold: int) -> str:
    return (f"its respondents changed by fewer than {threshold} people between the waves, so "
            "the difference could reveal their answers")


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


class Cells:
    """Decides, cell by cell, whether two waves' figures may be published side by side."""

    def __init__(self, a: Wave, b: Wave, min_group_size: int | None = None) -> None:
        self.a, self.b = a, b
        self.threshold = max(a.results.min_group_size, b.results.min_group_size,
                             min_group_size or 0)
        self.ids_a = self._ids(a)
        self.ids_b = self._ids(b)

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
        """The cell of respondents with a score for ``principle`` (None: overall)."""
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
