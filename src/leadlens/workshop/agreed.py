"""What the board agreed: the ``board.agreed.yaml`` file, read, checked and written.

The workshop writes it as the room agrees (each change replaces the file atomically and is
fsynced, so a crash leaves the last whole version); ``leadlens score --agreed`` reads it and
carries it into the results document. Shape (docs/workshop.md)::

    agreed: 1
    question_set: ggi-systems-leadership
    question_set_version: 2.1.0
    updated_at: 2026-12-01T10:42:00+00:00
    principles:
      basics:
        current: developing        # a band id of the question set
        target: established        # the 12-month target band
        notes: Split on partnership working
        actions:
          - text: Agree shared outcomes with partners
            owner: Chief executive
            due: 2027-03-31

Every problem is reported at ``file:line:col`` with the path, all at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from leadlens.errors import Code, LeadlensError, Problem, did_you_mean, format_path
from leadlens.questionset.model import QuestionSet
from leadlens.results.document import AgreedAction, AgreedPrinciple, AgreedResult
from leadlens.source.yamltree import SourceMap, load_yaml

AGREED_VERSION = 1
TOP_KEYS = ("agreed", "question_set", "question_set_version", "updated_at", "principles")
PRINCIPLE_KEYS = ("current", "target", "notes", "actions")
ACTION_KEYS = ("text", "owner", "due")
MAX_TEXT = 2000
"""Longest action, owner or note accepted (characters)."""
MAX_ACTIONS = 50
"""Most actions one principle may carry."""



class _Dumper(yaml.SafeDumper):
    """Writes a text that holds a line break YAML folds (NEL, U+2028, CR) or any other
    control character double-quoted, with escapes: PyYAML's plain and single-quoted styles
    write U+0085 raw, and it reads back as a space."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text,
                                   style=None if text.isprintable() else '"')


_Dumper.add_representer(str, _represent_text)

class AgreedError(LeadlensError):
    """An agreed-levels file is invalid or cannot be read."""


@dataclass
class Agreement:
    """What the board agreed about one principle (band ids, notes and actions)."""

    current: str | None = None
    target: str | None = None
    notes: str = ""
    actions: list[AgreedAction] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.current is None and self.target is None and not self.notes \
            and not self.actions


@dataclass
class Agreed:
    """The agreed-levels file in memory: one :class:`Agreement` per principle id."""

    question_set: str
    question_set_version: str
    principles: dict[str, Agreement] = field(default_factory=dict)
    updated_at: dt.datetime | None = None
    warnings: list[Problem] = field(default_factory=list)
    """Located warnings about the file (agreed on another version of the question set)."""

    @classmethod
    def empty_for(cls, qs: QuestionSet) -> Agreed:
        return cls(question_set=qs.id, question_set_version=qs.version)

    def agreement(self, principle_id: str) -> Agreement:
        return self.principles.setdefault(principle_id, Agreement())

    def as_data(self) -> dict[str, Any]:
        """Plain data in the file's shape (principles in the order they were added)."""
        principles: dict[str, Any] = {}
        for pid, entry in self.principles.items():
            if entry.empty:
                continue
            item: dict[str, Any] = {"current": entry.current, "target": entry.target}
            if entry.notes:
                item["notes"] = entry.notes
            item["actions"] = [{"text": a.text, "owner": a.owner,
                                "due": a.due.isoformat() if a.due else None}
                               for a in entry.actions]
            principles[pid] = item
        return {"agreed": AGREED_VERSION, "question_set": self.question_set,
                "question_set_version": self.question_set_version,
                "updated_at": self.updated_at.isoformat(timespec="seconds")
                if self.updated_at else None,
                "principles": principles}

    def to_yaml(self) -> str:
        header = ("# What the board agreed in a leadlens workshop: agreed and target bands and "
                  "actions\n# per principle. Format: docs/workshop.md. Read by "
                  "`leadlens score --agreed`.\n")
        return header + yaml.dump(self.as_data(), Dumper=_Dumper, sort_keys=False,
                                  allow_unicode=True, default_flow_style=False, width=100)

    def result(self, qs: QuestionSet, source: str) -> AgreedResult:
        """The results document's ``agreed`` section (principles in question-set order)."""
        rows = [AgreedPrinciple(principle=p.id, current=entry.current, target=entry.target,
                                notes=entry.notes, actions=list(entry.actions))
                for p in qs.principles
                if (entry := self.principles.get(p.id)) is not None and not entry.empty]
        return AgreedResult(source=source, agreed_at=self.updated_at, principles=rows)


# ----------------------------------------------------------------------------- reading


class _Checker:
    def __init__(self, qs: QuestionSet, filename: str, smap: SourceMap) -> None:
        self.qs = qs
        self.filename = filename
        self.smap = smap
        self.problems: list[Problem] = []
        self.bands = [b.id for b in qs.bands]

    def problem(self, code: Code, path: tuple[str | int, ...], message: str, hint: str = "",
                *, key: bool = False) -> None:
        line, col = self.smap.locate(path, key=key)
        self.problems.append(Problem(file=self.filename, line=line, col=col,
                                     path=format_path(path), message=message, hint=hint,
                                     code=code))

    def mapping(self, value: Any, path: tuple[str | int, ...], known: tuple[str, ...] | list[str],
                what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(Code.SCHEMA_NOT_A_MAPPING, path, f"expected {what}, found {_kind(value)}")
            return {}
        for key in value:
            if key not in known:
                self.problem(Code.SCHEMA_UNKNOWN_KEY, (*path, key), f"unknown key {key!r}",
                             did_you_mean(key, known) or f"Expected one of: {', '.join(known)}",
                             key=True)
        return {k: v for k, v in value.items() if k in known}

    def text(self, value: Any, path: tuple[str | int, ...], *, required: bool = False) -> str:
        if value is None:
            if required:
                self.problem(Code.SCHEMA_MISSING_KEY,
                             path, "is missing or empty", "Say what is to be done")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(Code.SCHEMA_WRONG_TYPE, path, f"expected text, found {_kind(value)}")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(Code.SCHEMA_MISSING_KEY,
                         path, "is missing or empty", "Say what is to be done")
        if len(text) > MAX_TEXT:
            self.problem(Code.SCHEMA_LENGTH,
                         path, f"is {len(text):,} characters; the limit is {MAX_TEXT:,}")
            return text[:MAX_TEXT]
        return text

    def band(self, value: Any, path: tuple[str | int, ...]) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or value not in self.bands:
            shown = repr(value) if isinstance(value, str) else _kind(value)
            hint = (did_you_mean(value, self.bands) if isinstance(value, str) else "") \
                or f"Use one of the question set's bands: {', '.join(self.bands)}"
            self.problem(Code.AGREED_UNKNOWN_BAND,
                         path, f"{shown} is not a band of {self.qs.id!r}", hint)
            return None
        return value

    def due(self, value: Any, path: tuple[str | int, ...]) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(Code.AGREED_NOT_A_DATE,
                     path, f"{value!r} is not a date", "Write it as YYYY-MM-DD, e.g. 2027-03-31")
        return None

    def check(self, data: Any) -> Agreed:
        top = self.mapping(data, (), TOP_KEYS, "a mapping with 'agreed', 'question_set' and "
                           "'principles'")
        agreed = Agreed.empty_for(self.qs)
        if not top and not isinstance(data, dict):
            return agreed
        if top.get("agreed") != AGREED_VERSION:
            self.problem(Code.AGREED_VERSION, ("agreed",) if "agreed" in top else (),
                         f"expected 'agreed: {AGREED_VERSION}' (the format version), found "
                         f"{_kind(top['agreed'])}"
                         if "agreed" in top else
                         "no 'agreed: 1' line: not a leadlens agreed-levels file",
                         "See docs/workshop.md for the format")
        qs_id = top.get("question_set")
        if qs_id != self.qs.id:
            self.problem(Code.AGREED_OTHER_SET, ("question_set",) if "question_set" in top else (),
                         f"agreed for question set {qs_id!r}, not {self.qs.id!r}"
                         if qs_id is not None else
                         f"names no question set (this run scores {self.qs.id!r})",
                         f"Score with --question-set {qs_id}" if isinstance(qs_id, str)
                         else "Add 'question_set: ID'")
        version = top.get("question_set_version")
        if qs_id == self.qs.id and version is not None and str(version) != self.qs.version:
            line, col = self.smap.locate(("question_set_version",))
            agreed.warnings.append(Problem(
                file=self.filename, line=line, col=col, path="question_set_version",
                severity="warning", code=Code.AGREED_OTHER_VERSION,
                message=f"agreed on version {version} of {self.qs.id!r}; this run scores "
                        f"version {self.qs.version}",
                hint="Check that the agreed levels still fit its principles and bands, then "
                     f"write question_set_version: {self.qs.version}"))
        updated = top.get("updated_at")
        if isinstance(updated, dt.datetime):
            agreed.updated_at = updated if updated.tzinfo else updated.replace(tzinfo=dt.UTC)
        elif isinstance(updated, str) and updated.strip():
            try:
                parsed = dt.datetime.fromisoformat(updated.strip())
                agreed.updated_at = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
            except ValueError:
                self.problem(Code.AGREED_NOT_A_DATE,
                             ("updated_at",), f"{updated!r} is not a date and time",
                             "Write it as 2026-12-01T10:42:00+00:00, or leave it out")
        elif updated is not None:
            self.problem(Code.SCHEMA_WRONG_TYPE,
                         ("updated_at",), f"expected a date and time, found {_kind(updated)}")
        principles = top.get("principles")
        if principles is None:
            return agreed
        known = [p.id for p in self.qs.principles]
        entries = self.mapping(principles, ("principles",), known, "a mapping of principle ids")
        for pid, entry in entries.items():
            agreed.principles[pid] = self.agreement(entry, ("principles", pid))
        return agreed

    def agreement(self, value: Any, path: tuple[str | int, ...]) -> Agreement:
        entry = self.mapping(value, path, PRINCIPLE_KEYS,
                             "a mapping with 'current', 'target', 'notes' and 'actions'")
        result = Agreement(current=self.band(entry.get("current"), (*path, "current")),
                           target=self.band(entry.get("target"), (*path, "target")),
                           notes=self.text(entry.get("notes"), (*path, "notes")))
        actions = entry.get("actions")
        if actions is None:
            return result
        if not isinstance(actions, list):
            self.problem(Code.SCHEMA_WRONG_TYPE,
                         (*path, "actions"), f"expected a list of actions, found "
                         f"{_kind(actions)}")
            return result
        if len(actions) > MAX_ACTIONS:
            self.problem(Code.SCHEMA_LENGTH,
                         (*path, "actions"), f"{len(actions)} actions; the limit is "
                         f"{MAX_ACTIONS}")
        for i, action in enumerate(actions[:MAX_ACTIONS]):
            where = (*path, "actions", i)
            fields = self.mapping(action, where, ACTION_KEYS,
                                  "a mapping with 'text', 'owner' and 'due'")
            if not fields and not isinstance(action, dict):
                continue
            text = self.text(fields.get("text"), (*where, "text"), required=True)
            owner = self.text(fields.get("owner"), (*where, "owner"))
            due = self.due(fields.get("due"), (*where, "due"))
            if text:
                result.actions.append(AgreedAction(text=text, owner=owner, due=due))
        return result


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    return repr(value)


def parse_agreed(data: bytes, filename: str, qs: QuestionSet) -> Agreed:
    """Check an agreed-levels file's bytes against ``qs``; raise :class:`AgreedError`."""
    if not data.strip():
        raise AgreedError([Problem(file=filename, line=1, col=1, message="the file is empty",
                                   code=Code.FILE_EMPTY,
                                   hint="Expected 'agreed: 1', 'question_set: ...' and "
                                        "'principles:'; see docs/workshop.md")])
    value, smap, problems = load_yaml(data, filename)
    errors = [p for p in problems if p.severity == "error"]
    if errors and value is None:
        raise AgreedError(errors)
    checker = _Checker(qs, filename, smap)
    agreed = checker.check(value)
    # A date that does not exist (2027-13-45) is found by the YAML reader and again by the
    # check of the field: one problem, one line (the field's, with its hint).
    checked = {(p.line, p.col) for p in checker.problems}
    errors = [p for p in errors
              if not (p.code == Code.YAML_BAD_DATE and (p.line, p.col) in checked)]
    errors += checker.problems
    if errors:
        raise AgreedError(sorted(errors, key=lambda p: (p.line or 0, p.col or 0)))
    return agreed


def load_agreed(path: Path, qs: QuestionSet) -> Agreed:
    """Read and check ``path`` (see :func:`parse_agreed`)."""
    from leadlens.files import read_input

    # Through read_input: a FIFO is refused at once, /dev/zero or a huge file by its size.
    data = read_input(path, "agreed-levels file", error=AgreedError)
    return parse_agreed(data, str(path), qs)


def save_agreed(path: Path, agreed: Agreed) -> None:
    """Replace ``path`` with ``agreed`` atomically (fsynced; a crash keeps the old file)."""
    from leadlens.files import write_atomic

    write_atomic(path, agreed.to_yaml(), force=True)
    folder = path.parent if str(path.parent) else Path(".")
    with contextlib.suppress(OSError):  # the rename is durable too, where folders fsync
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
