"""Groups by respondent field, with anonymity: small groups and their complements hidden."""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import FieldValues, FloatArray, Int32Array, IntArray
from leadlens.results.document import GroupPrinciple, GroupResult, GroupSpread
from leadlens.scoring.contested import room_disagrees, side_margin
from leadlens.scoring.disclosure import Reason, protect
from leadlens.scoring.principles import PrincipleScores
from leadlens.scoring.stats import NOISE, band_of

NOT_STATED = "(not stated)"


def group_key(value: str) -> str:
    """The key respondents are grouped by: trimmed, Unicode NFC and case-insensitive."""
    return unicodedata.normalize("NFC", value.strip()).casefold()


@dataclass
class Grouping:
    """Respondents split by one field: a group index per respondent and each group's label."""

    field: str
    codes: Int32Array
    """Group index per respondent (every respondent is in exactly one group)."""
    values: list[str]
    """Display value per group: its most frequent original spelling."""
    not_stated: list[bool]
    spellings: list[dict[str, int]] = dataclasses.field(default_factory=list)
    """Per group (not "(not stated)"): each original spelling and its respondents."""

    @property
    def sizes(self) -> IntArray:
        counts: IntArray = np.bincount(self.codes, minlength=len(self.values)).astype(np.int64)
        return counts


def group_respondents(field: str, values: FieldValues,
                      aliases: Mapping[str, str] | None = None) -> Grouping:
    """Normalise a field's values into groups; blanks form a "(not stated)" group.

    Groups are ordered by display value (case-insensitive), "(not stated)" last. A group is
    shown with its most frequent original spelling, counted over every file (a tie goes to
    the alphabetically first). ``aliases`` maps a spelling (any case) to the group it
    belongs to, which is then shown as written there.
    """
    label_counts = np.bincount(values.codes[values.codes >= 0],
                               minlength=len(values.labels))
    canonical = {group_key(k): v for k, v in (aliases or {}).items()}
    named = {group_key(v): unicodedata.normalize("NFC", v.strip()) for v in canonical.values()}
    counts: dict[str, dict[str, int]] = {}
    codes_of: dict[str, list[int]] = {}
    for code, label in enumerate(values.labels):
        own = group_key(label)
        key = group_key(canonical.get(own, label))
        if key and label_counts[code]:
            spelling = unicodedata.normalize("NFC", label.strip())
            per = counts.setdefault(key, {})
            per[spelling] = per.get(spelling, 0) + int(label_counts[code])
            codes_of.setdefault(key, []).append(code)

    def shown(key: str) -> str:
        if key in named:
            return named[key]
        return min(counts[key].items(), key=lambda item: (-item[1], item[0]))[0]

    keys = sorted(counts, key=lambda k: (shown(k).casefold(), k))
    display = [shown(k) for k in keys]
    lookup = np.full(len(values.labels) + 1, -1, dtype=np.int32)  # last slot: blank
    for index, key in enumerate(keys):
        lookup[codes_of[key]] = index
    codes = lookup[np.where(values.codes >= 0, values.codes, len(values.labels))]
    blank = codes < 0
    not_stated = [False] * len(keys)
    if blank.any():
        codes = np.where(blank, len(keys), codes).astype(np.int32)
        display.append(NOT_STATED)
        not_stated.append(True)
    grouping = Grouping(field, codes.astype(np.int32), display, not_stated)
    grouping.spellings = [counts[k] for k in keys]
    return grouping


SHOWN_LINES = 5
"""Lines named per spelling in the near-duplicate warning; the rest are counted."""


def spelling_rows(values: FieldValues, spellings: Sequence[str]
                  ) -> dict[str, tuple[list[int], int]]:
    """Per spelling (as :class:`Grouping` keeps it): its first :data:`SHOWN_LINES`
    respondent rows and how many respondents wrote it."""
    wanted = {s: i for i, s in enumerate(spellings)}
    slot = np.full(len(values.labels) + 1, -1, dtype=np.int32)  # last slot: blank
    for code, label in enumerate(values.labels):
        slot[code] = wanted.get(unicodedata.normalize("NFC", label.strip()), -1)
    which = slot[np.where(values.codes >= 0, values.codes, len(values.labels))]
    found: dict[str, tuple[list[int], int]] = {}
    for spelling, index in wanted.items():
        rows = np.flatnonzero(which == index)
        found[spelling] = (rows[:SHOWN_LINES].tolist(), int(rows.size))
    return found


def _loose(text: str) -> str:
    return "".join(c for c in group_key(text) if c.isalnum())


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\W+", group_key(text)) if w]


def _initials_match(short: list[str], long: list[str]) -> bool:
    """``NR ICB`` for ``North Riverside ICB``: each word of the short one is a word of the
    long one or the initials (two or more letters) of the next few."""
    position = 0
    for token in short:
        if position < len(long) and long[position] == token:
            position += 1
        elif (len(token) >= 2 and token.isalpha()
              and "".join(w[0] for w in long[position:position + len(token)]) == token):
            position += len(token)
        else:
            return False
    return position == len(long) and len(short) < len(long)


def _typo(x: str, y: str) -> bool:
    """A long name one or two letters apart (never names that differ in their numbers)."""
    if min(len(x), len(y)) < 8 or abs(len(x) - len(y)) > 2:
        return False
    if re.findall(r"\d+", x) != re.findall(r"\d+", y):
        return False
    matcher = difflib.SequenceMatcher(None, x, y)
    return matcher.quick_ratio() >= 0.92 and matcher.ratio() >= 0.92


def outside_choices(grouping: Grouping, choices: Sequence[str]) -> list[int]:
    """Groups (indexes) that are none of a choice field's choices, compared as groups are
    (trimmed, NFC, any case): answers typed or exported outside the survey's list."""
    allowed = {group_key(c) for c in choices}
    return [i for i, (value, blank) in enumerate(zip(grouping.values, grouping.not_stated,
                                                     strict=True))
            if not blank and group_key(value) not in allowed]


def near_duplicates(grouping: Grouping) -> list[list[int]]:
    """Groups that may be one: the same letters and digits (``ICB.`` and ``ICB``), initials
    (``NR ICB``), or one or two letters apart in a long name. Each list holds group indexes."""
    named = [i for i, n in enumerate(grouping.not_stated) if not n]
    parent = {i: i for i in named}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    keys = {i: group_key(grouping.values[i]) for i in named}
    words = {i: _words(grouping.values[i]) for i in named}
    by_loose: dict[str, int] = {}
    for i in named:
        first = by_loose.setdefault(_loose(grouping.values[i]), i)
        if first != i:
            parent[root(i)] = root(first)
    # Names whose numbers differ are different groups (Org 1, Org 12): compare within
    # buckets of the same numbers and first letter only.
    buckets: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for i in named:
        if words[i]:
            buckets.setdefault((words[i][0][0], tuple(re.findall(r"\d+", keys[i]))),
                               []).append(i)
    pairs = (pair for bucket in buckets.values() for pair in itertools.combinations(bucket, 2))
    for a, b in pairs:
        if root(a) == root(b):
            continue
        if (_initials_match(words[a], words[b]) or _initials_match(words[b], words[a])
                or _typo(keys[a], keys[b])):
            parent[root(b)] = root(a)
    clusters: dict[int, list[int]] = {}
    for i in named:
        clusters.setdefault(root(i), []).append(i)
    return [c for c in clusters.values() if len(c) > 1]


def suppression(sizes: Sequence[int], min_group_size: int) -> list[Reason | None]:
    """Which groups of one breakdown to hide, and why (see :func:`disclosure.protect`)."""
    groups = np.arange(len(sizes), dtype=np.int64).reshape(-1, 1)
    counts = np.asarray(sizes, dtype=np.int64)
    return protect(groups, counts, [len(sizes)], min_group_size).reasons[0]


def _sides(scores: FloatArray, margin: float) -> tuple[npt.NDArray[np.int8], FloatArray]:
    """Each score's side (0 no score, 1 clearly below 50, 2 near 50, 3 clearly above; see
    :mod:`leadlens.scoring.contested`) and the score or 0."""
    valid = np.isfinite(scores)
    side = valid.astype(np.int8)
    side += (scores > 50 - margin + NOISE) & valid
    side += (scores >= 50 + margin - NOISE) & valid
    return side, np.where(valid, scores, 0.0)


def _by_group(codes: npt.NDArray[np.intp], by_side: npt.NDArray[np.intp],
              own: PrincipleScores | FloatArray,
              count: int) -> tuple[IntArray, FloatArray, IntArray, IntArray]:
    """Per group: respondents with a score, their sum, and how many are clearly below/above 50.

    ``by_side`` is ``codes * 4``. A principle's sides are worked out once per answer
    pattern and looked up per respondent.
    """
    if isinstance(own, PrincipleScores) and own.patterns is not None:
        side_of, filled_of = _sides(own.pattern_scores, side_margin(own.scale))
        side, filled = side_of[own.patterns.index], filled_of[own.patterns.index]
    elif isinstance(own, PrincipleScores):
        side, filled = _sides(own.scores, side_margin(own.scale))
    else:
        side, filled = _sides(own, side_margin(None))
    table = np.bincount(by_side + side, minlength=count * 4).reshape(count, 4)
    total: FloatArray = np.bincount(codes, weights=filled, minlength=count).astype(np.float64)
    n: IntArray = table[:, 1:].sum(axis=1).astype(np.int64)
    return n, total, table[:, 1].astype(np.int64), table[:, 3].astype(np.int64)


def group_results(question_set: QuestionSet, grouping: Grouping,
                  principles: list[PrincipleScores], overall: FloatArray,
                  min_group_size: int, *, reasons: Sequence[Reason | None] | None = None,
                  figures: Sequence[Sequence[Reason | None]] | None = None,
                  parallel: bool = False) -> tuple[list[GroupResult], list[GroupSpread]]:
    """Each group's n and per-principle scores (hidden groups: none), and the spread.

    ``reasons`` hides whole groups (default: :func:`suppression` of this breakdown alone);
    ``figures`` hides single figures: one list per principle, then one for the overall.
    """
    count = len(grouping.values)
    sizes = grouping.sizes
    if reasons is None:
        reasons = suppression([int(s) for s in sizes], min_group_size)
    if figures is None:
        figures = [[None] * count for _ in range(len(principles) + 1)]
    per_principle: list[list[GroupPrinciple]] = [[] for _ in range(count)]
    arrays: list[PrincipleScores | FloatArray] = [*principles, overall]
    # np.bincount counts with intp: converted once here, not once per figure and thread.
    group = grouping.codes.astype(np.intp)
    by_side = group * 4

    def stats_of(scores: PrincipleScores | FloatArray
                 ) -> tuple[IntArray, FloatArray, IntArray, IntArray]:
        return _by_group(group, by_side, scores, count)

    if parallel:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            stats = list(pool.map(stats_of, arrays))
    else:
        stats = [stats_of(scores) for scores in arrays]
    shown = [g for g in range(count) if reasons[g] is None]
    for own, (n, total, below, above), hide in zip(principles, stats, figures, strict=False):
        for g in shown:
            if hide[g] is not None:
                per_principle[g].append(GroupPrinciple(
                    id=own.principle.id, n=None, mean=None, score=None, band=None,
                    contested=False, suppressed_reason=hide[g]))
                continue
            score = float(total[g] / n[g]) if n[g] else None
            band = band_of(question_set, score) if score is not None else None
            per_principle[g].append(GroupPrinciple(
                id=own.principle.id, n=int(n[g]), mean=own.on_scale(score), score=score,
                band=band.id if band else None,
                contested=bool(n[g]) and room_disagrees(below[g] / n[g], above[g] / n[g])))
    overall_n, overall_total, _, _ = stats[-1]
    groups: list[GroupResult] = []
    for g in range(count):
        reason = reasons[g]
        if reason is None:
            hidden = figures[-1][g]
            mean = float(overall_total[g] / overall_n[g]) \
                if overall_n[g] and hidden is None else None
            groups.append(GroupResult(
                value=grouping.values[g], not_stated=grouping.not_stated[g], n=int(sizes[g]),
                n_text=str(int(sizes[g])), suppressed=False, overall=mean,
                overall_band=band_of(question_set, mean).id if mean is not None else None,
                overall_suppressed_reason=hidden, principles=per_principle[g]))
        else:
            groups.append(GroupResult(
                value=grouping.values[g], not_stated=grouping.not_stated[g], n=None,
                n_text=(f"fewer than {min_group_size}" if reason == "small"
                        else "not shown (protects a smaller group)"),
                suppressed=True, suppressed_reason="small" if reason == "small"
                else "complement"))
    return groups, _spread(question_set, groups)


def _spread(question_set: QuestionSet, groups: list[GroupResult]) -> list[GroupSpread]:
    spreads: list[GroupSpread] = []
    for index, principle in enumerate(question_set.principles):
        scored = [(score, g.value) for g in groups
                  if not g.suppressed and (score := g.principles[index].score) is not None]
        if len(scored) < 2:
            spreads.append(GroupSpread(principle=principle.id, spread=None, lowest=None,
                                       highest=None))
            continue
        low = min(scored, key=lambda s: (s[0], s[1]))
        high = max(scored, key=lambda s: (s[0], s[1]))
        spreads.append(GroupSpread(principle=principle.id, spread=high[0] - low[0],
                                   lowest=low[1], highest=high[1]))
    return sorted(spreads, key=lambda s: (s.spread is None, -(s.spread or 0.0)))
