"""Atomic output writing: no overwrite without force, normal permissions, no temp left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from leadlens.errors import OutputExistsError
from leadlens.files import OutputError, write_atomic


def test_writes_with_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "report.md"
        write_atomic(target, "hello", force=False)
    finally:
        os.umask(old)
    assert target.read_text() == "hello"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["report.md"]


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old")
    with pytest.raises(OutputExistsError) as info:
        write_atomic(target, "new", force=False)
    assert str(info.value.problems[0]) == (
        f"{target}: file exists; not overwritten. Pass --force to replace it, or choose "
        "another -o path")
    assert target.read_text() == "old"
    write_atomic(target, b"new", force=True)
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_unwritable_places_are_clean_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "results.json"
    blocker.write_text("{}")
    with pytest.raises(OutputError) as info:
        write_atomic(blocker / "x.json", "x", force=False)
    assert str(info.value.problems[0]) == (f"{blocker / 'x.json'}: {str(blocker)!r} is not a "
                                           "folder. Check the path")
    folder = tmp_path / "d"
    folder.mkdir()
    with pytest.raises(OutputError) as info:
        write_atomic(folder, "x", force=True)
    assert str(info.value.problems[0]) == (
        f"{folder}: is a folder, not a file. Give a file name, e.g. -o results.json")
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(OutputError):
            write_atomic(locked / "x.json", "x", force=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "locked", "results.json"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["d", "results.json"]
    assert list(folder.iterdir()) == []
