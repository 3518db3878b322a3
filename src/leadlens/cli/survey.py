"""Commands for collecting answers: survey (interactive or from a file) and template."""

from __future__ import annotations

import shlex
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import say, warn, write_document
from leadlens.cli._lazy import load_question_set
from leadlens.cli._options import (
    ForceOption,
    Formats,
    QuestionSetArgument,
    QuestionSetOption,
    QuietOption,
    choose_format,
    format_option,
    is_stdout,
    output_option,
    whole_number,
)
from leadlens.files import check_folder, check_writable, write_atomic
from leadlens.survey.template import FORMAT_BY_SUFFIX, TEMPLATES

if TYPE_CHECKING:
    from leadlens.errors import ResponsesError
    from leadlens.questionset.model import QuestionSet
    from leadlens.survey.session import SessionOptions

OUTPUT_HELP = ("Responses CSV to append completed respondents to (default: responses.csv in the "
               "current folder). An existing file must have the same header; no --force needed.")
TEMPLATE_FORMATS = Formats.of(TEMPLATES, FORMAT_BY_SUFFIX)


def _resume_command(question_set: str | None, output: Path) -> str:
    parts = ["leadlens", "survey", "--resume", "-o", str(output)]
    if question_set is not None:
        parts[2:2] = ["--question-set", question_set]
    return shlex.join(parts)


@app.command(short_help="Ask the survey in the terminal; append answers to a responses CSV.")
def survey(
    question_set: QuestionSetOption = None,
    output: Annotated[Path, output_option(OUTPUT_HELP, dir_okay=False)] = Path("responses.csv"),
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue the interrupted session: its unfinished respondent at the "
        "next unanswered question (the facilitator chooses when there are several), then the "
        "rest of that session.")] = False,
    respondents: Annotated[int | None, typer.Option(
        "--respondents", metavar="N", parser=whole_number, show_default=False,
        help="Workshop mode: this many respondents in turn, the screen cleared between "
        "them.")] = None,
    loop: Annotated[bool, typer.Option(
        "--loop", help="Workshop mode: respondents in turn until the facilitator presses q at "
        "the start screen.")] = False,
    answers: Annotated[Path | None, typer.Option(
        "--answers", metavar="FILE", show_default=False,
        help="Check one respondent's answers.yaml or answers.json (see `leadlens template`) "
        "and append them, without prompting.")] = None,
    summary: Annotated[bool, typer.Option(
        "--summary", help="Show each respondent their own principle scores as a small chart "
        "after saving.")] = False,
    plain: Annotated[bool, typer.Option(
        "--plain", help="Plain numbered prompts even on a terminal (screen readers, dumb "
        "terminals). Used automatically when stdin is not a terminal.")] = False,
    quiet: QuietOption = False,
    choices: Annotated[list[str] | None, typer.Option(
        "--choices", metavar="FIELD=FILE", show_default=False,
        help="Ask a respondent field as a pick list read from FILE (one choice per line), "
        "e.g. --choices organisation=orgs.txt for the organisations in the room "
        "(repeatable).")] = None,
) -> None:
    """Ask the survey in the terminal and append each respondent to a responses CSV.

    Respondent fields first, then the questions section by section: a number key or arrows +
    Enter; b = back, s = skip (optional questions); a review screen before saving. Every
    answer is journaled beside the output as it is given (responses.csv.partial.jsonl), so
    Ctrl-C or a closed terminal loses nothing: --resume carries on. Without a terminal on
    stdin, plain numbered prompts read one line per answer (scriptable with a pipe).
    """
    if loop and respondents is not None:
        raise usage_error("use either --loop or --respondents N, not both")
    if answers is not None and (resume or loop or respondents is not None or summary):
        raise usage_error("--answers saves one respondent from a file; it cannot be combined "
                          "with --resume, --loop, --respondents or --summary")
    if is_stdout(output):
        raise usage_error("--output -: the survey appends to a responses file (and journals "
                          "beside it); name a file")
    run(lambda: check_folder(output))  # before anyone answers: the folder is not created
    if answers is not None:
        qs = _with_choices(run(lambda: load_question_set(question_set)), choices or [])
        _survey_from_file(qs, answers, output, quiet=quiet)
        return
    from leadlens.survey.session import SessionOptions

    count = None if loop else (1 if respondents is None else respondents)
    options = run(lambda: SessionOptions(output=output, respondents=count, resume=resume,
                                         summary=summary,
                                         explicit=loop or respondents is not None))
    qs = _with_choices(run(lambda: load_question_set(question_set)), choices or [])
    _survey_interactive(qs, question_set, options, plain=plain, quiet=quiet)


def _with_choices(qs: QuestionSet, given: list[str]) -> QuestionSet:
    """Apply each ``--choices FIELD=FILE`` (bad FIELD: usage error; bad FILE: exit 1)."""
    from leadlens.survey.choices import read_choices, with_choices

    fields = qs.respondent_field_ids()
    for spec in given:
        field_id, sep, file = spec.partition("=")
        if not sep or not field_id or not file:
            raise usage_error(f"--choices {spec!r}: give FIELD=FILE, e.g. "
                              "organisation=orgs.txt")
        if field_id not in fields:
            raise usage_error(f"--choices {spec!r}: {field_id!r} is not a respondent field of "
                              f"{qs.id}; choose from {', '.join(fields) or '(none)'}")
        picked = run(partial(read_choices, Path(file)))
        qs = with_choices(qs, field_id, picked)
    return qs


def _survey_from_file(qs: QuestionSet, answers: Path, output: Path, *, quiet: bool) -> None:
    from leadlens.survey.answers_file import load_answers
    from leadlens.survey.session import save_file_answers

    checked = run(lambda: load_answers(answers, qs))
    respondent_id = run(lambda: save_file_answers(qs, checked, output))
    if not quiet:
        say(f"{answers}: ok; respondent {respondent_id} appended to {output}\n")


def _survey_interactive(qs: QuestionSet, question_set: str | None, options: SessionOptions,
                        *, plain: bool, quiet: bool) -> None:
    from leadlens.errors import ResponsesError
    from leadlens.survey.plain import PlainPrompter
    from leadlens.survey.prompter import TerminalPrompter, terminal_available
    from leadlens.survey.session import (
        SessionPrompter,
        SessionResult,
        SurveyInterrupted,
        run_session,
    )

    prompter: SessionPrompter = (TerminalPrompter() if terminal_available(plain)
                                 else PlainPrompter(sys.stdin, sys.stdout))
    output = options.output

    def session() -> SessionResult:
        try:
            return run_session(qs, prompter, options)
        except ResponsesError as exc:
            raise _with_resume_hint(exc, question_set, output) from None

    try:
        result = run(session)
    except SurveyInterrupted as stop:
        why = "Input ended" if stop.end_of_input else "Interrupted"
        warn(f"\n{why}: {stop.saved} respondent(s) saved to {output}.\n")
        if stop.journal is not None:
            warn(f"The unfinished respondent's answers are kept in {stop.journal}; "
                 f"continue with: {_resume_command(question_set, output)}\n")
        raise typer.Exit(1 if stop.end_of_input else 130) from None
    if not quiet:
        warn(f"{result.saved} respondent(s) saved to {output}.\n")
    if result.journals_left:
        warn(f"{len(result.journals_left)} unfinished respondent(s) still beside {output}; "
             f"continue with: {_resume_command(question_set, output)}\n")


def _with_resume_hint(exc: ResponsesError, question_set: str | None,
                      output: Path) -> ResponsesError:
    """A full disk or a read-only folder mid-survey: the same problems, each that left
    answers journaled ending with the exact command that carries on once it is fixed."""
    from dataclasses import replace

    from leadlens.errors import Code, ResponsesError
    from leadlens.survey.journal import unfinished

    writing = (Code.SURVEY_UNWRITABLE, Code.OUTPUT_UNWRITABLE)
    if not unfinished(output) or not any(p.code in writing for p in exc.problems):
        return exc
    warn("\n")  # a plain prompt has no newline of its own: the error starts on a line
    command = _resume_command(question_set, output)
    problems = [replace(p, hint="Free some space or make the folder writable; every answer "
                        f"given so far is kept. Then continue with: {command}")
                if p.code in writing else p for p in exc.problems]
    return ResponsesError(problems)


@app.command(short_help="Write an answers file to fill in, or a blank responses CSV.")
def template(
    question_set: QuestionSetArgument = None,
    output: Annotated[Path | None, output_option(
        "answers.yaml (or .json): an answers file to fill in; blank.csv: a responses CSV with "
        "just the header. Without -o (or with -o -) the file is printed.", dir_okay=False)
    ] = None,
    fmt: Annotated[str | None, format_option(
        TEMPLATE_FORMATS, "yaml, json or csv (default: from the -o extension; yaml on "
        "standard output).")] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Write an answers file to fill in, or a blank responses CSV with the right header."""
    from leadlens.survey.template import render_template

    fmt = choose_format(TEMPLATE_FORMATS, fmt, output, to_stdout="yaml")
    target = None if is_stdout(output) else output
    if target is not None:
        run(lambda: check_writable(target, force=force))
    qs = run(lambda: load_question_set(question_set))
    text = render_template(qs, fmt, question_set)
    if target is None:
        write_document(text)
        return
    run(lambda: write_atomic(target, text, force=force))
    if not quiet:
        warn(f"wrote {target}\n")
