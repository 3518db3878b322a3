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
"""

from __future__ import annotations

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

    def reason(self, in_a: BoolArray | None, in_b: BoolArray | None, n_a: int | None,
               n_b: int | None) -> str | None:
        """Why a cell must be withheld, or None. ``in_a``/``in_b``: its members, by row;
        ``n_a``/``n_b`` its sizes, null where a wave's document withheld the figure."""
        k = self.threshold
        if n_a is None or n_b is None:
            return f"fewer than {k} respondents in one wave"
        if self.ids_a is not None and self.ids_b is not None and in_a is not None \
                and in_b is not None:
            members_a = set(self.ids_a[in_a].tolist())
            members_b = set(self.ids_b[in_b].tolist())
            changed = len(members_a ^ members_b)
            return membership_reason(k) if 0 < changed < k else None
        return size_reason(k) if 0 < abs(n_a - n_b) < k else None

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
