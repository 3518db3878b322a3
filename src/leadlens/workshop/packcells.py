"""The board pack's group figures, checked against what the workshop's screen showed.

The screen shows the whole room; ``leadlens score --agreed --by organisation`` publishes each
organisation's figures too. A group is a subset of the room, so the screen's figure minus a
group's figure (or minus several groups', or minus the whole room and plus some groups) can
leave a few people: 5 Acme answering "2" and one Beta "5" on the screen, then 5 more Beta,
and the pack's Acme figure taken from the screen's gives the one early Beta person's answers.

So every group figure of the pack (a principle's figures per group, its overall, its
comments per question) is checked against every publication of the workshop's record
(:mod:`leadlens.workshop.published`) that showed any of its answer keys: for each
breakdown, every union of its published groups (and, where the whole room's figure is
published, every union holding all of its hidden groups, i.e. the whole minus some shown
groups) must differ from the screen's people by none or at least ``min_group_size`` people
(joined, left or changed an answer). Where one does not, a group in that union is held back
(its figure hidden, saying why), and the pack's own linked-tables control
(:func:`leadlens.scoring.disclosure.protect`, as ``leadlens score`` uses it) then hides what
else must go so that the held-back figure cannot be worked out from the whole room and the
other groups. The two steps repeat until neither hides anything more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import FloatArray, IntArray, Responses
from leadlens.results.document import (
    DisclosureAudit,
    DisclosureStep,
    GroupBreakdown,
    GroupPrinciple,
    GroupResult,
    Results,
)
from leadlens.scoring.disclosure import Reason, atoms_of, protect
from leadlens.scoring.engine import RespondentScores
from leadlens.scoring.groups import Grouping, group_respondents
from leadlens.scoring.groups import _spread as group_spread  # the one owner of the rule
from leadlens.scoring.published import steps_of
from leadlens.workshop.published import Digests, PackGuard, Record, cells, digests, row_ids

GROUP_HELD_BACK = ("held back: this group's answers were shown on the workshop's screen as "
                   "part of the room, with a slightly different set of people, and the "
                   "difference (a few people's answers) could be worked out")
"""The stated reason for a group figure the pack holds back (never the size of the move)."""

Cells = list[list[Reason | None]]
"""Per breakdown, per group: why the figure is hidden (None: published)."""


@dataclass
class GroupHold:
    """What the group check hid: per figure (principle id, ``overall``, ``comments:KEY``),
    per breakdown field, the group values and why."""

    hidden: dict[str, dict[str, dict[str, Reason]]] = field(default_factory=dict)
    held: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    """The groups held back because of the screen (the others protect them)."""

    @property
    def anything(self) -> bool:
        return bool(self.hidden)

    def summary(self) -> list[str]:
        """One line per figure: which groups of which breakdown the pack leaves out."""
        lines = []
        for figure_name, per_field in self.hidden.items():
            for field_id, groups in per_field.items():
                what = "the overall score" if figure_name == "overall" \
                    else _figure_words(figure_name)
                lines.append(f"--by {field_id}: {what}: not shown for "
                             f"{', '.join(map(repr, groups))}")
        return lines


def _answered(responses: Responses, keys: Sequence[str]) -> FloatArray:
    """Per respondent: 1.0 for an answer to any of ``keys`` (rated or text)."""
    flags = np.zeros(responses.n, dtype=bool)
    for j, key in enumerate(responses.keys):
        if key in keys:
            flags |= responses.codes[:, j] != 0
    for key, answers in responses.texts.items():
        if key in keys:
            flags[answers.rows] = True
    out: FloatArray = flags.astype(np.float64)
    return out


def _all_answered(responses: Responses, keys: Sequence[str]) -> FloatArray:
    columns = [j for j, key in enumerate(responses.keys) if key in keys]
    if not columns:
        return np.zeros(responses.n)
    flags: FloatArray = np.all(responses.codes[:, columns] != 0, axis=1).astype(np.float64)
    return flags


def _statuses(screen: Digests, now: Digests, keys: Sequence[str]) -> tuple[int, dict[str, int]]:
    """The screen's people on ``keys``, and per respondent of the pack how a figure that
    includes them moves from the screen's: +1 new (not shown), -1 shown unchanged, 0 changed
    (already counted among the screen's people not matched)."""
    def on(digest: Mapping[str, str]) -> tuple[str | None, ...]:
        return tuple(digest.get(k) for k in keys)

    shown = {rid: on(a) for rid, a in screen.items() if any(k in a for k in keys)}
    status = {}
    for rid, answers in now.items():
        if any(k in answers for k in keys):
            status[rid] = 1 if rid not in shown else -1 if shown[rid] == on(answers) else 0
    return len(shown), status


def _thin_union(base: int, status: Mapping[str, int], members: Sequence[Sequence[str]],
                shown: Sequence[bool], containers: Sequence[tuple[Sequence[str], Sequence[int]]],
                m: int) -> tuple[list[int], bool] | None:
    """A sum of published figures that differs from the screen's by 1 to ``m - 1`` people:
    the groups of one breakdown it uses, the first to be hidden, and whether that group is
    itself too near the screen (else it is hidden to protect a hidden part); or None.

    A set ``U`` of people differs by ``base + sum over U of status`` (:func:`_statuses`).
    A reader can add up any of the breakdown's shown groups, or take some of them from a
    published figure that contains them (the whole room, or a shown group of another
    breakdown: sector North minus its shown organisations). Subset sums are few (a room holds
    at most a few hundred people), so every one is tried.
    """
    delta = [sum(status.get(rid, 0) for rid in group) for group in members]
    indices = [g for g, s in enumerate(shown) if s]
    reach: dict[int, tuple[int, ...]] = {base: ()}
    for g in indices:
        for total, taken in list(reach.items()):
            reach.setdefault(total + delta[g], (*taken, g))
    for total, taken in reach.items():
        if 0 < total < m and taken:
            # Hold back the group of the union the screen showed most of.
            return sorted(taken, key=lambda g: (delta[g], g)), True
    for people, inside in containers:
        start = base + sum(status.get(rid, 0) for rid in people)
        reach = {start: ()}
        for g in inside:
            if shown[g]:
                for total, taken in list(reach.items()):
                    reach.setdefault(total - delta[g], (*taken, g))
        for total, taken in reach.items():
            if 0 < total < m and taken:
                return sorted(taken, key=lambda g: (-delta[g], g)), False
    return None


def check_groups(qs: QuestionSet, results: Results, responses: Responses,
                 scores: RespondentScores, records: Sequence[Record], m: int,
                 aliases: Mapping[str, Mapping[str, str]] | None = None
                 ) -> tuple[Results, GroupHold]:
    """``results`` with every group figure that the workshop's screen makes subtractable
    held back, and what else the pack's linked-tables control hides to protect it.

    ``responses`` are the ones scored (after the whole-room hold-back), ``scores`` their
    scores, ``aliases`` the ``--group-aliases`` the groups were formed with.
    """
    hold = GroupHold()
    fields = [f for f, b in results.groups.items() if b.groups and b.withheld is None]
    publications = [(r, p) for r in records for p in r.publications]
    if not fields or not publications or responses.n == 0:
        return results, hold
    groupings = [group_respondents(f, responses.fields[f], (aliases or {}).get(f))
                 for f in fields]
    for field_id, grouping in zip(fields, groupings, strict=True):
        if [g.value for g in results.groups[field_id].groups] != grouping.values:
            raise ValueError(f"--by {field_id}: the groups differ from the scored ones")
    ids = row_ids(responses)
    tokens = cells(responses, ids)
    nows = {id(r): digests(r.key, tokens) for r, _ in publications}
    members = [[[ids[i] for i in np.flatnonzero(g.codes == k).tolist()]
                for k in range(len(g.values))] for g in groupings]
    atom_of, atom_groups = atoms_of([g.codes for g in groupings])
    sizes = [len(g.values) for g in groupings]

    def per_atom(flags: FloatArray) -> IntArray:
        counts: IntArray = np.bincount(atom_of, weights=flags, minlength=atom_groups.shape[0]
                                         ).round().astype(np.int64)
        return counts

    group_of = {f: results.groups[f].groups for f in fields}
    caps: list[list[int | None]] = [[g.n for g in group_of[f]] for f in fields]
    by_key = {p.id: tuple(k for q in qs.questions if q.principle == p.id
                          and q.type == "rating" for k in q.answer_keys)
              for p in qs.principles}

    def doc_reasons(name: str) -> Cells:
        out: Cells = []
        for f in fields:
            row: list[Reason | None] = []
            for g in group_of[f]:
                if g.suppressed:
                    row.append(g.suppressed_reason or "small")
                elif name == "overall":
                    row.append(g.overall_suppressed_reason if g.overall is None else None)
                elif name.startswith("comments:"):
                    key = name.split(":", 1)[1]
                    row.append(None if key in g.comments else "complement")
                else:
                    gp = next((x for x in g.principles if x.id == name), None)
                    row.append(None if gp is not None and gp.score is not None
                               else (gp.suppressed_reason if gp else None) or "withheld")
            out.append(row)
        return out

    principle_tables = {
        pid: [np.isfinite(scores.by_principle[pid]).astype(np.float64),
              _answered(responses, keys), _all_answered(responses, keys)]
        for pid, keys in by_key.items() if pid in scores.by_principle}
    comment_keys = [k for k in responses.texts if k in results.comments]
    tables: dict[str, tuple[tuple[str, ...], list[FloatArray], bool]] = {
        pid: (by_key[pid], flags, next(p for p in results.principles if p.id == pid).score
              is not None) for pid, flags in principle_tables.items()}
    tables |= {f"comments:{k}": ((k,), [_answered(responses, (k,))], True)
               for k in comment_keys}
    reasons = {name: doc_reasons(name) for name in tables}
    start = {name: [list(r) for r in rs] for name, rs in reasons.items()}
    held: dict[str, set[tuple[int, int]]] = {name: set() for name in tables}

    def set_hidden(name: str, f: int, g: int, why: Reason) -> bool:
        if reasons[name][f][g] is None:
            reasons[name][f][g] = why
            return True
        return False

    def containers(name: str, f: int, whole: bool
                   ) -> list[tuple[Sequence[str], Sequence[int]]]:
        """Published figures holding groups of breakdown ``f``, each with those groups: the
        whole room (when published) and the shown groups of the other breakdowns."""
        out: list[tuple[Sequence[str], Sequence[int]]] = []
        if whole:
            out.append((ids, range(sizes[f])))
        for k in range(len(fields)):
            if k == f:
                continue
            for h, why in enumerate(reasons[name][k]):
                if why is None:
                    inside = np.flatnonzero(np.bincount(
                        groupings[f].codes[groupings[k].codes != h],
                        minlength=sizes[f]) == 0).tolist()
                    out.append((members[k][h], inside))
        return out

    overall_start = doc_reasons("overall")
    overall = [list(r) for r in overall_start]
    grown = True
    while grown:
        grown = False
        for name, (keys, _, whole) in tables.items():
            for record, pub in publications:
                shared = tuple(k for k in keys if k in pub.keys)
                if not shared:
                    continue
                base, status = _statuses(pub.answers, nows[id(record)], shared)
                if not base:
                    continue
                for f in range(len(fields)):
                    while True:
                        shown = [r is None for r in reasons[name][f]]
                        thin = _thin_union(base, status, members[f], shown,
                                           containers(name, f, whole), m)
                        if thin is None:
                            break
                        taken, direct = thin
                        set_hidden(name, f, taken[0], "withheld" if direct else "complement")
                        if direct:
                            held[name].add((f, taken[0]))
                        grown = True
        for name, (_, flags, _) in tables.items():
            if all(r == s for rs, ss in zip(reasons[name], start[name], strict=True)
                   for r, s in zip(rs, ss, strict=True)):
                continue
            # The scored respondents' table, then those behind % favourable (answered any
            # question) and agreement (answered all): a cell too small in one of those is
            # hidden there already (the document's own rule), not a reason to hide the score.
            for weights in flags:
                counts = per_atom(weights)
                given = [[r if r is not None else "small" if 0 < n < m else None
                          for r, n in zip(rs, np.bincount(atom_groups[:, f], weights=counts,
                                                          minlength=sizes[f]).tolist(),
                                          strict=True)]
                         for f, rs in enumerate(reasons[name])]
                protection = protect(atom_groups, counts, sizes, m, given=given, caps=caps)
                for f, row in enumerate(protection.reasons):
                    for g, why in enumerate(row):
                        if why is not None and given[f][g] is None \
                                and set_hidden(name, f, g, why):
                            grown = True
        # The overall: hidden wherever a principle is; then every principle hidden wherever
        # the overall is (n x overall minus the other principles gives the missing one).
        pids = [n for n in tables if not n.startswith("comments:")]
        for f in range(len(fields)):
            for g in range(sizes[f]):
                if overall[f][g] is None and any(reasons[p][f][g] is not None for p in pids):
                    overall[f][g] = "complement"
        if overall != overall_start:
            protection = protect(atom_groups, per_atom(np.isfinite(scores.overall)
                                                       .astype(np.float64)),
                                 sizes, m, given=overall, caps=caps)
            for f, row in enumerate(protection.reasons):
                for g, why in enumerate(row):
                    if why is not None and overall[f][g] is None:
                        overall[f][g] = why
            for f in range(len(fields)):
                for g in range(sizes[f]):
                    if overall[f][g] is not None and overall_start[f][g] is None \
                            and all(reasons[p][f][g] is None for p in pids):
                        for p in pids:
                            if set_hidden(p, f, g, "complement"):
                                grown = True
    for name in tables:
        for f, field_id in enumerate(fields):
            for g, (r, s) in enumerate(zip(reasons[name][f], start[name][f], strict=True)):
                if r is not None and s is None:
                    hold.hidden.setdefault(name, {}).setdefault(field_id, {})[
                        group_of[field_id][g].value] = r
                    if (f, g) in held[name]:
                        hold.held.setdefault(name, {}).setdefault(field_id, set()).add(
                            group_of[field_id][g].value)
    for f, field_id in enumerate(fields):
        for g, (r, s) in enumerate(zip(overall[f], overall_start[f], strict=True)):
            if r is not None and s is None:
                hold.hidden.setdefault("overall", {}).setdefault(field_id, {})[
                    group_of[field_id][g].value] = r
    if not hold.anything:
        return results, hold
    return _apply(qs, results, hold, groupings, m), hold


def _figure_words(name: str) -> str:
    if name.startswith("comments:"):
        return f"comments on {name.split(':', 1)[1]!r}"
    return f"principle {name!r}"


def _nulls(gp: GroupPrinciple, why: Reason) -> GroupPrinciple:
    return gp.model_copy(update={
        "n": None, "mean": None, "score": None, "band": None, "contested": False, "sd": None,
        "ci95": None, "rwg_j": None, "ad_m": None, "agreement": None, "agreement_n": None,
        "favourability": None, "favourability_suppressed_reason": None,
        "suppressed_reason": why})


def _apply(qs: QuestionSet, results: Results, hold: GroupHold, groupings: list[Grouping],
           m: int) -> Results:
    steps: list[DisclosureStep] = []
    breakdowns: dict[str, GroupBreakdown] = {}
    for field_id, breakdown in results.groups.items():
        grouping = next((g for g in groupings if g.field == field_id), None)
        if grouping is None:
            breakdowns[field_id] = breakdown
            continue
        touched = {name for name, per in hold.hidden.items() if field_id in per}
        groups: list[GroupResult] = []
        for group in breakdown.groups:
            update: dict[str, object] = {}
            principles = []
            for gp in group.principles:
                why = hold.hidden.get(gp.id, {}).get(field_id, {}).get(group.value)
                principles.append(_nulls(gp, why) if why else gp)
            update["principles"] = principles
            why = hold.hidden.get("overall", {}).get(field_id, {}).get(group.value)
            if why:
                update |= {"overall": None, "overall_band": None,
                           "overall_suppressed_reason": why}
            gone = {name.split(":", 1)[1] for name, per in hold.hidden.items()
                    if name.startswith("comments:") and group.value in per.get(field_id, {})}
            if gone:
                update["comments"] = {k: v for k, v in group.comments.items() if k not in gone}
            groups.append(group.model_copy(update=update))
        changed_principles = {n for n in touched if not n.startswith("comments:")
                              and n != "overall"}
        breakdowns[field_id] = breakdown.model_copy(update={
            "groups": groups,
            "spread": group_spread(qs, groups) if changed_principles else breakdown.spread,
            # ICC(1) and its test are computed over the groups' figures: with one hidden
            # now, they are left out rather than recomputed from what the engine had.
            "icc": [i for i in breakdown.icc if i.principle not in changed_principles]})
        for name in sorted(touched, key=list(hold.hidden).index):
            per = hold.hidden[name][field_id]
            held = hold.held.get(name, {}).get(field_id, set())
            for value in grouping.values:
                why = per.get(value)
                if why is None:
                    continue
                if value in held:
                    steps.append(DisclosureStep(
                        breakdown=field_id, group=value, figure=name, reason="withheld",
                        text=f"{field_id} {value!r}: {_figure_words(name)} not shown: "
                             f"{GROUP_HELD_BACK}"))
                else:
                    steps += steps_of(field_id, [value], name, [why], m)
            for i in breakdown.icc:
                if i.principle == name:
                    steps.append(DisclosureStep(
                        breakdown=field_id, group=None, figure=name, reason="complement",
                        text=f"{field_id}: ICC of {name} not shown: it rests on a group "
                             "figure held back"))
    audit = results.disclosure or DisclosureAudit(method="", steps=[])
    return results.model_copy(update={
        "groups": breakdowns,
        "disclosure": audit.model_copy(update={"steps": [*audit.steps, *steps]})})


def check_pack_groups(guard: PackGuard, results: Results, responses: Responses,
                      scores: RespondentScores,
                      aliases: Mapping[str, Mapping[str, str]] | None = None
                      ) -> tuple[Results, list[str]]:
    """``score --agreed``: :func:`check_groups` for ``guard``'s records, and one line per
    figure held back (the whole room's first) for the facilitator's terminal."""
    checked, hold = check_groups(guard.qs, results, responses, scores, guard.records,
                                 guard.min_group_size, aliases)
    return checked, [*guard.summary(), *hold.summary()]
