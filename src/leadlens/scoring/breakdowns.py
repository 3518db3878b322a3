"""The ``--by`` breakdowns and the comments, published as one set of linked tables.

Which groups and which of their figures are shown is decided together for every breakdown
(:mod:`leadlens.scoring.disclosure`): first the groups themselves (their sizes), then each
principle's figures, the overall score and each question's comments, each a table of its
own in which the hidden groups stay hidden.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from leadlens.errors import Code
from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import (
    BoolArray,
    FloatArray,
    IntArray,
    Responses,
    TextAnswers,
    places,
)
from leadlens.results.document import DisclosureStep, GroupBreakdown, ResultWarning
from leadlens.scoring.agreement import complete_patterns
from leadlens.scoring.breakdown import breakdown_figures
from leadlens.scoring.comments import comment_order, shuffled, shuffled_by_group
from leadlens.scoring.disclosure import Reason, atoms_of, protect
from leadlens.scoring.favourable import code_sides
from leadlens.scoring.groups import (
    Grouping,
    group_respondents,
    group_results,
    near_duplicates,
    outside_choices,
    spelling_rows,
)
from leadlens.scoring.principles import PrincipleScores
from leadlens.scoring.published import steps_of


def comment_id(key: str, text: str) -> str:
    """A comment's stable id: its question and a checksum of its text (``story-1a2b3c4d``)."""
    return f"{key}-{zlib.crc32(text.strip().encode('utf-8')):08x}"


@dataclass
class Published:
    breakdowns: dict[str, GroupBreakdown] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)
    comments_withheld: str | None = None
    steps: list[DisclosureStep] = field(default_factory=list)
    warnings: list[ResultWarning] = field(default_factory=list)
    details: dict[int, ResultWarning] = field(default_factory=dict)
    """Per index into ``warnings``: the facilitator's version (with lines)."""


def _kept(answers: TextAnswers, withhold: Collection[str], key: str) -> TextAnswers:
    if not withhold:
        return answers
    keep = [i for i, t in enumerate(answers.texts) if comment_id(key, t) not in withhold]
    return TextAnswers(answers.rows[keep], [answers.texts[i] for i in keep])


def _distinct(rows: IntArray) -> IntArray:
    """``np.unique(rows)``; rows read from a file are in order already, so only checked."""
    if rows.size < 2 or bool((rows[1:] > rows[:-1]).all()):
        return rows
    unique: IntArray = np.unique(rows)
    return unique


def _per_atom(atom_of: IntArray, atoms: int, rows: BoolArray | IntArray | None = None
              ) -> IntArray:
    """Respondents per atom: all, or those of ``rows`` (a mask, or distinct row numbers)."""
    counts: IntArray = np.bincount(atom_of if rows is None else atom_of[rows],
                                   minlength=atoms).astype(np.int64)
    return counts


def _per_atom_flagged(atom_of: IntArray, atoms: int, own: PrincipleScores
                      ) -> tuple[IntArray, IntArray]:
    """Per atom: the respondents scored on the principle, and those who answered every
    item, from one count of respondents by atom and answer pattern's pair of flags (both
    are properties of the pattern)."""
    assert own.patterns is not None
    pair = (np.isfinite(own.pattern_scores).astype(np.intp)
            + 2 * complete_patterns(own.patterns, own.items).astype(np.intp))
    table = np.bincount(atom_of * 4 + pair[own.patterns.index],
                        minlength=atoms * 4).reshape(atoms, 4).astype(np.int64)
    return table[:, 1] + table[:, 3], table[:, 2] + table[:, 3]


def publish(question_set: QuestionSet, responses: Responses, principles: list[PrincipleScores],
            overall: FloatArray, by: Sequence[str], min_group_size: int, *,
            withhold_comments: Collection[str] = (), parallel: bool = False,
            group_aliases: Mapping[str, Mapping[str, str]] | None = None) -> Published:
    """The breakdowns and comments that may be published, and the audit of what was hidden.

    Args:
        withhold_comments: comment ids (:func:`comment_id`) the facilitator withholds.
        group_aliases: per field, spelling -> the group it belongs to.
    """
    out = Published()
    m = min_group_size
    texts = {key: _kept(a, withhold_comments, key) for key, a in responses.texts.items()}
    # Counted after the facilitator's --withhold-comments: the comments shown must come from
    # at least m people, not merely have been written by them.
    commenters = {key: _distinct(a.rows) for key, a in texts.items()}
    hidden_keys = []
    orders = {}
    for key, answers in texts.items():
        orders[key] = comment_order(answers)
        if commenters[key].size >= m:
            out.comments[key] = shuffled(answers, orders[key])
        elif commenters[key].size:
            hidden_keys.append(key)
            out.steps.append(DisclosureStep(
                breakdown=None, group=None, figure=f"comments:{key}", reason="small",
                text=f"comments on {key!r} not shown: fewer than {m} people commented "
                     "(counting only comments not withheld)"))
    if hidden_keys:
        out.comments_withheld = (f"Comments on {', '.join(map(repr, hidden_keys))} are not "
                                 f"shown: fewer than {m} people commented (counting only "
                                 "comments not withheld).")
    if not by or responses.n == 0:
        for field_id in by:
            out.breakdowns[field_id] = _empty(question_set, field_id, "no respondents")
        return out

    aliases = group_aliases or {}
    groupings: list[Grouping] = [group_respondents(f, responses.fields[f], aliases.get(f))
                                 for f in by]
    for grouping in groupings:
        for published, detailed in [*_near_duplicate_warnings(grouping, responses),
                                    *_outside_choice_warnings(question_set, grouping,
                                                              responses)]:
            out.details[len(out.warnings)] = detailed
            out.warnings.append(published)
    atom_of, atom_groups = atoms_of([g.codes for g in groupings])
    atoms = atom_groups.shape[0]
    sizes = [len(g.values) for g in groupings]
    groups = protect(atom_groups, _per_atom(atom_of, atoms), sizes, m)
    given = groups.reasons
    # What a reader knows of each group's size: published, fewer than m, or unknown.
    caps: list[list[int | None]] = [
        [int(s) if r is None else m - 1 if r == "small" else None
         for r, s in zip(rs, g.sizes.tolist(), strict=True)]
        for rs, g in zip(given, groupings, strict=True)]

    def figure(per_atom: IntArray, also: Sequence[Sequence[Reason | None]] | None = None
               ) -> list[list[Reason | None]]:
        start, lows = given, None
        if also is not None:  # hidden for another table's sake; "small" where it is so
            counts = [np.bincount(atom_groups[:, f], weights=per_atom, minlength=size)
                      for f, size in enumerate(sizes)]
            start = [[g or (("small" if 0 < counts[f][h] < m else a) if a else None)
                      for h, (g, a) in enumerate(zip(gs, al, strict=True))]
                     for f, (gs, al) in enumerate(zip(given, also, strict=True))]
            # Its label tells a reader as much: "small" 1 to m-1, "complement" at least m.
            lows = [[0 if g is not None else 1 if s == "small" else m if s else 0
                     for g, s in zip(gs, ss, strict=True)]
                    for gs, ss in zip(given, start, strict=True)]
        found = protect(atom_groups, per_atom, sizes, m, given=start, caps=caps,
                        withheld=groups.withheld, lows=lows)
        return [[None if g is not None else "withheld" if out else r
                 for r, g in zip(rs, gs, strict=True)]
                for rs, gs, out in zip(found.reasons, given, found.withheld, strict=True)]

    # Per principle, respondents per atom: those scored on it, and those who answered
    # every item (behind rwg(j) and AD_M, a table of their own).
    scored: list[IntArray] = []
    complete: dict[str, IntArray] = {}
    for p in principles:
        if p.patterns is None:
            scored.append(_per_atom(atom_of, atoms, np.isfinite(p.scores)))
            continue
        scored_here, complete[p.principle.id] = _per_atom_flagged(atom_of, atoms, p)
        scored.append(scored_here)
    figures = linked_overall(figure, scored, _per_atom(atom_of, atoms, np.isfinite(overall)),
                             sizes)
    names = [*(p.principle.id for p in principles), "overall"]
    # % favourable counts the answers of those scored on the principle to its counted
    # items; every scored answer is on a side, so they are exactly the people scored and
    # the principle's own table decides (a table of its own could hide a group's % favourable
    # where its principle, with the same n, is shown).
    favourable = {p.principle.id: figures[i] for i, p in enumerate(principles)
                  if has_favourable(p)}
    agreeing = {p.principle.id: figure(complete[p.principle.id]) for p in principles
                if p.principle.id in complete}
    # Each comment's writer counted once per question (commenters are distinct rows).
    comment_figures = {key: figure(_per_atom(atom_of, atoms, rows))
                       for key, rows in commenters.items()}

    prompts = {f.id: f.prompt for f in question_set.respondent}
    for f, grouping in enumerate(groupings):
        field_id = grouping.field
        if groups.withheld[f]:
            out.breakdowns[field_id] = _empty(
                question_set, field_id,
                f"No group of this breakdown is listed: no safe way of showing its groups was "
                f"found (one in which no group of fewer than {m} respondents could be worked "
                f"out from the others).")
            out.steps.append(DisclosureStep(
                breakdown=field_id, group=None, figure="group", reason="withheld",
                text=f"{field_id}: withheld; no safe pattern of shown and hidden groups "
                     "was found"))
            continue
        reasons = given[f]
        results, spread = group_results(
            question_set, grouping, principles, overall, m, reasons=reasons,
            figures=[fig[f] for fig in figures], parallel=parallel)
        # sd, ci95, agreement and % favourable ride on a published group figure; ICC uses
        # published figures only.
        results, iccs = breakdown_figures(grouping, principles, results,
                                          {k: fig[f] for k, fig in favourable.items()},
                                          {k: fig[f] for k, fig in agreeing.items()})
        shown = [r is None for r in reasons]
        by_group = {}
        for key, answers in texts.items():
            visible = [s and comment_figures[key][f][g] is None
                       for g, s in enumerate(shown)]
            by_group[key] = shuffled_by_group(answers, grouping.codes, visible, orders[key])
        results = [g.model_copy(update={"comments": {key: lists[i] for key, lists
                                                     in by_group.items() if lists[i]}})
                   if shown[i] else g for i, g in enumerate(results)]
        out.breakdowns[field_id] = GroupBreakdown(field=field_id, prompt=prompts[field_id],
                                                  groups=results, spread=spread, icc=iccs)
        out.steps += steps_of(field_id, grouping.values, "group", list(reasons), m)
        for name, fig in zip(names, figures, strict=True):
            out.steps += steps_of(field_id, grouping.values, name, list(fig[f]), m)
        for key, fig in favourable.items():
            # Only where the principle itself is shown: elsewhere its own step says so.
            principle = figures[names.index(key)][f]
            out.steps += steps_of(field_id, grouping.values, f"favourable:{key}",
                                  [r if principle[g] is None else None
                                   for g, r in enumerate(fig[f])], m)
        for key, fig in agreeing.items():
            principle = figures[names.index(key)][f]
            out.steps += steps_of(field_id, grouping.values, f"agreement:{key}",
                                  [r if principle[g] is None else None
                                   for g, r in enumerate(fig[f])], m)
        for key, fig in comment_figures.items():
            out.steps += steps_of(field_id, grouping.values, f"comments:{key}",
                                  list(fig[f]), m)
    return out


def linked_overall(figure: Callable[[IntArray, Sequence[Sequence[Reason | None]] | None],
                                    list[list[Reason | None]]],
                   principles: Sequence[IntArray], overall: IntArray, sizes: Sequence[int]
                   ) -> list[list[list[Reason | None]]]:
    """Each principle's hidden groups, then the overall's: a group's overall hidden exactly
    where one of its principles is. ``principles`` and ``overall``: the respondents with
    a score, per atom (what ``figure`` protects).

    A respondent's overall is the weighted mean of their principle scores, so for a group
    whose members have every principle, ``n * overall`` minus the other principles' sums
    gives a hidden principle's sum; and a hidden overall, where every principle is shown,
    is their weighted mean again. So the overall is hidden wherever a principle is (then its
    own table may hide more groups' overall, so that those cannot be worked out from the
    whole survey's), and every principle is hidden wherever the overall is, each principle's
    table protecting those in turn, until the two agree.
    """
    also: list[list[Reason | None]] = [[None] * s for s in sizes]
    while True:
        own = [figure(flags, also) for flags in principles]
        union: list[list[Reason | None]] = [
            ["complement" if any(p[f][g] is not None for p in own) else None
             for g in range(size)] for f, size in enumerate(sizes)]
        whole = figure(overall, union)
        grown = False
        for f, size in enumerate(sizes):
            for g in range(size):
                if principles and whole[f][g] is not None and union[f][g] is None \
                        and also[f][g] is None:
                    also[f][g] = "complement"
                    grown = True
        if not grown:
            return [*own, whole]


def has_favourable(own: PrincipleScores) -> bool:
    """Whether the principle has a % favourable in the breakdowns: answer patterns, and
    sides on the scale of each counted item. (Every scored answer is on a side, so those
    it counts are exactly the people scored on the principle.)"""
    kept = [j for j, c in enumerate(own.counted or [True] * len(own.items)) if c]
    sides = [code_sides(own.items[j].scale, own.items[j].question.reverse) for j in kept]
    return own.patterns is not None and bool(sides) and all(s is not None for s in sides)


def _near_duplicate_warnings(grouping: Grouping, responses: Responses
                             ) -> list[tuple[ResultWarning, ResultWarning]]:
    """Per cluster of groups that may be one: the warning a document publishes (the
    spellings), and the facilitator's (each spelling with its lines, which would give a
    hidden group's size away if published)."""
    warnings: list[tuple[ResultWarning, ResultWarning]] = []
    hint = ("If they are, list the other spellings under one name in a --group-aliases file "
            "(docs/scoring.md, section 8)")
    for cluster in near_duplicates(grouping):
        spellings = [s for g in cluster for s in sorted(grouping.spellings[g])]
        rows = spelling_rows(responses.fields[grouping.field], spellings)
        found = {s: places(responses.line_parts, rows[s][0]) for s in spellings}
        first = next((f[0] for f in found.values() if f), None)
        named = []
        for spelling in spellings:
            total = rows[spelling][1]
            where = _lines(found[spelling], first[0] if first else None)
            shown = len(found[spelling])
            more = f" and {total - shown} more" if where and total > shown else ""
            named.append(f"{spelling!r} ({where}{more})" if where else repr(spelling))
        published = ResultWarning(
            code=Code.SCORING_NEAR_DUPLICATE_GROUPS,
            message=f"--by {grouping.field}: {', '.join(map(repr, spellings))} may be one "
                    "group written differently", hint=hint)
        warnings.append((published, ResultWarning(
            code=Code.SCORING_NEAR_DUPLICATE_GROUPS,
            file=first[0] if first else None, line=first[1] if first else None,
            message=f"--by {grouping.field}: {', '.join(named)} may be one group written "
                    "differently", hint=hint)))
    return warnings


def _outside_choice_warnings(question_set: QuestionSet, grouping: Grouping,
                             responses: Responses) -> list[tuple[ResultWarning, ResultWarning]]:
    """Per group that is none of a choice field's choices: the warning a document publishes
    (the value), and the facilitator's (with its lines, which would give a hidden group's
    size away if published)."""
    field_ = next(f for f in question_set.respondent if f.id == grouping.field)
    if field_.type != "choice" or not field_.choices:
        return []
    hint = ("If it is one of them, list it under that choice in a --group-aliases file "
            f"(docs/scoring.md, section 8); the choices: {'; '.join(field_.choices)}")
    warnings: list[tuple[ResultWarning, ResultWarning]] = []
    for group in outside_choices(grouping, field_.choices):
        spellings = sorted(grouping.spellings[group])
        rows = spelling_rows(responses.fields[grouping.field], spellings)
        found = [place for s in spellings for place in places(responses.line_parts,
                                                               rows[s][0])]
        total = sum(rows[s][1] for s in spellings)
        first = found[0] if found else None
        where = _lines(found, first[0] if first else None)
        more = f" and {total - len(found)} more" if where and total > len(found) else ""
        value = grouping.values[group]
        message = (f"--by {grouping.field}: {value!r}{{}} is not one of the field's choices, "
                   "so it is a group of its own")
        warnings.append((
            ResultWarning(code=Code.SCORING_NOT_A_CHOICE, message=message.format(""),
                          hint=hint),
            ResultWarning(code=Code.SCORING_NOT_A_CHOICE, file=first[0] if first else None,
                          line=first[1] if first else None,
                          message=message.format(f" ({where}{more})" if where else ""),
                          hint=hint)))
    return warnings


def _lines(found: list[tuple[str, int | None]], file: str | None) -> str:
    """``lines 2, 5, 9`` in ``file`` (the warning's), ``other.csv:7`` in another; empty
    when no line is known."""
    pieces: list[str] = []
    previous = file
    for source, line in found:
        if line is None:
            continue
        pieces.append(f"{line}" if source == previous else f"{source}:{line}")
        previous = source
    if not pieces or found[0][0] != file:
        return ", ".join(pieces)
    here = next((i for i, p in enumerate(pieces) if ":" in p), len(pieces))
    return f"line{'s' if here > 1 else ''} {', '.join(pieces)}"


def _empty(question_set: QuestionSet, field_id: str, why: str) -> GroupBreakdown:
    prompt = next(f.prompt for f in question_set.respondent if f.id == field_id)
    return GroupBreakdown(field=field_id, prompt=prompt, groups=[], spread=[], withheld=why)
