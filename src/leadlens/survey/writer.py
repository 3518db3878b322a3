"""Appending completed respondents to a responses CSV: locked, whole rows, fsynced.

Several survey processes may share one responses file. Each append takes an exclusive
``flock`` on the file, checks the header, and writes the row with a single ``write`` on an
``O_APPEND`` descriptor followed by ``fsync``; a failed write is cut back off, so readers
never see a torn or interleaved row. A file whose header names other columns is refused,
never corrupted.
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

from leadlens.errors import Code, Problem, ResponsesError
from leadlens.files import not_regular, open_input
from leadlens.questionset.model import QuestionSet
from leadlens.responses.layout import responses_header
from leadlens.text import csv_record


def csv_line(cells: Sequence[str], newline: str = "\n") -> str:
    """One CSV record (quoted where needed, CR included) ending in ``newline``."""
    return csv_record(cells, newline)


def _read_header(fd: int, path: Path) -> tuple[list[str] | None, str]:
    """The first record of the open file (None when empty) and its line ending."""
    head = os.pread(fd, 65536, 0)
    if not head:
        return None, "\n"
    with os.fdopen(os.dup(fd), "r", encoding="utf-8-sig", newline="") as handle:
        handle.seek(0)
        try:
            header = next(csv.reader(handle), None)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ResponsesError([Problem(file=str(path), line=1,
                                          message=f"cannot read the header: {exc}",
                                          code=Code.FILE_UNREADABLE)]) from None
    end = head.find(b"\n")
    newline = "\r\n" if end > 0 and head[end - 1:end] == b"\r" else "\n"
    if header is None:
        raise ResponsesError([Problem(file=str(path), line=1, message="the file is not empty "
                                      "but has no header row",
                                      hint="Choose another -o path",
                                      code=Code.SURVEY_NO_HEADER)])
    return header, newline


def _listing(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def header_problem(path: Path, found: Sequence[str], expected: Sequence[str],
                   qs: QuestionSet) -> Problem | None:
    """Why ``found`` cannot take rows for ``expected`` (None when the columns match).

    The same columns in another order are fine: rows follow the file's order.
    """
    if len(set(found)) == len(found) and set(found) == set(expected):
        return None
    missing = [c for c in expected if c not in found]
    unexpected = [c for c in found if c not in expected]
    duplicated = sorted({c for c in found if list(found).count(c) > 1})
    parts = []
    if missing:
        parts.append(f"missing {_listing(missing)}")
    if unexpected:
        parts.append(f"unexpected {_listing(unexpected)}")
    if duplicated:
        parts.append(f"repeated {_listing(duplicated)}")
    return Problem(file=str(path), line=1,
                   message=f"the header does not match question set {qs.id!r} "
                           f"{qs.version} ({'; '.join(parts)})",
                   hint="Write to another file with -o, or use the question set this file "
                        "was collected with", code=Code.SURVEY_HEADER_MISMATCH)


def _refuse_unless_regular(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise ResponsesError([Problem(file=str(path), message="is a folder, not a file",
                                      hint="Give a file name with -o",
                                      code=Code.OUTPUT_IS_FOLDER)])
    if not stat.S_ISREG(mode):
        raise ResponsesError([not_regular(str(path), mode, output=True)])


def check_responses_file(path: Path, qs: QuestionSet) -> None:
    """Refuse early (before anyone answers) when ``path`` has a different header.

    Only a regular file (or a new one) is appended to: a FIFO, device or socket is refused.
    """
    try:
        _refuse_unless_regular(path, path.stat().st_mode)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ResponsesError([Problem(file=str(path), message="cannot read the responses "
                                      f"file: {exc.strerror or exc}",
                                      code=Code.FILE_UNREADABLE)]) from None
    if path.stat().st_size == 0:
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ResponsesError([Problem(file=str(path), message="cannot read the responses "
                                      f"file: {exc.strerror or exc}",
                                      code=Code.FILE_UNREADABLE)]) from None
    try:
        found, _ = _read_header(fd, path)
    finally:
        os.close(fd)
    problem = header_problem(path, found or [], responses_header(qs), qs)
    if problem is not None:
        raise ResponsesError([problem])


def append_row(path: Path, qs: QuestionSet, row: Mapping[str, str | None]) -> None:
    """Append one respondent to ``path`` (creating it with a header when new).

    ``row`` maps column names to cell text (None or absent = blank). Raises
    :class:`ResponsesError` when the existing header names other columns.
    """
    expected = responses_header(qs)
    unknown = [k for k in row if k not in expected]
    if unknown:  # a programming error, not a user one
        raise ValueError(f"columns not in the header: {unknown}")
    try:
        _append(path, qs, expected, row)
    except OSError as exc:
        raise ResponsesError([Problem(file=str(path), message="cannot write the responses "
                                      f"file: {exc.strerror or exc}",
                                      code=Code.OUTPUT_UNWRITABLE)]) from None


def _append(path: Path, qs: QuestionSet, expected: list[str],
            row: Mapping[str, str | None]) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK, 0o644)
    try:
        _refuse_unless_regular(path, os.fstat(fd).st_mode)
        fcntl.flock(fd, fcntl.LOCK_EX)
        found, newline = _read_header(fd, path)
        payload = ""
        columns = expected
        if found is None:
            payload = csv_line(expected, newline)
        else:
            problem = header_problem(path, found, expected, qs)
            if problem is not None:
                raise ResponsesError([problem])
            columns = found
            size = os.fstat(fd).st_size
            if os.pread(fd, 1, size - 1) not in (b"\n", b"\r"):
                payload = newline  # the last row has no line break (edited elsewhere)
        payload += csv_line([row.get(c) or "" for c in columns], newline)
        _write_all(fd, payload.encode("utf-8"))
    finally:
        os.close(fd)  # releases the lock


def _write_all(fd: int, data: bytes) -> None:
    """Write ``data`` at the end in one go and fsync; on failure cut the file back."""
    start = os.fstat(fd).st_size
    try:
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
        os.fsync(fd)
    except OSError:
        os.ftruncate(fd, start)
        raise


def saved_respondent_ids(path: Path) -> set[str]:
    """The respondent ids already in the responses file (empty when there is none yet).

    ``--resume`` checks a journal against them: a crash after the row was appended but
    before the journal was removed must not save that respondent twice. The file's header
    was checked by :func:`check_responses_file`; an unreadable row is simply not counted.
    """
    if not path.is_file():
        return set()
    ids: set[str] = set()
    # Through the inputs' own checks (a regular file, the size cap), as every reader.
    with open_input(path, "responses file") as raw, io.TextIOWrapper(
            raw, encoding="utf-8-sig", newline="", errors="replace") as handle:
        try:
            for row in csv.DictReader(handle):
                rid = (row.get("respondent_id") or "").strip()
                if rid:
                    ids.add(rid)
        except csv.Error:
            pass  # the reader gives the located error when the file is scored
    return ids
