"""docs/api.md is run: every ``>>>`` example in it, with its output checked (doctest)."""

from __future__ import annotations

import doctest

import pytest

from conftest import REPO

API_DOC = REPO / "docs" / "api.md"


def test_the_api_doc_examples_run_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # the examples read examples/responses.csv
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    failed, attempted = doctest.testfile(str(API_DOC), module_relative=False, verbose=False,
                                         optionflags=doctest.ELLIPSIS, report=True,
                                         raise_on_error=False, globs={})
    assert attempted >= 20, "docs/api.md lost its examples"
    assert failed == 0, f"{failed} of {attempted} examples in docs/api.md gave other output"


def test_the_api_doc_lists_every_public_name() -> None:
    import leadlens

    text = API_DOC.read_text(encoding="utf-8")
    for name in leadlens.__all__:
        if name not in ("__version__", "QuestionSet", "Results"):
            assert f"leadlens.{name}" in text or f"`{name}`" in text or name in text, name
