"""The docs are tested: every command the README names exists, and its commands parse."""

from __future__ import annotations

import re
import shlex

import pytest
from typer.testing import CliRunner

from conftest import REPO
from leadlens.cli import app

README = (REPO / "README.md").read_text(encoding="utf-8")
runner = CliRunner()


def _readme_leadlens_commands() -> list[list[str]]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            for part in line.split("&&"):
                words = shlex.split(part)
                if words and words[0] == "leadlens":
                    commands.append(words[1:])
    return commands


def test_readme_names_only_real_commands() -> None:
    named = set(re.findall(r"`leadlens ([a-z]+)", README))
    help_text = runner.invoke(app, ["--help"]).stdout
    listed = set(re.findall(r"^  ([a-z]+) ", help_text, flags=re.M))
    assert named, "the README names no commands"
    assert named <= listed, named - listed
    assert listed <= named, f"commands missing from the README: {listed - named}"


@pytest.mark.parametrize("words", _readme_leadlens_commands(), ids=" ".join)
def test_readme_command_lines_parse(words: list[str]) -> None:
    """Each README command's options exist (checked through --help of its command)."""
    command = words[0]
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    for word in words[1:]:
        if word.startswith("-"):
            assert word.split("=")[0] in result.stdout, f"{command} has no option {word}"


def test_readme_quick_start_installs_and_runs_main_job() -> None:
    assert "pip install . && leadlens score examples/responses.csv" in README
    assert "pip install -e '.[dev]' && python -m pytest" in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in ci and "pip install -q -e '.[dev]'" in ci
