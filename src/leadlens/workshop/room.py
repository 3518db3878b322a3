"""The room: every phone's way through the survey, journaled as the terminal survey journals.

Each participant is a :class:`leadlens.survey.flow.Survey` (the same steps, required
questions, skip, "don't know", hats and timepoint pairs, and review as ``leadlens survey``)
with its own :class:`leadlens.survey.journal.Journal` beside the responses file: every answer
is written, flushed and fsynced before the next page is sent. On submit the row goes to the
responses CSV through :func:`leadlens.survey.writer.append_row` (locked, whole rows, fsynced)
and only then is the journal removed. ``resume`` rebuilds the room after a crash from the
journals and the rows already saved, so no answer is lost and none is saved twice.

A phone is known by a device token in a cookie: an HMAC of the respondent id under the
workshop's secret key, so it can be recomputed after a restart but says nothing itself.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from leadlens.errors import Code, Problem, ResponsesError
from leadlens.questionset.model import QuestionSet
from leadlens.survey.flow import Reply, ReviewReply, Submit, Survey, Value
from leadlens.survey.journal import Journal, describe
from leadlens.survey.session import make_row, new_respondent_id, now_utc
from leadlens.survey.writer import append_row

MAX_PARTICIPANTS = 500
"""More phones than any board room holds: a flood of joins cannot exhaust the laptop."""


class RoomFull(Exception):
    """No more participants can join this workshop."""


class RoomClosed(Exception):
    """The facilitator closed the room: no new phones, no more answers."""


@dataclass
class Participant:
    """One phone: its survey state and open journal (None until the first answer)."""

    token: str
    respondent_id: str
    survey: Survey
    journal: Journal | None = None
    finished: bool = False
    introduced: bool = False
    """The question set's introduction has been read (Continue pressed), or there is none."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@dataclass(frozen=True)
class SectionProgress:
    title: str
    finished: int


@dataclass(frozen=True)
class Progress:
    """Counts for the facilitator screen: nothing about any one participant."""

    joined: int
    answering: int
    finished: int
    sections: tuple[SectionProgress, ...]


class Room:
    """All participants of one workshop, safe to use from many request threads at once."""

    def __init__(self, qs: QuestionSet, output: Path, key: bytes, *,
                 max_participants: int = MAX_PARTICIPANTS,
                 clock: Callable[[], str] = now_utc,
                 new_id: Callable[[], str] = new_respondent_id) -> None:
        self.qs = qs
        self.output = output
        self._key = key
        self.max_participants = max_participants
        self._clock = clock
        self._new_id = new_id
        self._lock = threading.Lock()
        self.closed = False
        """Closed by the facilitator: joins and answers are refused (answers so far kept)."""
        self._participants: dict[str, Participant] = {}
        self._saved: dict[str, dict[str, Value]] = {}  # respondent id -> submitted answers
        self._changes = 0
        self._changed = threading.Condition(self._lock)
        steps = Survey(qs).steps
        self._sections: list[tuple[str, list[str]]] = []
        for step in steps:
            title = step.section.title if step.section else "Questions"
            if not self._sections or self._sections[-1][0] != title:
                self._sections.append((title, []))
            self._sections[-1][1].append(step.key)

    # -- identity
    def device_token(self, respondent_id: str) -> str:
        digest = hmac.new(self._key, b"device:" + respondent_id.encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def participant(self, token: str | None) -> Participant | None:
        if not token:
            return None
        with self._lock:
            return self._participants.get(token)

    def join(self) -> Participant:
        """A new participant (raises :class:`RoomFull` past ``max_participants``)."""
        with self._lock:
            if self.closed:
                raise RoomClosed()
            if len(self._participants) >= self.max_participants:
                raise RoomFull()
            rid = self._new_id()
            person = Participant(token=self.device_token(rid), respondent_id=rid,
                                 survey=Survey(self.qs), introduced=not self.qs.introduction)
            self._participants[person.token] = person
            self._bump()
            return person

    # -- answering
    def reply(self, person: Participant, step_key: str, reply: Reply) -> None:
        """Apply ``reply`` to the step the page showed (``step_key``); journal any answer.

        A form from an earlier page (the browser's back button) answers that earlier step,
        as long as it has been reached. The answer is on disk when this returns.
        """
        with person.lock:
            survey = person.survey
            if person.finished:
                return
            if self.closed:
                raise RoomClosed()
            keys = [s.key for s in survey.steps]
            if step_key not in keys:
                survey.notice = "That page is out of date; here is where you are."
                return
            index = keys.index(step_key)
            if survey.at_review or survey.step.key != step_key:
                if index > survey.next_unanswered():
                    survey.notice = "Please answer this question first."
                    return
                survey.position, survey.from_review = index, survey.at_review
            before = (dict(survey.answers), survey.position, survey.from_review)
            recorded = survey.reply(reply)
            if recorded is None:
                return
            try:
                if person.journal is None:
                    person.journal = Journal.create(self.output, self.qs, person.respondent_id)
                person.journal.record(*recorded)
            except OSError as exc:
                survey.answers, survey.position, survey.from_review = before
                raise ResponsesError([Problem(file=str(self.output), code=Code.OUTPUT_UNWRITABLE,
                                              message="cannot journal "
                                              f"the answer: {exc.strerror or exc}")]) from None
        with self._lock:
            self._bump()

    def review(self, person: Participant, reply: ReviewReply) -> bool:
        """Apply a review reply; on a complete submit save the row. True when saved."""
        with person.lock:
            if person.finished:
                return True
            if self.closed:
                raise RoomClosed()
            survey = person.survey
            if not survey.at_review and isinstance(reply, Submit):
                survey.position = len(survey.steps)
            if not survey.review_reply(reply):
                return False
            answers = dict(survey.answers)
            append_row(self.output, self.qs,
                       make_row(person.respondent_id, self._clock(), answers, self.qs))
            if person.journal is not None:
                person.journal.remove()
                person.journal = None
            person.finished = True
        with self._lock:
            self._saved[person.respondent_id] = answers
            self._bump()
        return True

    def introduced(self, person: Participant) -> None:
        """The participant has read the introduction and pressed Continue."""
        with person.lock:
            person.introduced = True

    def set_closed(self, closed: bool) -> None:
        """Close the room (or open it again); phones see it on their next page."""
        with self._lock:
            self.closed = closed
            self._bump()

    def restart(self, person: Participant) -> Participant:
        """Someone else answers on a finished phone: a fresh participant."""
        return self.join() if person.finished else person

    # -- what the facilitator sees
    def _bump(self) -> None:
        self._changes += 1
        self._changed.notify_all()

    @property
    def changes(self) -> int:
        """A counter bumped by every join, answer and submit (for live updates)."""
        with self._lock:
            return self._changes

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Block until :attr:`changes` passes ``seen`` or ``timeout`` seconds pass."""
        with self._changed:
            self._changed.wait_for(lambda: self._changes != seen, timeout=timeout)
            return self._changes

    def records(self) -> list[tuple[str, dict[str, Value]]]:
        """(respondent id, answers) of everyone who has answered anything, saved or not."""
        with self._lock:
            people = list(self._participants.values())
            out = [(rid, dict(answers)) for rid, answers in self._saved.items()]
        seen = {rid for rid, _ in out}
        for person in people:
            with person.lock:
                if person.respondent_id not in seen and person.survey.answers:
                    out.append((person.respondent_id, dict(person.survey.answers)))
        return out

    def submitted(self) -> list[tuple[str, dict[str, Value]]]:
        """(respondent id, answers) of everyone who has submitted: what the projector and
        the board pack rest on (a phone still answering counts once it submits)."""
        with self._lock:
            return [(rid, dict(answers)) for rid, answers in self._saved.items()]

    def progress(self) -> Progress:
        with self._lock:
            people = list(self._participants.values())
            saved = dict(self._saved)
        answering = 0
        answered: list[set[str]] = [set(a) for a in saved.values()]
        for person in people:
            with person.lock:
                if person.respondent_id in saved:
                    continue
                if person.survey.answers:
                    answering += 1
                answered.append(set(person.survey.answers))
        sections = tuple(SectionProgress(title, sum(1 for keys in answered
                                                    if all(k in keys for k in wanted)))
                         for title, wanted in self._sections)
        joined = len({p.respondent_id for p in people} | set(saved))
        return Progress(joined=joined, answering=answering, finished=len(saved),
                        sections=sections)

    @property
    def saved_count(self) -> int:
        with self._lock:
            return len(self._saved)

    # -- restarting and stopping
    def resume(self) -> tuple[int, list[str]]:
        """Reload saved rows and reopen every unfinished journal beside the output.

        A journal whose respondent is already in the responses file (the process died
        between saving the row and removing the journal) is removed, not resumed, so no
        respondent is saved twice. Returns the saved rows' count and, for the facilitator,
        one line per participant resumed (:func:`leadlens.survey.journal.describe`: its file,
        start time and how many answers so far; never an answer), then one per journal
        removed because its respondent was already saved.
        """
        saved = _saved_rows(self.output, self.qs)
        resumed: list[str] = []
        dropped: list[str] = []
        with self._lock:
            self._saved.update(saved)
            for rid in saved:
                token = self.device_token(rid)
                self._participants[token] = Participant(
                    token=token, respondent_id=rid, survey=Survey(self.qs, answers=saved[rid]),
                    finished=True)
        while (journal := Journal.resume(self.output, self.qs)) is not None:
            rid = journal.respondent_id or self._new_id()
            said = describe(journal.path)
            if rid in saved:
                journal.remove()
                dropped.append(f"{journal.path.name}: already saved (the workshop stopped "
                               "before removing it); removed, not saved again")
                continue
            person = Participant(token=self.device_token(rid), respondent_id=rid,
                                 survey=Survey(self.qs, answers=dict(journal.answers)),
                                 journal=journal, introduced=bool(journal.answers))
            with self._lock:
                self._participants[person.token] = person
            resumed.append(said.split(": ", 1)[0] + ": " + _started(said))
        with self._lock:
            self._bump()
        return len(saved), resumed + dropped

    def close(self) -> None:
        """Close every open journal; unfinished answers stay on disk for ``--resume``."""
        with self._lock:
            people = list(self._participants.values())
        for person in people:
            with person.lock:
                if person.journal is not None:
                    if person.journal.answers:
                        person.journal.close()
                    else:
                        person.journal.remove()
                    person.journal = None


def _started(described: str) -> str:
    """"started ..., N answer(s) so far" from a journal's description (the terminal
    survey's place in its session means nothing to a phone)."""
    parts = described.split(", ")
    return ", ".join(p for p in parts if p.startswith(("started", "cannot")) or "answer" in p)


def _saved_rows(output: Path, qs: QuestionSet) -> dict[str, dict[str, Value]]:
    """Respondents already in the responses file, by id (checked by the real reader first)."""
    if not output.exists() or output.stat().st_size == 0:
        return {}
    from leadlens.responses.reading import read_responses

    read_responses([output], qs)  # a damaged or foreign file is a located error here
    keys = [*qs.respondent_field_ids(), *qs.answer_keys()]
    rows: dict[str, dict[str, Value]] = {}
    with output.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            rid = (row.get("respondent_id") or "").strip()
            if rid:
                rows[rid] = {k: (row.get(k) or None) for k in keys if k in row}
    return rows
