"""Free-text answers: shuffled, without respondent fields, and only where groups are shown."""

from __future__ import annotations

import zlib

import numpy as np

from leadlens.responses.table import Int32Array, IntArray, TextAnswers


def comment_order(answers: TextAnswers) -> IntArray:
    """A random order of the answers, seeded by the answers themselves.

    The same responses give the same order every run, and the order carries nothing about
    who wrote what.
    """
    # CRC-32 streams: one call over the joined texts equals chaining it text by text.
    digest = zlib.crc32("".join(answers.texts).encode("utf-8"))
    order: IntArray = np.random.default_rng([digest, len(answers.texts)]).permutation(
        len(answers.texts))
    return order


def shuffled(answers: TextAnswers, order: IntArray | None = None) -> list[str]:
    """All answers in a reproducible random order (``order`` from :func:`comment_order`)."""
    chosen = comment_order(answers) if order is None else order
    texts: list[str] = np.array(answers.texts, dtype=object)[chosen].tolist()
    return texts


def shuffled_by_group(answers: TextAnswers, codes: Int32Array, shown: list[bool],
                      order: IntArray | None = None) -> list[list[str]]:
    """Each group's answers in a reproducible random order; empty for hidden groups."""
    result: list[list[str]] = [[] for _ in shown]
    if not answers.texts:
        return result
    keys = comment_order(answers) if order is None else order
    group_of = codes[answers.rows]
    by_group = np.lexsort((keys, group_of))
    texts = np.array(answers.texts, dtype=object)[by_group]
    bounds = np.searchsorted(group_of[by_group], np.arange(len(shown) + 1))
    for group, visible in enumerate(shown):
        if visible:
            result[group] = texts[bounds[group]:bounds[group + 1]].tolist()
    return result
