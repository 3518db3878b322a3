"""Message polish from a fresh-install test: options named twice, no Python ``None`` in a
message, and the wording details of question-set and output-path problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import leadlens
from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.errors import UsageError

runner = CliRunner()
RESPONSES = EXAMPLES / "responses.csv"


def test_by_naming_a_field_twice_is_a_usage_error_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["score", str(RESPONSES), "--by", "role", "--by",
                                 "organisation", "--by", "role", "-o", str(out)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--by 'role': named twice; give each breakdown field once" in result.stderr
    assert not out.exists()


def test_by_naming_a_field_twice_is_refused_by_the_api() -> None:
    with pytest.raises(UsageError) as refused:
        leadlens.score(RESPONSES, by=["role", "role"])
    assert (refused.value.option, refused.value.code) == ("by", "option.field-twice")
