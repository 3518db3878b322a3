"""Distinct answer patterns: score each pattern once, however many respondents gave it.

Five items on a five-point scale with "Don't know" have at most 7**5 = 16,807 patterns,
while a national survey has a million respondents. Every statistic of a principle (its
scores' mean and spread, bands, alpha) is computed over the patterns, weighted by how many
respondents gave each; per-respondent scores are one lookup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from leadlens.responses.table import IntArray, Responses, UInt8Array

_DENSE_LIMIT = 1 << 22
"""Up to this many possible patterns they are counted in a table; beyond it, by sorting."""


@dataclass
class Patterns:
    """The answer patterns of some answer columns.

    Attributes:
        codes: ``(patterns, columns)`` answer codes of each distinct pattern.
        counts: respondents per pattern.
        index: each respondent's pattern (row of ``codes``), any integer type.
    """

    codes: UInt8Array
    counts: IntArray
    index: npt.NDArray[np.integer[Any]]


def answer_patterns(responses: Responses, columns: list[int], sizes: list[int]) -> Patterns:
    """Group respondents by their answer codes in ``columns``.

    Args:
        responses: the answers.
        columns: column indices in ``responses.codes``.
        sizes: how many codes each column can hold (its scale's answers plus one).
    """
    n = responses.n
    if not columns:
        return Patterns(np.zeros((1, 0), dtype=np.uint8), np.array([n], dtype=np.int64),
                        np.zeros(n, dtype=np.int64))
    space = math.prod(sizes)
    if space >= 1 << 62:  # too many to number: compare whole rows
        rows, index, counts = np.unique(responses.codes[:, columns], axis=0,
                                        return_inverse=True, return_counts=True)
        return Patterns(rows.astype(np.uint8), counts.astype(np.int64),
                        index.reshape(-1).astype(np.int64))
    # The narrowest integer type that numbers every pattern keeps the arithmetic cheap.
    kind = np.uint16 if space <= 1 << 16 else np.uint32 if space <= 1 << 32 else np.int64
    joint = np.zeros(n, dtype=kind)
    for column, size in zip(columns, sizes, strict=True):
        np.multiply(joint, size, out=joint, casting="unsafe")
        np.add(joint, responses.codes[:, column], out=joint, casting="unsafe")
    if space <= _DENSE_LIMIT:
        table = np.bincount(joint, minlength=space)
        values = np.flatnonzero(table)
        # Each respondent's pattern number in the narrowest type that holds it (2 bytes a
        # respondent for up to 65,536 patterns: 7**5 = 16,807 for five items).
        small = np.uint16 if values.size <= 1 << 16 else np.int32
        number = np.zeros(space, dtype=small)
        number[values] = np.arange(values.size, dtype=small)
        index = number[joint]
        counts = table[values]
    else:
        values, inverse, counts = np.unique(joint, return_inverse=True, return_counts=True)
        index = inverse.reshape(-1)
    codes = np.empty((values.size, len(columns)), dtype=np.uint8)
    rest = values.astype(np.int64)
    for j in range(len(columns) - 1, -1, -1):
        codes[:, j] = rest % sizes[j]
        rest //= sizes[j]
    return Patterns(codes, counts.astype(np.int64), index)
