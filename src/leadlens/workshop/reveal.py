"""What the projector may show: one principle at a time, only above the anonymity threshold.

The room's submitted answers (what the board pack is written from; a phone still answering
counts once it submits, and the facilitator's screen says how many are) are scored by the
same engine as ``leadlens score`` (:func:`leadlens.scoring.score`) and described with the
report's own colours and charts. A reveal is a frozen :class:`Snapshot`: it is shown again
unchanged until at least ``min_group_size`` people have submitted (or changed) answers to
that principle since, so two snapshots can never be subtracted to recover one person's
answers.
Item distributions answered by fewer than the threshold are withheld; comments appear only
once the threshold has answered the free-text questions, shuffled (the report's rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from leadlens.questionset.model import QuestionSet
from leadlens.report.charts import Segment, distribution_svg
from leadlens.report.context import build_context
from leadlens.results.document import PrincipleResult, Results
from leadlens.scoring import Responses, effective_min_group_size, score
from leadlens.scoring.agreement import agreement_words
from leadlens.survey.flow import Value
from leadlens.workshop.published import (
    PACK,
    Digests,
    Publication,
    Record,
    cells,
    conflicts,
    digests,
    figures,
    moved,
)
from leadlens.workshop.units import COMMENTS, TIMEPOINTS, Unit, units

Records = Sequence[tuple[str, dict[str, Value]]]

# ----------------------------------------------------------------------------- view models


@dataclass(frozen=True)
class BandCount:
    label: str
    count: int
    colour: str


@dataclass(frozen=True)
class ItemView:
    key: str
    label: str
    answered: int
    shown: bool
    chart: Markup | None
    described: str


@dataclass(frozen=True)
class LegendEntry:
    """An answer option's colour in the question-by-question bars."""

    label: str
    colour: str
    unscored: bool


@dataclass(frozen=True)
class PerspectiveView:
    label: str
    score: float | None


@dataclass(frozen=True)
class PrincipleView:
    id: str
    name: str
    description: str
    n: int
    score: float | None
    band_id: str | None
    band_label: str | None
    band_colour: str | None
    band_text_colour: str | None
    bands: tuple[BandCount, ...]
    bands_chart: Markup
    contested: bool
    below_50: float | None
    above_50: float | None
    perspectives: tuple[PerspectiveView, ...]
    perspective_gap: float | None
    items: tuple[ItemView, ...]
    legend: tuple[LegendEntry, ...] = ()
    rwg_j: float | None = None
    """The room's rwg(j), as the engine puts it on the principle (None when undefined)."""
    agreement: str | None = None
    """``agreed``, ``partly agreed`` or ``not agreed`` (:func:`projector_agreement`); None
    when rwg(j) is undefined or the room is split."""


@dataclass(frozen=True)
class TimepointRow:
    text: str
    first: float | None
    last: float | None
    gap: float | None
    n: int
    shown: bool


@dataclass(frozen=True)
class TimepointsView:
    first_label: str
    last_label: str
    scale_label: str
    rows: tuple[TimepointRow, ...]
    chart: Markup | None


@dataclass(frozen=True)
class CommentGroup:
    question: str
    comments: tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    """A frozen reveal: what the projector shows for one unit, and what it rests on."""

    unit: Unit
    n: int
    taken_at: dt.datetime
    principle: PrincipleView | None = None
    timepoints: TimepointsView | None = None
    comments: tuple[CommentGroup, ...] = ()


@dataclass(frozen=True)
class UnitStatus:
    """A unit on the facilitator's list: how many have submitted answers to it, and
    whether it can be revealed (or updated) now."""

    unit: Unit
    answered: int
    """People whose submitted answers it rests on."""
    can_reveal: bool
    revealed: bool
    needed: int
    """How many more (new or changed) submitted answers before it can be revealed or
    updated."""
    waiting: str = ""
    """What it waits for, in the facilitator's words (:func:`waiting_for`); empty when it
    can be revealed."""


@dataclass(frozen=True)
class State:
    """Whether a unit may be published anew, and what stands in the way."""

    allowed: bool
    needed: int
    changed: bool
    """Its answers differ from its last publication (or it has none)."""
    earlier: Publication | None = None
    """The publication its answers moved too little from (a reveal or a board pack)."""


def _at(publication: Publication) -> str:
    """A publication's time as the facilitator's clock shows it (HH:MM)."""
    try:
        return dt.datetime.fromisoformat(publication.at).strftime("%H:%M")
    except ValueError:
        return publication.at


def earlier_words(publication: Publication) -> str:
    """Where a figure was published before: the one owner of this wording, so the screen
    never says "shown" of a figure only the board pack had."""
    if publication.unit == PACK:
        return f"the board pack written at {_at(publication)} has it"
    return f"the screen showed it at {_at(publication)}"


def waiting_for(unit: Unit, state: State, revealed: bool) -> str:
    """What a unit that cannot be revealed (or updated) now waits for."""
    if state.allowed:
        return ""
    if revealed and (state.earlier is None or state.earlier.unit == unit.id):
        return f"{state.needed} more new or changed submitted answers before an update"
    if state.earlier is not None:
        return (f"{earlier_words(state.earlier)} with slightly different answers: "
                f"{state.needed} more new or changed submitted answers before it can be "
                "shown")
    return f"{state.needed} more must submit their answers before it can be shown"


# ----------------------------------------------------------------------------- computing


def projector_agreement(contested: bool, rwg: float | None) -> str | None:
    """How the projector reads rwg(j): the one owner of its wording about the room.

    "Split" belongs to the contested rule alone (the flag above the score). rwg(j) measures
    how spread the answers are, not whether the room falls into two camps: a two-camp room
    can reach 0.78 (:mod:`leadlens.scoring.contested`). So under the Split flag agreement
    is not read at all (None; the page says why), and otherwise the engine's reading
    (:func:`leadlens.scoring.agreement.agreement_words`) is shown with its "split" said as
    "not agreed", so that the projector never says "split" for two different rules.
    """
    words = agreement_words(rwg)
    if words is None or contested:
        return None
    return "not agreed" if words == "split" else words


def scored(qs: QuestionSet, records: Records) -> Results:
    """The room's answers so far through the scoring engine."""
    responses = Responses.from_records(qs, [answers for _, answers in records])
    return score(qs, responses).results


def answered_count(unit: Unit, results: Results, records: Records) -> int:
    """How many people a reveal of ``unit`` would rest on."""
    if unit.id.startswith("principle:"):
        pid = unit.id.split(":", 1)[1]
        n = next((p.n for p in results.principles if p.id == pid), 0)
        if n is not None:
            return n
        # Withheld in the document (fewer than the threshold, its n is null there): the
        # facilitator's progress count is the room's own, counted from its answers (for
        # this screen and the threshold check only; it is never published).
        qs = results.question_set
        counted = score(qs, Responses.from_records(qs, [a for _, a in records]),
                        small_figures=True).results
        return next((p.n or 0 for p in counted.principles if p.id == pid), 0)
    return sum(1 for _, answers in records if any(k in answers for k in unit.keys))


class Reveals:
    """The facilitator's reveals: the snapshot on screen, the ones taken before, and the
    record of everything published (:mod:`leadlens.workshop.published`).

    A unit is shown anew only when no figure of it moved by 1 to ``threshold - 1`` people
    since any earlier publication that showed that figure (a reveal, or a board pack);
    otherwise its last snapshot is shown again, unchanged.
    """

    def __init__(self, qs: QuestionSet, record: Record | None = None) -> None:
        self.qs = qs
        self.threshold = effective_min_group_size(qs)
        self.units = {u.id: u for u in units(qs)}
        self.snapshots: dict[str, Snapshot] = {}
        self.current: str | None = None
        self.record = record if record is not None else Record(None, b"")
        self.refusal = ""
        """Why the last :meth:`reveal` showed nothing (for the facilitator)."""

    def digests(self, records: Records) -> Digests:
        """Keyed hashes of everyone's answers so far (what a publication rests on)."""
        responses = Responses.from_records(self.qs, [answers for _, answers in records])
        return digests(self.record.key, cells(responses, [rid for rid, _ in records]))

    def _state(self, unit: Unit, now: Digests, n: int) -> State:
        """May a new snapshot of ``unit`` be taken on the answers ``now`` (``n`` people)?"""
        found = conflicts(figures(unit.keys), self.record.publications, now, self.threshold)
        if found:
            worst = max(found, key=lambda c: self.threshold - c.moved)
            return State(False, self.threshold - worst.moved, True, worst.publication)
        last = next((p for p in reversed(self.record.publications) if p.unit == unit.id),
                    None)
        if last is None:
            return State(n >= self.threshold, max(0, self.threshold - n), True)
        changed = moved(last.answers, now, unit.keys) > 0
        return State(changed and n >= self.threshold, 0 if changed else self.threshold,
                     changed)

    def statuses(self, records: Records) -> list[UnitStatus]:
        results = scored(self.qs, records)
        now = self.digests(records)
        out = []
        for unit in self.units.values():
            n = answered_count(unit, results, records)
            state = self._state(unit, now, n)
            revealed = unit.id in self.snapshots or any(
                p.unit == unit.id for p in self.record.publications)
            out.append(UnitStatus(unit=unit, answered=n, can_reveal=state.allowed,
                                  revealed=revealed, needed=state.needed,
                                  waiting=waiting_for(unit, state, revealed)))
        return out

    def held_because(self, unit_id: str, records: Records) -> str:
        """Why a board pack of ``records`` holds ``unit_id`` back, in the facilitator's
        words (never by how many people it moved)."""
        unit = self.units[unit_id]
        found = conflicts(figures(unit.keys), self.record.publications,
                          self.digests(records), self.threshold)
        if not found:
            return "it shares questions with a part held back"
        return f"{earlier_words(found[0].publication)} with a slightly different set of answers"

    def reveal(self, unit_id: str, records: Records, now: dt.datetime) -> Snapshot | None:
        """Put ``unit_id`` on screen: a new snapshot when allowed, else the previous one.

        Returns None (nothing shown; :attr:`refusal` says why) when fewer than the
        threshold have answered it, or when its answers moved too little since it was
        published and this run has no earlier snapshot of it to show again.
        """
        unit = self.units.get(unit_id)
        self.refusal = ""
        if unit is None:
            return None
        hashes = self.digests(records)
        results = scored(self.qs, records)
        n = answered_count(unit, results, records)
        state = self._state(unit, hashes, n)
        allowed, changed = state.allowed, state.changed
        old = self.snapshots.get(unit_id)
        if old is not None and not (allowed and changed):
            self.current = unit_id
            return old
        if not allowed and state.earlier is not None:
            self.refusal = (f"Not shown: {earlier_words(state.earlier)} with a slightly "
                            "different set of submitted answers, and showing both would let "
                            "the difference (a few people's answers) be worked out. It can "
                            f"be shown once {state.needed} more people have submitted or "
                            "changed their answers.")
            return None
        snapshot = self._snapshot(unit, records, results, now)
        if snapshot is None:
            self.refusal = (f"Not shown: fewer than {self.threshold} people have submitted "
                            "answers to it yet.")
            return old
        if changed:
            keys = set(unit.keys)
            self.record.add(Publication(
                unit=unit.id, at=now.isoformat(timespec="seconds"), n=snapshot.n,
                keys=unit.keys, answers={rid: {k: v for k, v in a.items() if k in keys}
                                         for rid, a in hashes.items()
                                         if keys.intersection(a)}))
        self.snapshots[unit_id] = snapshot
        self.current = unit_id
        return snapshot

    def hide(self) -> None:
        self.current = None

    @property
    def on_screen(self) -> Snapshot | None:
        return self.snapshots.get(self.current) if self.current else None

    def _snapshot(self, unit: Unit, records: Records, results: Results,
                  now: dt.datetime) -> Snapshot | None:
        if unit.id == COMMENTS:
            chosen = [(rid, a) for rid, a in records if any(k in a for k in unit.keys)]
            if len(chosen) < self.threshold:
                return None
            results = scored(self.qs, chosen)
            groups = tuple(CommentGroup(self.qs.question_by_id[q].text
                                        if q in self.qs.question_by_id else q, tuple(texts))
                           for q, texts in results.comments.items() if texts)
            return Snapshot(unit, len(chosen), now, comments=groups)
        n = answered_count(unit, results, records)
        if n < self.threshold:
            return None
        report = build_context(results, "html")["report"]
        if unit.id == TIMEPOINTS:
            return Snapshot(unit, n, now, timepoints=self._timepoints(report))
        pid = unit.id.split(":", 1)[1]
        index = next(i for i, p in enumerate(results.principles) if p.id == pid)
        view = self._principle(results.principles[index], report["principles"][index],
                               report["bands"])
        return Snapshot(unit, n, now, principle=view)

    def _principle(self, p: PrincipleResult, data: dict[str, object],
                   bands: list[dict[str, object]]) -> PrincipleView:
        counts = tuple(BandCount(str(b["label"]), p.bands.get(str(b["id"]), 0), str(b["colour"]))
                       for b in bands)
        described = ", ".join(f"{b.label} {b.count}" for b in counts)
        chart = distribution_svg([Segment(b.label, b.count, b.colour) for b in counts],
                                 label=f"People per band for {p.name}: {described}",
                                 width=640, height=40)
        items = []
        for item in data["items"]:  # type: ignore[attr-defined]
            answered = int(item["answered"])
            shown = answered >= self.threshold
            options = ", ".join(f"{o['label']} {o['count']}" for o in item["options"])
            items.append(ItemView(key=str(item["key"]), label=str(item["label"]),
                                  answered=answered, shown=shown,
                                  chart=item["chart"] if shown else None,
                                  described=options if shown else ""))
        colour = data.get("band_colour")
        first = data["items"][0]["options"] if data["items"] else []  # type: ignore[index]
        legend = tuple(LegendEntry(str(o["label"]), str(o["colour"]), o["value"] is None)
                       for o in first)
        return PrincipleView(
            id=p.id, name=p.name, description=p.description, n=p.n or 0, score=p.score,
            band_id=p.band, band_label=str(data["band_label"]) if data.get("band_label") else None,
            band_colour=str(colour) if colour else None,
            band_text_colour=next((str(b["text_colour"]) for b in bands if b["id"] == p.band),
                                  None),
            bands=counts, bands_chart=chart, contested=p.contested, below_50=p.below_50,
            above_50=p.above_50,
            perspectives=tuple(PerspectiveView(s.label, s.score) for s in p.perspectives
                               if s.n is not None and s.n >= self.threshold),
            perspective_gap=p.perspective_gap if all(s.n is not None and s.n >= self.threshold
                                                     for s in p.perspectives) else None,
            items=tuple(items), legend=legend, rwg_j=p.rwg_j,
            agreement=projector_agreement(p.contested, p.rwg_j))

    def _timepoints(self, report: dict[str, object]) -> TimepointsView | None:
        data = report.get("timepoints")
        if not isinstance(data, dict):
            return None
        rows = []
        for row in data["rows"]:
            points = row["timepoints"]
            # A withheld timepoint's n is null (it rests on fewer than the threshold).
            n = min((int(t["n"]) if t["n"] is not None else 0 for t in points), default=0)
            shown = n >= self.threshold
            rows.append(TimepointRow(text=str(row["text"]),
                                     first=points[0]["mean"] if shown and points else None,
                                     last=points[-1]["mean"] if shown and points else None,
                                     gap=row["gap"] if shown and row["gap_n"] is not None
                                     and row["gap_n"] >= self.threshold
                                     else None, n=n, shown=shown))
        every = all(r.shown for r in rows)
        return TimepointsView(first_label=str(data["first"]), last_label=str(data["last"]),
                              scale_label=str(data["scale"]), rows=tuple(rows),
                              chart=data["chart"] if every else None)
