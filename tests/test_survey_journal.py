"""The partial journal, resume, and whole sessions driven by a scripted prompter."""

from __future__ import annotations

import csv
import fcntl
import json
import os
from pathlib import Path

import pytest

from leadlens.errors import ResponsesError
from leadlens.survey.flow import Answer, Back, Screen, Skip, Submit
from leadlens.survey.journal import Journal, journal_path, read_journal, unfinished
from leadlens.survey.session import SessionOptions, SurveyInterrupted, run_session
from survey_support import FULL, HEADER, KEYS, ScriptedPrompter, answers, survey_set


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def ids() -> object:
    counter = iter(range(1, 1000))
    return lambda: f"id{next(counter)}"


def session(tmp_path: Path, script: list[object], *, respondents: int | None = 1,
            resume: bool = False, summary: bool = False,
            starts: list[bool] | None = None) -> tuple[ScriptedPrompter, int]:
    prompter = ScriptedPrompter(script, starts=starts or [])
    result = run_session(survey_set(), prompter,
                         SessionOptions(output=tmp_path / "responses.csv",
                                        respondents=respondents, resume=resume,
                                        summary=summary),
                         clock=lambda: "2026-03-01T10:00:00+00:00", new_id=ids())  # type: ignore[arg-type]
    return prompter, result.saved


# -- the journal file --------------------------------------------------------------------------

def test_every_answer_is_on_disk_as_a_json_line(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    journal = Journal.create(out, survey_set(), "abc")
    journal.record("org", "Acme")
    journal.record("sector", None)
    journal.record("org", "Acme Trust")  # changed after "back"
    assert journal.path == tmp_path / "responses.csv.partial.jsonl"
    lines = [json.loads(line) for line in journal.path.read_text().splitlines()]
    assert lines[0]["journal"] == 1 and lines[0]["question_set"] == "workshop"
    assert lines[0]["respondent_id"] == "abc"
    assert lines[1:] == [{"key": "org", "value": "Acme"}, {"key": "sector", "value": None},
                         {"key": "org", "value": "Acme Trust"}]
    assert oct(journal.path.stat().st_mode & 0o777) == "0o600"  # answers are private
    header, answers_ = read_journal(journal.path)
    assert answers_ == {"org": "Acme Trust", "sector": None}
    journal.remove()
    assert not journal.path.exists()


def test_a_running_journal_is_locked_so_a_second_survey_uses_another_name(
        tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    first = Journal.create(out, survey_set(), "a")
    second = Journal.create(out, survey_set(), "b")
    assert second.path == journal_path(out, 2) == tmp_path / "responses.csv.partial-2.jsonl"
    first.record("org", "A")
    assert unfinished(out) == []  # both held by running surveys
    assert Journal.resume(out, survey_set()) is None
    first.close()
    assert unfinished(out) == [first.path]
    resumed = Journal.resume(out, survey_set())
    assert resumed is not None and resumed.path == first.path
    assert (resumed.respondent_id, resumed.answers) == ("a", {"org": "A"})
    resumed.close()
    second.close()


def test_a_torn_last_line_is_ignored_and_the_file_repaired(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    journal = Journal.create(out, survey_set(), "x")
    journal.record("org", "Acme")
    journal.close()
    with journal.path.open("ab") as handle:
        handle.write(b'{"key": "sector", "val')  # the process died mid-write
    resumed = Journal.resume(out, survey_set())
    assert resumed is not None and resumed.answers == {"org": "Acme"}
    resumed.record("sector", "NHS trust")
    resumed.close()
    assert read_journal(journal.path)[1] == {"org": "Acme", "sector": "NHS trust"}


@pytest.mark.parametrize(("content", "message"), [
    (b'{"journal": 1, "question_set": "workshop"}\nnot json\n{"key": "org", "value": "x"}\n',
     "responses.csv.partial.jsonl:2: not a journal line (damaged file?)"),
    (b'{"something": "else"}\n', "responses.csv.partial.jsonl:1: not a leadlens survey journal"),
    (b"", "responses.csv.partial.jsonl:1: empty journal: nothing to resume"),
    (b'{"journal": 1, "question_set": "other"}\n',
     "responses.csv.partial.jsonl:1: this unfinished respondent answered question set 'other', "
     "not 'workshop'. Resume with --question-set other"),
])
def test_a_damaged_or_foreign_journal_is_a_located_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("responses.csv.partial.jsonl").write_bytes(content)
    with pytest.raises(ResponsesError) as caught:
        Journal.resume(Path("responses.csv"), survey_set())
    assert str(caught.value) == message
    assert Path("responses.csv.partial.jsonl").read_bytes() == content  # never deleted


# -- sessions ------------------------------------------------------------------------------------

def test_one_respondent_is_appended_and_the_journal_removed(tmp_path: Path) -> None:
    prompter, saved = session(tmp_path, answers(*FULL))
    rows = read(tmp_path / "responses.csv")
    assert saved == 1
    assert rows == [HEADER, ["id1", "2026-03-01T10:00:00+00:00", *FULL]]
    assert not list(tmp_path.glob("*.partial*"))
    assert prompter.events == ["begin ",
                               "message Saved respondent 1 to " f"{tmp_path / 'responses.csv'}."]


def test_the_journal_holds_each_answer_before_the_next_screen(tmp_path: Path) -> None:
    seen: list[dict[str, str | None]] = []
    journal = tmp_path / "responses.csv.partial.jsonl"

    def check(screen: Screen) -> Answer:
        seen.append(read_journal(journal)[1] if journal.exists() else {})
        return Answer(FULL[len(seen) - 1])

    session(tmp_path, [check] * len(KEYS) + [Submit()])
    assert seen[0] == {}
    for n in range(1, len(KEYS)):
        assert seen[n] == dict(zip(KEYS[:n], FULL[:n], strict=True))


def test_ctrl_c_keeps_the_answers_and_resume_continues(tmp_path: Path) -> None:
    with pytest.raises(SurveyInterrupted) as stop:
        session(tmp_path, [Answer("Acme"), Skip(), Answer("3"), KeyboardInterrupt()])
    journal = tmp_path / "responses.csv.partial.jsonl"
    assert stop.value.journal == journal and not stop.value.end_of_input
    assert not (tmp_path / "responses.csv").exists()
    assert read_journal(journal)[1] == {"org": "Acme", "sector": None, "b1": "3"}

    prompter, saved = session(tmp_path, [Back(), Answer("NHS trust"), Answer("2"),
                                         *answers(*FULL[3:])], resume=True)
    first = prompter.screens[0]
    assert isinstance(first, Screen) and first.step.key == "b2@organisation"
    back = prompter.screens[1]
    assert isinstance(back, Screen) and (back.step.key, back.current) == ("b1", "3")
    rows = read(tmp_path / "responses.csv")
    assert rows[1][0] == "id1"  # the id from the journal, not a new one
    assert rows[1][2:] == ["Acme", "", "2", *FULL[3:]]
    assert not journal.exists()


def test_end_of_input_is_reported_as_such(tmp_path: Path) -> None:
    with pytest.raises(SurveyInterrupted) as stop:
        session(tmp_path, [Answer("Acme"), EOFError()])
    assert stop.value.end_of_input and stop.value.saved == 0


def test_an_interruption_before_any_answer_leaves_no_journal(tmp_path: Path) -> None:
    with pytest.raises(SurveyInterrupted) as stop:
        session(tmp_path, [KeyboardInterrupt()])
    assert stop.value.journal is None
    assert list(tmp_path.iterdir()) == []


def test_resume_without_a_journal_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ResponsesError, match="nothing to resume: no unfinished respondent"):
        session(tmp_path, [], resume=True)


def test_a_new_session_mentions_unfinished_respondents(tmp_path: Path) -> None:
    with pytest.raises(SurveyInterrupted):
        session(tmp_path, [Answer("Acme"), KeyboardInterrupt()])
    prompter, _ = session(tmp_path, answers(*FULL))
    # The note is for the facilitator's screen, never a participant's.
    assert prompter.events[0].startswith("begin Note: 1 unfinished respondent(s) beside")
    assert prompter.events[0].endswith("`leadlens survey --resume` continues them.")
    assert all(not s.notice for s in prompter.screens)
    assert (tmp_path / "responses.csv.partial.jsonl").exists()  # still there for --resume
    assert len(read(tmp_path / "responses.csv")) == 2


def test_a_refused_header_stops_before_anyone_answers(tmp_path: Path) -> None:
    (tmp_path / "responses.csv").write_text("respondent_id,other\n", encoding="utf-8")
    with pytest.raises(ResponsesError, match="header does not match"):
        session(tmp_path, [])


def test_a_failed_append_keeps_the_journal(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"

    def sabotage(screen: object) -> Submit:
        out.write_text("changed,header\n", encoding="utf-8")  # e.g. edited meanwhile
        return Submit()

    script = answers(*FULL)[:-1] + [sabotage]
    with pytest.raises(ResponsesError, match="header does not match"):
        session(tmp_path, script)
    kept = read_journal(tmp_path / "responses.csv.partial.jsonl")[1]
    assert kept == dict(zip(KEYS, FULL, strict=True))


def test_workshop_loop_clears_between_respondents(tmp_path: Path) -> None:
    second = ["Beta Council", "Local authority", "1", None, None, "3", None, None, "Fine"]
    prompter, saved = session(tmp_path, answers(*FULL) + answers(*second), respondents=None,
                              starts=[True, True, False])
    assert saved == 2
    out = tmp_path / "responses.csv"
    assert prompter.events == ["begin ",
                               "start 1", "clear", f"message Saved respondent 1 to {out}.",
                               "start 2", "clear", f"message Saved respondent 2 to {out}.",
                               "start 3"]
    rows = read(out)
    assert [r[0] for r in rows] == ["respondent_id", "id1", "id2"]
    assert rows[2][2:] == [v or "" for v in second]
    banners = {s.banner for s in prompter.screens}
    assert banners == {"Respondent 1", "Respondent 2"}


def test_respondents_n_stops_after_n(tmp_path: Path) -> None:
    prompter, saved = session(tmp_path, answers(*FULL) * 1 + answers(*FULL), respondents=2)
    assert saved == 2 and prompter.events.count("clear") == 2
    assert {s.banner for s in prompter.screens} == {"Respondent 1 of 2", "Respondent 2 of 2"}
    assert len(read(tmp_path / "responses.csv")) == 3


def test_ctrl_c_on_a_workshop_summary_clears_it(tmp_path: Path) -> None:
    prompter = ScriptedPrompter(answers(*FULL))

    def interrupted(lines: list[str], *, wait: bool) -> None:
        raise KeyboardInterrupt

    prompter.summary = interrupted  # type: ignore[method-assign]
    with pytest.raises(SurveyInterrupted) as stop:
        run_session(survey_set(), prompter, SessionOptions(output=tmp_path / "r.csv",
                                                            respondents=3, summary=True))
    assert stop.value.saved == 1 and stop.value.journal is None
    assert prompter.events[-1] == "clear"
    assert len(read(tmp_path / "r.csv")) == 2


def test_summary_shows_the_respondents_own_scores(tmp_path: Path) -> None:
    prompter, _ = session(tmp_path, answers(*FULL), summary=True)
    at = prompter.events.index("summary")
    # basics: b1=3 -> 100; b2 (two hats, half weight each) = 2 and 3 on 1-3 -> 50, 100;
    # (100 + 25 + 50) / 2 = 87.5, shown as 87; context: only "Don't know"
    assert prompter.events[at + 1].split() == ["Understanding", "the", "basics",
                                               "##################..", "87", "High"]
    assert prompter.events[at + 2].split()[:3] == ["Context", "-", "too"]


@pytest.mark.parametrize(("interactive", "waits", "cleared"), [(True, True, True),
                                                                (False, False, False)])
def test_one_respondents_summary_waits_and_is_cleared_at_a_terminal_only(
        tmp_path: Path, interactive: bool, waits: bool, cleared: bool) -> None:
    prompter = ScriptedPrompter(answers(*FULL), interactive=interactive)
    run_session(survey_set(), prompter, SessionOptions(output=tmp_path / "r.csv", summary=True))
    assert prompter.summary_waits == [waits]
    after = prompter.events[prompter.events.index("summary"):]
    assert ("clear" in after) is cleared
    assert after[-1].startswith("message Saved respondent 1")


def test_two_sessions_on_one_file_do_not_share_a_journal(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    held = Journal.create(out, survey_set(), "someone-else")  # another survey mid-respondent
    journals: list[list[str]] = []

    def look(screen: Screen) -> Answer:
        journals.append(sorted(p.name for p in tmp_path.glob("*.partial*")))
        return Answer(FULL[len(journals) - 1])

    session(tmp_path, [look] * len(KEYS) + [Submit()])
    assert journals[-1] == ["responses.csv.partial-2.jsonl", "responses.csv.partial.jsonl"]
    assert held.path.exists() and not (tmp_path / "responses.csv.partial-2.jsonl").exists()
    held.close()
    fd = os.open(held.path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released on close
    os.close(fd)
