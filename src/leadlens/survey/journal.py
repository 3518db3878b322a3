"""The partial journal: every answer on disk the moment it is given.

Beside the responses file ``responses.csv`` an unfinished respondent lives in
``responses.csv.partial.jsonl`` (``.partial-2.jsonl`` and so on when several survey
processes share one responses file). Line 1 says which question set and respondent it
belongs to; each further line is one answer ``{"key": ..., "value": ...}`` (``null`` =
skipped), later lines replacing earlier ones for the same key. Each line is written with one
``write`` and fsynced, so Ctrl-C, a closed terminal or a crash loses nothing; a torn last
line (a crash mid-write) is ignored on reading. A running survey holds an exclusive lock on
its journal, so ``--resume`` never picks up a respondent who is still answering elsewhere.
The journal is removed only after the respondent's row is safely in the responses file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from leadlens.errors import Code, Problem, ResponsesError
from leadlens.questionset.model import QuestionSet
from leadlens.survey.flow import Value

JOURNAL_VERSION = 1
_NAME = re.compile(r"\.partial(?:-(\d+))?\.jsonl$")


def journal_path(output: Path, number: int = 1) -> Path:
    """``responses.csv.partial.jsonl`` (number 1) or ``responses.csv.partial-N.jsonl``."""
    suffix = ".partial.jsonl" if number == 1 else f".partial-{number}.jsonl"
    return output.with_name(output.name + suffix)


def _candidates(output: Path) -> list[Path]:
    folder = output.parent if str(output.parent) else Path(".")
    found: list[tuple[int, Path]] = []
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.startswith(output.name) and path.is_file():
                match = _NAME.fullmatch(path.name[len(output.name):])
                if match:
                    found.append((int(match.group(1) or 1), path))
    return [p for _, p in sorted(found)]


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be fsynced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@dataclass(frozen=True)
class SessionMark:
    """Which session a respondent belongs to: its size (None = a loop) and their number."""

    respondents: int | None = 1
    number: int = 1
    summary: bool = False

    def record(self) -> dict[str, object]:
        return {"respondents": self.respondents, "number": self.number,
                "summary": self.summary}

    @classmethod
    def of(cls, header: dict[str, object]) -> SessionMark:
        """From a journal header; journals from before sessions were recorded: one of one."""
        mark = header.get("session")
        if not isinstance(mark, dict):
            return cls()
        total, number = mark.get("respondents"), mark.get("number")
        return cls(respondents=total if isinstance(total, int) and total > 0 else None,
                   number=number if isinstance(number, int) and number > 0 else 1,
                   summary=mark.get("summary") is True)


def describe(path: Path) -> str:
    """A journal for the facilitator: name, start time, answers so far, place in its session
    (never an answer)."""
    try:
        header, answers = read_journal(path)
    except ResponsesError:
        return f"{path.name}: cannot be read"
    mark = SessionMark.of(header)
    started = str(header.get("started_at", "?")).replace("T", " ").replace("+00:00", " UTC")
    of = f" of {mark.respondents}" if mark.respondents else " (workshop loop)"
    given = sum(v is not None for v in answers.values())
    return (f"{path.name}: respondent {mark.number}{of}, started {started}, "
            f"{given} answer(s) so far")


@dataclass
class Journal:
    """An open, locked journal for one respondent."""

    path: Path
    fd: int
    respondent_id: str
    question_set: str
    answers: dict[str, Value] = field(default_factory=dict)
    header: dict[str, object] = field(default_factory=dict)

    @property
    def session(self) -> SessionMark:
        """The session this respondent was part of (as recorded when it started)."""
        return SessionMark.of(self.header)

    @classmethod
    def create(cls, output: Path, qs: QuestionSet, respondent_id: str,
               session: SessionMark | None = None) -> Journal:
        """Start a new journal beside ``output`` under the first free name, and lock it.

        Raises:
            ResponsesError: the folder cannot take it (full disk, read-only, no permission);
                nothing is left behind.
        """
        folder = output.parent if str(output.parent) else Path(".")
        path = journal_path(output)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            number = 1
            while True:
                path = journal_path(output, number)
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND,
                                 0o600)
                except FileExistsError:
                    number += 1
                    continue
                break
        except OSError as exc:
            raise journal_error(path, exc) from None
        fcntl.flock(fd, fcntl.LOCK_EX)
        journal = cls(path=path, fd=fd, respondent_id=respondent_id, question_set=qs.id)
        header: dict[str, object] = {
            "journal": JOURNAL_VERSION, "question_set": qs.id, "version": qs.version,
            "respondent_id": respondent_id,
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        if session is not None:
            header["session"] = session.record()
        journal.header = header
        try:
            journal._write(header)
        except ResponsesError:
            journal.remove()  # a journal without its first line is no journal
            raise
        _fsync_dir(folder)
        return journal

    @classmethod
    def resume(cls, output: Path, qs: QuestionSet, chosen: Path | None = None
               ) -> Journal | None:
        """Open and lock the first unfinished journal beside ``output`` nobody else holds
        (or ``chosen``, one of them).

        Returns None when there is none. Raises :class:`ResponsesError` when the journal
        belongs to another question set or cannot be read.
        """
        for path in [chosen] if chosen is not None else _candidates(output):
            try:
                fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_NONBLOCK)
            except FileNotFoundError:  # finished by another process meanwhile
                continue
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # refused with its message
                os.close(fd)
                _journal_bytes(path)
                continue
            if not _try_lock(fd):
                os.close(fd)
                continue
            try:
                header, answers = read_journal(path)
            except ResponsesError:
                os.close(fd)
                raise
            if header.get("question_set") != qs.id:
                os.close(fd)
                raise ResponsesError([Problem(
                    file=str(path), line=1,
                    message=f"this unfinished respondent answered question set "
                            f"{header.get('question_set')!r}, not {qs.id!r}",
                    hint=f"Resume with --question-set {header.get('question_set')}",
                    code=Code.SURVEY_JOURNAL_OTHER_SET)])
            # A torn last line (never a whole answer) is cut off before appending.
            data = _journal_bytes(path)
            if data and not data.endswith(b"\n"):
                os.ftruncate(fd, data.rfind(b"\n") + 1)
            return cls(path=path, fd=fd, respondent_id=str(header.get("respondent_id", "")),
                       question_set=qs.id, answers=answers, header=header)
        return None

    def _write(self, record: dict[str, object]) -> None:
        """Append one whole line and fsync; on failure (a full disk) cut it back off, so the
        journal never holds a torn line and stays resumable."""
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        start = -1
        try:
            start = os.fstat(self.fd).st_size
            written = 0
            while written < len(data):
                written += os.write(self.fd, data[written:])
            os.fsync(self.fd)
        except OSError as exc:
            if start >= 0:
                with contextlib.suppress(OSError):
                    os.ftruncate(self.fd, start)
            raise journal_error(self.path, exc) from None

    def record(self, key: str, value: Value) -> None:
        """Journal one answer (None = skipped); it is on disk when this returns."""
        self._write({"key": key, "value": value})
        self.answers[key] = value

    def close(self) -> None:
        """Release the lock and close; the file stays for ``--resume``."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def remove(self) -> None:
        """Delete the journal (after its respondent is safely saved) and close it."""
        self.path.unlink(missing_ok=True)
        _fsync_dir(self.path.parent)
        self.close()


MIN_FREE_BYTES = 64 * 1024
"""Below this much free space a survey does not start: a journal line or a row may not fit."""


def check_folder(output: Path) -> None:
    """Refuse before anyone answers when the folder of ``output`` cannot take the journal
    and the rows: read-only, not writable, or (nearly) full."""
    folder = output.parent if str(output.parent) else Path(".")
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the first existing folder is where new ones are made
    if not os.access(folder, os.W_OK):
        raise journal_error(folder, PermissionError(13, "the folder is not writable"))
    try:
        space = os.statvfs(folder)
    except OSError:
        return
    if space.f_bavail * space.f_frsize < MIN_FREE_BYTES:
        raise journal_error(folder, OSError(28, os.strerror(28)))


def journal_error(path: Path, exc: OSError) -> ResponsesError:
    """A journal that cannot be written (full disk, read-only folder) is bad input."""
    return ResponsesError([Problem(
        file=str(path), message=f"cannot write the survey journal: {exc.strerror or exc}",
        hint="Free some space or choose a writable folder with -o; answers already journaled "
             "are kept for --resume", code=Code.SURVEY_UNWRITABLE)])


def _journal_bytes(path: Path) -> bytes:
    """A journal's bytes, read as every input is: a regular file (a FIFO planted in its place
    is refused, never waited on) of bounded size (:data:`leadlens.files.LIMITS`)."""
    from leadlens.files import read_input

    return read_input(path, "survey journal", error=ResponsesError)


def read_journal(path: Path) -> tuple[dict[str, object], dict[str, Value]]:
    """The header and the latest answer per key of a journal file."""
    data = _journal_bytes(path)
    lines = data.split(b"\n")
    torn = not data.endswith(b"\n")
    header: dict[str, object] = {}
    answers: dict[str, Value] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        last = number == len(lines)
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            if last and torn:
                break  # written half-way when the process died: that answer was never given
            raise ResponsesError([Problem(file=str(path), line=number,
                                          message="not a journal line (damaged file?)",
                                          code=Code.SURVEY_JOURNAL_DAMAGED)]) \
                from None
        if not isinstance(record, dict):
            raise ResponsesError([Problem(file=str(path), line=number,
                                          message="not a journal line (damaged file?)",
                                          code=Code.SURVEY_JOURNAL_DAMAGED)])
        if number == 1:
            if record.get("journal") != JOURNAL_VERSION:
                raise ResponsesError([Problem(file=str(path), line=1,
                                              message="not a leadlens survey journal",
                                              code=Code.SURVEY_JOURNAL_DAMAGED)])
            header = record
            continue
        key, value = record.get("key"), record.get("value")
        if isinstance(key, str) and (value is None or isinstance(value, str)):
            answers[key] = value
    if not header:
        raise ResponsesError([Problem(file=str(path), line=1,
                                      message="empty journal: nothing to resume",
                                      code=Code.SURVEY_NOTHING_TO_RESUME)])
    return header, answers


def unfinished(output: Path) -> list[Path]:
    """Journals beside ``output`` that no running survey holds (candidates for --resume)."""
    free: list[Path] = []
    for path in _candidates(output):
        try:  # O_NONBLOCK: a FIFO planted under a journal's name is not waited on
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode) and _try_lock(fd):
                free.append(path)
        finally:
            os.close(fd)
    return free
