"""Atomic output writing: no overwrite without force, normal permissions, no temp left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from leadlens.errors import OutputExistsError
from leadlens.outputs import write_atomic


def test_writes_with_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "out" / "report.md"
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
