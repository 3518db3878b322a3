"""The facilitator closes the room: no new phones, no more answers, after a confirmation;
kept across --resume; and the room can be opened again."""

from __future__ import annotations

import csv
from pathlib import Path

from starlette.testclient import TestClient

from leadlens.workshop.app import Workshop
from workshop_support import Phone, client, csrf_of, facilitator, make_workshop, small_set


def rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return len(list(csv.DictReader(handle)))


def close(f: TestClient, **data: str) -> str:
    token = csrf_of(f.get("/f/").text)
    return str(f.post("/f/close", data={"csrf": token, **data}).text)


def room_with_people(tmp_path: Path) -> tuple[Workshop, Phone, Phone]:
    w = make_workshop(tmp_path / "w", qs=small_set(tmp_path))
    done = Phone(client(w), w.secrets.room)
    done.join()
    done.answer_all()
    done.submit()
    halfway = Phone(client(w), w.secrets.room)
    halfway.join()
    halfway.answer("Trust")
    return w, done, halfway


def test_closing_asks_first(tmp_path: Path) -> None:
    w, _, _ = room_with_people(tmp_path)
    f = facilitator(w)
    page = f.get("/f/").text
    assert '<a class="button secondary" href="/f/close">Close the room&hellip;</a>' in page
    confirm = f.get("/f/close").text
    assert "<h1>Close the room?</h1>" in confirm
    assert "1 have submitted; 1 are part-way" in confirm
    assert "Yes, close the room" in confirm
    close(f, closed="yes")  # without the confirmation page's button: not closed
    assert not w.room.closed


def test_a_closed_room_takes_no_new_phone_and_no_more_answers(tmp_path: Path) -> None:
    w, done, halfway = room_with_people(tmp_path)
    f = facilitator(w)
    where = halfway.step()
    assert where is not None
    page = close(f, closed="yes", confirm="yes")
    assert "The room is closed: no new phones can join and no more answers are taken." in page
    assert "The room: closed" in page and "Open the room again" in page
    assert w.room.closed

    newcomer = Phone(client(w), w.secrets.room)
    joined = newcomer.c.get(f"/r/{w.secrets.room}")
    assert joined.status_code == 403 and "The room is closed" in joined.text
    assert 'action="/r/' not in joined.text  # no Start button
    posted = newcomer.c.post(f"/r/{w.secrets.room}/join",
                             data={"csrf": newcomer.c.cookies.get("ll_csrf") or ""})
    assert posted.status_code == 403 and w.room.progress().joined == 2

    stopped = halfway.post("q", step=where[0], value=where[1][0], action="answer")
    assert stopped.status_code == 403 and "Anything you answered is kept" in stopped.text
    assert halfway.page().status_code == 403
    assert "Someone else answers on this phone" not in done.page().text
    assert done.post("again").status_code == 403
    assert rows(w.room.output) == 1
    assert sorted(p.name for p in (tmp_path / "w").glob("board.csv.partial*.jsonl")) == [
        "board.csv.partial.jsonl"]  # the part-way answers are kept for --resume


def test_closed_survives_resume_and_the_room_opens_again(tmp_path: Path) -> None:
    w, _, halfway = room_with_people(tmp_path)
    close(facilitator(w), closed="yes", confirm="yes")
    w.room.close()
    again = make_workshop(tmp_path / "w", qs=small_set(tmp_path), resume=True)
    assert again.room.closed
    f = facilitator(again)
    assert "The room is closed" in f.get("/f/close").text
    page = close(f, closed="no")
    assert "The room is open again." in page and not again.room.closed
    back = Phone(client(again), again.secrets.room)
    back.c.cookies = halfway.c.cookies
    where = back.step()
    assert where is not None
    back.answer(where[1][0])
    back.answer_all()
    back.submit()
    assert rows(again.room.output) == 2
