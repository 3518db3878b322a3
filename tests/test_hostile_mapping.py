"""Hostile mapping rules, group-alias files and documents given to the wrong command (issue 16):
every case is a located line in our words, exit 1, no traceback and no hang."""

from __future__ import annotations

import signal
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.errors import Code, ResponsesError
from leadlens.questionset.loading import load_question_set
from leadlens.questionset.regexes import RegexClock, RegexTimeout, compile_rule, template_error
from leadlens.responses.exports import ImportOptions, load_mapping, read_export

Write = Callable[[str, "str | bytes"], Path]
runner = CliRunner()

SET = """\
schema_version: 1
id: mini
title: Mini set
version: "1.0.0"
scales:
  agree:
    options:
      - {value: 1, label: Strongly disagree}
      - {value: 2, label: Disagree}
      - {value: 3, label: Neither}
      - {value: 4, label: Agree}
      - {value: 5, label: Strongly agree}
    unscored: ["Don't know"]
bands:
  - {id: low, label: Low, from: 0}
  - {id: high, label: High, from: 50}
principles:
  - {id: p1, name: P one}
  - {id: p2, name: P two}
respondent:
  - {id: org, prompt: Which organisation?}
scoring:
  min_group_size: 3
questions:
  - {id: a1, principle: p1, text: First statement, scale: agree}
  - {id: a2, principle: p1, text: Second statement, scale: agree}
  - {id: b1, principle: p2, text: Third statement, scale: agree}
  - {id: b2, principle: p2, text: Fourth statement, scale: agree}
"""
LONG = "a" * 40 + "!"
"""The tester's header: 41 characters that ``^(a|aa)+$`` backtracks over exponentially."""


class _Hung(Exception):
    pass


@pytest.fixture
def bounded() -> Iterator[None]:
    """Fail (rather than hang the suite) when the code under test runs past 10 s."""
    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Hung("still running after 10 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 10)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def qs_path(write: Write) -> Path:
    return write("qs.yaml", SET)


@pytest.fixture
def export(write: Write) -> Path:
    return write("export.csv", "Which organisation?,Q1,Q2,Q3,Q4\nAcme,1,2,3,4\n")


# --- F6: a template's group references are checked when the rule is loaded -------------------

@pytest.mark.parametrize(("to", "message"), [
    ("a\\9", "'a\\9' refers to group 9; the regex has 1 group"),
    ("a\\2", "'a\\2' refers to group 2; the regex has 1 group"),
    ("a\\g<zz>", "'a\\g<zz>' refers to group 'zz'; the regex has no group of that name (it has "
                 "no named groups)"),
    ("a\\g<3>", "'a\\g<3>' refers to group 3; the regex has 1 group"),
    ("a\\q", "'a\\q' is not a valid target: a backslash starts a group reference (\\1, "
             "\\g<name>) or an escape such as \\t; write \\\\ for a backslash itself"),
])
def test_a_template_naming_a_missing_group_is_refused_at_load(
        write: Write, qs_path: Path, export: Path, to: str, message: str) -> None:
    mapping = write("map.yaml", f"columns:\n  - {{regex: '^Q(\\d)$', to: '{to}'}}\n")
    for command in ("score", "inspect"):
        code, out, err = _invoke(command, export, "-q", qs_path, "--mapping", mapping)
        assert (code, out, err) == (1, "", f"{mapping}:2:28: columns[0].to: {message}\n")


def test_the_import_section_template_fails_validate(write: Write, export: Path) -> None:
    qs = write("qsi.yaml", SET + "import:\n  columns:\n    - {regex: '^Q(\\d)$', to: 'a\\9'}\n")
    code, out, err = _invoke("validate", qs)
    assert code == 1
    line = SET.count("\n") + 3
    assert f"{qs}:{line}:30: import.columns[0].to: 'a\\9' refers to group 9; the regex has 1 " \
           "group" in out + err
    code, out, err = _invoke("score", export, "-q", qs)
    assert code == 1 and "refers to group 9" in err


@pytest.mark.parametrize("to", ["a\\1", "a\\g<1>", "a\\g<n>", "\\g<0>"])
def test_valid_templates_still_map(write: Write, qs_path: Path, to: str) -> None:
    pattern = "^(?P<n>[12])$" if "n" in to or "1" in to else "^a[12]$"
    mapping = write("map.yaml", f"columns:\n  - {{regex: '{pattern}', to: '{to}'}}\n"
                                "  - {header: x, to: ignore}\n")
    path = write("e.csv", "Which organisation?,1,2,Third statement,Fourth statement\n"
                          "Acme,1,2,3,4\n" if to != "\\g<0>" else
                          "Which organisation?,a1,a2,Third statement,Fourth statement\n"
                          "Acme,1,2,3,4\n")
    qs = load_question_set(qs_path)
    table = read_export(path, qs, ImportOptions(mapping=load_mapping(mapping, qs)))
    assert table.headers == ["org", "a1", "a2", "b1", "b2"]


def test_template_checks_against_named_and_octal_references() -> None:
    assert template_error("^(?P<x>a)(b)$", "\\g<x>\\2") is None
    assert template_error("^(a)$", "\\012") is None  # an octal escape, not group 12
    assert template_error("^(a)$", "\\\\9") is None  # an escaped backslash, then a 9
    assert template_error("^(?P<x>a)$", "\\g<y>") == (
        "'\\g<y>' refers to group 'y'; the regex has no group of that name (its named "
        "groups: x)")
    assert template_error("^a$", "\\1") == "'\\1' refers to group 1; the regex has no groups"


MATCHED = [("^Q(\\d)_(\\d)$", "Q1_2"), ("^(?P<x>a)(b)?$", "a"), ("^B(\\d)$", "B1"),
           ("^x$", "x"), ("^(?P<n>\\w+)-(?P<m>\\w+)$", "ab-cd"),
           ("^(?|(?P<p>a)|(?P<q>b))$", "b")]


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(MATCHED), template=st.lists(st.sampled_from(
    [*"\\0123789g<>xnmpqzb_-", "\\g<", "\\\\"]), max_size=8).map("".join))
def test_template_check_agrees_with_a_real_expansion(case: tuple[str, str], template: str
                                                     ) -> None:
    """Property: a template passes the load-time check exactly when expanding it against a
    real match of its regex works, so a rule that loads never fails on a header."""
    pattern, header = case
    match = compile_rule(pattern).fullmatch(header)
    assert match is not None
    try:
        match.expand(template)
        expands = True
    except (regex.error, IndexError):
        expands = False
    assert (template_error(pattern, template) is None) == expands, template


@pytest.mark.parametrize("pattern", ["(?:a{1000}){1000}", "(?:(?:a{100}){100}){100}",
                                     "a{9999999999}"])
def test_a_regex_that_unrolls_to_millions_is_refused_before_compiling(
        write: Write, qs_path: Path, export: Path, pattern: str) -> None:
    """``regex`` unrolls counted repeats: 20 characters would take gigabytes."""
    mapping = write("map.yaml", f"columns:\n  - {{regex: '{pattern}', to: a1}}\n")
    code, out, err = _invoke("score", export, "-q", qs_path, "--mapping", mapping)
    assert (code, out) == (1, "")
    assert err == (f"{mapping}:2:13: columns[0].regex: invalid regular expression: its counted "
                   "repeats ({m,n}) unroll to more than 100,000 steps; use + or * rather than "
                   "large or nested counts\n")


# --- F7: user regexes are bounded in time -----------------------------------------------------

@pytest.mark.parametrize("pattern", ["^(a|aa)+$", "^(a|a)+$", "^(a+)+$"])
def test_a_backtracking_mapping_regex_stops_within_a_second(
        write: Write, qs_path: Path, bounded: None, pattern: str) -> None:
    mapping = write("map.yaml", f"columns:\n  - {{regex: '{pattern}', to: a1}}\n")
    path = write("redos.csv", f"org,{LONG},a2,b1,b2\nAcme,1,2,3,4\n")
    started = time.process_time()  # CPU time: a loaded machine slows the wall clock
    code, out, err = _invoke("score", path, "-q", qs_path, "--mapping", mapping)
    elapsed = time.process_time() - started
    assert code == 1 and out == ""
    assert elapsed < 0.5, elapsed
    if pattern != "^(a+)+$":  # regex fails this one at once: no column maps to a1
        assert err == (
            f"{mapping}:2:13: columns[0].regex: the regex ran for 0.05 s of CPU time, stopped "
            f"on column '{LONG}' of {path} (41 characters). Simplify the regex: a repeat inside a "
            "repeat, such as (a+)+ or (a|aa)+, can take exponentially long; anchor it and "
            "match the header's fixed text\n")
    else:
        assert "'a1'" in err and "missing" in err


def test_a_backtracking_import_regex_is_bounded_on_a_plain_csv(
        write: Write, bounded: None) -> None:
    """The question set's rules also run on the first look that picks the reader."""
    qs = write("qsr.yaml", SET + "import:\n  columns:\n    - {regex: '^(a|aa)+$', to: a1}\n")
    assert _invoke("validate", qs)[0] == 0  # a valid regex: only running it is bounded
    path = write("plain.csv", f"org,{LONG},a2,b1,b2\nAcme,1,2,3,4\n")
    for command in ("score", "inspect"):
        started = time.process_time()
        code, _, err = _invoke(command, path, "-q", qs)
        assert time.process_time() - started < 0.5
        assert code == 1
        # Located at the regex's YAML node, as a --mapping file's rule is.
        assert err.startswith(f"{qs}:31:15: import.columns[0].regex: the regex ran for "
                              f"0.05 s of CPU time, stopped on column '{LONG}' of {path}")


def test_a_question_set_regex_target_naming_nothing_is_located(write: Write) -> None:
    """A target known only once a header matches is located in the question set too."""
    qs = write("qst.yaml", SET + "import:\n  columns:\n    - {regex: '^Q(\\d)$', to: 'zz\\1'}\n")
    path = write("q.csv", "org,Q1,a2,b1,b2\nAcme,1,2,3,4\n")
    code, out, err = _invoke("score", path, "-q", qs)
    assert (code, out) == (1, "")
    assert err.startswith(f"{qs}:31:30: import.columns[0].to: 'zz1' (for column 'Q1' of "
                          f"{path}) is not an answer key")


def test_a_rule_stopped_once_is_not_run_on_every_other_column(
        write: Write, qs_path: Path, bounded: None) -> None:
    mapping = write("map.yaml", "columns:\n  - {regex: '^(a|aa)+$', to: a1}\n")
    header = ",".join(f"{LONG}{i}" for i in range(200))
    path = write("wide.csv", f"org,{header},a1,a2,b1,b2\nAcme,{','.join('1' * 200)},1,2,3,4\n")
    qs = load_question_set(qs_path)
    started = time.process_time()
    with pytest.raises(ResponsesError) as caught:
        read_export(path, qs, ImportOptions(mapping=load_mapping(mapping, qs)))
    assert time.process_time() - started < 0.5
    stopped = [p for p in caught.value.problems if p.code is Code.IMPORT_REGEX_TIMEOUT]
    assert len(stopped) == 1


def test_the_whole_file_budget_stops_many_slow_matches() -> None:
    clock = RegexClock(total=0.2, each=0.1)
    started = time.process_time()
    whole: list[bool] = []
    while not whole or not whole[-1]:
        with pytest.raises(RegexTimeout) as stopped:
            clock.fullmatch("^(a|aa)+$", "a" * 30 + "!")
        whole.append(stopped.value.total)
        assert len(whole) <= 3
    assert whole[0] is False and stopped.value.seconds == 0.2
    assert time.process_time() - started < 0.4
    with pytest.raises(RegexTimeout):  # and nothing more runs on this file
        clock.fullmatch("^a$", "a")


# --- F8: every problem of a mapping file at once ---------------------------------------------

def test_columns_and_answers_problems_come_in_one_round(
        write: Write, qs_path: Path, export: Path) -> None:
    mapping = write("map1.yaml", """\
        columns:
          - {regex: '(', to: a1}
          - {code: Q1, header: Q1, to: a2}
          - {code: Q3, to: a9}
        answers:
          agree: {A1: 7, A2: "Maybe", A3: 3}
          agreement: {A1: 1}
        """)
    code, out, err = _invoke("score", export, "-q", qs_path, "--mapping", mapping)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{mapping}:2:13: columns[0].regex: invalid regular expression: missing ) at position 1",
        f"{mapping}:3:5: columns[1]: give exactly one of header, regex, import_id or code",
        f"{mapping}:4:20: columns[2].to: 'a9' is not an answer key, respondent field, "
        "respondent_id, submitted_at or ignore",
        f"{mapping}:6:15: answers.agree.A1: 7 is not a value of the agree scale (1-5) or one "
        "of its unscored answers",
        f"{mapping}:6:22: answers.agree.A2: 'Maybe' is not a value of the agree scale (1-5) or "
        "one of its unscored answers",
        f"{mapping}:7:14: answers.agreement: no scale 'agreement' in question set 'mini'. Did "
        "you mean 'agree'?"]


def test_the_import_section_lists_its_problems_in_one_validate(write: Write) -> None:
    qs = write("qsb.yaml", SET + """\
import:
  columns:
    - {regex: '(', to: a1}
    - {regex: '^Q(\\d)$', to: 'a\\7'}
    - {code: Q3, to: a9}
  answers:
    agree: {A1: 7, A2: "Don't know", A3: 5}
""")
    code, out, err = _invoke("validate", qs)
    start = SET.count("\n") + 1
    assert code == 1
    found = [line.split(": ", 1)[0].removeprefix(f"{qs}:") for line in (out + err).splitlines()
             if "import." in line]
    assert found == [f"{start + 2}:15", f"{start + 3}:30", f"{start + 4}:22", f"{start + 6}:17"]
    assert "'a\\7' refers to group 7" in out + err
    assert "import.answers.agree.A1: 7 is not a value of the agree scale (1-5)" in out + err


# --- F12: a spelling stands for one group only ---------------------------------------------

@pytest.fixture
def by_org(write: Write) -> Path:
    rows = [f"R{n},{org},{(n % 5) + 1},{(n % 4) + 1},3,4"
            for n, org in enumerate(org for org in "ABCDE" for _ in range(5))]
    return write("orgs.csv", "respondent_id,org,a1,a2,b1,b2\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize(("text", "expected"), [
    ("org:\n  A: [B, C]\n  C: [D]\n",
     [":3:3: org.C: 'C' is an alias of 'A' (line 2) and also a group with its own aliases. "
      "List all of these spellings under 'A' alone, or take 'C' off the list under 'A'"]),
    ("org:\n  A: [B, c]\n  C: []\n  E: [b]\n",
     [":3:3: org.C: 'C' is an alias of 'A' (line 2) and also a group of its own. List all of "
      "these spellings under 'A' alone, or take 'C' off the list under 'A'",
      ":4:7: org.E: 'b' is listed under 'A' (line 2) and under 'E'. List each spelling under "
      "one group"]),
    ("org:\n  A: [B]\n  E: [D]\n  F: x\n  G: [X]\n",
     [":5:7: org.G: 'X' is listed under 'F' (line 4) and under 'G'. List each spelling under "
      "one group"]),
])
def test_group_aliases_that_would_mislabel_are_refused(
        write: Write, qs_path: Path, by_org: Path, text: str, expected: list[str]) -> None:
    aliases = write("ga.yaml", text)
    code, out, err = _invoke("score", by_org, "-q", qs_path, "--by", "org",
                             "--group-aliases", aliases, "-o", "-", "-f", "json")
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"{aliases}{line}" for line in expected]


def test_group_aliases_that_merge_cleanly_still_merge(
        write: Write, qs_path: Path, by_org: Path) -> None:
    aliases = write("ga.yaml", "org:\n  A: [B, a]\n  E: [D]\n")
    code, out, _ = _invoke("score", by_org, "-q", qs_path, "--by", "org", "--group-aliases",
                           aliases, "-o", "-", "-f", "json", "--quiet")
    assert code == 0
    assert '"A"' in out and '"E"' in out and '"B"' not in out and '"D"' not in out


# --- F4: our words, not a library's ----------------------------------------------------------

def test_unreadable_workbooks_are_said_in_our_words(write: Write, qs_path: Path) -> None:
    hint = "Open it in Excel and save it again as .xlsx, or export the sheet as CSV UTF-8"
    garbage = write("f2.xlsx", b"PK\x03\x04garbage")
    code, _, err = _invoke("score", garbage, "-q", qs_path)
    assert (code, err) == (1, f"{garbage}: not a readable .xlsx workbook: it is not a zip "
                              "archive, as every .xlsx file is: damaged, cut short, or not a "
                              f"workbook. {hint}\n")
    other = garbage.with_name("f3.xlsx")
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("a.txt", "x")
    code, _, err = _invoke("score", other, "-q", qs_path)
    assert (code, err) == (1, f"{other}: not a readable .xlsx workbook: it is a zip archive "
                              "but not an Excel workbook (a part every workbook has is "
                              f"missing). {hint}\n")


def test_report_of_a_truncated_document_says_it_was_cut_short(
        write: Write, qs_path: Path, by_org: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    assert _invoke("score", by_org, "-q", qs_path, "-o", results, "--quiet")[0] == 0
    text = results.read_text(encoding="utf-8")
    cut = text.index('"', text.index('"title"') + 8) + 3  # inside the title's text
    short = write("short.json", text[:cut])
    code, out, err = _invoke("report", short, "-o", tmp_path / "r.md")
    line = text[:cut].count("\n") + 1
    col = cut - 3 - text.rfind("\n", 0, cut)
    assert (code, out) == (1, "")
    assert err == (f"{short}:{line}:{col}: not valid JSON: text in double quotes starts here "
                   "and the file ends inside it (was it cut short while being copied or "
                   "written?). Write it again with: leadlens score RESPONSES.csv -o "
                   "results.json\n")
    ends = write("ends.json", text[:text.index('"title"')])
    code, _, err = _invoke("report", ends, "-o", tmp_path / "r.md")
    assert code == 1 and "the file ends before the document does" in err


def test_report_of_a_responses_csv_names_the_command_that_makes_a_document(
        qs_path: Path, by_org: Path, tmp_path: Path) -> None:
    code, out, err = _invoke("report", by_org, "-o", tmp_path / "r.md")
    assert (code, out) == (1, "")
    assert err == (f"{by_org}:1:1: not a leadlens results document: this is a CSV file (a "
                   "responses file?). leadlens report takes the document that leadlens score, "
                   "compare or trend writes. Make one with: leadlens score RESPONSES.csv -o "
                   "results.json, "
                   "then: leadlens report results.json\n")
