"""The phone survey follows the terminal survey's rules and journals every answer the same way;
the projector reveals only what rests on enough people; a crash loses nothing."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.questionset.loading import load_question_set
from leadlens.survey.flow import build_steps
from leadlens.survey.journal import read_journal
from leadlens.survey.writer import responses_header
from leadlens.workshop.app import Workshop
from workshop_support import (
    Phone,
    client,
    csrf_of,
    facilitator,
    make_workshop,
    middle,
    small_set,
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def journals(folder: Path) -> list[Path]:
    return sorted(folder.glob("board.csv.partial*.jsonl"))


def test_a_phone_walks_the_same_steps_as_the_terminal_survey(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    phone = Phone(client(w), w.secrets.room)
    phone.join()
    seen = []
    while (current := phone.step()) is not None:
        seen.append(current[0])
        phone.answer(middle(*current))
    assert seen == [s.key for s in build_steps(w.qs)]
    assert "Check your answers" in phone.page().text


def test_required_questions_skip_dont_know_hats_and_back(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    phone = Phone(client(w), w.secrets.room)
    phone.join()
    first = phone.page().text
    assert 'value="skip"' not in first and "needs an answer" in first  # organisation: required
    refused = phone.answer("", action="skip").text
    assert "cannot be skipped" in refused
    phone.answer("Northbridge <Trust>")
    assert phone.step() is not None and phone.step()[0] == "sector"  # type: ignore[index]
    assert 'value="back"' in phone.page().text
    phone.answer("", action="back")
    assert 'value="Northbridge &lt;Trust&gt;"' in phone.page().text  # shown again, escaped
    phone.answer("Northbridge Trust")
    while (current := phone.step()) is not None and current[0] != "basics-1":
        phone.answer(middle(*current))
    assert "Don&#39;t know" in phone.page().text or "Don't know" in phone.page().text
    phone.answer("Don't know")
    phone.answer("", action="skip")  # basics-2 is optional
    while (current := phone.step()) is not None and current[0] != "context-2@organisation":
        phone.answer(middle(*current))
    hat = phone.page().text
    assert "hat" in hat.lower()
    phone.answer("4")
    partner = phone.page().text
    assert phone.step()[0] == "context-2@system"  # type: ignore[index]
    assert re.search(r"You answered [^<]*: 4", partner)
    phone.answer_all()
    review = phone.page().text
    assert "(skipped)" in review and "Don&#39;t know" in review
    phone.post("review", change="basics-1")
    assert phone.step()[0] == "basics-1"  # type: ignore[index]
    phone.answer("5")
    assert "Check your answers" in phone.page().text  # back to the review after a change
    assert "Thank you" in phone.submit().text
    saved = rows(w.room.output)
    assert len(saved) == 1
    assert list(saved[0]) == responses_header(w.qs)
    assert saved[0]["organisation"] == "Northbridge Trust"
    assert saved[0]["basics-1"] == "5" and saved[0]["basics-2"] == ""
    assert saved[0]["context-2@organisation"] == "4"


def test_every_answer_is_journaled_before_the_next_page(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    phone = Phone(client(w), w.secrets.room)
    phone.join()
    phone.answer("Northbridge Trust")
    phone.answer("NHS trust")
    [journal] = journals(tmp_path)
    header, answers = read_journal(journal)
    assert header["question_set"] == w.qs.id
    assert answers == {"organisation": "Northbridge Trust", "sector": "NHS trust"}
    phone.answer_all()
    assert len(read_journal(journal)[1]) == len(build_steps(w.qs))
    phone.submit()
    assert journals(tmp_path) == []  # removed only once the row is in the responses file
    assert len(rows(w.room.output)) == 1


def test_a_phone_that_sleeps_or_reloads_carries_on_where_it_was(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    phone = Phone(client(w), w.secrets.room)
    phone.join()
    for _ in range(5):
        phone.answer(middle(*phone.step()))  # type: ignore[misc]
    where = phone.step()
    woken = Phone(client(w), w.secrets.room)  # a new connection with the same cookies
    woken.c.cookies = phone.c.cookies
    assert woken.step() == where
    assert woken.c.get(f"/r/{w.secrets.room}").url.path.endswith("/q")  # the join link too
    stranger = Phone(client(w), w.secrets.room)
    stranger.join()
    assert stranger.step()[0] == "organisation"  # type: ignore[index]


def test_an_old_form_from_the_back_button_changes_that_answer(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    phone = Phone(client(w), w.secrets.room)
    phone.join()
    token = csrf_of(phone.page().text)
    phone.answer("Trust A")
    phone.answer("NHS trust")
    room = w.secrets.room
    phone.c.post(f"/r/{room}/q", data={"csrf": token, "step": "organisation", "value": "Trust B"})
    assert w.room.records()[0][1]["organisation"] == "Trust B"
    ahead = phone.c.post(f"/r/{room}/q", data={"csrf": token, "step": "narrative-8",
                                               "value": "5"})
    assert "answer this question first" in ahead.text
    assert "narrative-8" not in w.room.records()[0][1]


def test_finished_phones_cannot_answer_again_but_can_hand_over(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    phone = Phone(client(w), w.secrets.room)
    phone.join()
    phone.answer_all()
    phone.submit()
    again = phone.submit()
    assert "Thank you" in again.text
    assert len(rows(w.room.output)) == 1
    handed = phone.c.post(f"/r/{w.secrets.room}/again",
                          data={"csrf": csrf_of(phone.page().text)})
    # The next person reads the question set's introduction first, as everyone does.
    assert f'action="/r/{w.secrets.room}/intro"' in handed.text
    phone.c.post(f"/r/{w.secrets.room}/intro", data={"csrf": csrf_of(handed.text)})
    assert phone.step()[0] == "organisation", handed.text  # type: ignore[index]
    phone.answer_all()
    phone.submit()
    saved = rows(w.room.output)
    assert len(saved) == 2 and saved[0]["respondent_id"] != saved[1]["respondent_id"]


def crash(w: Workshop) -> None:
    """What SIGKILL leaves: journals on disk, their locks released, nothing else done."""
    w.room.close()


def test_resume_after_a_crash_loses_nothing_and_saves_nobody_twice(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    done = Phone(client(w), w.secrets.room)
    done.join()
    done.answer_all()
    done.submit()
    halfway = Phone(client(w), w.secrets.room)
    halfway.join()
    for _ in range(12):
        halfway.answer(middle(*halfway.step()))  # type: ignore[misc]
    where = halfway.step()
    crash(w)

    again = make_workshop(tmp_path, resume=True)
    assert again.secrets == w.secrets  # the same room code: phones keep their link
    phone = Phone(client(again), again.secrets.room)
    phone.c.cookies = halfway.c.cookies
    assert phone.step() == where
    finished = Phone(client(again), again.secrets.room)
    finished.c.cookies = done.c.cookies
    assert "Thank you" in finished.page().text
    progress = again.room.progress()
    assert (progress.joined, progress.answering, progress.finished) == (2, 1, 1)
    phone.answer_all()
    phone.submit()
    ids = [r["respondent_id"] for r in rows(again.room.output)]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert journals(tmp_path) == []


def test_a_crash_between_saving_the_row_and_removing_the_journal(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    phone = Phone(client(w), w.secrets.room)
    phone.join()
    phone.answer_all()
    [journal] = journals(tmp_path)
    kept = tmp_path / "kept.jsonl"
    shutil.copy(journal, kept)
    phone.submit()
    crash(w)
    shutil.copy(kept, journal)  # as if the process died before the journal was removed
    again = make_workshop(tmp_path, resume=True)
    assert journals(tmp_path) == []
    assert again.room.progress().finished == 1
    assert len(rows(again.room.output)) == 1


def test_resume_refuses_without_a_workshop_and_a_new_one_refuses_old_answers(
        tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "board.csv"
    result = runner.invoke(app, ["workshop", "-o", str(out), "--resume", "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{out}: nothing to resume: no workshop was started with "
                                     "this -o. Start one without --resume")
    w = make_workshop(tmp_path)
    phone = Phone(client(w), w.secrets.room)
    phone.join()
    phone.answer_all()
    phone.submit()
    crash(w)
    result = runner.invoke(app, ["workshop", "-o", str(out), "--port", "0"])
    assert result.exit_code == 1
    assert "board.csv: already holds answers. Continue that workshop with --resume" \
        in result.stderr
    assert result.stdout == ""


def test_the_projector_shows_nothing_below_the_threshold_and_no_single_change(
        tmp_path: Path) -> None:
    w = make_workshop(tmp_path / "w", qs=small_set(tmp_path))
    threshold = w.reveals.threshold
    f = facilitator(w)

    def reveal(unit: str) -> str:
        return f.post("/f/reveal", data={"csrf": csrf_of(f.get("/f/").text),
                                         "unit": unit}).text

    def phone_answers(value: str) -> None:
        phone = Phone(client(w), w.secrets.room)
        phone.join()
        phone.answer_all(lambda key, choices: extreme(key, choices, value == "low"))
        phone.submit()

    for _ in range(threshold - 1):
        phone_answers("low")
    page = reveal("principle:basics")
    assert "Not shown: fewer than" in page and "out of 100" not in page
    assert re.search(r'data-unit="principle:basics".*?disabled', page, re.S)
    phone_answers("low")
    shown = reveal("principle:basics")
    assert "out of 100" in shown and f"{threshold} people" in shown
    score_before = re.search(r'class="big-score">(\d+)', shown).group(1)  # type: ignore[union-attr]
    phone_answers("high")  # one more person: the projector must not move by one answer
    same = reveal("principle:basics")
    assert re.search(r'class="big-score">(\d+)', same).group(1) == score_before  # type: ignore[union-attr]
    assert f"{threshold} people" in same
    for _ in range(threshold - 1):
        phone_answers("high")
    updated = reveal("principle:basics")
    assert f"{2 * threshold} people" in updated
    assert re.search(r'class="big-score">(\d+)', updated).group(1) != score_before  # type: ignore[union-attr]


def extreme(key: str, choices: list[str], low: bool) -> str:
    scored = [c for c in choices if c.isdigit()]
    if not scored:
        return middle(key, choices)
    return scored[0] if low else scored[-1]


def test_the_facilitator_sees_counts_and_a_split_room(tmp_path: Path) -> None:
    w = make_workshop(tmp_path / "w", qs=small_set(tmp_path))
    for i in range(6):
        phone = Phone(client(w), w.secrets.room)
        phone.join()
        low = i % 2 == 0
        phone.answer_all(lambda key, choices, low=low: extreme(key, choices, low))
        phone.submit()
    waiting = Phone(client(w), w.secrets.room)
    waiting.join()
    waiting.answer("Somewhere")
    f = facilitator(w)
    live = f.get("/f/live").json()
    assert (live["joined"], live["answering"], live["finished"]) == (7, 1, 6)
    page = f.post("/f/reveal", data={"csrf": csrf_of(f.get("/f/").text),
                                     "unit": "principle:basics"}).text
    assert "Split:" in page and "50% scored it below 50" in page
    page = f.post("/f/reveal", data={"csrf": csrf_of(page), "unit": "timepoints"}).text
    assert "Now" in page and "In 12 months" in page
    page = f.post("/f/reveal", data={"csrf": csrf_of(page), "unit": "principle:context"}).text
    assert "Organisation hat" in page and "System hat" in page
    assert "Two hats" in page and "Gap:" in page


def test_the_live_feed_waits_for_a_change(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    f = facilitator(w)
    first = f.get("/f/live").json()
    Phone(client(w), w.secrets.room).join()
    after = f.get(f"/f/live?since={first['changes']}").json()
    assert after["changes"] > first["changes"] and after["joined"] == 1


def test_the_board_pack_scores_unchanged_with_leadlens_score(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    for _ in range(5):
        phone = Phone(client(w), w.secrets.room)
        phone.join()
        phone.answer_all()
        phone.submit()
    result = CliRunner().invoke(app, ["score", str(w.room.output), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert '"respondents": 5' in result.stdout
    qs = load_question_set(None)
    assert qs.id in result.stdout


def test_phones_answering_at_the_same_time_each_get_one_whole_row(tmp_path: Path) -> None:
    import threading

    w = make_workshop(tmp_path / "w", qs=small_set(tmp_path))
    failures: list[BaseException] = []

    def one(number: int) -> None:
        try:
            phone = Phone(client(w), w.secrets.room)
            phone.join()
            phone.answer_all(lambda key, choices: (f"Trust {number}" if not choices else
                                                   extreme(key, choices, number % 2 == 0)))
            assert "Thank you" in phone.submit().text
        except BaseException as exc:  # noqa: BLE001  reported below, on the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    saved = rows(w.room.output)
    assert sorted(r["organisation"] for r in saved) == sorted(f"Trust {i}" for i in range(10))
    assert len({r["respondent_id"] for r in saved}) == 10
    for row in saved:
        low = int(row["organisation"].split()[1]) % 2 == 0
        assert row["b1"] == ("1" if low else "5") and row["icb-1@target"] == row["b1"]
    assert journals(tmp_path / "w") == []
