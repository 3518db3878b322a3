"""Shared fixtures. Area-specific fixtures live in the test modules that use them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "question_sets" / "ggi-systems-leadership.yaml"
EXAMPLES = REPO / "examples"


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a dedented text file under tmp_path and return its path."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


MINIMAL_SET = """\
schema_version: 1
id: mini
title: Mini set
version: "1.0"
scales:
  agreement:
    options:
      - {value: 1, label: Strongly disagree}
      - {value: 2, label: Disagree}
      - {value: 3, label: Neither agree nor disagree}
      - {value: 4, label: Agree}
      - {value: 5, label: Strongly agree}
    unscored: ["Don't know"]
bands:
  - {id: low, label: Low, from: 0}
  - {id: high, label: High, from: 50}
principles:
  - id: basics
    name: Basics
    recommendations: {low: Learn the basics., high: Keep going.}
respondent:
  - {id: organisation, prompt: "Which organisation?", required: true}
questions:
  - {id: b1, principle: basics, text: One, scale: agreement}
  - {id: b2, principle: basics, text: Two, scale: agreement, reverse: true}
  - {id: b3, principle: basics, text: Three, scale: agreement}
"""
