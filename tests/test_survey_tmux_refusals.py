"""In tmux, as a person types: Ctrl-@ (a NUL) in a text answer is refused with a message and
the question asked again; nothing is silently dropped or swallowed (prompt_toolkit's own
Ctrl-@ started a selection and lost what was typed after it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_survey_tmux import Pane, panes, start

pytestmark = [pytest.mark.slow]
__all__ = ["panes"]  # the fixture, used by name


def test_a_typed_nul_is_refused_and_asked_again(tmp_path: Path, panes: list[Pane]) -> None:
    pane = start(tmp_path, panes)
    pane.expect("Which organisation?")
    pane.type("Acme")
    pane.keys("C-@")
    pane.type(" Trust")
    assert "> Acme^@ Trust" in pane.expect("> Acme^@ Trust")  # shown, not swallowed
    pane.keys("Enter")
    screen = pane.expect("which cannot be saved")
    assert "Your answer contains a control character (U+0000, NUL), which cannot be saved." \
        in screen.replace("\n", " ")
    assert "Please type it again without it." in screen.replace("\n", " ")  # wrapped, whole
    assert "Which organisation?" in screen
    pane.type("Acme Trust")
    pane.keys("Enter")
    pane.expect("Which sector?")
    journal = next(tmp_path.glob("responses.csv.partial*.jsonl")).read_text(encoding="utf-8")
    assert '"value": "Acme Trust"' in journal and "\\u0000" not in journal
