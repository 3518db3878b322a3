"""The Jinja environment every report renders in: sandboxed, strict, escaped, located errors.

Bundled and user templates share one setup:

- ``ImmutableSandboxedEnvironment``: templates can read the results but cannot reach Python
  internals (``''.__class__.__mro__``) or change data; ``*`` and ``**`` are size-limited.
- ``StrictUndefined``: a misspelt name is an error with a "Did you mean" hint, never "".
- HTML escaping for every HTML output and every template named ``*.html``, ``*.htm``,
  ``*.xml``, ``*.svg``, with or without a trailing ``.j2``; Markdown escaping of every printed
  value for Markdown output (:func:`leadlens.report.markdown.finalize_markdown`).
- Bundled templates are reachable as ``leadlens/<name>`` (e.g. ``{% extends
  "leadlens/report.html.j2" %}``); a user template's own folder comes first.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from leadlens import files
from leadlens.errors import Code, Problem, TemplateError, did_you_mean
from leadlens.report import Format, bounds
from leadlens.report.bounds import (
    SAFE_FILTERS,
    RenderLimit,
    bounded_output,
    check_binop,
    check_call,
    checked_concat,
    render_limits,
    safe_lipsum,
    tick,
    ticking,
)
from leadlens.report.filters import DASH, FILTERS
from leadlens.report.markdown import finalize_markdown
from leadlens.text import printable

BUNDLED_PREFIX = "leadlens"
TEMPLATE_NAMES: dict[Format, str] = {"html": "report.html.j2", "md": "report.md.j2"}
HTML_SUFFIXES = (".html", ".htm", ".xml", ".svg")
MAX_SEQUENCE = 1_000_000  # longest string or list a template may build with "*"
MAX_EXPONENT = 1_000


def templates_dir() -> Path:
    """The bundled ``report_templates`` folder: in the wheel, or the repo when editable."""
    return files.bundled_dir("report_templates")


def is_html_name(name: str | None) -> bool:
    """Whether a template name means HTML output: ``x.html``, ``x.html.j2``, ``x.htm.jinja``."""
    if not name:
        return False
    lowered = name.lower()
    for ext in (".j2", ".jinja", ".jinja2"):
        if lowered.endswith(ext):
            lowered = lowered[: -len(ext)]
            break
    return lowered.endswith(HTML_SUFFIXES)


class ReportUndefined(jinja2.StrictUndefined):
    """Strict undefined whose message names the missing field and suggests a close one."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if isinstance(obj, dict) and isinstance(name, str):
            keys = sorted(k for k in obj if isinstance(k, str))
            hint = did_you_mean(name, keys)
            listed = ", ".join(keys[:25]) + (", ..." if len(keys) > 25 else "")
            return f"no field {name!r} here. " + (hint or f"Fields: {listed}.")
        return str(super()._undefined_message)


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's compiler, with every loop stepping through :func:`bounds.ticking` and every
    ``~`` through :func:`bounds.checked_concat`.

    A loop whose body calls nothing (``{% for j in xs %}{% endfor %}``) reaches none of the
    sandbox's hooks; stepping its items through ``ticking`` lets the whole-render bounds stop
    it on any thread.
    """

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        node.iter = nodes.Call(nodes.EnvironmentAttribute("leadlens_ticking"), [node.iter],
                               [], None, None, lineno=node.iter.lineno)
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.leadlens_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with dictionary keys winning over dict methods (``principle.items``)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = BoundedCodeGenerator
    leadlens_ticking = staticmethod(ticking)
    leadlens_concat = staticmethod(checked_concat)

    def getattr(self, obj: Any, attribute: str) -> Any:
        tick()
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        tick()
        return super().getitem(obj, argument)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,  # noqa: N805
             *args: Any, **kwargs: Any) -> Any:
        tick()
        check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        tick()
        check_binop(operator, left, right)
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is too large for a template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) \
                        and len(seq) * times > MAX_SEQUENCE:
                    raise SecurityError("result of '*' is too large for a template")
        return super().call_binop(context, operator, left, right)


class BoundedFileLoader(jinja2.FileSystemLoader):
    """A user's template folder, each file read as every input is (regular, size-capped)."""

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        for folder in self.searchpath:
            path = os.path.join(folder, *jinja2.loaders.split_template_path(template))
            if not os.path.lexists(path) or os.path.isdir(path):
                continue
            data = files.read_input(path, "template", error=TemplateError)
            mtime = os.path.getmtime(path)

            def unchanged(path: str = path, mtime: float = mtime) -> bool:
                return os.path.exists(path) and os.path.getmtime(path) == mtime

            return data.decode(self.encoding), os.path.normpath(path), unchanged
        raise jinja2.TemplateNotFound(template)


def _finalize_html(value: object) -> object:
    # The reports' one cleaning rule: no ESC, BEL or U+202E survives into a page either.
    if value is None:
        return DASH
    if isinstance(value, Markup):
        return Markup(printable(value))  # noqa: S704 - dropping characters keeps it escaped
    if isinstance(value, str):
        return printable(value)
    return value


@jinja2.pass_eval_context
def _finalize_md(eval_ctx: jinja2.nodes.EvalContext, value: object) -> object:
    # An HTML-named template inside a Markdown report is HTML-escaped instead.
    return _finalize_html(value) if eval_ctx.autoescape else finalize_markdown(value)


@dataclass
class Templates:
    """An environment ready to render, the name of the template to start from, and how to
    show template file names in error messages."""

    env: ReportEnvironment
    name: str
    main: str  # the starting template as the user knows it
    shown: dict[str, str]  # loader file path -> name to show in problems

    def display(self, filename: str | None, fallback: str) -> str:
        if not filename:
            return fallback
        if filename in self.shown:
            return self.shown[filename]
        bundled = str(templates_dir().resolve())
        if filename.startswith(bundled):
            return "report_templates" + filename[len(bundled):]
        return filename


def make_templates(fmt: Format, template: Path | None = None, bundled: str | None = None
                   ) -> Templates:
    """The environment for ``fmt`` and either the bundled template or the user's ``template``.

    ``bundled`` names another bundled template to start from (default: the score report's,
    ``report.html.j2`` or ``report.md.j2``). The bundled ones are built once each, so their
    compiled templates are reused.
    """
    name = bundled or TEMPLATE_NAMES[fmt]
    return _bundled(fmt, name) if template is None else _make_templates(fmt, template, name)


@functools.cache
def _bundled(fmt: Format, name: str) -> Templates:
    return _make_templates(fmt, None, name)


def _make_templates(fmt: Format, template: Path | None, start: str) -> Templates:
    bundled = jinja2.PrefixLoader({BUNDLED_PREFIX: jinja2.FileSystemLoader(templates_dir())})
    loaders: list[jinja2.BaseLoader] = []
    shown: dict[str, str] = {}
    if template is None:
        name = f"{BUNDLED_PREFIX}/{start}"
    else:
        loaders.append(BoundedFileLoader(template.parent))
        name = template.name
        shown[os.path.normpath(os.path.join(template.parent, template.name))] = str(template)
        shown[str(template.resolve())] = str(template)

    def autoescape(template_name: str | None) -> bool:
        return fmt == "html" or is_html_name(template_name)

    finalize: Callable[..., object] = _finalize_html if fmt == "html" else _finalize_md
    env = ReportEnvironment(
        loader=jinja2.ChoiceLoader([*loaders, bundled]),
        autoescape=autoescape,
        undefined=ReportUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.loopcontrols"],
    )
    env.filters.update(SAFE_FILTERS)
    env.filters.update(FILTERS)
    env.globals["lipsum"] = safe_lipsum
    main = str(template) if template is not None else f"report_templates/{start}"
    return Templates(env, name, main, shown)


def _template_frames(tb: TracebackType | None) -> list[tuple[str, int]]:
    """(file, line) of each template frame Jinja put into a rendering traceback."""
    frames = []
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            frames.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    return frames


_UNDEFINED_NAME = re.compile(r"^'([^']+)' is undefined$")


def _message(exc: BaseException, names: list[str]) -> tuple[Code, str]:
    if isinstance(exc, SecurityError):
        return Code.TEMPLATE_FORBIDDEN, f"not allowed in a report template: {exc}"
    if isinstance(exc, RenderLimit):
        return Code.TEMPLATE_LIMIT, f"stopped: {exc}"
    if isinstance(exc, MemoryError):
        return Code.TEMPLATE_LIMIT, (f"stopped: the template needed more than "
                                     f"{bounds.MAX_MEMORY / 1024**3:g} GiB of memory")
    if isinstance(exc, jinja2.UndefinedError):
        text = str(exc)
        # Jinja's own message is the only place the undefined name is given.
        match = _UNDEFINED_NAME.match(text)
        if match:
            hint = did_you_mean(match.group(1), names)
            return Code.TEMPLATE_UNDEFINED, (f"{match.group(1)!r} is not defined"
                                             + (f". {hint}" if hint else ""))
        return Code.TEMPLATE_UNDEFINED, text
    if isinstance(exc, UnicodeDecodeError):
        return Code.FILE_NOT_UTF8, f"not UTF-8 text (at byte offset {exc.start})"
    if isinstance(exc, RecursionError):
        return Code.TEMPLATE_RECURSION, "a macro or include calls itself without end"
    if isinstance(exc, jinja2.TemplateNotFound):
        return Code.TEMPLATE_NOT_FOUND, f"template {exc.name!r} not found"
    if isinstance(exc, jinja2.TemplateError):
        return Code.TEMPLATE_ERROR, str(exc.message or exc)
    return Code.TEMPLATE_ERROR, f"{type(exc).__name__}: {exc}"


RENDER_ERRORS = (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError,
                 AttributeError, RecursionError, RenderLimit, MemoryError)
"""What a faulty template can raise while rendering (sandbox and undefined errors included)."""


def render(templates: Templates, context: dict[str, Any]) -> str:
    """Render, turning every template failure into a located :class:`TemplateError`."""
    fallback = templates.main
    try:
        template = templates.env.get_template(templates.name)
        with render_limits():
            return bounded_output(template.generate(context))
    except jinja2.TemplateSyntaxError as exc:
        file = templates.display(exc.filename, exc.name or fallback)
        raise TemplateError([Problem(file=file, line=exc.lineno,
                                     message=f"syntax error: {exc.message}",
                                     code=Code.TEMPLATE_SYNTAX)]) from None
    except RENDER_ERRORS as exc:
        frames = _template_frames(exc.__traceback__)
        names = sorted([*context, *templates.env.globals])
        code, message = _message(exc, names)
        if frames:
            filename, line = frames[-1]
            problem = Problem(file=templates.display(filename, fallback), line=line,
                              message=message, code=code)
        else:
            problem = Problem(file=fallback, message=message, code=code)
        raise TemplateError([problem]) from None
