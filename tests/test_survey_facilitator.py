"""What the facilitator controls and participants do not see: resume, notes, clearing."""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import pytest
import yaml

from leadlens.questionset.model import QuestionSet
from leadlens.survey.flow import Answer
from leadlens.survey.journal import read_journal, unfinished
from leadlens.survey.session import SessionOptions, SurveyInterrupted, run_session
from survey_support import FULL, SURVEY_SET, ScriptedPrompter, answers, survey_set


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def run(tmp_path: Path, prompter: ScriptedPrompter, qs: QuestionSet | None = None,
        **options: object) -> int:
    result = run_session(qs or survey_set(), prompter,
                         SessionOptions(output=tmp_path / "responses.csv", **options))  # type: ignore[arg-type]
    return result.saved


def interrupt_second_of_three(tmp_path: Path) -> None:
    first = ScriptedPrompter([*answers(*FULL), Answer("Beta"), KeyboardInterrupt()])
    with pytest.raises(SurveyInterrupted) as stop:
        run(tmp_path, first, respondents=3)
    assert stop.value.saved == 1


def test_resume_continues_the_interrupted_session_with_its_count(tmp_path: Path) -> None:
    interrupt_second_of_three(tmp_path)
    [journal] = unfinished(tmp_path / "responses.csv")
    header, _ = read_journal(journal)
    assert header["session"] == {"respondents": 3, "number": 2, "summary": False}
    second = ScriptedPrompter([*answers(*FULL[1:]), *answers(*FULL)])
    assert run(tmp_path, second, resume=True) == 2
    begin, *rest = second.events
    assert begin.startswith("begin Continuing responses.csv.partial.jsonl: respondent 2 of 3, "
                            "started ")
    assert begin.endswith(", 1 answer(s) so far.")
    out = tmp_path / "responses.csv"
    # Respondent 2 is finished without a start screen, then the session goes on to 3 of 3.
    assert rest == ["clear", f"message Saved respondent 2 to {out}.", "start 3", "clear",
                    f"message Saved respondent 3 to {out}."]
    assert {s.banner for s in second.screens} == {"Respondent 2 of 3", "Respondent 3 of 3"}
    assert [r[2] for r in read(out)] == ["org", "Acme Trust", "Beta", "Acme Trust"]


def test_an_explicit_count_replaces_the_resumed_one(tmp_path: Path) -> None:
    interrupt_second_of_three(tmp_path)
    second = ScriptedPrompter(answers(*FULL[1:]))
    assert run(tmp_path, second, resume=True, respondents=2, explicit=True) == 1


def test_with_two_journals_the_facilitator_chooses_and_is_told_of_the_other(
        tmp_path: Path) -> None:
    for org in ("First", "Second"):
        with pytest.raises(SurveyInterrupted):
            run(tmp_path, ScriptedPrompter([Answer(org), KeyboardInterrupt()]))
    journals = unfinished(tmp_path / "responses.csv")
    assert len(journals) == 2
    prompter = ScriptedPrompter(answers(*FULL[1:]), choices=[1])
    assert run(tmp_path, prompter, resume=True) == 1
    choose, begin = prompter.events[:2]
    assert choose.startswith("choose responses.csv.partial.jsonl: respondent 1 of 1, started ")
    assert "responses.csv.partial-2.jsonl" in choose
    assert "First" not in choose and "Second" not in choose  # never an answer
    assert begin.startswith("begin Continuing responses.csv.partial-2.jsonl")
    assert "1 other unfinished respondent(s)" in begin and "partial.jsonl" in begin
    assert read(tmp_path / "responses.csv")[1][2] == "Second"
    assert unfinished(tmp_path / "responses.csv") == [journals[0]]


def test_one_respondent_at_a_terminal_is_cleared_after_saving(tmp_path: Path) -> None:
    prompter = ScriptedPrompter(answers(*FULL), interactive=True)
    assert run(tmp_path, prompter) == 1
    assert prompter.events[1:] == ["clear", "message Saved respondent 1 to "
                                   f"{tmp_path / 'responses.csv'}."]


def test_an_abandoned_participant_is_cleared_too(tmp_path: Path) -> None:
    prompter = ScriptedPrompter([Answer("Acme"), KeyboardInterrupt()], interactive=True)
    with pytest.raises(SurveyInterrupted):
        run(tmp_path, prompter)
    assert prompter.events[-1] == "clear"


def test_the_introduction_comes_before_each_participants_first_question(
        tmp_path: Path) -> None:
    data = yaml.safe_load(SURVEY_SET)
    data["introduction"] = textwrap.dedent("""\
        Why we ask: to see how we lead together.

        Only groups of 5 or more are reported. Taking part is your choice.""")
    qs = QuestionSet.model_validate(data)
    prompter = ScriptedPrompter([*answers(*FULL), *answers(*FULL)])
    assert run(tmp_path, prompter, qs, respondents=2) == 2
    intros = [i for i, e in enumerate(prompter.events) if e.startswith("introduction")]
    starts = [i for i, e in enumerate(prompter.events) if e.startswith("start")]
    assert len(intros) == 2 and all(s < i for s, i in zip(starts, intros, strict=True))
    assert "Taking part is your choice." in prompter.events[intros[0]]


def test_section_descriptions_reach_participants_whole(tmp_path: Path) -> None:
    prompter = ScriptedPrompter(answers(*FULL))
    run(tmp_path, prompter)
    sections = {s.step.section.description for s in prompter.screens  # type: ignore[union-attr]
                if hasattr(s, "step") and s.step.section}
    assert "Do partners know each other? More." in sections
