"""Columns whose header is a question's text slightly reworded ("the" left out, a word
changed on the platform): paired with the question that has no column, so the user sees
"did you mean" and the mapping line to paste instead of "2 question column(s) missing" and a
warning per column that matched nothing."""

from __future__ import annotations

import difflib
import json
import re

from leadlens.questionset.model import QuestionSet
from leadlens.responses.exports.platforms import Column
from leadlens.responses.exports.text import normalise, splits

MIN_RATIO = 0.85
"""difflib's ratio between the two texts (normalised) at least this..."""
MIN_WORDS = 0.7
"""...and this share of their words in common (Jaccard): a changed number or a negation of
a short text is never "close"."""
_WORD = re.compile(r"\w+")


def expected_texts(qs: QuestionSet, keys: list[str]) -> dict[str, list[str]]:
    """The header texts each answer key would be matched by: the question's text, and for
    a perspective or timepoint the text with its label (in any of the platforms' forms, as
    words)."""
    labels = {p.id: p.label for p in qs.perspectives} | {t.id: t.label for t in qs.timepoints}
    wanted = set(keys)
    found: dict[str, list[str]] = {}
    for q in qs.questions:
        for key in q.answer_keys:
            if key not in wanted:
                continue
            variant = key.partition("@")[2]
            found[key] = [q.text] if not variant else [
                f"{q.text} {labels.get(variant, variant)}", f"{q.text} {variant}"]
    return found


def _texts(column: Column) -> list[str]:
    texts = [*column.texts, *(f"{t} {s}" for t, s in column.pairs)]
    for text in list(texts):
        texts += [s for _, s in splits(text)]  # a grid's statement under any title
        texts += [f"{t} {s}" for t, s in splits(text)]
    return texts


MAX_COLUMNS = 2_000
"""Unmatched columns compared at most (a file of thousands is no reworded survey)."""

Words = tuple[str, frozenset[str]]


def _words(text: str) -> Words:
    found = _WORD.findall(normalise(text))
    return " ".join(found), frozenset(found)


def _close(a: Words, b: Words) -> float:
    """How close two header texts are (0 when not close enough)."""
    (words_x, wx), (words_y, wy) = a, b
    if not wx or not wy or len(wx & wy) / len(wx | wy) < MIN_WORDS:
        return 0.0
    matcher = difflib.SequenceMatcher(None, words_x, words_y)
    if matcher.quick_ratio() < MIN_RATIO:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= MIN_RATIO else 0.0


def pair_reworded(columns: list[Column], qs: QuestionSet, missing: list[str]
                  ) -> dict[int, str]:
    """Column index -> the answer key (with no column) its header is a rewording of; each
    key paired with its closest column only, and a column only with an unambiguous best."""
    if not columns or not missing or len(columns) > MAX_COLUMNS:
        return {}
    expected = {key: [_words(t) for t in texts]
                for key, texts in expected_texts(qs, missing).items()}
    scored: list[tuple[float, int, str]] = []
    for column in columns:
        texts = [_words(t) for t in _texts(column)]
        best = sorted(((max((_close(t, e) for t in texts for e in wanted), default=0.0), key)
                       for key, wanted in expected.items()), reverse=True)
        if best and best[0][0] > 0 and (len(best) == 1 or best[1][0] < best[0][0]):
            scored.append((best[0][0], column.index, best[0][1]))
    paired: dict[int, str] = {}
    taken: set[str] = set()
    for _, index, key in sorted(scored, reverse=True):
        if key not in taken:
            paired[index] = key
            taken.add(key)
    return paired


def mapping_line(header: str, key: str) -> str:
    """The rule to paste under ``columns:`` in a --mapping file."""
    return f"- {{header: {json.dumps(header, ensure_ascii=False)}, to: {key}}}"
