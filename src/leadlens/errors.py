"""Located problems and the one exception family that carries them.

Every user-facing failure is a list of :class:`Problem` objects, each naming where it is
(file, line, column or CSV column), what is wrong and, where it helps, how to fix it.
Only ``leadlens.cli`` turns a :class:`LeadlensError` into output and an exit code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

MAX_PROBLEMS = 50
"""Problems listed from one input; the rest are counted ("... and N more problems")."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in one place of one input."""

    file: str
    message: str
    line: int | None = None
    col: int | None = None
    path: str = ""
    severity: Severity = "error"
    hint: str = ""
    column: str | None = None  # CSV column header, for tabular inputs

    def location(self) -> str:
        """``file:line:col`` (YAML) or ``file:line: column 'name'`` (CSV)."""
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        if self.column is not None:
            loc += f": column {self.column!r}"
        return loc

    def __str__(self) -> str:
        text = self.location() + ": "
        if self.severity == "warning":
            text += "warning: "
        if self.path:
            text += f"{self.path}: "
        text += self.message
        if self.hint:
            text += f" {self.hint}" if self.hint.startswith("(") else f". {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "column": self.column,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class LeadlensError(Exception):
    """Base error: one or more located problems that stop the command (exit code 1)."""

    problems: list[Problem] = field(default_factory=list)
    omitted: int = 0  # problems found but not listed (the list was capped)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        return "\n".join(str(p) for p in self.problems)



class QuestionSetError(LeadlensError):
    """A question set could not be loaded or is invalid."""


class ResponsesError(LeadlensError):
    """A responses file (CSV, answers file, platform export) is invalid."""


class TemplateError(LeadlensError):
    """A report template failed to compile or render."""


class OutputExistsError(LeadlensError):
    """An output file exists and ``--force`` was not given."""


@dataclass
class UsageError(LeadlensError, ValueError):
    """An option the library refuses (the command line's exit code 2, not 1).

    The library owns the rule (a ``--by`` field must exist, the anonymity threshold may be
    raised but not lowered, ...); the CLI only prints ``Error: --OPTION MESSAGE``. ``option``
    is the argument's name in the Python API (``min_group_size``), ``code`` a stable name for
    the rule, so no caller has to match message text. A ``ValueError`` too, as the API
    documented before options had their own error.
    """

    option: str = ""
    code: str = ""

    @classmethod
    def about(cls, option: str, message: str, *, code: str) -> UsageError:
        """One refused option: ``message`` starts with the value (``2: may raise ...``)."""
        return cls([Problem(file="", path=option, message=message)], option=option, code=code)

    def summary(self) -> str:
        return "\n".join(f"{p.path} {p.message}" for p in self.problems)


def format_path(path: tuple[str | int, ...]) -> str:
    """``('questions', 5, 'principle')`` -> ``questions[5].principle``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def unreadable(file: str, exc: OSError) -> Problem:
    """The one wording for an input that cannot be read (missing, a folder, no permission)."""
    return Problem(file=file, message=f"cannot read: {exc.strerror or exc}")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A "Did you mean 'x'?" hint, or an empty string when nothing is close."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"Did you mean {close[0]!r}?" if close else ""
