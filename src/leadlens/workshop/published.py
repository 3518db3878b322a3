"""What a workshop has published, so that nothing published later can be subtracted from it.

Every reveal on the projector and every board pack is a *publication*: the figures it shows
rest on a set of respondents and their answers. Two publications of the same figure whose
respondents (or answers) differ by 1 to ``min_group_size - 1`` people can be subtracted to
recover those people's answers: a principle revealed with 9 answers and the board pack
written with 10 gives away the tenth person's answers. So each publication is recorded, with
who it rests on, in the workshop's state file (``board.csv.workshop.json``, owner-only, kept
for ``--resume``), and a later publication of a figure is allowed only when, against every
earlier one, the figure's respondents moved by none or by at least ``min_group_size``.

A *figure* is a set of answer keys published together: a unit's keys as a whole (the
principle's score and bands), each key alone (a question's distribution) and each hat's keys
(the perspective scores). Who a figure rests on is recorded as one keyed hash (HMAC under the
workshop's key) per respondent and answer key: enough to tell whether an answer is the same,
useless for guessing it without the key (the answers themselves are only in the responses
file and the journals).

The projector (:class:`leadlens.workshop.reveal.Reveals`) shows an earlier snapshot again
rather than a figure that moved too little; the board pack (:func:`hold_back`) leaves out
every unit with such a figure: its answers are blanked before scoring, so no figure of the
pack (the overall, the groups, scores.csv) carries them, and the unit says why (never by how
many people it moved). The pack's ``--by`` groups are parts of the room the screen showed, so
they are checked against it as well (:mod:`leadlens.workshop.packcells`).
"""

from __future__ import annotations

import hashlib
import hmac
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from leadlens.errors import Code

if typing.TYPE_CHECKING:
    from leadlens.errors import Problem
from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import Responses, TextAnswers
from leadlens.results.document import DisclosureAudit, DisclosureStep, Results, ResultWarning
from leadlens.workshop import RECORD_SUFFIX
from leadlens.workshop.security import read_state, write_state
from leadlens.workshop.units import COMMENTS, TIMEPOINTS, units

Figure = tuple[str, ...]
Digests = dict[str, dict[str, str]]
"""respondent id -> answer key -> keyed hash of the answer (answered keys only)."""

PACK = "pack"
HELD_BACK = ("held back: it was shown on the workshop's screen with a slightly different set "
             "of answers, and publishing both would let the difference (a few people's "
             "answers) be worked out")
"""The stated reason for a figure the board pack leaves out (never the size of the change)."""
OVERALL_HELD_BACK = ("held back: it includes a principle held back from this pack (the "
                     "principle's answers were shown on the workshop's screen with a slightly "
                     "different set of answers)")
COMMENTS_HELD_BACK = ("held back: the comments were shown on the workshop's screen with a "
                      "slightly different set of answers, and publishing both would let the "
                      "difference (a few people's comments) be told apart")


@dataclass(frozen=True)
class Publication:
    """One reveal or board pack: what it showed (answer keys) and whom it rests on."""

    unit: str
    at: str
    n: int
    keys: tuple[str, ...]
    answers: Digests

    def as_data(self) -> dict[str, object]:
        return {"unit": self.unit, "at": self.at, "n": self.n, "keys": list(self.keys),
                "answers": self.answers}

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> Publication:
        answers = data["answers"]
        keys = data["keys"]
        if not isinstance(answers, dict) or not isinstance(keys, list):
            raise ValueError("a publication needs 'keys' and 'answers'")
        return cls(unit=str(data["unit"]), at=str(data["at"]), n=int(str(data["n"])),
                   keys=tuple(str(k) for k in keys),
                   answers={str(r): {str(k): str(v) for k, v in a.items()}
                            for r, a in answers.items() if isinstance(a, dict)})


# ----------------------------------------------------------------------------- answers


def cells(responses: Responses, ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Each respondent's answers as comparable tokens (rated: the answer code; text: the
    text), answered keys only. ``ids`` names each row of ``responses``."""
    out: dict[str, dict[str, str]] = {rid: {} for rid in ids}
    codes = responses.codes
    for j, key in enumerate(responses.keys):
        column = codes[:, j]
        for i in np.flatnonzero(column).tolist():
            out[ids[i]][key] = f"c{int(column[i])}"
    for key, answers in responses.texts.items():
        for row, text in zip(answers.rows.tolist(), answers.texts, strict=True):
            out[ids[row]][key] = "t" + text
    return out


def row_ids(responses: Responses) -> list[str]:
    """The respondent id of each row (a row without one gets a name of its own)."""
    given = responses.respondent_ids or [None] * responses.n
    return [rid if rid else f"row {i + 1}" for i, rid in enumerate(given)]


def digests(key: bytes, answers: Mapping[str, Mapping[str, str]]) -> Digests:
    """Keyed hashes of ``answers`` (see :func:`cells`)."""
    def one(rid: str, k: str, token: str) -> str:
        message = "\x00".join((rid, k, token)).encode("utf-8", "surrogatepass")
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]

    return {rid: {k: one(rid, k, t) for k, t in keyed.items()}
            for rid, keyed in answers.items() if keyed}


# ----------------------------------------------------------------------------- the rule


def figures(keys: Sequence[str]) -> list[Figure]:
    """The figures a unit over ``keys`` publishes: the whole, each key, each hat's keys."""
    whole = tuple(keys)
    out: list[Figure] = [whole] + [(k,) for k in whole if len(whole) > 1]
    hats: dict[str, list[str]] = {}
    for k in whole:
        if "@" in k:
            hats.setdefault(k.split("@", 1)[1], []).append(k)
    if len(hats) > 1:
        out += [tuple(v) for v in hats.values() if len(v) > 1]
    return out


def moved(before: Digests, now: Digests, figure: Figure) -> int:
    """How many respondents' answers to ``figure`` differ (joined, left or changed)."""
    count = 0
    for rid in before.keys() | now.keys():
        old, new = before.get(rid, {}), now.get(rid, {})
        if any(old.get(k) != new.get(k) for k in figure):
            count += 1
    return count


@dataclass(frozen=True)
class Conflict:
    """A figure that moved by 1 to ``min_group_size - 1`` people since a publication."""

    figure: Figure
    publication: Publication
    moved: int


def conflicts(candidate: Iterable[Figure], published: Iterable[Publication], now: Digests,
              min_group_size: int) -> list[Conflict]:
    """Every figure of ``candidate`` that an earlier publication also showed and that moved
    by 1 to ``min_group_size - 1`` respondents since (publishing it would allow subtraction).
    """
    wanted = list(candidate)
    found = []
    for pub in published:
        shown = set(pub.keys)
        for figure in wanted:
            if set(figure) <= shown:
                n = moved(pub.answers, now, figure)
                if 0 < n < min_group_size:
                    found.append(Conflict(figure, pub, n))
    return found


# ----------------------------------------------------------------------------- the record


@dataclass
class Record:
    """The publications of one workshop, kept in its state file (owner read/write only)."""

    path: Path | None
    """The state file (None: kept in memory only, e.g. in tests)."""
    key: bytes
    publications: list[Publication] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, key: bytes) -> Record:
        """The record in ``path`` (the workshop's state file; none yet is an empty record).

        Raises OSError or ValueError for a damaged file.
        """
        try:
            data = read_state(path)
        except FileNotFoundError:
            return cls(path, key)
        entries = data.get("published", []) if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ValueError("'published' must be a list")
        try:
            return cls(path, key, [Publication.from_data(e) for e in entries])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a damaged publication: {exc}") from None

    def add(self, publication: Publication) -> None:
        """Record ``publication`` and rewrite the state file atomically (fsynced)."""
        self.publications.append(publication)
        if self.path is not None:
            update_state(self.path, published=[p.as_data() for p in self.publications])


def update_state(path: Path, **values: object) -> None:
    """Set ``values`` in the workshop's state file, replacing it atomically (fsynced, owner
    read/write only), keeping everything else in it."""
    data = read_state(path)
    data.update(values)
    write_state(path, data)


def state_closed(path: Path) -> bool:
    """Whether the facilitator closed the room (kept in the state file for --resume)."""
    try:
        data = read_state(path)
    except FileNotFoundError:
        return False
    return isinstance(data, dict) and data.get("closed") is True


# ----------------------------------------------------------------------------- the pack


@dataclass(frozen=True)
class HeldBack:
    """What a board pack leaves out: principles (ids), whether the now-and-target figures
    and the comments go too, and the answer keys blanked before scoring."""

    principles: tuple[str, ...] = ()
    timepoints: bool = False
    comments: bool = False
    keys: frozenset[str] = frozenset()

    @property
    def anything(self) -> bool:
        return bool(self.keys)


def unit_keys(qs: QuestionSet) -> dict[str, tuple[str, ...]]:
    """Every unit the workshop can reveal, by id, with its answer keys."""
    return {u.id: u.keys for u in units(qs)}


def plan(qs: QuestionSet, published: Sequence[Publication], now: Digests,
         min_group_size: int) -> HeldBack:
    """What a pack of ``now``'s answers must leave out, given what was ``published``."""
    unit_of = unit_keys(qs)
    held = {uid for uid, keys in unit_of.items()
            if conflicts(figures(keys), published, now, min_group_size)}
    keys = {k for uid in held for k in unit_of[uid]}
    # A principle sharing a key with a held-back unit would be scored without it: out too.
    held |= {uid for uid, ks in unit_of.items() if uid.startswith("principle:")
             and keys.intersection(ks)}
    keys = {k for uid in held for k in unit_of[uid]}
    return HeldBack(principles=tuple(uid.split(":", 1)[1] for uid in unit_of
                                     if uid in held and uid.startswith("principle:")),
                    timepoints=TIMEPOINTS in held or any(
                        k in keys for k in unit_of.get(TIMEPOINTS, ())),
                    comments=COMMENTS in held, keys=frozenset(keys))


def blank(responses: Responses, keys: frozenset[str]) -> Responses:
    """``responses`` with every answer to ``keys`` removed."""
    if not keys:
        return responses
    codes = responses.codes.copy(order="F")
    for j, key in enumerate(responses.keys):
        if key in keys:
            codes[:, j] = 0
    texts = {k: (TextAnswers(v.rows[:0], []) if k in keys else v)
             for k, v in responses.texts.items()}
    return replace(responses, codes=codes, texts=texts)


def _nulls(model: BaseModel) -> dict[str, object]:
    """Every nullable figure of ``model`` as null (what a withheld figure publishes)."""
    return {name: None for name, f in type(model).model_fields.items()
            if type(None) in typing.get_args(f.annotation)}


def _without_blanked_warnings(results: Results, held: set[str]) -> list[ResultWarning]:
    """The warnings, less the engine's "nobody could be scored" for held-back principles:
    true of the blanked answers, not of the room, so it would mislead.

    The engine gives that warning once per principle with n 0, in principle order; the
    warnings are matched to those principles by position (when the counts disagree, all are
    kept: better a confusing warning than a lost one).
    """
    unscored = [p.id for p in results.principles if p.n == 0]
    found = [i for i, w in enumerate(results.warnings)
             if w.code == Code.SCORING_UNSCORED_PRINCIPLE]
    if len(found) != len(unscored):
        return list(results.warnings)
    drop = {i for i, pid in zip(found, unscored, strict=True) if pid in held}
    return [w for i, w in enumerate(results.warnings) if i not in drop]


def mark(results: Results, held: HeldBack) -> Results:
    """The pack's results with each held-back figure saying why (and in the audit)."""
    if not held.anything:
        return results
    steps: list[DisclosureStep] = []
    principles = []
    for p in results.principles:
        if p.id not in held.principles:
            principles.append(p)
            continue
        items = [i.model_copy(update={"withheld": HELD_BACK}) for i in p.items]
        principles.append(p.model_copy(update={
            "withheld": HELD_BACK, "items": items, "perspective_gap": None,
            "perspectives": [s.model_copy(update={"withheld": HELD_BACK})
                             for s in p.perspectives]}))
        steps.append(DisclosureStep(breakdown=None, group=None, figure=p.id, reason="withheld",
                                    text=f"principle {p.id!r} not shown: {HELD_BACK}"))
    update: dict[str, object] = {"principles": principles}
    held_ids = set(held.principles)
    if held_ids:
        update["warnings"] = _without_blanked_warnings(results, held_ids)
        update["groups"] = {
            field_id: breakdown.model_copy(update={"groups": [
                group.model_copy(update={
                    "overall": None, "overall_band": None,
                    "overall_suppressed_reason": None if group.suppressed else "withheld",
                    "principles": [
                        gp.model_copy(update={**_nulls(gp), "contested": False,
                                              "suppressed_reason": "withheld"})
                        if gp.id in held_ids else gp for gp in group.principles]})
                for group in breakdown.groups]})
            for field_id, breakdown in results.groups.items()}
    if held.principles:
        update["overall"] = results.overall.model_copy(update={
            **_nulls(results.overall), "withheld": OVERALL_HELD_BACK})
        steps.append(DisclosureStep(breakdown=None, group=None, figure="overall",
                                    reason="withheld",
                                    text=f"overall score not shown: {OVERALL_HELD_BACK}"))
    if held.timepoints:
        update["timepoints"] = [
            t.model_copy(update={"gap": None, "gap_withheld": HELD_BACK, "timepoints": [
                m.model_copy(update={"withheld": HELD_BACK}) for m in t.timepoints]})
            for t in results.timepoints]
    if held.comments:
        update["comments"] = {}
        update["comments_withheld"] = COMMENTS_HELD_BACK
        steps.append(DisclosureStep(breakdown=None, group=None, figure="comments:all",
                                    reason="withheld",
                                    text=f"comments not shown: {COMMENTS_HELD_BACK}"))
    audit = results.disclosure or DisclosureAudit(method="", steps=[])
    update["disclosure"] = audit.model_copy(update={"steps": [*audit.steps, *steps]})
    return results.model_copy(update=update)


def pack_publication(qs: QuestionSet, responses: Responses, key: bytes, held: HeldBack,
                     at: str) -> Publication:
    """The board pack as a publication: every unit's keys it shows, and whom they rest on."""
    shown = tuple(k for keys in unit_keys(qs).values() for k in keys if k not in held.keys)
    now = digests(key, cells(responses, row_ids(responses)))
    answers = {rid: {k: v for k, v in keyed.items() if k in shown}
               for rid, keyed in now.items()}
    return Publication(unit=PACK, at=at, n=responses.n, keys=tuple(dict.fromkeys(shown)),
                       answers={r: a for r, a in answers.items() if a})


def pack_figures(qs: QuestionSet) -> list[Figure]:
    return [f for keys in unit_keys(qs).values() for f in figures(keys)]


@dataclass
class PackGuard:
    """Holds a board pack back from subtraction against what its workshops published.

    ``leadlens score --agreed`` and the workshop's Finish button both use it: call
    :meth:`responses` on the responses before scoring and :meth:`results` on the results
    (:func:`leadlens.workshop.packcells.check_pack_groups` after it checks the ``--by``
    groups too).
    """

    qs: QuestionSet
    records: list[Record]
    min_group_size: int
    held: HeldBack = field(default_factory=HeldBack)
    missing: list[Path] = field(default_factory=list)
    """Responses files with no workshop record beside them (``score --agreed`` warns)."""

    @classmethod
    def beside(cls, qs: QuestionSet, responses: Iterable[Path],
               min_group_size: int | None = None, record: Path | None = None,
               none: bool = False) -> PackGuard:
        """The guard for the workshops whose state files sit beside ``responses``, or for
        the one ``record`` names (``--workshop-record``; ``none``: ``--no-workshop-record``,
        no record at all). Raises :class:`leadlens.errors.LeadlensError` for a damaged or
        missing state file."""
        from leadlens.errors import Code, LeadlensError, Problem
        from leadlens.scoring.options import effective_min_group_size

        records = []
        missing = []
        if none:
            paths: list[Path] = []
        elif record is not None:
            from leadlens.files import not_regular

            if record.exists() and not record.is_file():  # the one wording of every option
                raise LeadlensError([not_regular(str(record), record.stat().st_mode)])
            if not record.is_file():
                raise LeadlensError([Problem(
                    file=str(record), code=Code.WORKSHOP_STATE_DAMAGED,
                    message="--workshop-record: no such workshop record",
                    hint="Name the workshop's state file, e.g. board.csv.workshop.json "
                         "beside the board.csv the workshop wrote")])
            paths = [record]
        else:
            paths = []
            for path in responses:
                state = path.with_name(path.name + RECORD_SUFFIX)
                if state.is_file():
                    paths.append(state)
                else:
                    missing.append(path)
        for state in paths:
            try:
                data = read_state(state)
                records.append(Record.load(state, bytes.fromhex(str(data["key"]))))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise LeadlensError([Problem(
                    file=str(state), code=Code.WORKSHOP_STATE_DAMAGED,
                    message=f"cannot read what the workshop published: {exc}",
                    hint="Restore the file: without it what this run publishes cannot be "
                         "checked against what the workshop's screen showed (or, if there was "
                         "no workshop screen, say so with --no-workshop-record)")]) from None
        return cls(qs, records, effective_min_group_size(qs, min_group_size),
                   missing=missing)

    def missing_warnings(self) -> list[Problem]:
        """``score --agreed``: one warning per responses file with no record beside it."""
        from leadlens.errors import Problem

        return [Problem(
            code=Code.WORKSHOP_NO_RECORD, file=str(path), severity="warning",
            message=f"--agreed: no workshop record {path.name}{RECORD_SUFFIX} beside "
                    f"{path.name}: what the workshop's screen showed is not checked, so a "
                    "figure of this pack may be subtracted from it",
            hint="Name the record with --workshop-record FILE (the board.csv.workshop.json "
                 "the workshop wrote), or say there was none with --no-workshop-record")
            for path in self.missing]

    def responses(self, responses: Responses) -> Responses:
        """``responses`` without the answers the pack must hold back."""
        ids = row_ids(responses)
        principles: set[str] = set()
        timepoints = comments = False
        keys: set[str] = set()
        for record in self.records:
            now = digests(record.key, cells(responses, ids))
            one = plan(self.qs, record.publications, now, self.min_group_size)
            principles |= set(one.principles)
            timepoints, comments = timepoints or one.timepoints, comments or one.comments
            keys |= one.keys
        order = [p.id for p in self.qs.principles if p.id in principles]
        self.held = HeldBack(tuple(order), timepoints, comments, frozenset(keys))
        return blank(responses, self.held.keys)

    def results(self, results: Results) -> Results:
        return mark(results, self.held)

    def summary(self) -> list[str]:
        """What :meth:`results` held back of the whole room, one line per figure."""
        lines = [f"principle {p!r}" for p in self.held.principles]
        if self.held.principles:
            lines.append("the overall score")
        if self.held.timepoints:
            lines.append("the now-and-target figures")
        if self.held.comments:
            lines.append("the comments")
        return lines
