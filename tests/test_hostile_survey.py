"""A full disk during the survey: a clear error, the journal whole and resumable.

ENOSPC is simulated by replacing ``os.write`` (writes to the journal or the responses file
fail part-way, as on a full disk) and ``os.statvfs`` (no space left at the start).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from leadlens.errors import ResponsesError
from leadlens.survey.journal import read_journal
from leadlens.survey.session import SessionOptions, run_session
from survey_support import FULL, KEYS, ScriptedPrompter, answers, survey_set, write_set

SRC = str(Path(__file__).resolve().parents[1] / "src")
REAL_WRITE = os.write
FULL_INPUT = "Acme Trust\nlocal authority\n3\n2\n3\nd\n1\n3\nA story\n\n"


def _full_disk_on(target: str, after: int) -> Callable[[int, bytes], int]:
    """os.write that fails like a full disk on the ``after``-th write to ``target``, having
    written half of it (a torn line, unless the writer cuts it back)."""
    calls = [0]

    def write(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(target):
            calls[0] += 1
            if calls[0] >= after:
                REAL_WRITE(fd, bytes(data[: len(data) // 2]))
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return REAL_WRITE(fd, data)

    return write


def _session(tmp_path: Path, script: list[object], *, resume: bool = False) -> int:
    counter = iter(range(1, 100))
    result = run_session(survey_set(), ScriptedPrompter(script),
                         SessionOptions(output=tmp_path / "responses.csv", respondents=1,
                                        resume=resume),
                         clock=lambda: "2026-03-01T10:00:00+00:00",
                         new_id=lambda: f"id{next(counter)}")
    return result.saved


def test_a_full_disk_mid_survey_keeps_a_whole_resumable_journal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "write", _full_disk_on(".partial.jsonl", after=4))
    with pytest.raises(ResponsesError) as caught:
        _session(tmp_path, answers(*FULL))
    journal = tmp_path / "responses.csv.partial.jsonl"
    assert [str(p) for p in caught.value.problems] == [
        f"{journal}: cannot write the survey journal: No space left on device. Free some "
        "space or choose a writable folder with -o; answers already journaled are kept for "
        "--resume"]
    data = journal.read_bytes()
    assert data.endswith(b"\n")  # the half-written line was cut back off
    assert read_journal(journal)[1] == {"org": "Acme Trust", "sector": "NHS trust"}
    monkeypatch.setattr(os, "write", REAL_WRITE)  # space freed
    assert _session(tmp_path, answers(*FULL[2:]), resume=True) == 1
    assert not journal.exists()
    rows = (tmp_path / "responses.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and rows[1].startswith("id1,")


def test_a_full_disk_when_saving_keeps_the_journal_and_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "responses.csv"
    monkeypatch.setattr(os, "write", _full_disk_on("responses.csv", after=1))
    with pytest.raises(ResponsesError, match="cannot write the responses file: No space left"):
        _session(tmp_path, answers(*FULL))
    assert output.read_bytes() == b""  # the torn row was cut back off
    kept = read_journal(tmp_path / "responses.csv.partial.jsonl")[1]
    assert kept == dict(zip(KEYS, FULL, strict=True))


def test_no_space_at_the_start_stops_before_anyone_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.statvfs

    def full(path: object) -> os.statvfs_result:
        stats = list(real(path))  # type: ignore[arg-type]
        stats[4] = 0  # f_bavail
        return os.statvfs_result(stats)

    monkeypatch.setattr(os, "statvfs", full)
    prompter = ScriptedPrompter(answers(*FULL))
    with pytest.raises(ResponsesError, match="No space left on device"):
        run_session(survey_set(), prompter, SessionOptions(output=tmp_path / "r.csv",
                                                           respondents=1))
    assert prompter.screens == []
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_stops_before_anyone_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # as on a read-only mount
    prompter = ScriptedPrompter(answers(*FULL))
    with pytest.raises(ResponsesError, match="cannot write the survey journal: the folder is "
                                             "not writable"):
        run_session(survey_set(), prompter, SessionOptions(output=tmp_path / "r.csv",
                                                           respondents=1))
    assert prompter.screens == []


@pytest.mark.slow
def test_cli_full_disk_mid_survey_is_one_line_and_exit_1(tmp_path: Path) -> None:
    set_path = write_set(tmp_path)
    script = textwrap.dedent(f"""
        import errno, os, sys
        real = os.write
        calls = [0]
        def write(fd, data):
            if os.readlink(f"/proc/self/fd/{{fd}}").endswith(".partial.jsonl"):
                calls[0] += 1
                if calls[0] >= 3:
                    real(fd, data[: len(data) // 2])
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(fd, data)
        os.write = write
        from leadlens.cli import _app
        sys.argv = ["leadlens", "survey", "--question-set", {str(set_path)!r}, "-o",
                    "responses.csv", "--plain"]
        _app.main()
    """)
    result = subprocess.run([sys.executable, "-c", script], input=FULL_INPUT,
                            capture_output=True, text=True, cwd=tmp_path, timeout=60,
                            check=False, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    journal = tmp_path / "responses.csv.partial.jsonl"
    assert read_journal(journal)[1] == {"org": "Acme Trust"}  # header, org; sector failed
    assert result.stderr.splitlines()[-1] == (
        "responses.csv.partial.jsonl: cannot write the survey journal: No space left on "
        "device. Free some space or make the folder writable; every answer given so far is "
        f"kept. Then continue with: leadlens survey --question-set {set_path} --resume -o "
        "responses.csv")
    assert journal.read_bytes().endswith(b"\n")
    resumed = subprocess.run([sys.executable, "-m", "leadlens", "survey", "--question-set",
                              str(set_path), "-o", "responses.csv", "--plain", "--resume"],
                             input="local authority\n3\n2\n3\nd\n1\n3\nA story\n\n",
                             capture_output=True,
                             text=True, cwd=tmp_path, timeout=60, check=False,
                             env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert resumed.returncode == 0, resumed.stderr
    assert not journal.exists()


def test_a_fifo_planted_as_a_journal_is_refused_never_waited_on(tmp_path: Path) -> None:
    # A FIFO under a journal's name would block an O_RDONLY open (and any read) for ever.
    os.mkfifo(tmp_path / "responses.csv.partial.jsonl")
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {SRC!r})
        from pathlib import Path
        from leadlens.errors import ResponsesError
        from leadlens.survey.journal import Journal, read_journal, unfinished
        from survey_support import survey_set
        journal = Path({str(tmp_path)!r}) / "responses.csv.partial.jsonl"
        assert unfinished(journal.parent / "responses.csv") == []
        for attempt in (lambda: read_journal(journal),
                        lambda: Journal.resume(journal.parent / "responses.csv", survey_set(),
                                               chosen=journal)):
            try:
                attempt()
            except ResponsesError as exc:
                print(exc.problems[0].code)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["file.not-regular", "file.not-regular"]


def test_a_journal_past_its_size_limit_is_refused_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from leadlens import files

    journal = tmp_path / "responses.csv.partial.jsonl"
    journal.write_bytes(b'{"journal": 1}\n' + b" " * 4096 + b"\n")
    monkeypatch.setitem(files.LIMITS, "survey journal", 1024)
    with pytest.raises(ResponsesError) as caught:
        read_journal(journal)
    assert caught.value.problems[0].code == "file.too-large"
