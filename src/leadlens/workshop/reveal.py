"""What the projector may show: one principle at a time, only above the anonymity threshold.

The room's answers so far (saved and in progress) are scored by the same engine as
``leadlens score`` (:func:`leadlens.scoring.score`) and described with the report's own
colours and charts. A reveal is a frozen :class:`Snapshot`: it is shown again unchanged
until at least ``min_group_size`` people have answered (or changed their answers to) that
principle since, so two snapshots can never be subtracted to recover one person's answers.
Item distributions answered by fewer than the threshold are withheld; comments appear only
once the threshold has answered the free-text questions, shuffled (the report's rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from leadlens.questionset.model import QuestionSet
from leadlens.report.charts import Segment, distribution_svg
from leadlens.report.context import build_context
from leadlens.responses.table import text_keys
from leadlens.results.document import PrincipleResult, Results
from leadlens.scoring import Responses, effective_min_group_size, score
from leadlens.scoring.agreement import agreement_words
from leadlens.survey.flow import Value

Records = Sequence[tuple[str, dict[str, Value]]]

TIMEPOINTS = "timepoints"
COMMENTS = "comments"


@dataclass(frozen=True)
class Unit:
    """Something the facilitator can reveal: a principle, the now-vs-target questions, or
    the free-text comments."""

    id: str
    title: str
    keys: tuple[str, ...]


def units(qs: QuestionSet) -> list[Unit]:
    """Every revealable unit of a question set, in order."""
    found = [Unit(f"principle:{p.id}", p.name,
                  tuple(k for q in qs.questions if q.principle == p.id and q.type == "rating"
                        for k in q.answer_keys))
             for p in qs.principles]
    paired = tuple(k for q in qs.questions if q.timepoints and q.type == "rating"
                   for k in q.answer_keys)
    if paired:
        first, last = qs.timepoints[0].label, qs.timepoints[-1].label
        found.append(Unit(TIMEPOINTS, f"{first} and {last[:1].lower()}{last[1:]}", paired))
    texts = tuple(text_keys(qs))
    if texts:
        found.append(Unit(COMMENTS, "Comments", texts))
    return found


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
    """``agreed``, ``partly agreed`` or ``split``: the engine's reading of ``rwg_j``."""


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
    basis: dict[str, tuple[Value, ...]] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class UnitStatus:
    """A unit on the facilitator's list: how many have answered it, and whether it can be
    revealed (or updated) now."""

    unit: Unit
    answered: int
    can_reveal: bool
    revealed: bool
    needed: int
    """How many more (new or changed) answers before it can be revealed or updated."""


# ----------------------------------------------------------------------------- computing


def _basis(records: Records, keys: Sequence[str]) -> dict[str, tuple[Value, ...]]:
    """Each respondent's answers to ``keys``, for those who have answered any of them."""
    return {rid: tuple(answers.get(k) for k in keys) for rid, answers in records
            if any(k in answers for k in keys)}


def _changed(old: dict[str, tuple[Value, ...]], new: dict[str, tuple[Value, ...]]) -> int:
    return sum(1 for rid in old.keys() | new.keys() if old.get(rid) != new.get(rid))


def scored(qs: QuestionSet, records: Records) -> Results:
    """The room's answers so far through the scoring engine."""
    responses = Responses.from_records(qs, [answers for _, answers in records])
    return score(qs, responses).results


def answered_count(unit: Unit, results: Results, records: Records) -> int:
    """How many people a reveal of ``unit`` would rest on."""
    if unit.id.startswith("principle:"):
        pid = unit.id.split(":", 1)[1]
        return next((p.n for p in results.principles if p.id == pid), 0)
    return len(_basis(records, unit.keys))


class Reveals:
    """The facilitator's reveals: the snapshot on screen and the ones taken before."""

    def __init__(self, qs: QuestionSet) -> None:
        self.qs = qs
        self.threshold = effective_min_group_size(qs)
        self.units = {u.id: u for u in units(qs)}
        self.snapshots: dict[str, Snapshot] = {}
        self.current: str | None = None

    def statuses(self, records: Records) -> list[UnitStatus]:
        results = scored(self.qs, records)
        out = []
        for unit in self.units.values():
            n = answered_count(unit, results, records)
            old = self.snapshots.get(unit.id)
            if old is None:
                needed = max(0, self.threshold - n)
            else:
                needed = max(0, self.threshold - _changed(old.basis, _basis(records, unit.keys)))
            out.append(UnitStatus(unit=unit, answered=n,
                                  can_reveal=n >= self.threshold and needed == 0,
                                  revealed=old is not None, needed=needed))
        return out

    def reveal(self, unit_id: str, records: Records, now: dt.datetime) -> Snapshot | None:
        """Put ``unit_id`` on screen: a new snapshot when allowed, else the previous one.

        Returns None (nothing shown) when fewer than the threshold have answered it.
        """
        unit = self.units.get(unit_id)
        if unit is None:
            return None
        basis = _basis(records, unit.keys)
        old = self.snapshots.get(unit_id)
        if old is not None and _changed(old.basis, basis) < self.threshold:
            self.current = unit_id
            return old
        snapshot = self._snapshot(unit, records, basis, now)
        if snapshot is None:
            return old
        self.snapshots[unit_id] = snapshot
        self.current = unit_id
        return snapshot

    def hide(self) -> None:
        self.current = None

    @property
    def on_screen(self) -> Snapshot | None:
        return self.snapshots.get(self.current) if self.current else None

    def _snapshot(self, unit: Unit, records: Records, basis: dict[str, tuple[Value, ...]],
                  now: dt.datetime) -> Snapshot | None:
        if unit.id == COMMENTS:
            chosen = [(rid, a) for rid, a in records if rid in basis]
            if len(chosen) < self.threshold:
                return None
            results = scored(self.qs, chosen)
            groups = tuple(CommentGroup(self.qs.question_by_id[q].text
                                        if q in self.qs.question_by_id else q, tuple(texts))
                           for q, texts in results.comments.items() if texts)
            return Snapshot(unit, len(chosen), now, comments=groups, basis=basis)
        results = scored(self.qs, records)
        n = answered_count(unit, results, records)
        if n < self.threshold:
            return None
        report = build_context(results, "html")["report"]
        if unit.id == TIMEPOINTS:
            return Snapshot(unit, n, now, timepoints=self._timepoints(report), basis=basis)
        pid = unit.id.split(":", 1)[1]
        index = next(i for i, p in enumerate(results.principles) if p.id == pid)
        view = self._principle(results.principles[index], report["principles"][index],
                               report["bands"])
        return Snapshot(unit, n, now, principle=view, basis=basis)

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
            id=p.id, name=p.name, description=p.description, n=p.n, score=p.score,
            band_id=p.band, band_label=str(data["band_label"]) if data.get("band_label") else None,
            band_colour=str(colour) if colour else None,
            band_text_colour=next((str(b["text_colour"]) for b in bands if b["id"] == p.band),
                                  None),
            bands=counts, bands_chart=chart, contested=p.contested, below_50=p.below_50,
            above_50=p.above_50,
            perspectives=tuple(PerspectiveView(s.label, s.score) for s in p.perspectives
                               if s.n >= self.threshold),
            perspective_gap=p.perspective_gap if all(s.n >= self.threshold
                                                     for s in p.perspectives) else None,
            items=tuple(items), legend=legend, rwg_j=p.rwg_j,
            agreement=agreement_words(p.rwg_j))

    def _timepoints(self, report: dict[str, object]) -> TimepointsView | None:
        data = report.get("timepoints")
        if not isinstance(data, dict):
            return None
        rows = []
        for row in data["rows"]:
            points = row["timepoints"]
            n = min((int(t["n"]) for t in points), default=0)
            shown = n >= self.threshold
            rows.append(TimepointRow(text=str(row["text"]),
                                     first=points[0]["mean"] if shown and points else None,
                                     last=points[-1]["mean"] if shown and points else None,
                                     gap=row["gap"] if shown and row["gap_n"] >= self.threshold
                                     else None, n=n, shown=shown))
        every = all(r.shown for r in rows)
        return TimepointsView(first_label=str(data["first"]), last_label=str(data["last"]),
                              scale_label=str(data["scale"]), rows=tuple(rows),
                              chart=data["chart"] if every else None)
