"""Hand-made results documents given to ``leadlens report``: every value's domain checked,
the anonymity rules applied again, a located error and exit 1, never a traceback."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from leadlens.cli import app
from test_report_data import sample_document

runner = CliRunner()
Doc = dict[str, Any]
ORG = ("groups", "organisation", "groups")


def _report(tmp_path: Path, text: str) -> tuple[int, str, str, Path]:
    path = tmp_path / "results.json"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "report.md"
    out.unlink(missing_ok=True)  # hypothesis reuses the folder
    result = runner.invoke(app, ["report", str(path), "-o", str(out)])
    assert "Traceback" not in result.output
    assert result.exit_code != 0 or out.exists()
    if result.exit_code != 0:
        assert not out.exists()
    return result.exit_code, result.stdout, result.stderr, path


def _set(*path: str | int, value: Any) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return edit


def _show_group_of_one(doc: Doc) -> None:
    group = doc["groups"]["organisation"]["groups"][3]
    group.update(n=1, n_text="1", suppressed=False, suppressed_reason=None, overall=12.5,
                 principles=[dict(p) for p in doc["groups"]["organisation"]["groups"][0]
                             ["principles"]])


def _publish_hidden(doc: Doc) -> None:
    doc["groups"]["organisation"]["groups"][4]["overall"] = 77.0


def _one_hidden(doc: Doc) -> None:
    # Show the complement-hidden group: only one group is hidden, found by subtraction.
    doc["respondents"] = 45
    group = doc["groups"]["organisation"]["groups"][4]
    group.update(n=5, n_text="5", suppressed=False, suppressed_reason=None)


def _hide_principle_keep_overall(doc: Doc) -> None:
    # A principle hidden in a shown group whose overall is still published: n x overall
    # minus the other principles' sums would give the hidden one.
    principle = doc["groups"]["organisation"]["groups"][0]["principles"][0]
    principle.update(n=None, mean=None, score=None, band=None, sd=None, ci95=None,
                     suppressed_reason="complement")


def _one_comment(doc: Doc) -> None:
    doc["comments"] = {"story-1": ["only one"]}


def _drop_principle_keep_overall(doc: Doc) -> None:
    del doc["groups"]["organisation"]["groups"][0]["principles"][0]


ATTACKS: list[tuple[str, Callable[[Doc], None], str]] = [
    ("version true", _set("results_version", value=True),
     "results_version: version true is not supported"),
    ("version text", _set("results_version", value="1"),
     'results_version: version "1" is not supported'),
    ("negative n", _set("principles", 0, "n", value=-3),
     "principles[0].n: -3 is not a count of respondents (0 to 40)"),
    ("n above respondents", _set("overall", "n", value=41),
     "overall.n: 41 is not a count of respondents (0 to 40)"),
    ("negative respondents", _set("respondents", value=-5),
     "respondents: -5 is not a number of respondents"),
    ("score 250", _set("principles", 0, "score", value=250),
     "principles[0].score: 250.0 is not a 0-100 score (0 to 100)"),
    ("score -40", _set("overall", "score", value=-40.0),
     "overall.score: -40.0 is not a 0-100 score (0 to 100)"),
    ("ci outside", _set("overall", "ci95", value=[10, 140]),
     "overall.ci95[1]: 140.0 is not a 0-100 score"),
    ("group score", _set(*ORG, 0, "principles", 0, "score", value=101.5),
     "groups.organisation.groups[0].principles[0].score: 101.5 is not a 0-100 score"),
    ("text for number", _set("principles", 0, "score", value="60"),
     "principles[0].score: expected a number, got text ('60')"),
    ("text for count", _set("respondents", value="40"),
     "respondents: expected a whole number, got text ('40')"),
    ("true for count", _set("principles", 0, "n", value=True),
     "principles[0].n: expected a whole number, got true/false (true)"),
    ("share above 1", _set("principles", 0, "unscored_share", value=1.5),
     "principles[0].unscored_share: 1.5 is not a share (0 to 1)"),
    ("alpha above 1", _set("principles", 0, "alpha", value=3.0),
     "principles[0].alpha: 3.0 is not a Cronbach's alpha"),
    ("mean off scale", _set("principles", 0, "mean", value=99.0),
     "principles[0].mean: 99.0 is not on the question set's scales (0 to 5)"),
    ("negative sd", _set("principles", 0, "sd", value=-1.0),
     "principles[0].sd: -1.0 is not a standard deviation"),
    ("unknown band", _set("principles", 0, "band", value="stellar"),
     "principles[0].band: 'stellar' is not a band of the question set"),
    ("option count", _set("principles", 0, "items", 0, "counts", "3", value=-2),
     "principles[0].items[0].counts.3: -2 is not a count of respondents"),
    ("group of one shown", _show_group_of_one,
     "groups.organisation.groups[3].n: group 'Riverside Voluntary Alliance' has 1 "
     "respondents, fewer than the threshold (5), but is shown"),
    ("hidden group publishes", _publish_hidden,
     "groups.organisation.groups[4]: hidden group 'Southgate Primary Care Network' publishes "
     "figures or comments"),
    ("one hidden group", _one_hidden,
     "groups.organisation.groups: the hidden groups together (5 respondents) can be worked "
     "out by subtraction from the total"),
    ("overall beside a hidden principle", _hide_principle_keep_overall,
     "groups.organisation.groups[0].overall: group 'Northbridge Hospitals NHS Foundation "
     "Trust' publishes its overall beside its hidden principle(s) 'basics'"),
    ("overall beside a removed principle", _drop_principle_keep_overall,
     "groups.organisation.groups[0].overall: group 'Northbridge Hospitals NHS Foundation "
     "Trust' publishes its overall beside its hidden principle(s) 'basics'"),
    ("a comment list shorter than the threshold", _one_comment,
     "comments.story-1: 1 comment(s) published, fewer than the threshold (5)"),
    ("reverse key check names an unknown question",
     _set("principles", 0, "reverse_suggested", value=["basics-9"]),
     "principles[0].reverse_suggested[0]: 'basics-9' is not one of the principle's questions "
     "('basics-1', 'basics-2')"),
    ("a question listed twice", _set("principles", 0, "items", 1, "key", value="basics-1"),
     "principles[0].items[1].key: 'basics-1' is listed twice among the principle's questions"),
    ("threshold lowered", _set("min_group_size", value=2),
     "min_group_size: 2 is below the question set's anonymity threshold (5)"),
]


@pytest.mark.parametrize(("name", "edit", "expected"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_hand_made_documents_are_refused(tmp_path: Path, name: str,
                                         edit: Callable[[Doc], None], expected: str) -> None:
    doc = sample_document()
    edit(doc)
    code, out, err, path = _report(tmp_path, json.dumps(doc))
    assert (code, out) == (1, ""), err
    where = re.escape(str(path)) + r"(:\d+:\d+)?: "  # located at the value's line and column
    assert any(re.match(where + re.escape(expected), line) for line in err.splitlines()), err


@pytest.mark.parametrize(("token", "expected"), [
    ("NaN", "NaN is not a number a results document may hold"),
    ("Infinity", "Infinity is not a number a results document may hold"),
    ("-Infinity", "-Infinity is not a number a results document may hold"),
    ("1e999", "principles[0].score: inf is not a finite number"),
    ("9" * 5000, "a number with thousands of digits"),
])
def test_numbers_json_allows_but_results_do_not(tmp_path: Path, token: str, expected: str
                                                ) -> None:
    doc = sample_document()
    doc["principles"][0]["score"] = 12345.678
    text = json.dumps(doc).replace("12345.678", token)
    code, _, err, path = _report(tmp_path, text)
    assert code == 1
    assert expected in err and err.startswith(str(path)), err


def test_the_same_document_unedited_renders(tmp_path: Path) -> None:
    code, _, err, _ = _report(tmp_path, json.dumps(sample_document()))
    assert code == 0, err


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() if k != "question_set"
                for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path] if isinstance(value, int | float) and not isinstance(value, bool) else []


LEAVES = _leaves(sample_document())
ODD = st.one_of(st.integers(min_value=-(10**30), max_value=10**30),
                st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none(),
                st.text(max_size=5), st.just([]))


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(where=st.sampled_from(LEAVES), value=ODD)
def test_any_number_replaced_is_refused_or_in_domain(tmp_path: Path, where: tuple[Any, ...],
                                                     value: Any) -> None:
    doc = copy.deepcopy(sample_document())
    target: Any = doc
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    code, _, err, path = _report(tmp_path, json.dumps(doc))
    assert code in (0, 1)
    if code == 1:  # located lines, then perhaps "... and N more problems not shown"
        assert err and all(line.startswith((str(path), "... and ")) for line in
                           err.splitlines()), err


def test_comments_withheld_below_the_threshold_leave_the_question_out(tmp_path: Path) -> None:
    # 5 people wrote on story-2; the facilitator withholds 2: the 3 left are fewer than the
    # threshold, so none is shown (counted after withholding: tester F17), and the report
    # of that document renders.
    examples = Path(__file__).resolve().parents[1] / "examples"
    ids = tmp_path / "withhold.txt"
    ids.write_text("story-2-986b900b\nstory-2-b6700d05\n", encoding="utf-8")
    doc = tmp_path / "results.json"
    scored = runner.invoke(app, ["score", str(examples / "responses.csv"), "--quiet",
                                 "--withhold-comments", str(ids), "-o", str(doc)])
    assert scored.exit_code == 0, scored.output
    written = json.loads(doc.read_text(encoding="utf-8"))
    assert "story-2" not in written["comments"] and len(written["comments"]["story-1"]) == 6
    assert "'story-2'" in written["comments_withheld"]
    code, out, err, _ = _report(tmp_path, doc.read_text(encoding="utf-8"))
    assert code == 0, err
