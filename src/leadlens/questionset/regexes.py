"""User-supplied regular expressions: a mapping rule's ``regex`` and its ``to`` template.

They come from mapping files and question sets written by someone else, and they run against
export headers from a third party, so they run on the ``regex`` module with a time limit: a
pattern such as ``^(a|aa)+$`` backtracks exponentially on a 41-character header, and Python's
``re`` has no way to stop it. ``regex`` reads ``re``'s syntax (its version-0 mode), so mapping
files keep their meaning, and its matching functions take a ``timeout``. A template is checked
against its pattern's groups when the rule is loaded, never first when a header matches.

The ``regex`` module is imported only when a rule has a regex (it costs ~40 ms at start-up).
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

MATCH_SECONDS = 0.05
"""One header against one rule's regex stops after this much CPU time (``regex`` measures
its timeout in CPU time: a busy machine does not stop a regex that would finish)."""
TOTAL_SECONDS = 5.0
"""All the regex matching of one file's headers stops after this much CPU time."""


class RegexTimeout(Exception):  # noqa: N818  (internal signal, never reaches a user)
    """A regex ran out of time on a header; the caller turns it into a located problem."""

    def __init__(self, seconds: float, total: bool) -> None:
        super().__init__(seconds)
        self.seconds = seconds
        self.total = total
        """Whether the whole file's budget (:data:`TOTAL_SECONDS`) ran out."""


@lru_cache(maxsize=512)
def compile_rule(pattern: str) -> regex.Pattern[str]:
    """``pattern`` as rules match it (whole header, any case).

    Raises:
        regex.error: not a valid regular expression.
    """
    import regex

    return regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)


MAX_UNROLLED = 100_000
"""``regex`` unrolls counted repeats when it compiles (``(?:a{1000}){1000}`` takes 270 MB and
half a second): their nested product is bounded before compiling."""

_COUNT = re.compile(r"\{(\d*)(?:,(\d*))?\}")


def unrolled_size(pattern: str) -> int:
    """An upper bound of the steps ``pattern``'s counted repeats unroll to: each atom counts
    one, a group the sum of its contents, ``{m,n}`` multiplies the atom before it by its
    largest count (``{m,}`` by m)."""
    totals = [0]  # the size of each open group's contents so far
    last = 0  # the size of the atom just read (what a repeat applies to)
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "(":
            totals.append(0)
            last, i = 0, i + 1
            continue
        count = _COUNT.match(pattern, i) if char == "{" else None
        if count is not None and (count.group(2) or count.group(1)):
            digits = count.group(2) or count.group(1)
            times = int(digits) if len(digits) <= 9 else 10**9
            totals[-1] += last * (times - 1)  # the atom was counted once already
            last, i = last * times, count.end()
            continue
        if char == ")" and len(totals) > 1:
            last, i = totals.pop(), i + 1
        elif char == "\\":
            last, i = 1, i + 2
        elif char == "[":
            end = i + 1
            end += pattern[end:end + 1] == "^"
            end += pattern[end:end + 1] == "]"  # a leading ] is a member
            while end < len(pattern) and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            last, i = 1, end + 1
        else:
            last, i = 1, i + 1
        totals[-1] += last
    return sum(totals)


def regex_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid regular expression, or None."""
    import regex

    if unrolled_size(pattern) > MAX_UNROLLED:
        return (f"its counted repeats ({{m,n}}) unroll to more than {MAX_UNROLLED:,} steps; "
                "use + or * rather than large or nested counts")
    try:
        compile_rule(pattern)
    except regex.error as exc:
        return str(exc)
    except (OverflowError, RecursionError, MemoryError):  # a repeat count or nesting too big
        return "too large or too deeply nested"
    return None


def template_error(pattern: str, template: str) -> str | None:
    """Why ``template`` (a rule's ``to``) cannot be expanded for matches of ``pattern``,
    in our words, or None when it can. ``pattern`` must compile."""
    compiled = compile_rule(pattern)
    groups, names = compiled.groups, dict(compiled.groupindex)
    have = (f"the regex has {groups} group{'s' if groups != 1 else ''}" if groups
            else "the regex has no groups")
    for ref in _references(template):
        if ref.isdigit():
            if int(ref) > groups:
                return f"{_quoted(template)} refers to group {int(ref)}; {have}"
        elif ref not in names:
            named = (f" (its named groups: {', '.join(sorted(names))})" if names else
                     " (it has no named groups)")
            return f"{_quoted(template)} refers to group {ref!r}; the regex has no group of that " \
                   f"name{named}"
    if _expands(compiled, template):
        return None
    return (f"{_quoted(template)} is not a valid target: a backslash starts a group reference "
            "(\\1, \\g<name>) or an escape such as \\t; write \\\\ for a backslash itself")


def _quoted(text: str) -> str:
    """As written in YAML's single quotes (repr would double every backslash)."""
    return "'" + text.replace("'", "''") + "'"


def _references(template: str) -> list[str]:
    r"""Group references in a template, in order: ``\1`` -> ``"1"``, ``\g<name>`` -> ``"name"``
    (``\0`` and three-digit ``\012`` are octal escapes, as ``re`` reads them)."""
    found: list[str] = []
    i = 0
    while i < len(template):
        if template[i] != "\\":
            i += 1
            continue
        rest = template[i + 1:]
        if rest.startswith("g<") and ">" in rest:
            name = rest[2:rest.index(">")]
            found.append(name)
            i += 2 + rest.index(">")
        elif rest[:1].isdigit() and rest[0] != "0":
            digits = rest[:3] if (len(rest) >= 3 and all(c in "01234567" for c in rest[:3])) \
                else ""
            if digits:  # \123: an octal escape
                i += 4
                continue
            number = rest[:2] if rest[1:2].isdigit() else rest[:1]
            found.append(number)
            i += 1 + len(number)
        else:
            i += 2
    return found


def _expands(compiled: regex.Pattern[str], template: str) -> bool:
    """Whether ``template`` expands against a match with ``compiled``'s groups: a synthetic
    pattern of as many empty groups, named alike, matched against the empty string."""
    import regex

    names: dict[int, list[str]] = {}
    for name, number in compiled.groupindex.items():
        names.setdefault(number, []).append(name)
    parts = []
    for number in range(1, compiled.groups + 1):
        own = names.get(number, [])
        if len(own) > 1:  # a branch reset gives one group several names
            parts.append("(?|" + "|".join(f"(?P<{n}>)" for n in own) + ")")
        else:
            parts.append(f"(?P<{own[0]}>)" if own else "()")
    try:
        synthetic = regex.compile("".join(parts), regex.VERSION0).match("")
    except regex.error:
        return True  # the groups cannot be rebuilt: the references were checked above
    try:
        synthetic.expand(template) if synthetic is not None else None
    except (regex.error, IndexError):
        return False
    return True


class RegexClock:
    """The time budget of one file's regex matching (:data:`MATCH_SECONDS` per header,
    :data:`TOTAL_SECONDS` in all)."""

    def __init__(self, total: float = TOTAL_SECONDS, each: float = MATCH_SECONDS) -> None:
        self.each = each
        self.total = total
        self.deadline = time.process_time() + total

    def fullmatch(self, pattern: str, text: str) -> regex.Match[str] | None:
        """``pattern`` (compiled by :func:`compile_rule`) against the whole of ``text``.

        Raises:
            RegexTimeout: it ran out of time.
        """
        left = self.deadline - time.process_time()
        if left <= 0:
            raise RegexTimeout(self.total, total=True)
        try:
            return compile_rule(pattern).fullmatch(text, timeout=min(self.each, left))
        except TimeoutError:
            whole = left <= self.each
            raise RegexTimeout(self.total if whole else self.each, total=whole) from None
