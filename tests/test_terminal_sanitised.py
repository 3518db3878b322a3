"""Every command's terminal output passes the one sanitiser.

A question set and a responses CSV full of terminal controls (ESC/CSI/OSC sequences, BEL,
a C1 CSI, carriage returns and a right-to-left override) go through ``show``, ``validate``,
``score``, ``inspect``, ``report`` and ``survey --plain``: no raw control character may reach
standard output or standard error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadlens.cli import app

RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\r", "\x08")
# YAML double-quoted escapes: ESC[31m, an OSC title with BEL, C1 CSI, CR, a bidi override.
HOSTILE = r"\e[31mred\e]0;owned\a\x9b2J\rback\u202eevil\b"
QUESTION_SET = f"""
schema_version: 1
id: hostile
title: "Title {HOSTILE}"
version: "1"
scales:
  agree:
    options:
      - {{value: 1, label: "No {HOSTILE}"}}
      - {{value: 2, label: "Maybe"}}
      - {{value: 3, label: "Yes"}}
bands: [{{id: low, label: "Low {HOSTILE}", from: 0}}, {{id: high, label: High, from: 50}}]
principles: [{{id: p, name: "Principle {HOSTILE}"}}]
sections:
  - {{id: s, title: "Section {HOSTILE}", description: "About {HOSTILE}."}}
respondent:
  - {{id: organisation, prompt: "Organisation {HOSTILE}?", type: text}}
questions:
  - {{id: q1, principle: p, scale: agree, text: "First {HOSTILE}", section: s}}
  - {{id: q2, principle: p, scale: agree, text: "Second {HOSTILE}", section: s}}
  - {{id: story, type: text, text: "Story {HOSTILE}", section: s}}
scoring: {{min_group_size: 3}}
"""
ORG = "Org \x1b]0;pwned\x07 \x1b[2J\u202eX"
ROWS = "".join(f'"{ORG}",{1 + i % 3},{1 + (i + 1) % 3},"said \x1b[5mhi\x07 {i}"\n'
               for i in range(6))


@pytest.fixture(autouse=True)
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents on standard output are written as they would be to a terminal."""
    monkeypatch.setattr("leadlens.cli._console.stdout_is_terminal", lambda: True)


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    qs = tmp_path / "hostile.yaml"
    qs.write_text(QUESTION_SET, encoding="utf-8")
    csv = tmp_path / "responses.csv"
    csv.write_text("organisation,q1,q2,story\n" + ROWS, encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(QUESTION_SET.replace("principle: p, scale: agree, text: \"First",
                                           f"principle: \"p{HOSTILE}\", scale: agree, "
                                           "text: \"First"), encoding="utf-8")
    return {"qs": qs, "csv": csv, "broken": broken, "dir": tmp_path}


def assert_clean(output: str) -> None:
    found = sorted({repr(c) for c in RAW if c in output})
    assert not found, f"raw controls reached the terminal: {found}\n{output!r}"


def invoke(args: list[str], stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + result.stderr


def test_show(files: dict[str, Path]) -> None:
    code, output = invoke(["show", str(files["qs"])])
    assert code == 0, output
    assert "Principle" in output and "\\x1b" in output  # shown, made visible
    assert_clean(output)


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_validate(files: dict[str, Path], fmt: str) -> None:
    code, output = invoke(["validate", "--format", fmt, str(files["broken"]), str(files["qs"])])
    assert code == 1, output
    assert_clean(output)


@pytest.mark.parametrize("extra", [[], ["--by", "organisation"], ["--format", "table"],
                                   ["--format", "json"], ["--format", "csv"]])
def test_score(files: dict[str, Path], extra: list[str]) -> None:
    code, output = invoke(["score", str(files["csv"]), "--question-set", str(files["qs"]),
                           *extra])
    assert code == 0, output
    assert_clean(output)


def test_score_to_files_and_report(files: dict[str, Path]) -> None:
    results = files["dir"] / "results.json"
    code, output = invoke(["score", str(files["csv"]), "--question-set", str(files["qs"]),
                           "--by", "organisation", "-o", str(results)])
    assert code == 0, output
    assert_clean(output)
    for target in ("report.md", "report.html"):
        code, output = invoke(["report", str(results), "-o", str(files["dir"] / target)])
        assert code == 0, output
        assert_clean(output)
    code, output = invoke(["report", str(results), "-o", "-", "--format", "md"])
    assert code == 0, output
    assert_clean(output)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_inspect(files: dict[str, Path], fmt: str) -> None:
    code, output = invoke(["inspect", str(files["csv"]), "--question-set", str(files["qs"]),
                           "--format", fmt])
    assert code == 0, output
    assert_clean(output)


def test_survey_plain(files: dict[str, Path]) -> None:
    out = files["dir"] / "survey.csv"
    # organisation, q1, q2, story, then Enter at the review saves
    code, output = invoke(["survey", str(files["qs"]), "--plain", "-o", str(out)],
                          stdin="\nOrg \x1b[31mX\n1\n2\nfine \x1b]0;t\x07\n\n\n\n\n\n")
    assert_clean(output)


def test_documents_into_a_pipe_stay_exact(files: dict[str, Path],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("leadlens.cli._console.stdout_is_terminal", lambda: False)
    result = CliRunner().invoke(app, ["score", str(files["csv"]), "--question-set",
                                      str(files["qs"]), "--format", "csv"])
    assert result.exit_code == 0
    assert ORG in result.stdout  # data, byte for byte


def test_json_documents_escape_what_a_terminal_obeys(files: dict[str, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setattr("leadlens.cli._console.stdout_is_terminal", lambda: False)
    result = CliRunner().invoke(app, ["score", str(files["csv"]), "--question-set",
                                      str(files["qs"]), "--format", "json"])
    assert result.exit_code == 0
    assert_clean(result.stdout)
    assert json.loads(result.stdout)["question_set"]["title"] == (
        "Title \x1b[31mred\x1b]0;owned\x07\x9b2J\rback\u202eevil\b")
