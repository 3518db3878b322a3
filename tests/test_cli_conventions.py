"""What every command has in common, as a newcomer meets it: help, counts, -o -, --quiet, hook.

Each test walks the real Typer app, so a command added later is held to the same rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from conftest import BUNDLED, EXAMPLES, MINIMAL_SET, REPO
from leadlens.cli import app
from leadlens.survey.template import answers_yaml

runner = CliRunner()

COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]

# Typer's own rendering of a parameter: `{PATH}...`, `PATH <list[Path]>`, `<int range>`,
# `[x>=1]`, `<str>`, `<path>`: internal types a user should never see.
BAD_PLACEHOLDER = re.compile(r"[<{}]|\[x[<>]|list\[|int range|\bNoneType\b")

USAGE = {
    "validate": "Usage: leadlens validate [OPTIONS] PATH...",
    "schema": "Usage: leadlens schema [OPTIONS]",
    "list": "Usage: leadlens list [OPTIONS]",
    "show": "Usage: leadlens show [OPTIONS] [QUESTION_SET]",
    "survey": "Usage: leadlens survey [OPTIONS]",
    "template": "Usage: leadlens template [OPTIONS] [QUESTION_SET]",
    "inspect": "Usage: leadlens inspect [OPTIONS] FILE...",
    "score": "Usage: leadlens score [OPTIONS] RESPONSES...",
    "report": "Usage: leadlens report [OPTIONS] DOCUMENT",
    "compare": "Usage: leadlens compare [OPTIONS] BASELINE FOLLOWUP",
    "trend": "Usage: leadlens trend [OPTIONS] WAVE...",
    "workshop": "Usage: leadlens workshop [OPTIONS] [QUESTION_SET]",
}

PRINTS_WARNINGS_OR_PROGRESS = {"validate", "inspect", "score", "report", "template", "survey",
                               "workshop"}
APPENDS_ONLY = {"survey": "appends to its responses file and never replaces it",
                "workshop": "appends to its responses file; a used one needs --resume"}


def _help(*args: str, columns: int = 80) -> str:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def _options(name: str) -> dict[str, list[str]]:
    """Each option's long name -> all its spellings (``--format`` -> ``[-f, --format]``)."""
    options: dict[str, list[str]] = {}
    for param in COMMANDS[name].params:
        if param.param_type_name == "option":
            spellings = [*param.opts, *param.secondary_opts]
            long = next(s for s in spellings if s.startswith("--"))
            options[long] = spellings
    return options


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("columns", [80, 200])
def test_help_shows_no_internal_types_or_odd_placeholders(name: str, columns: int) -> None:
    text = _help(name, columns=columns)
    bad = [line for line in text.splitlines() if BAD_PLACEHOLDER.search(line)]
    assert bad == [], f"leadlens {name} --help shows Python or Typer internals"


@pytest.mark.parametrize("name", sorted(USAGE))
def test_usage_line_snapshot(name: str) -> None:
    assert _help(name).splitlines()[0] == USAGE[name]


def test_arguments_are_listed_by_their_metavar_alone() -> None:
    text = _help("score")
    assert re.search(r"^Arguments:\n  RESPONSES\.\.\.  Responses CSVs", text, re.M)
    assert "--respondents N " in _help("survey")
    assert "-f, --format json|csv|table|html|md" in text


def test_command_list_shows_each_summary_whole_on_one_line() -> None:
    text = _help(columns=80)
    listing = text.split("Commands:\n", 1)[1].splitlines()
    rows = [line for line in listing if line.strip()]
    assert [row.split()[0] for row in rows] == list(COMMANDS), "a summary wrapped to a 2nd line"
    for row in rows:
        assert not row.rstrip().endswith("..."), f"cut mid-sentence: {row!r}"
        assert len(row) <= 80
        assert row.rstrip().endswith("."), f"not a whole sentence: {row!r}"


def test_root_help_has_no_bad_placeholders() -> None:
    assert not BAD_PLACEHOLDER.search(_help())


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_short_options_mean_the_same_everywhere(name: str) -> None:
    options = _options(name)
    for long, spellings in options.items():
        if "-q" in spellings:
            assert long == "--question-set", f"{name}: -q is {long}"
        if "-f" in spellings:
            assert long == "--format", f"{name}: -f is {long}"
        if "-o" in spellings:
            assert long == "--output", f"{name}: -o is {long}"
    if "--question-set" in options:
        assert "-q" in options["--question-set"], f"{name} --question-set has no -q"
    if "--format" in options:
        assert "-f" in options["--format"], f"{name} --format has no -f"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_that_writes_a_file_has_force_and_quiet(name: str) -> None:
    options = _options(name)
    if "--output" in options:
        assert "--quiet" in options, f"{name} writes a file but has no --quiet"
        if name not in APPENDS_ONLY:
            assert "--force" in options, f"{name} writes a file but has no --force"
    if name in PRINTS_WARNINGS_OR_PROGRESS:
        assert "--quiet" in options, f"{name} prints warnings or progress but has no --quiet"


def test_commands_expected_to_be_quiet_exist() -> None:
    assert PRINTS_WARNINGS_OR_PROGRESS <= set(COMMANDS)
    assert "--force" not in _options("survey")  # appending never needs it (docs/survey.md)


# --- counts are checked in leadlens's words --------------------------------------------------

@pytest.mark.parametrize("count", ["0", "-1"])
def test_respondents_below_one_is_a_usage_error_in_leadlens_words(count: str) -> None:
    result = runner.invoke(app, ["survey", "--respondents", count])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: --respondents {count}: must be 1 or more\n"


def test_the_respondents_rule_is_the_survey_librarys(tmp_path: Path) -> None:
    from leadlens.errors import UsageError
    from leadlens.survey.session import SessionOptions

    with pytest.raises(UsageError) as refused:
        SessionOptions(output=tmp_path / "r.csv", respondents=0)
    assert (refused.value.option, refused.value.code) == ("respondents", "option.not-positive")
    assert SessionOptions(output=tmp_path / "r.csv", respondents=None).respondents is None


@pytest.mark.parametrize(("args", "option"), [
    (["survey", "--respondents", "x"], "--respondents"),
    (["score", "r.csv", "--min-group-size", "five"], "--min-group-size"),
])
def test_a_count_that_is_not_a_number(args: list[str], option: str) -> None:
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stdout) == (2, "")
    last = result.stderr.strip().splitlines()[-1]
    value = args[-1]
    assert last == f"Error: Invalid value for '{option}': {value!r} is not a whole number"


@pytest.mark.parametrize("name", ["validate", "inspect", "score", "report", "template"])
def test_an_unknown_format_names_the_choices_without_pydantic_text(name: str) -> None:
    args = {"validate": ["x.yaml"], "inspect": ["x.csv"], "score": ["x.csv"],
            "report": ["x.json", "-o", "-"], "template": []}[name]
    result = runner.invoke(app, [name, *args, "--format", "xml"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert re.fullmatch(r"Error: --format 'xml': choose one of [a-z]+(, [a-z]+)+\n",
                        result.stderr), result.stderr
    assert "Value error" not in result.stderr and "Input should" not in result.stderr


# --- "-" is standard output everywhere ---------------------------------------------------

@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return tmp_path


def _no_dash_file(folder: Path) -> None:
    assert not (folder / "-").exists(), "'-o -' wrote a file named '-'"


def test_score_dash_writes_the_document_to_stdout(in_tmp: Path) -> None:
    result = runner.invoke(app, ["score", str(EXAMPLES / "responses.csv"), "-o", "-",
                                 "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["respondents"] == 60
    assert "wrote" not in result.stderr
    _no_dash_file(in_tmp)
    to_file = runner.invoke(app, ["score", str(EXAMPLES / "responses.csv"), "-o", "r.json"])
    assert to_file.exit_code == 0
    assert (in_tmp / "r.json").read_text(encoding="utf-8") == result.stdout


def test_score_dash_without_format_is_the_table_as_without_o(in_tmp: Path) -> None:
    dash = runner.invoke(app, ["score", str(EXAMPLES / "responses.csv"), "-o", "-"])
    plain = runner.invoke(app, ["score", str(EXAMPLES / "responses.csv")])
    assert dash.exit_code == plain.exit_code == 0
    assert dash.stdout == plain.stdout and ": 60 respondents\n" in dash.stdout
    _no_dash_file(in_tmp)


def test_report_dash_writes_to_stdout(in_tmp: Path) -> None:
    assert runner.invoke(app, ["score", str(EXAMPLES / "responses.csv"), "-o",
                               "results.json"]).exit_code == 0
    result = runner.invoke(app, ["report", "results.json", "-o", "-", "-f", "md"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# ") and result.stderr == ""
    _no_dash_file(in_tmp)
    unsaid = runner.invoke(app, ["report", "results.json", "-o", "-"])
    assert unsaid.exit_code == 2
    assert unsaid.stderr.startswith("Error: cannot tell the report format from standard "
                                    "output: give --format html|md")


@pytest.mark.parametrize(("fmt", "first_line"), [
    (None, "# leadlens answers file"), ("csv", "respondent_id,"), ("json", "{")])
def test_template_dash_writes_to_stdout(in_tmp: Path, fmt: str | None, first_line: str) -> None:
    args = ["template", str(BUNDLED), "-o", "-"] + (["-f", fmt] if fmt else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(first_line) and result.stderr == ""
    _no_dash_file(in_tmp)
    if fmt is None:
        assert result.stdout == runner.invoke(app, ["template", str(BUNDLED)]).stdout


def test_survey_refuses_dash_as_its_responses_file(in_tmp: Path) -> None:
    result = runner.invoke(app, ["survey", "-o", "-"], input="")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Error: --output -: the survey appends to a responses file")
    _no_dash_file(in_tmp)


# --- --quiet -----------------------------------------------------------------------------

def test_quiet_score_drops_warnings_and_the_wrote_line(in_tmp: Path) -> None:
    rows = (EXAMPLES / "responses.csv").read_text(encoding="utf-8").splitlines()
    extra = [rows[0] + ",extra"] + [row + ",x" for row in rows[1:]]
    (in_tmp / "r.csv").write_text("\n".join(extra) + "\n", encoding="utf-8")
    loud = runner.invoke(app, ["score", "r.csv", "-o", "a.json"])
    assert loud.exit_code == 0
    assert "column 'extra': warning: not a question" in loud.stderr
    assert loud.stderr.endswith("wrote a.json (60 respondents, results document)\n")
    quiet = runner.invoke(app, ["score", "r.csv", "-o", "b.json", "--quiet"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    # The warnings stay in the document: --quiet only quiets the terminal.
    assert json.loads((in_tmp / "b.json").read_text(encoding="utf-8"))["warnings"]
    failed = runner.invoke(app, ["score", "r.csv", "--quiet", "--strict", "-f", "json"])
    assert failed.exit_code == 1 and "column 'extra': not a question" in failed.stderr


def test_quiet_report_and_template_print_nothing(in_tmp: Path) -> None:
    assert runner.invoke(app, ["score", str(EXAMPLES / "responses.csv"), "-o", "results.json",
                               "--quiet"]).exit_code == 0
    report = runner.invoke(app, ["report", "results.json", "-o", "r.html", "--quiet"])
    assert (report.exit_code, report.stdout, report.stderr) == (0, "", "")
    assert (in_tmp / "r.html").stat().st_size > 0
    template = runner.invoke(app, ["template", str(BUNDLED), "-o", "a.yaml", "--quiet"])
    assert (template.exit_code, template.stdout, template.stderr) == (0, "", "")
    assert (in_tmp / "a.yaml").read_text(encoding="utf-8") == answers_yaml(
        _bundled(), str(BUNDLED))
    again = runner.invoke(app, ["template", str(BUNDLED), "-o", "a.yaml", "--quiet"])
    assert again.exit_code == 1 and "file exists; not overwritten" in again.stderr


def _bundled():  # type: ignore[no-untyped-def]
    from leadlens.questionset.loading import load_question_set

    return load_question_set(BUNDLED)


def test_quiet_validate_prints_errors_only(tmp_path: Path) -> None:
    warned = tmp_path / "warned.yaml"  # two scored items: a warning, not an error
    warned.write_text(MINIMAL_SET.replace(
        "  - {id: b3, principle: basics, text: Three, scale: agreement}\n", ""), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINIMAL_SET.replace("principle: basics, text: One",
                                          "principle: basic, text: One"), encoding="utf-8")
    loud = runner.invoke(app, ["validate", str(warned), str(broken)])
    assert loud.exit_code == 1 and ": warning: " in loud.stdout and "ok (" in loud.stdout
    quiet = runner.invoke(app, ["validate", str(warned), str(broken), "--quiet"])
    assert quiet.exit_code == 1 and quiet.stderr == ""
    lines = quiet.stdout.splitlines()
    assert lines and all(line.startswith(f"{broken}:") for line in lines)
    assert not any(": warning: " in line for line in lines)
    strict = runner.invoke(app, ["validate", str(warned), "--quiet", "--strict"])
    assert strict.exit_code == 1 and ": warning: " in strict.stdout


# --- the pre-commit hook ------------------------------------------------------------------

SAMPLE_TREE = {
    "question_sets/ics.yaml": True,
    "question_sets/regional/north.yml": True,
    "surveys/question-sets/board.yaml": True,
    "team.questionset.yaml": True,
    "sets/wave2.questionset.yml": True,
    ".github/workflows/ci.yml": False,
    ".pre-commit-config.yaml": False,
    "docker-compose.yml": False,
    "config/settings.yaml": False,
    "question_sets/README.md": False,
    "my_question_sets/x.yaml": False,
    "question_sets.yaml": False,
}


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "leadlens-validate"]
    return dict(hook)


def test_hook_default_files_pattern_picks_question_sets_only(tmp_path: Path) -> None:
    hook = _hook()
    pattern = re.compile(str(hook["files"]))
    for name in SAMPLE_TREE:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("on: push\njobs: {}\n" if "workflows" in name else MINIMAL_SET,
                        encoding="utf-8")
    # pre-commit matches `files` with re.search against paths relative to the repository root.
    found = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    chosen = {name for name in found if pattern.search(name)}
    assert chosen == {name for name, wanted in SAMPLE_TREE.items() if wanted}
    # What the hook runs on the chosen files passes; the workflow file it skips would not.
    entry = str(hook["entry"]).split()
    assert entry[:2] == ["leadlens", "validate"] and hook["pass_filenames"] is True
    ok = runner.invoke(app, [*entry[1:], *sorted(str(tmp_path / n) for n in chosen)])
    assert ok.exit_code == 0, ok.stdout
    workflow = runner.invoke(app, ["validate", str(tmp_path / ".github/workflows/ci.yml")])
    assert workflow.exit_code == 1


def test_hook_default_is_documented() -> None:
    text = (REPO / "docs" / "question-sets.md").read_text(encoding="utf-8")
    section = text.split("### As a pre-commit hook", 1)[1]
    assert "`question_sets`" in section and "`question-sets`" in section
    assert "NAME.questionset.yaml" in section and "CI workflows" in section


def test_quiet_survey_drops_the_saved_lines(tmp_path: Path) -> None:
    from survey_support import write_set

    set_path = str(write_set(tmp_path))
    answers = tmp_path / "a.yaml"
    assert runner.invoke(app, ["template", set_path, "-o", str(answers)]).exit_code == 0
    filled = answers.read_text(encoding="utf-8").replace("  org:\n", "  org: Acme\n", 1)
    for key in ("b1", "b2@organisation", "b2@system", "c1", "i1@current", "i1@target"):
        filled = filled.replace(f"  {key}:\n", f"  {key}: 2\n", 1)
    answers.write_text(filled, encoding="utf-8")
    args = ["survey", "-q", set_path, "--answers", str(answers), "-o", str(tmp_path / "r.csv")]
    loud = runner.invoke(app, args)
    assert loud.exit_code == 0, loud.output
    assert loud.stdout.startswith(f"{answers}: ok; respondent ")
    quiet = runner.invoke(app, [*args, "--quiet"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert len((tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()) == 3
    # A plain session through a pipe: prompts still shown, the closing count is not.
    typed = "Acme Trust\nlocal authority\n3\n2\n3\nd\n1\n3\nA story\n\n"
    piped = runner.invoke(app, ["survey", "-q", set_path, "-o", str(tmp_path / "p.csv"),
                                "--quiet"], input=typed)
    assert piped.exit_code == 0, piped.output
    assert "Review your answers" in piped.stdout and piped.stderr == ""
    assert len((tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()) == 2
