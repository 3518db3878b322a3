"""Helpers for the workshop tests: a workshop on a temporary folder, and phones that answer.

A :class:`Phone` reads each page as a browser would (the form's CSRF token, the step it is
for, the choices offered) and posts the form, following redirects.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from leadlens.questionset.loading import load_question_set
from leadlens.questionset.model import QuestionSet
from leadlens.workshop.app import Workshop, build_app
from leadlens.workshop.security import Limits
from leadlens.workshop.server import WorkshopOptions, prepare

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
STEP = re.compile(r'name="step" value="([^"]+)"')
CHOICE = re.compile(r'<button class="choice[^"]*" type="submit" name="value" value="([^"]*)"')


SMALL_SET = """\
schema_version: 1
id: small
title: Small board set
version: "1.0"
scales:
  agreement:
    options:
      - {value: 1, label: Strongly disagree}
      - {value: 2, label: Disagree}
      - {value: 3, label: Neither agree nor disagree}
      - {value: 4, label: Agree}
      - {value: 5, label: Strongly agree}
    unscored: ["Don't know"]
bands:
  - {id: low, label: Low, from: 0}
  - {id: middle, label: Middle, from: 40}
  - {id: high, label: High, from: 70}
perspectives:
  - {id: organisation, label: Organisation hat}
  - {id: system, label: System hat}
timepoints:
  - {id: current, label: Now}
  - {id: target, label: In 12 months}
principles:
  - {id: basics, name: Basics}
  - {id: context, name: Context}
sections:
  - {id: icb, title: The ICB}
  - {id: reflections, title: Reflections}
respondent:
  - {id: organisation, prompt: "Which organisation?", required: true}
questions:
  - {id: b1, principle: basics, text: One, scale: agreement}
  - {id: b2, principle: basics, text: Two, scale: agreement}
  - {id: c1, principle: context, text: Hats, scale: agreement,
     perspectives: [organisation, system]}
  - {id: c2, principle: context, text: Three, scale: agreement}
  - {id: icb-1, section: icb, text: Level, scale: agreement, timepoints: [current, target]}
  - {id: comment-1, section: reflections, type: text, text: Anything else?}
"""


def small_set(folder: Path) -> QuestionSet:
    path = folder / "small.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SMALL_SET, encoding="utf-8")
    return load_question_set(path)


def make_workshop(folder: Path, *, qs: QuestionSet | None = None, resume: bool = False,
                  limits: Limits | None = None) -> Workshop:
    qs = qs or load_question_set(None)
    options = WorkshopOptions(output=folder / "board.csv", resume=resume,
                              limits=limits or Limits(rate=1000, burst=1000))
    return prepare(qs, options, "http://testserver", ["testserver"])


def client(workshop: Workshop) -> TestClient:
    return TestClient(build_app(workshop), follow_redirects=True)


def facilitator(workshop: Workshop) -> TestClient:
    c = client(workshop)
    assert c.get(f"/start/{workshop.secrets.facilitator}").status_code == 200
    return c


def csrf_of(page: str) -> str:
    match = CSRF.search(page)
    assert match, page[:2000]
    return html.unescape(match.group(1))


Chooser = Callable[[str, list[str]], str]
"""(step key, choice values) -> the value to give (or "" for free text)."""


def middle(key: str, choices: list[str]) -> str:
    scored = [c for c in choices if c.isdigit()]
    if choices and not scored:
        return choices[0]
    return scored[len(scored) // 2] if scored else f"answer to {key}"


@dataclass
class Phone:
    c: TestClient
    room: str

    def join(self, *, past_introduction: bool = True) -> httpx.Response:
        """Press Start (and, unless told not to, Continue past the question set's
        introduction, as every participant does)."""
        page = self.c.get(f"/r/{self.room}")
        joined = self.c.post(f"/r/{self.room}/join", data={"csrf": csrf_of(page.text)})
        if past_introduction and 'action="/r/' + self.room + '/intro"' in joined.text:
            return self.c.post(f"/r/{self.room}/intro", data={"csrf": csrf_of(joined.text)})
        return joined

    def page(self) -> httpx.Response:
        return self.c.get(f"/r/{self.room}/q")

    def post(self, path: str, **data: str) -> httpx.Response:
        token = self.c.cookies.get("ll_csrf") or csrf_of(self.page().text)
        return self.c.post(f"/r/{self.room}/{path}", data={"csrf": token, **data})

    def step(self, text: str | None = None) -> tuple[str, list[str]] | None:
        text = self.page().text if text is None else text
        match = STEP.search(text)
        if match is None:
            return None
        return html.unescape(match.group(1)), [html.unescape(v) for v in CHOICE.findall(text)]

    def answer(self, value: str, action: str = "answer") -> httpx.Response:
        current = self.step()
        assert current is not None
        return self.post("q", step=current[0], value=value, action=action)

    def answer_all(self, choose: Chooser = middle, limit: int = 200) -> None:
        """Answer every step, then stop at the review page (not submitted)."""
        text = self.page().text
        for _ in range(limit):
            current = self.step(text)
            if current is None:
                return
            key, choices = current
            text = self.post("q", step=key, value=choose(key, choices), action="answer").text
        raise AssertionError("the survey did not end")

    def submit(self) -> httpx.Response:
        return self.post("review", action="submit")
