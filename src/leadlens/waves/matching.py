"""Which questions of two waves' question sets may be compared, and why not when they may not.

A follow-up question is matched with the baseline question of the id it ``replaces`` (when the
baseline has it), else with the baseline question of its own id. It is compared when nothing
that changes the meaning of its answers differs, or when the change is declared:

- ``replaces`` declares a new wording (and the new id) comparable;
- ``comparable_with: [VERSION, ...]`` listing the baseline's question-set version declares any
  change comparable (wording, scale, principle, reverse keying, weight, variants).

A principle is compared when every scored question it has in either wave is matched and
compared, and belongs to it in both. Free-text questions are never compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leadlens.questionset.model import Question, QuestionSet
from leadlens.waves.document import ItemMatch, NotCompared

DECLARED_BY_REPLACES = frozenset({"wording"})


@dataclass
class Matching:
    """The outcome: one entry per question that is not simply the same, and what to compare."""

    entries: list[ItemMatch] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    """Compared answer keys: follow-up key -> baseline key."""
    principles: list[str] = field(default_factory=list)
    """Principle ids compared, in the follow-up's order."""
    not_compared: list[NotCompared] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def changes_between(old: Question, old_set: QuestionSet, new: Question, new_set: QuestionSet
                    ) -> list[str]:
    """What differs between two versions of a question, in words users know."""
    changes = []
    if old.type != new.type:
        changes.append("type")
    if " ".join(old.text.split()) != " ".join(new.text.split()):
        changes.append("wording")
    old_scale, new_scale = old_set.scale_of(old), new_set.scale_of(new)
    if old_scale is not None and new_scale is not None:
        if [(o.value, o.label) for o in old_scale.options] != \
                [(o.value, o.label) for o in new_scale.options] \
                or old_scale.unscored != new_scale.unscored:
            changes.append("scale")
    if old.principle != new.principle:
        changes.append("principle")
    if old.reverse != new.reverse:
        changes.append("reverse keying")
    if old.weight != new.weight:
        changes.append("weight")
    if old.perspectives != new.perspectives:
        changes.append("perspectives")
    if old.timepoints != new.timepoints:
        changes.append("timepoints")
    return changes


def _declare_hint(version: str) -> str:
    return f"if it asks the same thing, add comparable_with: ['{version}'] to the question"


def match_questions(baseline: QuestionSet, followup: QuestionSet, *,
                    baseline_at: list[str], followup_at: list[str]) -> Matching:
    """Match the follow-up's questions with the baseline's.

    Args:
        baseline_at: where each baseline question is (``file:line``), by index.
        followup_at: the same for the follow-up's questions.
    """
    out = Matching()
    old_index = {q.id: i for i, q in enumerate(baseline.questions)}
    used: set[str] = set()
    compared_questions: set[str] = set()  # follow-up ids
    matched_old: dict[str, str] = {}  # follow-up id -> baseline id
    for i, new in enumerate(followup.questions):
        if new.type == "text":
            continue
        via_replaces = new.replaces is not None and new.replaces in old_index
        old_id = new.replaces if via_replaces and new.replaces is not None else new.id
        if old_id not in old_index or old_id in used:
            out.entries.append(ItemMatch(
                question=new.id, baseline_question=None, status="new", compared=False,
                reason=f"not in the baseline's question set (version {baseline.version})",
                followup_at=followup_at[i]))
            continue
        used.add(old_id)
        j = old_index[old_id]
        old = baseline.questions[j]
        matched_old[new.id] = old.id
        changes = changes_between(old, baseline, new, followup)
        declared = baseline.version in new.comparable_with
        if old.type != "rating":
            status, compared = "changed", False
            reason = "was a free-text question in the baseline"
        elif not changes:
            status, compared = ("replaced" if via_replaces else "same"), True
            reason = f"replaces {old.id}" if via_replaces else ""
        elif via_replaces and set(changes) <= DECLARED_BY_REPLACES:
            status, compared = "replaced", True
            reason = f"replaces {old.id}; new wording declared comparable"
        elif declared:
            status, compared = "declared", True
            reason = (f"{', '.join(changes)} changed; declared comparable with version "
                      f"{baseline.version}")
        else:
            status, compared = "changed", False
            reason = f"{', '.join(changes)} changed; {_declare_hint(baseline.version)}"
        if compared:
            compared_questions.add(new.id)
            old_keys = old.answer_keys
            for n, key in enumerate(new.answer_keys):
                variant = key.partition("@")[2]
                candidate = f"{old.id}@{variant}" if variant else old.id
                if candidate in old_keys:
                    out.keys[key] = candidate
                elif len(old_keys) == len(new.answer_keys):
                    out.keys[key] = old_keys[n]
        if status != "same":
            out.entries.append(ItemMatch(
                question=new.id, baseline_question=old.id, status=status, compared=compared,
                changes=changes, reason=reason, baseline_at=baseline_at[j],
                followup_at=followup_at[i]))
    for j, old in enumerate(baseline.questions):
        if old.type == "rating" and old.id not in used:
            out.entries.append(ItemMatch(
                question=old.id, baseline_question=old.id, status="dropped", compared=False,
                reason=f"not in the follow-up's question set (version {followup.version})",
                baseline_at=baseline_at[j]))
    _principles(baseline, followup, out, compared_questions, matched_old,
                {e.question: e for e in out.entries})
    return out


def _principles(baseline: QuestionSet, followup: QuestionSet, out: Matching,
                compared: set[str], matched_old: dict[str, str],
                entries: dict[str, ItemMatch]) -> None:
    if baseline.scoring.min_answered != followup.scoring.min_answered:
        for p in followup.principles:
            out.not_compared.append(NotCompared(
                id=p.id, reason=f"scoring.min_answered changed from "
                f"{baseline.scoring.min_answered:g} to {followup.scoring.min_answered:g}, so "
                "principle scores are computed differently"))
        return
    if [b.id for b in baseline.bands] != [b.id for b in followup.bands]:
        out.warnings.append("the two question sets have different bands; band changes are "
                            "shown by band id")
    old_ids = {p.id for p in baseline.principles}
    for p in followup.principles:
        if p.id not in old_ids:
            out.not_compared.append(NotCompared(id=p.id, reason="a new principle: not in the "
                                                "baseline's question set"))
            continue
        problems = []
        for q in followup.scored_questions(p.id):
            if q.id not in compared:
                entry = entries.get(q.id)
                where = f" ({entry.followup_at})" if entry and entry.followup_at else ""
                problems.append(f"{q.id}{where}: {entry.reason if entry else 'not compared'}")
        mapped = {matched_old[q] for q in compared if q in matched_old
                  and followup.question_by_id[q].principle == p.id}
        for q in baseline.scored_questions(p.id):
            if q.id not in mapped:
                entry = entries.get(q.id)
                where = f" ({entry.baseline_at})" if entry and entry.baseline_at else ""
                problems.append(f"baseline {q.id}{where}: not matched by a compared question "
                                f"of {p.id}")
        if problems:
            out.not_compared.append(NotCompared(id=p.id, reason="; ".join(problems)))
        else:
            out.principles.append(p.id)
    for p in baseline.principles:
        if p.id not in followup.principle_by_id:
            out.not_compared.append(NotCompared(id=p.id, reason="not in the follow-up's "
                                                "question set"))
