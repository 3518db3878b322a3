"""A results document agrees with its own question set: the principles and items it lists.

A document edited by hand (or made by something else) may drop a principle, list one twice
or name one its question set does not have; ``compare``, ``trend`` and ``report`` pair and
look up principles by id, so each of those is a located error here, before any of them runs.
``score`` lists every principle of the set once (an unscored one with null figures) and each
scored question once, in its principle.
"""

from __future__ import annotations

from leadlens.errors import Code, Problem
from leadlens.results.document import Results

HINT = "Re-score the responses with leadlens score; a results document lists every principle " \
       "of its question set once"


def consistency_problems(results: Results, file: str) -> list[Problem]:
    """Principles (and their items, and each group's principles) that are missing, listed
    twice or unknown to the document's question set."""
    qs = results.question_set
    declared = [p.id for p in qs.principles]
    questions = {q.id for q in qs.questions}
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, principle in enumerate(results.principles):
        path = f"principles[{i}].id"
        if principle.id not in declared:
            problems.append(_problem(file, path, f"principle {principle.id!r} is not a "
                                                 "principle of the document's question set"))
        elif principle.id in seen:
            problems.append(_problem(file, path, f"principle {principle.id!r} is listed twice"))
        seen.add(principle.id)
        if principle.scale is not None and principle.scale not in qs.scales:
            problems.append(_problem(file, f"principles[{i}].scale", f"scale "
                                     f"{principle.scale!r} is not a scale of the document's "
                                     "question set"))
        keys: set[str] = set()
        for j, item in enumerate(principle.items):
            item_path = f"principles[{i}].items[{j}]"
            if item.scale not in qs.scales:  # compare and trend look each answer's scale up
                problems.append(_problem(file, f"{item_path}.scale", f"scale {item.scale!r} "
                                         "is not a scale of the document's question set"))
            if item.question not in questions:
                problems.append(_problem(file, f"{item_path}.question", f"question "
                                         f"{item.question!r} is not a question of the "
                                         "document's question set"))
            if item.key in keys:
                problems.append(_problem(file, f"{item_path}.key",
                                         f"item {item.key!r} is listed twice"))
            keys.add(item.key)
    for t, timepoint in enumerate(results.timepoints):
        if timepoint.scale not in qs.scales:
            problems.append(_problem(file, f"timepoints[{t}].scale", f"scale "
                                     f"{timepoint.scale!r} is not a scale of the document's "
                                     "question set"))
    missing = [p for p in declared if p not in seen]
    if missing:
        problems.append(_problem(file, "principles", "principle" + ("s " if len(missing) > 1
                                 else " ") + ", ".join(repr(p) for p in missing)
                                 + " of the question set " + ("are" if len(missing) > 1
                                                              else "is") + " not listed"))
    for field, breakdown in results.groups.items():
        for g, group in enumerate(breakdown.groups):
            listed: set[str] = set()
            for k, shown in enumerate(group.principles):
                path = f"groups.{field}.groups[{g}].principles[{k}].id"
                if shown.id not in declared:
                    problems.append(_problem(file, path, f"principle {shown.id!r} is not "
                                             "a principle of the document's question set"))
                elif shown.id in listed:
                    problems.append(_problem(file, path, f"principle {shown.id!r} is "
                                             "listed twice"))
                listed.add(shown.id)
    return problems


def _problem(file: str, path: str, message: str) -> Problem:
    return Problem(file=file, path=path, message=message, hint=HINT,
                   code=Code.RESULTS_INCONSISTENT)
