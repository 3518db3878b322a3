"""Hostile file targets and inputs: FIFOs, devices, sockets, links, huge and endless files.

Every special file here is made in tmp_path (os.mkfifo, os.mknod, a bound socket), never
the machine's own /dev entries. Commands run in a subprocess with a timeout where a hang is
the failure being tested, so a regression fails instead of blocking the suite.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import BUNDLED, EXAMPLES
from leadlens.cli import app
from leadlens.errors import OutputExistsError
from leadlens.files import (
    LIMITS,
    InputError,
    OutputError,
    read_input,
    remove_stale_temporaries,
    write_atomic,
)

runner = CliRunner()
RESPONSES = EXAMPLES / "responses.csv"
NOT_REGULAR = ("not a regular file. leadlens reads and writes only regular files (and '-' for "
               "standard input or output where a command offers it)")
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _leadlens(*args: str, stdin: bytes | None = None, timeout: float = 60
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadlens", *args], input=(
        stdin.decode() if stdin is not None else None), capture_output=True, text=True,
        timeout=timeout, env=_env(), check=False)


class Hang(Exception):
    pass


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail (instead of blocking the suite) when a command waits more than 20 s."""
    def alarm(signum: int, frame: object) -> None:
        raise Hang("the command hung")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A character device node like /dev/null (1, 3), made here; needs root."""
    path = tmp_path / "null"
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return path


@pytest.fixture
def sock(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    yield path
    server.close()


# --- outputs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "device", "sock"])
@pytest.mark.parametrize("force", [False, True])
def test_special_files_are_never_replaced(request: pytest.FixtureRequest, kind: str,
                                          force: bool) -> None:
    target: Path = request.getfixturevalue(kind)
    before = os.lstat(target)
    with pytest.raises(OutputError) as info:
        write_atomic(target, "data", force=force)
    assert str(info.value.problems[0]).startswith(f"{target}: is a ")
    assert str(info.value.problems[0]).endswith(NOT_REGULAR)
    after = os.lstat(target)
    assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode),
                                                          before.st_ino)
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


@pytest.mark.parametrize("command", [
    ["score", str(RESPONSES), "-f", "json", "-o", "{target}", "--force"],
    ["score", str(RESPONSES), "-f", "csv", "-o", "{target}", "--force"],
    ["template", "-o", "{target}", "--format", "yaml", "--force"],
    ["survey", "--answers", str(EXAMPLES / "answers.yaml"), "-o", "{target}"],
])
def test_cli_refuses_a_device_as_output(device: Path, command: list[str]) -> None:
    result = runner.invoke(app, [a.format(target=device) for a in command])
    assert result.exit_code == 1, result.output
    assert result.stderr == f"{device}: is a character device, {NOT_REGULAR}\n"
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_report_refuses_a_fifo_as_output(tmp_path: Path, fifo: Path) -> None:
    results = tmp_path / "results.json"
    assert runner.invoke(app, ["score", str(RESPONSES), "-o", str(results)]).exit_code == 0
    result = runner.invoke(app, ["report", str(results), "-o", str(fifo), "-f", "md",
                                 "--force"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"{fifo}: is a FIFO (named pipe), {NOT_REGULAR}\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_folder_is_refused_even_with_force(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info:
        write_atomic(tmp_path, "x", force=True)
    assert str(info.value.problems[0]) == (f"{tmp_path}: is a folder, not a file. Give a "
                                           "file name, e.g. -o results.json")


def test_a_dangling_link_needs_force_and_is_never_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "out.json"
    link.symlink_to(elsewhere / "planted.json")
    with pytest.raises(OutputExistsError) as info:
        write_atomic(link, "new", force=False)
    assert str(info.value.problems[0]) == (
        f"{link}: is a symbolic link to a missing file; not replaced. Pass --force to replace "
        "the link with the file, or choose another -o path")
    assert link.is_symlink()
    write_atomic(link, "new", force=True)
    assert not link.is_symlink() and link.read_text() == "new"
    assert list(elsewhere.iterdir()) == []  # the link's target was never created


def test_a_link_to_a_file_needs_force(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with pytest.raises(OutputExistsError, match="is a symbolic link to a file; not overwritten"):
        write_atomic(link, "new", force=False)
    assert real.read_text() == "old"


def test_a_link_to_a_device_is_refused(tmp_path: Path, device: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(device)
    with pytest.raises(OutputError, match="is a character device"):
        write_atomic(link, "x", force=True)
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)


def test_a_later_run_removes_its_own_stale_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)  # that process has exited
    stale = tmp_path / f".results.json.leadlens-{dead_pid}-abc123.tmp"
    stale.write_text("half")
    live = tmp_path / f".results.json.leadlens-{os.getppid()}-xyz.tmp"  # a running process
    live.write_text("in progress")
    other = tmp_path / f".other.json.leadlens-{dead_pid}-abc.tmp"  # another target's
    other.write_text("x")
    unrelated = tmp_path / ".results.json.notes.tmp"  # not named like ours
    unrelated.write_text("keep")
    write_atomic(target, "{}", force=False)
    assert not stale.exists()
    assert live.exists() and other.exists() and unrelated.exists()
    assert remove_stale_temporaries(target) == []


@pytest.mark.slow
def test_sigterm_during_a_write_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from leadlens.cli import _app

        def slow_fsync(fd):
            Path({str(ready)!r}).write_text("x")
            time.sleep(30)

        os.fsync = slow_fsync
        sys.argv = ["leadlens", "template", "-o", {str(target)!r}]
        _app.main()
    """)
    child = subprocess.Popen([sys.executable, "-c", script], env=_env(),
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), "the write never started"
    assert any(p.name.startswith(".results.json.leadlens-") for p in tmp_path.iterdir())
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 128 + signal.SIGTERM
    assert stderr == "\nTerminated.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ready"]


# --- inputs -----------------------------------------------------------------------------------

FIFO_COMMANDS = [
    ["validate", "{path}"],
    ["score", "{path}"],
    ["inspect", "{path}"],
    ["score", str(RESPONSES), "--mapping", "{path}"],
    ["score", str(RESPONSES), "-q", "{path}"],
    ["survey", "--answers", "{path}", "-o", "{out}"],
    ["report", "{path}", "-o", "{out}.md"],
]


@pytest.mark.parametrize("command", FIFO_COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_a_fifo_without_writer_is_refused_not_waited_for(tmp_path: Path, fifo: Path,
                                                         command: list[str],
                                                         no_hang: None) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, [a.format(path=fifo, out=out) for a in command])
    assert result.exit_code == 1, result.output
    # validate lists problems on stdout (its report), the other commands on stderr
    assert f"{fifo}: is a FIFO (named pipe), {NOT_REGULAR}\n" in result.output
    assert not out.exists()


@pytest.mark.parametrize("command", FIFO_COMMANDS[:3] + FIFO_COMMANDS[5:],
                         ids=lambda c: " ".join(c[:3]))
def test_an_endless_device_is_refused_before_reading(tmp_path: Path, command: list[str]
                                                     ) -> None:
    zero = tmp_path / "zero"
    try:
        os.mknod(zero, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # what /dev/zero is
    except PermissionError:
        pytest.skip("making a device node needs root")
    result = runner.invoke(app, [a.format(path=zero, out=tmp_path / "out") for a in command])
    assert result.exit_code == 1
    assert f"{zero}: is a character device, {NOT_REGULAR}\n" in result.output


@pytest.mark.parametrize(("what", "command"), [
    ("question set", ["validate", "{path}"]),
    ("responses file", ["score", "{path}"]),
    ("answers file", ["survey", "--answers", "{path}", "-o", "{out}"]),
    ("results document", ["report", "{path}", "-o", "{out}.md"]),
])
def test_size_is_checked_before_reading(tmp_path: Path, what: str, command: list[str],
                                        no_hang: None) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:  # sparse: huge on paper, nothing on disk
        handle.truncate(LIMITS[what] + 1)
    limit_mib = LIMITS[what] // (1024 * 1024)
    result = runner.invoke(app, [a.format(path=path, out=tmp_path / "out") for a in command])
    assert result.exit_code == 1
    assert f"{path}: too large: a {what} may be at most {limit_mib:.1f} MiB; this is " \
        in result.output


@pytest.mark.slow
def test_memory_stays_bounded_on_a_huge_sparse_responses_file(tmp_path: Path) -> None:
    """Under a 1 GiB address-space cap, a 3 GiB (sparse) CSV is refused, not read."""
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(b"respondent_id,organisation\n")
        handle.truncate(3 * 1024**3)
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))
        from leadlens.cli import _app
        sys.argv = ["leadlens", "score", {str(path)!r}]
        _app.main()
    """)
    result = subprocess.run([sys.executable, "-c", script], env=_env(), capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}: too large: a responses file may be at most ")
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_stdin_is_read_when_asked_for_with_a_dash() -> None:
    result = _leadlens("validate", "-", stdin=BUNDLED.read_bytes())
    assert result.returncode == 0, result.stderr
    scored = _leadlens("score", "-", "-f", "json", stdin=RESPONSES.read_bytes())
    assert scored.returncode == 0, scored.stderr
    assert '"respondents": 60' in scored.stdout


def test_read_input_caps_a_growing_input(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 100)
    assert read_input(path, "question set", limit=100) == b"x" * 100
    with pytest.raises(InputError, match="too large: a question set may be at most 99 bytes"):
        read_input(path, "question set", limit=99)
