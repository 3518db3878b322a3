"""Reading a results document parses it once (issue 17), with the messages of the located
path: every document either path can be given reads the same, or fails the same."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from leadlens.errors import LeadlensError
from leadlens.results import loading
from leadlens.results.loading import _parse_located, load_results, parse_results

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "responses.csv"


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> str:
    from typer.testing import CliRunner

    from leadlens.cli import app

    out = tmp_path_factory.mktemp("results") / "results.json"
    done = CliRunner().invoke(app, ["score", str(EXAMPLE), "-o", str(out)])
    assert done.exit_code == 0, done.output
    return out.read_text(encoding="utf-8")


def _outcome(parse: Callable[[str, str], object], text: str) -> object:
    try:
        return parse(text, "results.json")
    except LeadlensError as exc:
        return [str(p) for p in exc.problems], exc.omitted


def _first_score(text: str, value: str) -> str:
    data = json.loads(text)
    data["overall"]["score"] = "@@"
    return json.dumps(data, indent=1).replace('"@@"', value)


MUTATIONS: dict[str, Callable[[str], str]] = {
    "unchanged": lambda t: t,
    "NaN": lambda t: _first_score(t, "NaN"),
    "Infinity": lambda t: _first_score(t, "Infinity"),
    "minus Infinity": lambda t: _first_score(t, "-Infinity"),
    "1e999": lambda t: _first_score(t, "1e999"),
    "a huge integer": lambda t: _first_score(t, "1" + "0" * 5000),
    "a score of 150": lambda t: _first_score(t, "150"),
    "text for a number": lambda t: _first_score(t, '"55"'),
    "version 2.0": lambda t: t.replace('"results_version": 2', '"results_version": 2.0', 1),
    "version true": lambda t: t.replace('"results_version": 2', '"results_version": true', 1),
    "version 3": lambda t: t.replace('"results_version": 2', '"results_version": 3', 1),
    "no version": lambda t: t.replace('"results_version": 2,', "", 1),
    "the version twice": lambda t: t.replace('"results_version": 2,',
                                             '"results_version": 3, "results_version": 2,', 1),
    "an extra key": lambda t: t.replace('"results_version": 2,',
                                        '"results_version": 2, "extra": 1,', 1),
    "not an object": lambda t: "[" + t + "]",
    "cut short": lambda t: t[: len(t) // 2],
    "nested deeply": lambda t: t.replace('"results_version": 2,', '"results_version": 2, "x": '
                                         + "[" * 5000 + "]" * 5000 + ",", 1),
    "a small group": lambda t: t.replace('"respondents": 60', '"respondents": 2', 1),
    "a comment that says NaN": lambda t: t.replace('"results_version": 2,',
                                                   '"results_version": 2, "note": "NaN",', 1),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_the_one_parse_reads_as_the_located_path_does(name: str, text: str) -> None:
    mutated = MUTATIONS[name](text)
    assert _outcome(parse_results, mutated) == _outcome(_parse_located, mutated)


def test_a_good_document_is_parsed_once(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("json.loads called for a good document")

    monkeypatch.setattr(loading.json, "loads", refuse)
    results = parse_results(text, "results.json")
    assert results.respondents == json.JSONDecoder().decode(text)["respondents"]


def test_a_bad_document_still_gets_located_problems(text: str, tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(_first_score(text, '"55"'), encoding="utf-8")
    with pytest.raises(LeadlensError) as caught:
        load_results(path)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{path}:")
    assert problem.line is not None and problem.path == "overall.score"
