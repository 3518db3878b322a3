"""Reading inputs and writing outputs: only regular files, bounded, atomic, never destroyed.

Inputs are read by :func:`read_input` alone: a regular file (or standard input, named ``-``)
whose size is checked against a cap before a byte is read, and read with bounded memory. A
FIFO, a device, a socket or a folder is refused at once instead of hanging or filling memory.

Outputs are written by :func:`write_atomic`: a temporary file in the target's folder, then a
rename, and only over a regular file (with ``--force``). A FIFO, a device, a socket or a
folder at the target is refused, even with ``--force``, so ``-o /dev/null`` can never replace
the machine's ``/dev/null``; a symbolic link to a missing file is not replaced without
``--force``. Temporaries are named ``.NAME.leadlens-PID-XXXX.tmp``: a later write to the same
target removes those whose process is gone (after ``kill -9``), and SIGTERM (see
:func:`terminate_cleanly`) unwinds like Ctrl-C, so the temporary of the write in progress is
removed.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import shlex
import signal
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import BinaryIO

from leadlens.errors import Code, LeadlensError, OutputExistsError, Problem

MiB = 1024 * 1024

LIMITS = {
    "question set": 2 * MiB,
    "answers file": 1 * MiB,
    "mapping file": 2 * MiB,
    "template": 1 * MiB,
    "results document": 256 * MiB,
    "responses file": 1024 * MiB,
    "agreed-levels file": 1 * MiB,
    "group-aliases file": 2 * MiB,
    "comment-id list": 1 * MiB,
    "workshop state file": 16 * MiB,  # grows by a keyed hash per person and answer shown
    "survey journal": 16 * MiB,
}
"""The largest input of each kind, in bytes (docs/design.md lists them)."""

STDIN = "-"
_CHUNK = 1 * MiB


class InputError(LeadlensError):
    """An input file could not be read: missing, not a regular file, or too large."""


class OutputError(LeadlensError):
    """An output file could not be written."""


# --- reading ----------------------------------------------------------------------------------

_KIND_NAMES = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}
_stdin_cache: dict[str, bytes | None] = {}
"""Standard input, read once; None once it proved larger than the limit."""


def _kind(mode: int) -> str:
    return _KIND_NAMES.get(stat.S_IFMT(mode), "not a regular file")


def _size_text(size: int) -> str:
    return f"{size / MiB:.1f} MiB" if size >= MiB else f"{size:,} bytes"


def _too_large(name: str, what: str, limit: int, size: int | None, *, stdin: bool = False
               ) -> InputError:
    shown = f"is {_size_text(size)}" if size is not None else "is larger than that"
    if stdin:
        return InputError([Problem(
            file=name, message=f"too large: standard input (a {what}) may be at most "
                               f"{_size_text(limit)}; this {shown}",
            hint="Split the input, or check that it is the input you meant",
            code=Code.FILE_TOO_LARGE)])
    return InputError([Problem(
        file=name, message=f"too large: a {what} may be at most {_size_text(limit)}; this "
                           f"{shown}",
        hint="Split the file, or check that it is the file you meant",
        code=Code.FILE_TOO_LARGE)])


def read_input(path: Path | str, what: str, *, name: str | None = None,
               limit: int | None = None, error: type[LeadlensError] = InputError) -> bytes:
    """The bytes of one input: a regular file, or standard input when ``path`` is ``-``.

    The size is checked against ``limit`` (default: :data:`LIMITS` for ``what``) before
    anything is read, and reading stops one byte past it, so memory stays bounded even when
    the file grows while it is read. Standard input is read once and remembered, so readers
    that look at an input twice see the same bytes.

    Raises:
        InputError: (or the caller's ``error`` class) missing or unreadable, not a regular
            file (FIFO, device, socket, folder), or larger than the limit.
    """
    try:
        return _read_input(path, what, name or str(path), limit)
    except InputError as exc:
        if error is InputError:
            raise
        raise error(exc.problems) from None


def _read_input(path: Path | str, what: str, shown: str, limit: int | None) -> bytes:
    cap = LIMITS[what] if limit is None else limit
    if str(path) == STDIN:
        if STDIN not in _stdin_cache:
            try:
                _stdin_cache[STDIN] = _read_bounded(sys.stdin.buffer.fileno(), shown, what, cap,
                                                    stdin=True)
            except InputError:
                # What was read is gone from the pipe: a second look (the reader after a
                # format sniff) would see only the rest, and call it empty or headerless.
                _stdin_cache[STDIN] = None
                raise
        data = _stdin_cache[STDIN]
        if data is None:
            raise _too_large(shown, what, cap, None, stdin=True)
        if len(data) > cap:
            raise _too_large(shown, what, cap, len(data), stdin=True)
        return data
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once (and is then refused).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError([unreadable_input(shown, exc)]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError([not_regular(shown, info.st_mode)])
        if info.st_size > cap:
            raise _too_large(shown, what, cap, info.st_size)
        return _read_bounded(fd, shown, what, cap)
    except OSError as exc:
        raise InputError([unreadable_input(shown, exc)]) from None
    finally:
        os.close(fd)


def read_head(path: Path | str, size: int, what: str = "responses file", *,
              name: str | None = None, error: type[LeadlensError] = InputError) -> bytes:
    """The first ``size`` bytes of an input, after the checks of :func:`read_input`."""
    if str(path) == STDIN:
        return read_input(path, what, name=name, error=error)[:size]
    try:
        return _head(path, size, what, name or str(path))
    except InputError as exc:
        if error is InputError:
            raise
        raise error(exc.problems) from None


@contextlib.contextmanager
def open_input(path: Path | str, what: str, *, name: str | None = None
               ) -> Iterator[BinaryIO]:
    """An input opened for streaming, after the checks of :func:`read_input` (regular file,
    size cap); standard input (``-``) is its remembered bytes."""
    shown = name or str(path)
    if str(path) == STDIN:
        yield io.BytesIO(read_input(path, what, name=name))
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError([unreadable_input(shown, exc)]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError([not_regular(shown, info.st_mode)])
        if info.st_size > LIMITS[what]:
            raise _too_large(shown, what, LIMITS[what], info.st_size)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        yield handle


def _head(path: Path | str, size: int, what: str, shown: str) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError([unreadable_input(shown, exc)]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError([not_regular(shown, info.st_mode)])
        if info.st_size > LIMITS[what]:
            raise _too_large(shown, what, LIMITS[what], info.st_size)
        return os.read(fd, size)
    except OSError as exc:
        raise InputError([unreadable_input(shown, exc)]) from None
    finally:
        os.close(fd)


def _read_bounded(fd: int, shown: str, what: str, cap: int, *, stdin: bool = False) -> bytes:
    # A regular file opened O_NONBLOCK reads as usual; standard input may be a pipe.
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(_CHUNK, cap + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > cap:
            raise _too_large(shown, what, cap, None, stdin=stdin)


def not_regular(name: str, mode: int, *, output: bool = False) -> Problem:
    """The one wording for an input or output that is a FIFO, device, socket or folder."""
    kind = _kind(mode)
    if stat.S_ISDIR(mode):
        if not output:
            return unreadable_input(name, IsADirectoryError(errno.EISDIR,
                                                            os.strerror(errno.EISDIR)))
        return Problem(file=name, message="is a folder, not a file",
                       hint="Give a file name, e.g. -o results.json",
                       code=Code.OUTPUT_IS_FOLDER)
    return Problem(file=name, message=f"is {kind}, not a regular file",
                   hint="leadlens reads and writes only regular files (and '-' for standard "
                        "input or output where a command offers it)",
                   code=Code.OUTPUT_NOT_REGULAR if output else Code.FILE_NOT_REGULAR)


def unreadable_input(name: str, exc: OSError) -> Problem:
    """An input that cannot be opened or read (missing, no permission)."""
    from leadlens.errors import unreadable

    return unreadable(name, exc)


# --- writing ----------------------------------------------------------------------------------

_TMP_TAG = ".leadlens-"


def _existing(path: Path, *, force: bool) -> bool:
    """Whether something is at ``path``; refuse what may not be replaced.

    A regular file (or a link to one) needs ``force``; a link to nothing needs ``force`` too
    (the link is replaced, never followed). Anything else is refused even with ``force``.
    """
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise OutputError([Problem(file=str(path), message="cannot write: "
                                   f"{exc.strerror or exc}",
                                   code=Code.OUTPUT_UNWRITABLE)]) from None
    try:
        target = os.stat(path)
    except FileNotFoundError:
        if not force:
            raise OutputExistsError([Problem(
                file=str(path), message="is a symbolic link to a missing file; not replaced",
                hint="Pass --force to replace the link with the file, or choose another "
                     "-o path", code=Code.OUTPUT_EXISTS)]) from None
        return True
    except OSError as exc:
        raise OutputError([Problem(file=str(path), message="cannot write: "
                                   f"{exc.strerror or exc}",
                                   code=Code.OUTPUT_UNWRITABLE)]) from None
    if not stat.S_ISREG(target.st_mode):
        raise OutputError([not_regular(str(path), target.st_mode, output=True)])
    if not force:
        message = ("is a symbolic link to a file; not overwritten" if stat.S_ISLNK(link.st_mode)
                   else "file exists; not overwritten")
        raise OutputExistsError([Problem(
            file=str(path), message=message,
            hint="Pass --force to replace it, or choose another -o path",
            code=Code.OUTPUT_EXISTS)])
    return True


def check_folder(path: Path) -> None:
    """Refuse an output whose folder does not exist (as most command-line tools do).

    Creating it would turn a typo in a path (``-o reprots/board.html``) into a new folder
    holding the report, where nobody looks for it.

    Raises:
        OutputError: the folder is missing, or is not a folder.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if folder.is_dir():
        return
    shown = shlex.quote(str(folder))
    missing = not folder.exists()
    raise OutputError([Problem(
        file=str(path), message=f"the folder {str(folder)!r} does not exist" if missing
        else f"{str(folder)!r} is not a folder",
        hint=f"Create it first (mkdir -p {shown}), or check the path" if missing
        else "Check the path", code=Code.OUTPUT_NO_FOLDER)])


def check_writable(path: Path, *, force: bool,
                   inputs: Iterable[Path | str | None] = ()) -> None:
    """Raise before any work is done when ``path`` may not be written.

    Raises:
        OutputExistsError: something replaceable is there and ``force`` is off.
        OutputError: a folder, FIFO, device or socket is there (even with ``force``), the
            folder it would go in does not exist (:func:`check_folder`), or it is one of the
            command's ``inputs`` (the same file, by any name: a link, a hard link), which
            ``force`` never replaces: the input would be lost.
    """
    check_folder(path)
    _refuse_an_input(path, inputs)
    _existing(path, force=force)


def _refuse_an_input(path: Path, inputs: Iterable[Path | str | None]) -> None:
    try:
        out = os.stat(path)
    except OSError:
        return  # nothing there to lose (a dangling link is handled by _existing)
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        try:
            source = os.stat(given)
        except OSError:
            continue
        if (source.st_dev, source.st_ino) == (out.st_dev, out.st_ino):
            same = "" if os.path.abspath(given) == os.path.abspath(path) else f" ({given})"
            raise OutputError([Problem(
                file=str(path), message=f"is one of this command's inputs{same}; not "
                                        "overwritten, even with --force",
                hint="Choose another -o path: writing it would replace the input",
                code=Code.OUTPUT_IS_INPUT)])


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, data: str | bytes, *, force: bool) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    Readers never see a half-written file, and a failure leaves any old file untouched.
    A missing folder is refused (:func:`check_folder`), not created. Operating-system
    failures (no permission, a folder where the file should be, a full disk) become an
    :class:`OutputError`.
    """
    check_writable(path, force=force)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        _replace_with(path, payload, force=force)
    except OSError as exc:
        raise OutputError([Problem(file=str(path), message="cannot write: "
                                   f"{exc.strerror or exc}",
                                   code=Code.OUTPUT_UNWRITABLE)]) from None


def _tmp_pattern(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(f".{name}{_TMP_TAG}") + r"(?P<pid>[0-9]+)-[A-Za-z0-9_]+\.tmp")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone else's process
        return True
    return True


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove temporaries that an earlier write to ``path`` left behind (it was killed).

    Only regular files named like ours, owned by this user, whose process has gone.
    """
    folder = path.parent if str(path.parent) else Path(".")
    pattern = _tmp_pattern(path.name)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or _alive(int(match["pid"])):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _replace_with(path: Path, payload: bytes, *, force: bool) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{_TMP_TAG}{os.getpid()}-", suffix=".tmp",
                               dir=folder)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(fd, _default_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        # Look again: something may have appeared while we worked (another run, a FIFO).
        _existing(path, force=force)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def bundled_dir(name: str) -> Path:
    """A folder of bundled data (``question_sets``, ``report_templates``).

    Inside an installed wheel it sits in the package; in an editable install of the
    repository, at the repository's root.
    """
    packaged = Path(str(resources.files("leadlens"))) / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


# --- signals ----------------------------------------------------------------------------------

class Terminated(SystemExit):
    """SIGTERM arrived: unwind (removing temporaries) and exit 143, as killed by SIGTERM."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated(128 + signum)


def terminate_cleanly() -> None:
    """Make SIGTERM unwind like Ctrl-C, so ``finally`` blocks remove temporary files."""
    signal.signal(signal.SIGTERM, _on_sigterm)
