"""Inputs that are not what a command expects: one located line on stderr and exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from leadlens.cli import app

runner = CliRunner()

NOT_TEXT_HINT = "Give a responses CSV (UTF-8) or a survey platform's CSV or .xlsx export"


@pytest.mark.parametrize("command", ["score", "inspect"])
def test_a_binary_file_is_not_a_text_file(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bin.csv"
    # UTF-8 text up front, then bytes that are not: once read as "mixed encodings".
    path.write_bytes("id,\u07fb\n".encode() + bytes(range(256)) * 8)
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"{path}:2: not a text (CSV) file: it contains NUL bytes. "
                             f"{NOT_TEXT_HINT}\n")


def test_control_characters_without_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 0x1b]) * 20)
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:1: not a text (CSV) file: it is mostly control "
                             f"characters. {NOT_TEXT_HINT}\n")


def test_utf16_text_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    text = (EXAMPLES / "responses.csv").read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-16"))  # with a byte-order mark, as Excel writes it
    result = runner.invoke(app, ["score", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert '"respondents": 60' in result.stdout


MISSING_INPUTS = [
    (["inspect", "{missing}"], "missing"),
    (["inspect", "{folder}"], "folder"),
    (["inspect", str(EXAMPLES / "responses.csv"), "--mapping", "{missing}"], "missing"),
    (["score", "{missing}"], "missing"),
    (["score", str(EXAMPLES / "responses.csv"), "--mapping", "{folder}"], "folder"),
    (["report", "{missing}", "-o", "{out}"], "missing"),
    (["report", "{folder}", "-o", "{out}"], "folder"),
    (["survey", "--answers", "{missing}", "-o", "{out}"], "missing"),
    (["survey", "--answers", "{folder}", "-o", "{out}"], "folder"),
]


@pytest.mark.parametrize(("args", "which"), MISSING_INPUTS,
                         ids=[" ".join(a).replace(str(EXAMPLES), "EX") for a, _ in MISSING_INPUTS])
def test_an_input_that_cannot_be_read_is_bad_input(tmp_path: Path, args: list[str],
                                                   which: str) -> None:
    places = {"missing": tmp_path / "missing.csv", "folder": tmp_path / "folder",
              "out": tmp_path / "out.html"}
    places["folder"].mkdir()
    result = runner.invoke(app, [a.format(**places) for a in args])
    reason = {"missing": "No such file or directory", "folder": "Is a directory"}[which]
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"{places[which]}: cannot read: {reason}\n"
    assert not places["out"].exists()


@pytest.mark.parametrize("command", ["inspect", "score", "report", "survey"])
def test_unknown_options_are_still_usage_errors(command: str) -> None:
    result = runner.invoke(app, [command, "--no-such-option"])
    assert result.exit_code == 2
