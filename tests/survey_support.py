"""Shared pieces of the survey tests: a small question set and a scripted prompter."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from leadlens.questionset.model import QuestionSet
from leadlens.survey.flow import (
    Answer,
    Back,
    Change,
    Reply,
    ReviewReply,
    ReviewScreen,
    Screen,
    Skip,
    Submit,
)

# Two principles, a two-hat question, a now/target pair in a section, a required question,
# a choice field, a free-text question and a scale with an unscored "Don't know".
SURVEY_SET = textwrap.dedent("""\
    schema_version: 1
    id: workshop
    title: Workshop set
    version: "2.0"
    scales:
      agree:
        options:
          - {value: 1, label: Disagree}
          - {value: 2, label: Neutral}
          - {value: 3, label: Agree}
        unscored: ["Don't know"]
    bands:
      - {id: low, label: Low, from: 0}
      - {id: high, label: High, from: 50}
    perspectives:
      - {id: organisation, label: Organisation hat, description: As a leader of your organisation.}
      - {id: system, label: System hat, description: As a partner in the whole system.}
    timepoints:
      - {id: current, label: Now}
      - {id: target, label: In 12 months}
    principles:
      - {id: basics, name: Understanding the basics,
         description: "Do partners know each other? More."}
      - {id: context, name: Context, description: The context matters.}
    sections:
      - {id: icb, title: Questions for the board, description: Now and in a year.}
    respondent:
      - {id: org, prompt: "Which organisation?", required: true}
      - {id: sector, prompt: "Which sector?", type: choice, choices: [NHS trust, Local authority]}
    questions:
      - {id: b1, principle: basics, scale: agree, text: I know our partners., required: true}
      - {id: b2, principle: basics, scale: agree, text: We plan together.,
         perspectives: [organisation, system]}
      - {id: c1, principle: context, scale: agree, text: We read the context., reverse: true}
      - {id: i1, section: icb, scale: agree, text: We share a vision.,
         timepoints: [current, target]}
      - {id: t1, type: text, text: Tell us a story.}
    """)

KEYS = ["org", "sector", "b1", "b2@organisation", "b2@system", "c1", "i1@current",
        "i1@target", "t1"]
HEADER = ["respondent_id", "submitted_at", *KEYS]


def survey_set() -> QuestionSet:
    return QuestionSet.model_validate(yaml.safe_load(SURVEY_SET))


def write_set(folder: Path, text: str = SURVEY_SET, name: str = "set.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


Action = Reply | ReviewReply | Callable[[Screen | ReviewScreen], Reply | ReviewReply]


@dataclass
class ScriptedPrompter:
    """Replies from a script, recording every screen it was shown.

    A script entry is a reply, a callable that inspects the screen and returns one, or an
    exception instance to raise (e.g. ``KeyboardInterrupt()``).
    """

    script: list[object]
    screens: list[Screen | ReviewScreen] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    unicode: bool = False
    interactive: bool = False
    summary_waits: list[bool] = field(default_factory=list)
    starts: list[bool] = field(default_factory=list)
    choices: list[int] = field(default_factory=list)

    def _next(self, screen: Screen | ReviewScreen) -> object:
        self.screens.append(screen)
        if not self.script:
            raise AssertionError(f"script ran out at {screen}")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item(screen) if callable(item) else item

    def ask(self, screen: Screen) -> Reply:
        reply = self._next(screen)
        assert isinstance(reply, Answer | Skip | Back), reply
        return reply

    def review(self, screen: ReviewScreen) -> ReviewReply:
        reply = self._next(screen)
        assert isinstance(reply, Change | Submit), reply
        return reply

    def start(self, number: int, total: int | None) -> bool:
        self.events.append(f"start {number}")
        return self.starts.pop(0) if self.starts else True

    def clear(self) -> None:
        self.events.append("clear")

    def begin(self, notes: list[str]) -> None:
        self.events.append("begin " + " | ".join(notes))

    def choose_journal(self, journals: list[str]) -> int:
        self.events.append("choose " + " | ".join(journals))
        return self.choices.pop(0) if self.choices else 0

    def introduction(self, title: str, text: str) -> None:
        self.events.append(f"introduction {title}: {text}")

    def message(self, text: str) -> None:
        self.events.append(f"message {text}")

    def summary(self, lines: list[str], *, wait: bool) -> None:
        self.summary_waits.append(wait)
        self.events.append("summary")
        self.events.extend(lines)


def answers(*values: str | None) -> list[object]:
    """A script answering each step in order (None = skip), then saving at the review."""
    script: list[object] = [Skip() if v is None else Answer(v) for v in values]
    script.append(Submit())
    return script


FULL = ["Acme Trust", "NHS trust", "3", "2", "3", "Don't know", "1", "3", "It worked."]


def keys_of(screens: Iterable[Screen | ReviewScreen]) -> list[str]:
    return [s.step.key if isinstance(s, Screen) else "<review>" for s in screens]
