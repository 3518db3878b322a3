"""A wave as the comparison sees it: its results document, and its respondents when known."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from leadlens.results import Results
from leadlens.scoring.data import BoolArray, FloatArray
from leadlens.scoring.groups import Grouping, normalise


def group_key(value: str, not_stated: bool) -> str:
    """How a group is recognised in another wave: its normalised value ("" = not stated)."""
    return "" if not_stated else normalise(value)


@dataclass
class Respondents:
    """Per-respondent figures, known only when a wave is given as responses files.

    They stay in memory for the comparison; no per-respondent figure is ever written into a
    results or comparison document.
    """

    ids: list[str | None] | None
    principles: dict[str, FloatArray]
    """0-100 score per respondent, by principle id (NaN: no score)."""
    overall: FloatArray
    groupings: dict[str, Grouping] = field(default_factory=dict)
    answered: dict[str, BoolArray] = field(default_factory=dict)
    """Who gave a scored answer, by answer key."""

    @property
    def n(self) -> int:
        return int(self.overall.shape[0])

    def members(self, field_id: str, key: str) -> BoolArray:
        """Which respondents are in the group whose normalised value is ``key``."""
        grouping = self.groupings[field_id]
        codes = [i for i, v in enumerate(grouping.values)
                 if group_key(v, grouping.not_stated[i]) == key]
        mask: BoolArray = np.isin(grouping.codes, codes)
        return mask


@dataclass
class Wave:
    """One wave: a results document, where its questions are, and maybe its respondents."""

    label: str
    kind: Literal["results", "responses"]
    file: str
    """The file named in problems about this wave."""
    results: Results
    question_at: list[str]
    """Where each question of the wave's question set is: ``file:line`` or a document path."""
    respondents: Respondents | None = None

    @property
    def sources(self) -> list[str]:
        return [self.file]
