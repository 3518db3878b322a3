"""Commands for collecting answers: survey (interactive or from a file) and template."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import say, warn, write_document
from leadlens.cli._lazy import load_question_set
from leadlens.files import check_writable, write_atomic

if TYPE_CHECKING:
    from leadlens.questionset.model import QuestionSet

QUESTION_SET_HELP = "A question-set file or a bundled id (default: ggi-systems-leadership)."
OUTPUT_HELP = ("Responses CSV to append completed respondents to (default: responses.csv in the "
               "current folder). An existing file must have the same header; no --force needed.")


def _resume_command(question_set: str | None, output: Path) -> str:
    parts = ["leadlens", "survey", "--resume", "-o", str(output)]
    if question_set is not None:
        parts[2:2] = ["--question-set", question_set]
    return shlex.join(parts)


@app.command()
def survey(
    question_set: str = typer.Option(None, "--question-set", help=QUESTION_SET_HELP,
                                     show_default=False),
    output: Path = typer.Option(Path("responses.csv"), "--output", "-o", help=OUTPUT_HELP,
                                dir_okay=False),
    resume: bool = typer.Option(False, "--resume", help="Continue the unfinished respondent "
                                "journaled beside the output, at the next unanswered question."),
    respondents: int = typer.Option(None, "--respondents", min=1, show_default=False,
                                    help="Workshop mode: this many respondents in turn, the "
                                    "screen cleared between them."),
    loop: bool = typer.Option(False, "--loop", help="Workshop mode: respondents in turn until "
                              "the facilitator presses q at the start screen."),
    answers: Path = typer.Option(None, "--answers", show_default=False,
                                 help="Check one respondent's answers.yaml or answers.json "
                                 "(see `leadlens template`) and append them, without prompting."),
    summary: bool = typer.Option(False, "--summary", help="Show each respondent their own "
                                 "principle scores as a small chart after saving."),
    plain: bool = typer.Option(False, "--plain", help="Plain numbered prompts even on a "
                               "terminal (screen readers, dumb terminals). Used automatically "
                               "when stdin is not a terminal."),
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
    qs = run(lambda: load_question_set(question_set))
    if answers is not None:
        _survey_from_file(qs, answers, output)
        return
    _survey_interactive(qs, question_set, output, resume=resume,
                        respondents=None if loop else (respondents or 1), summary=summary,
                        plain=plain)


def _survey_from_file(qs: QuestionSet, answers: Path, output: Path) -> None:
    from leadlens.survey.answers_file import load_answers
    from leadlens.survey.session import save_file_answers

    checked = run(lambda: load_answers(answers, qs))
    respondent_id = run(lambda: save_file_answers(qs, checked, output))
    say(f"{answers}: ok; respondent {respondent_id} appended to {output}\n")


def _survey_interactive(qs: QuestionSet, question_set: str | None, output: Path, *,
                        resume: bool, respondents: int | None, summary: bool,
                        plain: bool) -> None:
    from leadlens.survey.plain import PlainPrompter
    from leadlens.survey.prompter import TerminalPrompter, terminal_available
    from leadlens.survey.session import (
        SessionOptions,
        SessionPrompter,
        SurveyInterrupted,
        run_session,
    )

    prompter: SessionPrompter = (TerminalPrompter() if terminal_available(plain)
                                 else PlainPrompter(sys.stdin, sys.stdout))
    options = SessionOptions(output=output, respondents=respondents, resume=resume,
                             summary=summary)
    try:
        result = run(lambda: run_session(qs, prompter, options))
    except SurveyInterrupted as stop:
        why = "Input ended" if stop.end_of_input else "Interrupted"
        warn(f"\n{why}: {stop.saved} respondent(s) saved to {output}.\n")
        if stop.journal is not None:
            warn(f"The unfinished respondent's answers are kept in {stop.journal}; "
                             f"continue with: {_resume_command(question_set, output)}\n")
        raise typer.Exit(1 if stop.end_of_input else 130) from None
    warn(f"{result.saved} respondent(s) saved to {output}.\n")


@app.command()
def template(
    question_set: str = typer.Argument(None, help=QUESTION_SET_HELP, show_default=False),
    output: Path = typer.Option(None, "--output", "-o", dir_okay=False, show_default=False,
                                help="answers.yaml (or .json): an answers file to fill in; "
                                "blank.csv: a responses CSV with just the header. Without -o "
                                "the YAML answers file is printed."),
    fmt: str = typer.Option(None, "--format", show_default=False,
                            help="yaml, json or csv (default: from the -o extension)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
) -> None:
    """Write an answers file to fill in, or a blank responses CSV with the right header."""
    from leadlens.survey.template import FORMAT_BY_SUFFIX, TEMPLATES, render_template

    if fmt is None:
        fmt = "yaml" if output is None else FORMAT_BY_SUFFIX.get(output.suffix.lower(), "")
        if not fmt:
            raise usage_error(f"cannot tell the format from {str(output)!r}: use .yaml, .json "
                              "or .csv, or give --format")
    if fmt not in TEMPLATES:
        raise usage_error(f"unknown --format {fmt!r}: use yaml, json or csv")
    if output is not None:
        run(lambda: check_writable(output, force=force))
    qs = run(lambda: load_question_set(question_set))
    text = render_template(qs, fmt, question_set)
    if output is None:
        write_document(text)
        return
    run(lambda: write_atomic(output, text, force=force))
    warn(f"wrote {output}\n")
