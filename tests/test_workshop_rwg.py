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
    assert "Split:" in page  # the contested flag owns the word; agreement is not read
    assert agreement_line(page) == ("rwg(j) 0.00 is not read as agreement while the room is "
                                    "split: it measures how spread the answers are, not "
                                    "whether the room is in two camps.")


SPREAD = {"b1": ["1", "5", "1", "5", "3", "3"], "b2": ["5", "1", "5", "1", "3", "3"]}
"""Everyone scores 50 (no camps, not contested) but each question is widely spread:
rwg.j 0 (each item's variance 3.2 is above the uniform 2)."""


def test_a_spread_room_that_is_not_split_is_not_agreed(tmp_path: Path) -> None:
    page = reveal(facilitator(room(tmp_path, SPREAD)))
    assert "Split:" not in page and ">split<" not in page
    assert agreement_line(page) == "The room is <strong>not agreed</strong> (rwg(j) 0.00)"


CAMPS_SET = """\
schema_version: 1
id: camps
title: Camps
version: "1.0"
scales:
  agreement:
    options:
      - {value: 1, label: Strongly disagree}
      - {value: 2, label: Disagree}
      - {value: 3, label: Neither agree nor disagree}
      - {value: 4, label: Agree}
      - {value: 5, label: Strongly agree}
bands:
  - {id: low, label: Low, from: 0}
  - {id: high, label: High, from: 50}
principles:
  - {id: many, name: Many questions}
questions:
""" + "".join(f"  - {{id: q{i}, principle: many, text: Question {i}, scale: agreement}}\n"
              for i in range(1, 9))


def test_a_two_camp_room_is_never_called_agreed_under_the_split_flag(tmp_path: Path) -> None:
    """Eight questions, three people at 2 and three at 4 on every one: contested (half
    clearly below 50, half clearly above), yet rwg(j) = 8 (1 - 0.6) / (8 (1 - 0.6) + 0.6)
    = 0.842 (item variance 1.2 against the uniform 2; multilevel::rwg.j gives the same)."""
    from leadlens.questionset.loading import load_question_set

    path = tmp_path / "camps.yaml"
    path.write_text(CAMPS_SET, encoding="utf-8")
    w = make_workshop(tmp_path / "w", qs=load_question_set(path))
    for i in range(6):
        phone = Phone(client(w), w.secrets.room)
        phone.join()
        phone.answer_all(lambda key, choices, i=i: "2" if i < 3 else "4")
        phone.submit()
    page = reveal(facilitator(w), "principle:many")
    assert "Split:" in page and "50% scored it below 50" in page
    line = agreement_line(page)
    assert line is not None and line.startswith("rwg(j) 0.84 is not read as agreement")
    assert "<strong>agreed</strong>" not in page and "partly agreed" not in page


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
