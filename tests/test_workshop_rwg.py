"""The revealed principle says whether the room agrees: the engine's rwg(j) and its reading.

The expected rwg(j) values are R's ``multilevel::rwg.j(d, grpid, ranvar = 2)`` for the answers
below (five options: the uniform null variance is (5^2 - 1) / 12 = 2).
"""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from leadlens.workshop.app import Workshop
from workshop_support import Phone, client, csrf_of, facilitator, make_workshop, middle, small_set

AGREEING = {"b1": ["4", "4", "4", "4", "5", "3"], "b2": ["4", "4", "5", "4", "4", "4"]}
"""rwg.j 0.9237668: agreed."""
SOMEWHAT = {"b1": ["2", "3", "4", "4", "3", "5"], "b2": ["3", "3", "4", "2", "4", "5"]}
"""rwg.j 0.6206897: partly agreed."""
SPLIT = {"b1": ["1", "5", "1", "5", "1", "5"], "b2": ["1", "5", "1", "5", "1", "5"]}
"""rwg.j 0: split (more spread than answering at random)."""


def room(tmp_path: Path, answers: dict[str, list[str]], people: int = 6) -> Workshop:
    w = make_workshop(tmp_path / "w", qs=small_set(tmp_path))
    for i in range(people):
        phone = Phone(client(w), w.secrets.room)
        phone.join()

        def choose(key: str, choices: list[str], i: int = i) -> str:
            if key in answers:
                assert answers[key][i] in choices
                return answers[key][i]
            return middle(key, choices)

        phone.answer_all(choose)
        phone.submit()
    return w


def reveal(f: TestClient, unit: str = "principle:basics") -> str:
    return f.post("/f/reveal", data={"csrf": csrf_of(f.get("/f/").text), "unit": unit}).text


def agreement_line(page: str) -> str | None:
    match = re.search(r'<p class="agreement">(.*?)</p>', page, re.S)
    return match.group(1) if match else None


def test_a_room_that_agrees_is_shown_agreed_with_its_rwg(tmp_path: Path) -> None:
    w = room(tmp_path, AGREEING)
    f = facilitator(w)
    page = reveal(f)
    assert "out of 100" in page
    assert agreement_line(page) == "The room is <strong>agreed</strong> (rwg(j) 0.92)"
    assert "&lt;strong&gt;" not in page
    # One more person who disagrees: the snapshot, rwg(j) included, does not move by one answer.
    phone = Phone(client(w), w.secrets.room)
    phone.join()
    phone.answer_all(lambda key, choices: "1" if key in AGREEING else middle(key, choices))
    phone.submit()
    assert agreement_line(reveal(f)) == "The room is <strong>agreed</strong> (rwg(j) 0.92)"


def test_a_partly_agreed_and_a_split_room(tmp_path: Path) -> None:
    page = reveal(facilitator(room(tmp_path / "some", SOMEWHAT)))
    assert agreement_line(page) == "The room is <strong>partly agreed</strong> (rwg(j) 0.62)"
    page = reveal(facilitator(room(tmp_path / "split", SPLIT)))
    assert agreement_line(page) == "The room is <strong>split</strong> (rwg(j) 0.00)"
    assert "Split:" in page  # the contested flag, a different rule, says so too here


def test_no_agreement_before_the_reveal_nor_for_another_unit(tmp_path: Path) -> None:
    w = room(tmp_path, {k: v[:4] for k, v in AGREEING.items()}, people=4)
    f = facilitator(w)
    page = reveal(f)
    assert "Not shown: fewer than" in page
    assert agreement_line(page) is None and "rwg(j)" not in page
    w2 = room(tmp_path / "more", AGREEING)
    page = reveal(facilitator(w2), "timepoints")
    assert "In 12 months" in page and "rwg(j)" not in page


def test_no_agreement_when_rwg_is_undefined(tmp_path: Path) -> None:
    # Everyone says "Don't know" to one question: no one answered every item, no rwg(j).
    dont_know = {"b1": ["4"] * 6, "b2": ["Don't know"] * 6}
    page = reveal(facilitator(room(tmp_path, dont_know)))
    assert "out of 100" in page
    assert agreement_line(page) is None and "rwg(j)" not in page
