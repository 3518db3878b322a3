"""Bounded work for report templates: a render as a whole, and every expanding operation.

The sandbox stops a template reaching Python; these limits stop it exhausting the machine.
A render is bounded as a whole: its output (:data:`MAX_OUTPUT` characters, counted while
it streams), its time (:data:`MAX_SECONDS`) and its memory (:data:`MAX_MEMORY` above
what the process used before; Linux). The filters and string methods that build large
values from small arguments (``center``, ``indent``, ``format``, ``batch``, ``slice``,
``replace``, ``join``, ``wordwrap``, ``lipsum``, ``str.ljust``, ``"{:>N}".format``, ``%``,
``+``, ``~``) check the size of what they would build, so the common blow-ups are refused
at once and by name.
The time and memory bounds are checked cooperatively (:func:`tick`), so they hold for a
render in any thread (the workshop renders in worker threads), not only the main one.
"""

from __future__ import annotations

import contextlib
import re
import signal
import string
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from types import FrameType
from typing import Any

from jinja2 import filters as jinja_filters
from jinja2.exceptions import SecurityError
from jinja2.utils import generate_lorem_ipsum

MAX_BUILT = 10_000_000
"""The longest string or list one operation in a template may build (characters/items)."""
MAX_OUTPUT = 128 * 1024 * 1024
"""The longest report a template may render, in characters."""
MAX_SECONDS = 30.0
"""How long one render may run."""
MAX_MEMORY = 2 * 1024**3
"""How much more memory (address space) than before one render may take, in bytes."""
MAX_LIPSUM = 100  # paragraphs


class RenderLimit(Exception):  # noqa: N818 - read as "render limit reached"
    """A render went past one of its whole-render bounds."""


def _refuse(what: str, size: int) -> SecurityError:
    return SecurityError(f"{what} would build {size:,} characters or items; a template may "
                         f"build at most {MAX_BUILT:,} in one step")


def _check(what: str, size: int) -> None:
    if size > MAX_BUILT:
        raise _refuse(what, size)


def _as_int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


_NUMBER = re.compile(r"[0-9]+")


def check_format_string(text: str, *, percent: bool) -> None:
    """Refuse a format string with a width or precision above :data:`MAX_BUILT`."""
    specs: list[str] = []
    if percent:
        specs = re.findall(r"%[^a-zA-Z%]*", text)
    else:
        with contextlib.suppress(ValueError):  # a broken format string fails later, clearly
            for _, _, spec, _ in string.Formatter().parse(text):
                if spec:
                    specs.append(spec)
    for spec in specs:
        for number in _NUMBER.findall(spec):
            if len(number) > 8 or int(number) > MAX_BUILT:
                raise SecurityError(f"format width {number[:12]} is too large for a template")


# --- safe versions of the expanding filters ---------------------------------------------------

def _center(value: Any, width: int = 80) -> str:
    _check("center", _as_int(width))
    return jinja_filters.do_center(value, width)


def _indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    text = str(s)
    pad = len(width) if isinstance(width, str) else _as_int(width)
    _check("indent", len(text) + (text.count("\n") + 1) * pad)
    return jinja_filters.do_indent(s, width, first, blank)


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    check_format_string(str(value), percent=True)
    return jinja_filters.do_format(value, *args, **kwargs)


def _batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Any:
    _check("batch", _as_int(linecount))
    return jinja_filters.do_batch(value, linecount, fill_with)


def _slice(value: Iterable[Any], slices: int, fill_with: Any = None) -> Any:
    _check("slice", _as_int(slices))
    return jinja_filters.do_slice(value, slices, fill_with)


def _replace_size(text: str, old: str, new: str, count: int | None) -> int:
    hits = len(text) + 1 if old == "" else text.count(old)
    if count is not None and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * (len(new) - len(old))


def _replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> Any:
    _check("replace", _replace_size(str(s), str(old), str(new), count))
    return jinja_filters.do_replace(eval_ctx, s, old, new, count)


def _join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> Any:
    items = list(value)
    _check("join", sum(len(str(v)) for v in items if isinstance(v, str))
           + max(len(items) - 1, 0) * len(str(d)))
    return jinja_filters.do_join(eval_ctx, items, d, attribute)


def _wordwrap(environment: Any, s: str, width: int = 79, break_long_words: bool = True,
              wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
    joiner = environment.newline_sequence if wrapstring is None else wrapstring
    _check("wordwrap", len(str(s)) * (1 + len(str(joiner))))
    return jinja_filters.do_wordwrap(environment, s, width, break_long_words, wrapstring,
                                     break_on_hyphens)


# jinja2 marks filters that take the environment or eval context by an attribute.
_replace.jinja_pass_arg = jinja_filters.do_replace.jinja_pass_arg  # type: ignore[attr-defined]
_join.jinja_pass_arg = jinja_filters.do_join.jinja_pass_arg  # type: ignore[attr-defined]
_wordwrap.jinja_pass_arg = jinja_filters.do_wordwrap.jinja_pass_arg  # type: ignore[attr-defined]

SAFE_FILTERS: dict[str, Callable[..., Any]] = {
    "center": _center,
    "indent": _indent,
    "format": _format,
    "batch": _batch,
    "slice": _slice,
    "replace": _replace,
    "join": _join,
    "wordwrap": _wordwrap,
}
"""Jinja's expanding filters, each refusing a result above :data:`MAX_BUILT` first."""


def safe_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
    """``lipsum`` with at most :data:`MAX_LIPSUM` paragraphs of at most 1,000 words."""
    if _as_int(n) > MAX_LIPSUM or _as_int(max) > 1000 or _as_int(min) > 1000:
        raise SecurityError(f"lipsum is limited to {MAX_LIPSUM} paragraphs of 1,000 words")
    return str(generate_lorem_ipsum(n, html, min, max))


# --- methods and operators --------------------------------------------------------------------

_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill"}


def check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a call to a str method that would build more than :data:`MAX_BUILT`."""
    method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    owner = getattr(method, "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(method, "__name__", "")
    if name in _WIDTH_METHODS and args:
        _check(f"str.{name}", _as_int(args[0]))
    elif name == "expandtabs":
        tabsize = _as_int(args[0] if args else kwargs.get("tabsize", 8), 8)
        _check("str.expandtabs", len(owner) + owner.count("\t") * tabsize)
    elif name in ("format", "format_map"):
        check_format_string(owner, percent=False)
    elif name == "replace" and len(args) >= 2:
        count = _as_int(args[2], -1) if len(args) > 2 else None
        _check("str.replace", _replace_size(owner, str(args[0]), str(args[1]), count))
    elif name == "join" and args:
        items = args[0]
        if isinstance(items, list | tuple):
            _check("str.join", max(len(items) - 1, 0) * len(owner)
                   + sum(len(v) for v in items if isinstance(v, str)))


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``+`` and ``%`` results above :data:`MAX_BUILT` (``*`` is checked by size)."""
    if operator == "+" and isinstance(left, str | list | tuple) \
            and isinstance(right, str | list | tuple):
        _check("'+'", len(left) + len(right))
    elif operator == "%" and isinstance(left, str):
        check_format_string(left, percent=True)


# --- the whole render -------------------------------------------------------------------------

def bounded_output(chunks: Iterator[str]) -> str:
    """Join a render's output, stopping once it passes :data:`MAX_OUTPUT` characters."""
    parts: list[str] = []
    total = 0
    for chunk in chunks:
        tick()
        total += len(chunk)
        if total > MAX_OUTPUT:
            raise RenderLimit(f"the report is longer than {MAX_OUTPUT:,} characters")
        parts.append(chunk)
    return "".join(parts)


class _Budget(threading.local):
    """The bounds of the render running in this thread (none outside a render)."""

    deadline: float | None = None
    resident_limit: int | None = None
    next_sample: float = 0.0


_budget = _Budget()
_SAMPLE_SECONDS = 0.05  # how often a running render reads its memory use


def _resident() -> int | None:
    """This process's resident memory in bytes (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    import resource

    return pages * resource.getpagesize()


def tick() -> None:
    """Stop the render running in this thread once it is past its time or memory bound.

    Called from the sandbox's hooks (every attribute, call and operator), from every loop
    step and from every chunk of output, so a render stops at its bound on any thread: no
    signal is needed. Outside a render it does nothing.
    """
    deadline = _budget.deadline
    if deadline is None:
        return
    now = time.monotonic()
    if now > deadline:
        raise RenderLimit(f"the template ran for more than {MAX_SECONDS:g} seconds")
    limit = _budget.resident_limit
    if limit is not None and now >= _budget.next_sample:
        _budget.next_sample = now + _SAMPLE_SECONDS
        used = _resident()
        if used is not None and used > limit:
            raise MemoryError("the render's memory bound")


def ticking(items: Iterable[Any]) -> Iterator[Any]:
    """A loop's items, checking the render's bounds before each one."""
    for item in items:
        tick()
        yield item


def checked_concat(value: Any) -> Any:
    """The result of ``~``, refused above :data:`MAX_BUILT` (doubling in a loop)."""
    tick()
    if isinstance(value, str):
        _check("'~'", len(value))
    return value


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise RenderLimit(f"the template ran for more than {MAX_SECONDS:g} seconds")


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    import resource

    return pages * resource.getpagesize()


@contextlib.contextmanager
def render_limits() -> Iterator[None]:
    """Bound time, memory and (through :func:`bounded_output`) output while the block runs.

    On every thread the bounds are checked cooperatively (:func:`tick`): time against a
    deadline, memory as resident growth over :data:`MAX_MEMORY`, sampled every 50 ms. On
    the main thread two backstops are added for a single long or large operation of C code
    between checks: an interval timer (a signal) and an address-space limit (Linux), both
    process-wide, which is why a worker thread does not set them. A render past a bound
    raises :class:`RenderLimit` or :class:`MemoryError` inside the template, so the error
    names the template line it reached.
    """
    saved = (_budget.deadline, _budget.resident_limit, _budget.next_sample)
    resident = _resident()
    _budget.deadline = time.monotonic() + MAX_SECONDS
    _budget.resident_limit = None if resident is None else resident + MAX_MEMORY
    _budget.next_sample = 0.0
    main = threading.current_thread() is threading.main_thread()
    timer = main and hasattr(signal, "setitimer")
    old_handler: Any = None
    if timer:
        old_handler = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, MAX_SECONDS + 1.0)
    restore: tuple[int, int] | None = None
    used = _address_space() if main else None
    if used is not None:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = used + MAX_MEMORY
        if (soft == resource.RLIM_INFINITY or wanted < soft) and (
                hard == resource.RLIM_INFINITY or wanted <= hard):
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
            restore = (soft, hard)
    try:
        yield
    finally:
        _budget.deadline, _budget.resident_limit, _budget.next_sample = saved
        if restore is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, restore)
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
