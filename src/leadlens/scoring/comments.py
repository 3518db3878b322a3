"""Free-text answers: shuffled, without respondent fields, and only where groups are shown."""

from __future__ import annotations

import zlib

import numpy as np

from leadlens.scoring.data import Int32Array, TextAnswers


def _rng(answers: TextAnswers) -> np.random.Generator:
    # Seeded by the comments themselves: the same responses give the same order every run,
    # and the order carries nothing about who wrote what.
    digest = 0
    for text in answers.texts:
        digest = zlib.crc32(text.encode("utf-8"), digest)
    return np.random.default_rng([digest, len(answers.texts)])


def shuffled(answers: TextAnswers) -> list[str]:
    """All answers in a reproducible random order."""
    order = _rng(answers).permutation(len(answers.texts))
    return [answers.texts[i] for i in order.tolist()]


def shuffled_by_group(answers: TextAnswers, codes: Int32Array, shown: list[bool]
                      ) -> list[list[str]]:
    """Each group's answers in a reproducible random order; empty for hidden groups."""
    result: list[list[str]] = [[] for _ in shown]
    if not answers.texts:
        return result
    keys = _rng(answers).permutation(len(answers.texts))
    group_of = codes[answers.rows]
    order = np.lexsort((keys, group_of))
    texts = np.array(answers.texts, dtype=object)[order]
    bounds = np.searchsorted(group_of[order], np.arange(len(shown) + 1))
    for group, visible in enumerate(shown):
        if visible:
            result[group] = texts[bounds[group]:bounds[group + 1]].tolist()
    return result
