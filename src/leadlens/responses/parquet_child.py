"""Parquet pages decoded by polars in a child process, so a decoder abort is one located error.

A damaged page (not its header, which :mod:`leadlens.responses.parquet_footer` checks first)
can make polars' Rust decoder panic in one of its worker threads, and a panic there aborts
the whole process (SIGABRT): no Python code can catch it, and ``leadlens score`` would die
with "Fatal Python error: Aborted" instead of naming the file. So the pages are decoded in a
child process, which writes the decoded columns as Arrow IPC into an anonymous memory file
(``memfd_create``); the parent reads them from there and runs its usual checks on them. A
child that stops on a signal, runs past :data:`DECODE_SECONDS` or fails becomes a
:class:`Failure`, which :func:`leadlens.responses.frames.read_parquet_cells` words.

The child is a fork of this process when it has a single thread (nothing else can hold a
lock or a thread pool the child would need), else a fresh interpreter that imports only
polars (``python -I``): numpy's and polars' own threads start on import, so ``leadlens
score`` almost always takes the second way. docs/design.md gives the costs measured.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DECODE_SECONDS = 300.0
"""The longest a child may take to decode a file's pages (at most 1 GiB unpacked,
:data:`leadlens.responses.limits.MAX_UNPACKED_BYTES`, decodes in a few seconds)."""


class Failure(Exception):
    """The child did not give back the decoded columns."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(kind, detail)
        self.kind = kind
        """``error`` (polars refused the file), ``panic`` (a Rust panic polars turned into
        an exception), ``signal`` (the child was stopped by the signal named in ``detail``,
        e.g. SIGABRT), ``timeout`` (still decoding after ``detail`` seconds) or ``start``
        (no child, or it failed before decoding)."""
        self.detail = detail


def decode(data: bytes, columns: list[int] | None, *, seconds: float | None = None) -> Any:
    """The polars DataFrame of ``data``'s columns at ``columns`` (every column if None),
    decoded in a child process given ``seconds`` (default :data:`DECODE_SECONDS`).

    Raises:
        Failure: the child failed, stopped on a signal or ran out of time.
    """
    seconds = DECODE_SECONDS if seconds is None else seconds
    with _memory_file("leadlens-parquet-out") as out, \
            _memory_file("leadlens-parquet-status") as status:
        if _single_thread():
            _run_forked(data, columns, out, status, seconds)
        else:
            _run_spawned(data, columns, out, status, seconds)
        outcome = _read_status(status)
        if outcome.get("kind") != "ok":
            raise Failure(str(outcome.get("kind", "start")), str(outcome.get("detail", "")))
        import polars as pl  # imported while the child decoded (_meanwhile), after any fork

        try:
            return _read_back(out)
        except (pl.exceptions.PolarsError, OSError) as exc:  # what the child wrote is ours
            raise Failure("start", f"its decoded columns could not be read back ({exc})"
                          ) from None


def _single_thread() -> bool:
    """Whether this process runs one OS thread (then a fork is a safe copy of it)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


@contextlib.contextmanager
def _memory_file(name: str) -> Iterator[int]:
    """An anonymous memory file (Linux), else a private temporary file already unlinked."""
    try:
        fd = os.memfd_create(name, os.MFD_CLOEXEC)
    except (OSError, AttributeError):  # AttributeError: not Linux
        try:
            with tempfile.TemporaryFile() as private:  # unlinked at once where it can be
                fd = os.dup(private.fileno())
        except OSError as exc:
            raise Failure("start", f"no file for the decoder's output ({exc.strerror})"
                          ) from None
    try:
        yield fd
    finally:
        os.close(fd)


def _read_back(fd: int) -> Any:
    """The Arrow IPC the child wrote to ``fd``, mapped by polars where /proc names it."""
    import polars as pl

    if os.path.exists(f"/proc/self/fd/{fd}"):
        return pl.read_ipc(f"/proc/self/fd/{fd}")
    with os.fdopen(os.dup(fd), "rb") as stream:
        return pl.read_ipc(stream.read())


def _read_status(fd: int) -> dict[str, Any]:
    size = os.fstat(fd).st_size
    text = os.pread(fd, min(size, 64 * 1024), 0)
    try:
        outcome = json.loads(text) if text else {}
    except ValueError:
        outcome = {}
    return outcome if isinstance(outcome, dict) else {}


def _write_status(fd: int, kind: str, detail: str = "") -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"kind": kind, "detail": detail}).encode(), 0)


# --- the child's side -------------------------------------------------------------------------

def decode_into(data: bytes, columns: list[int] | None, out: int, status: int) -> None:
    """Decode ``data`` with polars into ``out`` (Arrow IPC) and say how it went in
    ``status`` (JSON). Runs in the child; a decoder abort ends it before ``status``."""
    import polars as pl

    try:
        frame = pl.read_parquet(io.BytesIO(data), columns=columns)
        with os.fdopen(out, "wb", closefd=False) as stream:
            frame.write_ipc(stream, compression="uncompressed")
    except pl.exceptions.PanicException:  # a BaseException; its text is polars' internals
        _write_status(status, "panic")
    except (pl.exceptions.PolarsError, OSError, ValueError, MemoryError) as exc:
        text = str(exc).strip()
        _write_status(status, "error", text.splitlines()[0] if text else type(exc).__name__)
    else:
        _write_status(status, "ok")


def _child_main() -> None:
    """A spawned child: ``python -I -c ... IN OUT STATUS COLUMNS`` (file descriptors passed
    with ``pass_fds``; COLUMNS a JSON list or null)."""
    source, out, status = (int(a) for a in sys.argv[1:4])
    columns = json.loads(sys.argv[4])
    with os.fdopen(source, "rb") as stream:
        data = stream.read()
    decode_into(data, columns, out, status)


# --- the parent's side ------------------------------------------------------------------------

def _run_forked(data: bytes, columns: list[int] | None, out: int, status: int,
                seconds: float) -> None:
    try:
        pid = os.fork()
    except OSError as exc:
        raise Failure("start", f"no process to decode it ({exc.strerror})") from None
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _silence_stderr()  # a Rust panic prints a backtrace there
            decode_into(data, columns, out, status)
            code = 0
        finally:
            os._exit(code)
    try:
        _meanwhile()
    finally:
        _wait_forked(pid, seconds)


def _meanwhile() -> None:
    """What the parent does while the child decodes: import polars, which it needs to read
    the columns back (0.2-0.5 s; it used to wait for the child first). An import that fails
    is left to :func:`_read_back`, after the child's outcome is known."""
    with contextlib.suppress(ImportError):
        import polars  # noqa: F401


def _silence_stderr() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _wait_forked(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    try:
        try:
            waiter: int | None = os.pidfd_open(pid)
        except (OSError, AttributeError):
            waiter = None
        try:
            while True:
                done, wait_status = os.waitpid(pid, os.WNOHANG)
                if done:
                    pid = 0
                    _check_exit(wait_status)
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("timeout", f"{seconds:g}")
                if waiter is not None:
                    select.select([waiter], [], [], left)
                else:
                    time.sleep(min(0.01, left))
        finally:
            if waiter is not None:
                os.close(waiter)
    finally:
        if pid:  # timed out, or interrupted (Ctrl-C, SIGTERM): the child goes too
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _check_exit(wait_status: int) -> None:
    if os.WIFSIGNALED(wait_status):
        raise Failure("signal", _signal_name(os.WTERMSIG(wait_status)))


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


_BOOT = ("import sys; sys.path[:0] = {paths!r}; "
         "from leadlens.responses.parquet_child import _child_main; _child_main()")


def _run_spawned(data: bytes, columns: list[int] | None, out: int, status: int,
                 seconds: float) -> None:
    import importlib.util

    # Only polars and this module are imported there: -I leaves the environment's paths
    # out, so the ones this process finds them on are given.
    polars = importlib.util.find_spec("polars")
    paths = list(dict.fromkeys(str(Path(origin).resolve().parents[depth]) for origin, depth
                               in ((polars and polars.origin, 1), (__file__, 2)) if origin))
    with _memory_file("leadlens-parquet-in") as source, \
            _memory_file("leadlens-parquet-errors") as errors:
        _write_all(source, data)
        os.lseek(source, 0, os.SEEK_SET)
        try:
            child = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [sys.executable, "-I", "-c", _BOOT.format(paths=paths), str(source), str(out),
                 str(status), json.dumps(columns)],
                pass_fds=(source, out, status), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=errors, close_fds=True)
        except OSError as exc:
            raise Failure("start", f"no process to decode it ({exc.strerror})") from None
        try:
            _meanwhile()
            code = child.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            raise Failure("timeout", f"{seconds:g}") from None
        finally:
            if child.returncode is None:  # timed out or interrupted: the child goes too
                child.kill()
                child.wait()
        if code < 0:
            raise Failure("signal", _signal_name(-code))
        if code != 0 and not os.fstat(status).st_size:
            raise Failure("start", _last_line(errors) or f"exit status {code}")


def _last_line(fd: int) -> str:
    size = os.fstat(fd).st_size
    text = os.pread(fd, 4096, max(0, size - 4096)).decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else ""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
