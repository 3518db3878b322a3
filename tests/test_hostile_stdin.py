"""Standard input can be read once: ``-`` named for two inputs is a usage error (exit 2).

Before, ``score - -`` read the same bytes twice and counted every respondent twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import leadlens
from leadlens.cli import app
from leadlens.errors import Code, UsageError

runner = CliRunner()
CSV = "respondent_id\nr1\n"
ONCE = "; it can be read only once. Save it to a file and name the file instead\n"


@pytest.mark.parametrize(("args", "named"), [
    (["score", "-", "-"], "RESPONSES: standard input (-) is named twice"),
    (["score", "-", "-", "-"], "RESPONSES: standard input (-) is named 3 times"),
    (["score", "-", "--agreed", "-"], "RESPONSES and --agreed: standard input (-) is named twice"),
    (["score", "-", "--withhold-comments", "-"],
     "RESPONSES and --withhold-comments: standard input (-) is named twice"),
    (["score", "-", "--group-aliases", "-"],
     "RESPONSES and --group-aliases: standard input (-) is named twice"),
    (["inspect", "-", "-"], "FILE: standard input (-) is named twice"),
    (["validate", "-", "-"], "PATH: standard input (-) is named twice"),
    (["compare", "-", "-"], "BASELINE and FOLLOWUP: standard input (-) is named twice"),
    (["trend", "-", "a.json", "-"], "WAVE: standard input (-) is named twice"),
])
def test_standard_input_named_twice_is_a_usage_error(args: list[str], named: str) -> None:
    result = runner.invoke(app, args, input=CSV)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: {named}{ONCE}"


def test_standard_output_beside_standard_input_is_fine(tmp_path: Path) -> None:
    # -o - is standard output, not a second reading of standard input
    result = runner.invoke(app, ["score", "-", "-o", "-", "-f", "json"], input=CSV)
    assert result.exit_code == 1  # the file itself is refused (no questions), not the usage
    assert "standard input (-) is named" not in result.stderr


def test_the_api_refuses_standard_input_twice() -> None:
    with pytest.raises(UsageError) as caught:
        leadlens.score(["-", "-"])
    assert caught.value.code == Code.OPTION_STDIN_TWICE
    assert caught.value.option == "data"
