"""A --by choice field's value outside its choices: one located warning per value on the
terminal; the results document names the value only (its lines would give a size away)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import EXAMPLES
from leadlens.analysis.scoring import score_output
from leadlens.cli import app

runner = CliRunner()


def with_roles(tmp_path: Path, roles: dict[int, str]) -> Path:
    """examples/responses.csv with some respondents' role changed (row 1: first respondent)."""
    text = (EXAMPLES / "responses.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("role")
    for row, role in roles.items():
        rows[row][column] = role
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / "responses.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_a_value_outside_the_choices_is_one_line_per_value(tmp_path: Path) -> None:
    path = with_roles(tmp_path, {3: "CEO", 7: "CEO", 9: "ceo ", 12: "Chair"})
    output = score_output(path, None, ["role"])
    terminal = [str(w) for w in output.scored.terminal_warnings()
                if w.code == "scoring.not-a-choice"]
    assert terminal == [
        f"{path}:4: warning: --by role: 'CEO' (lines 4, 8, 10) is not one of the field's "
        "choices, so it is a group of its own. If it is one of them, list it under that "
        "choice in a --group-aliases file (docs/scoring.md, section 8); the choices: "
        "Board member (executive); Board member (non-executive); Elected member; Senior "
        "leader; Clinical leader; Manager; Other",
        f"{path}:13: warning: --by role: 'Chair' (line 13) is not one of the field's "
        "choices, so it is a group of its own. If it is one of them, list it under that "
        "choice in a --group-aliases file (docs/scoring.md, section 8); the choices: "
        "Board member (executive); Board member (non-executive); Elected member; Senior "
        "leader; Clinical leader; Manager; Other"]
    published = [w for w in output.results.warnings if w.code == "scoring.not-a-choice"]
    assert [w.message for w in published] == [
        "--by role: 'CEO' is not one of the field's choices, so it is a group of its own",
        "--by role: 'Chair' is not one of the field's choices, so it is a group of its own"]
    assert all(w.file is None and w.line is None for w in published)


def test_the_document_never_lists_the_lines_and_aliases_silence_it(tmp_path: Path) -> None:
    path = with_roles(tmp_path, {3: "CEO", 7: "CEO"})
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["score", str(path), "--by", "role", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "'CEO' (lines 4, 8) is not one of the field's choices" in result.stderr
    document = out.read_text(encoding="utf-8")
    assert "lines 4, 8" not in document and "not one of the field's choices" in document
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("role:\n  Senior leader: [CEO]\n", encoding="utf-8")
    merged = runner.invoke(app, ["score", str(path), "--by", "role", "--group-aliases",
                                 str(aliases), "-o", str(tmp_path / "m.json")])
    assert merged.exit_code == 0, merged.output
    assert "not one of the field's choices" not in merged.stderr
    warnings = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["warnings"]
    assert not [w for w in warnings if w["code"] == "scoring.not-a-choice"]


def test_a_text_field_has_no_choices_to_be_outside(tmp_path: Path) -> None:
    path = with_roles(tmp_path, {3: "CEO"})
    output = score_output(path, None, ["organisation"])
    assert not [w for w in output.results.warnings if w.code == "scoring.not-a-choice"]
