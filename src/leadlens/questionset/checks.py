"""Semantic checks of a question set: ids, references, bands, scales, coverage.

They run on the raw YAML data (dicts and lists), not on the pydantic model, so that they
still run when some values have the wrong type and every mistake in a file is reported in
one pass. Values of the wrong type are skipped here: pydantic reports those.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from leadlens.errors import Code, Severity, did_you_mean
from leadlens.responses.layout import RESERVED_COLUMNS

PathT = tuple[str | int, ...]



@dataclass(frozen=True)
class Finding:
    path: PathT
    message: str
    hint: str = ""
    severity: Severity = "error"
    at_key: bool = False
    code: Code = field(kw_only=True)


def _items(data: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = data.get(key)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _ids(data: dict[str, Any], key: str) -> list[str]:
    return [item["id"] for _, item in _items(data, key) if isinstance(item.get("id"), str)]


def _str_list(value: Any) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]


def check_question_set(data: Any, lines: dict[PathT, int]) -> list[Finding]:
    """All semantic problems in a raw question set. ``lines`` gives a path's line."""
    if not isinstance(data, dict):
        return []
    findings: list[Finding] = []
    findings += _unique_ids(data, lines)
    findings += _check_scales(data)
    findings += _check_favourable(data)
    findings += _check_bands(data)
    findings += _check_principles(data)
    findings += _check_respondent(data)
    findings += _check_questions(data)
    findings += _check_scoring(data)
    findings += _check_import(data)
    findings += _check_waves(data)
    return findings


def _unique_ids(data: dict[str, Any], lines: dict[PathT, int]) -> list[Finding]:
    findings = []
    for key, noun in (("questions", "question"), ("principles", "principle"),
                      ("bands", "band"), ("respondent", "respondent field"),
                      ("sections", "section"), ("perspectives", "perspective"),
                      ("timepoints", "timepoint")):
        first: dict[str, int] = {}
        for i, item in _items(data, key):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            # Question ids may use upper case; 'A1' and 'a1' still name one column in the
            # eyes of people, R and spreadsheets, so they must differ in more than case.
            ident = ident.casefold()
            if ident in first:
                line = lines.get((key, first[ident], "id"), 0)
                findings.append(Finding((key, i, "id"),
                                        f"duplicate {noun} id {item['id']!r} (first defined "
                                        f"at line {line})",
                                        hint="Ids must be unique, regardless of case",
                                        code=Code.QUESTIONSET_DUPLICATE_ID))
            else:
                first[ident] = i
    return findings


def _check_scales(data: dict[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    scales = data.get("scales")
    if not isinstance(scales, dict):
        return findings
    for scale_id, scale in scales.items():
        if not isinstance(scale, dict):
            continue
        base: PathT = ("scales", scale_id)
        values: dict[int, int] = {}
        for i, option in _items(scale, "options"):
            value = option.get("value")
            if isinstance(value, int) and not isinstance(value, bool):
                if value in values:
                    findings.append(Finding((*base, "options", i, "value"),
                                            f"duplicate value {value} (also option "
                                            f"{values[value] + 1})",
                                            code=Code.QUESTIONSET_DUPLICATE_VALUE))
                values.setdefault(value, i)
        findings += _check_answer_texts(scale, base, values)
    return findings


def _check_favourable(data: dict[str, Any]) -> list[Finding]:
    """A scale's ``favourable`` values are some, not all, of its option values, once each
    (an empty list means the scale reports no % favourable)."""
    findings: list[Finding] = []
    scales = data.get("scales")
    for scale_id, scale in (scales.items() if isinstance(scales, dict) else []):
        if not isinstance(scale, dict) or not isinstance(scale.get("favourable"), list):
            continue
        values = [o.get("value") for _, o in _items(scale, "options")]
        base: PathT = ("scales", scale_id, "favourable")
        listed = scale["favourable"]
        for i, value in enumerate(listed):
            if isinstance(value, bool) or not isinstance(value, int):
                continue
            if value not in values:
                findings.append(Finding((*base, i), f"{value} is not a value of this scale",
                                        hint="Favourable answers are option values: "
                                             + ", ".join(str(v) for v in values),
                                        code=Code.QUESTIONSET_FAVOURABLE_NOT_A_VALUE))
            elif listed.index(value) != i:
                findings.append(Finding((*base, i), f"{value} is listed twice",
                                        code=Code.QUESTIONSET_LISTED_TWICE))
        if values and listed and set(values) <= set(listed):
            findings.append(Finding(base, "every option is favourable",
                                    hint="List only the option values counted as favourable",
                                    code=Code.QUESTIONSET_FAVOURABLE_ALL))
    return findings


def _check_answer_texts(scale: dict[str, Any], base: PathT, values: dict[int, int]
                        ) -> list[Finding]:
    """Labels, aliases and unscored answers read back unambiguously.

    Compared as every reader compares a cell with them (:func:`normalise`: case, spaces,
    Unicode form, smart quotes, trailing punctuation), so "Café" in NFC and in NFD are the
    same label, and a label that reads as a number must be its own option's value: readers
    take a label before a number, so "5" as the label of value 4 would record a 5 as a 4.
    """
    from leadlens.responses.exports.text import normalise

    findings: list[Finding] = []
    owner: dict[str, tuple[int | None, str]] = {}  # normalised text -> (option index, shown)
    entries: list[tuple[PathT, int | None, Any, str]] = []
    for i, option in _items(scale, "options"):
        label = option.get("label")
        if isinstance(label, str):
            entries.append(((*base, "options", i, "label"), i, option.get("value"), label))
        for k, alias in _str_list(option.get("aliases")):
            entries.append(((*base, "options", i, "aliases", k), i, option.get("value"), alias))
    entries += [((*base, "unscored", j), None, None, text)
                for j, text in _str_list(scale.get("unscored"))]
    for path, index, own_value, text in entries:
        key = normalise(text)
        where = "an unscored answer" if index is None else f"option {index + 1}"
        if key in owner and owner[key][0] != index:
            other_index, other_text = owner[key]
            other = ("an unscored answer" if other_index is None
                     else f"option {other_index + 1}")
            code = Code.QUESTIONSET_DUPLICATE_LABEL
            # One hint for every collision: a reader could not tell which answer was meant.
            hint = ("Answers are compared ignoring case, spaces, Unicode form (NFC/NFD) and "
                    "trailing punctuation; make them differ")
            if text != other_text:
                message = f"{text!r} reads the same as {other_text!r} of {other}"
            elif index is None:
                message = f"unscored answer {text!r} is also an option label"
                code = Code.QUESTIONSET_UNSCORED_IS_OPTION
                hint = "Remove it from unscored, or give the option another label"
            else:
                message, path = f"label or alias {text!r} is used by {other} too", path[:4]
                hint = "Give each option its own labels and aliases"
            findings.append(Finding(path, message, hint=hint, code=code))
        owner.setdefault(key, (index, text))
        number = _as_number(key)
        if isinstance(number, int) and number != own_value and (index is not None
                                                                or number in values):
            findings.append(Finding(path, f"{text!r} of {where} reads as the number "
                                    f"{number}, "
                                    + (f"the value of option {values[number] + 1}"
                                       if number in values else "not its own value"),
                                    hint="An answer is read as a label before a number; use "
                                         "a label that is not a number, or the option's own "
                                         "value", code=Code.QUESTIONSET_LABEL_IS_NUMBER))
        mixed = _mixed_scripts(text)
        if mixed:
            findings.append(Finding(path, f"{text!r} mixes {mixed} letters in one word",
                                    hint="A look-alike letter (a Cyrillic 'е' for a Latin "
                                         "'e') makes typed answers fail to match; retype it",
                                    severity="warning", code=Code.QUESTIONSET_MIXED_SCRIPT))
    findings += _look_alikes([(path, index, text) for path, index, _, text in entries],
                             lambda i: "an unscored answer" if i is None else f"option {i + 1}")
    return findings


def _letters(pairs: list[tuple[str, str]]) -> str:
    from leadlens.text import script_of

    scripts = " and ".join(dict.fromkeys(script_of(c).title() for c, _ in pairs))
    return (f"{scripts} " + ", ".join(repr(c) for c, _ in pairs) + " for Latin "
            + ", ".join(repr(latin) for _, latin in pairs))


def _look_alikes(entries: list[tuple[PathT, Any, str]], describe: Any) -> list[Finding]:
    """Answers a reader cannot tell apart, and answers in look-alike letters (TR39's idea).

    Each text's skeleton (:func:`leadlens.text.skeleton`: look-alike letters of other scripts
    as the Latin letters they look like), normalised as the readers normalise: two answers
    of different owners with the same skeleton but different text are an error (a reader
    sees one answer twice and cannot type the other). A word written wholly in another
    script's look-alikes of Latin letters (a Cyrillic ``Уеѕ``), among answers in Latin
    letters, is a warning: typed answers will not match it. ``describe`` names an owner.
    """
    from leadlens.responses.exports.text import normalise
    from leadlens.text import has_latin_letters, look_alike_letters, looks_latin, skeleton

    findings: list[Finding] = []
    shapes: dict[str, tuple[Any, str, str]] = {}  # skeleton -> (owner, text, normalised)
    refused: set[int] = set()
    for n, (path, owner, text) in enumerate(entries):
        key, shape = normalise(text), normalise(skeleton(text))
        if shape in shapes:
            other_owner, other_text, other_key = shapes[shape]
            if other_owner != owner and other_key != key:
                pairs = look_alike_letters(text) or look_alike_letters(other_text)
                findings.append(Finding(
                    path, f"{text!r} looks the same as {other_text!r} of "
                          f"{describe(other_owner)} ({_letters(pairs)})",
                    hint="A reader cannot tell them apart and typed answers match only one; "
                         "retype the look-alike letters", code=Code.QUESTIONSET_LOOK_ALIKE))
                refused.add(n)
                continue
        shapes.setdefault(shape, (owner, text, key))
    latin_context = [has_latin_letters(text) for _, _, text in entries]
    for n, (path, _, text) in enumerate(entries):
        others_latin = any(latin for m, latin in enumerate(latin_context) if m != n)
        words = [w for w in text.split() if looks_latin(w) and not _mixed_scripts(w)]
        if words and others_latin and n not in refused:
            pairs = look_alike_letters(" ".join(words))
            findings.append(Finding(
                path, f"{text!r} is written in letters that only look Latin ({_letters(pairs)})",
                hint="Typed answers in Latin letters will not match it; retype it in Latin "
                     "letters", severity="warning", code=Code.QUESTIONSET_LOOK_ALIKE_LETTERS))
    return findings


def _as_number(text: str) -> int | float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number  # inf/nan are not integers


def _mixed_scripts(text: str) -> str:
    """'Latin and Cyrillic' when a word mixes letters of several scripts, else ''."""
    import unicodedata

    for word in text.split():
        scripts: list[str] = []
        for char in word:
            if char.isalpha():
                script = unicodedata.name(char, "? ?").split()[0]
                if script not in scripts:
                    scripts.append(script)
        if len(scripts) > 1:
            return " and ".join(s.title() for s in scripts)
    return ""


def _check_bands(data: dict[str, Any]) -> list[Finding]:
    findings = []
    previous: float | None = None
    for i, band in _items(data, "bands"):
        start = band.get("from")
        if not isinstance(start, int | float) or isinstance(start, bool):
            continue
        if i == 0 and start != 0:
            findings.append(Finding(("bands", 0, "from"),
                                    f"the first band must start from 0, not {start}",
                                    hint="Bands cover the 0-100 score from the bottom up",
                                    code=Code.QUESTIONSET_BANDS_START))
        if previous is not None and start <= previous:
            findings.append(Finding(("bands", i, "from"),
                                    f"bands must ascend: {start} is not above {previous}",
                                    code=Code.QUESTIONSET_BANDS_ORDER))
        previous = start
    return findings


def _check_principles(data: dict[str, Any]) -> list[Finding]:
    findings = []
    band_ids = _ids(data, "bands")
    scored: dict[str, int] = {}
    for _, question in _items(data, "questions"):
        principle = question.get("principle")
        if isinstance(principle, str) and question.get("type", "rating") == "rating":
            scored[principle] = scored.get(principle, 0) + 1
    for i, principle in _items(data, "principles"):
        ident = principle.get("id")
        recommendations = principle.get("recommendations")
        if isinstance(recommendations, dict):
            for band in recommendations:
                if band not in band_ids:
                    findings.append(Finding(("principles", i, "recommendations", band),
                                            f"unknown band {band!r}",
                                            hint=did_you_mean(band, band_ids) or
                                            f"Bands are: {', '.join(band_ids)}", at_key=True,
                                            code=Code.QUESTIONSET_UNKNOWN_BAND))
            for band in band_ids:
                if band not in recommendations:
                    findings.append(Finding(("principles", i, "recommendations"),
                                            f"no recommendation for band {band!r}",
                                            severity="warning",
                                            code=Code.QUESTIONSET_NO_RECOMMENDATION))
        elif recommendations is None and band_ids:
            findings.append(Finding(("principles", i), "no recommendations for any band",
                                    severity="warning", code=Code.QUESTIONSET_NO_RECOMMENDATION))
        if not isinstance(ident, str):
            continue
        count = scored.get(ident, 0)
        if count == 0:
            findings.append(Finding(("principles", i, "id"),
                                    f"principle {ident!r} has no scored questions",
                                    hint="Add questions with 'principle: " + ident + "'",
                                    code=Code.QUESTIONSET_EMPTY_PRINCIPLE))
        elif count < 3:
            findings.append(Finding(("principles", i, "id"),
                                    f"principle {ident!r} has only {count} scored "
                                    f"question{'s' if count > 1 else ''}; 3 or more give a "
                                    "more reliable score", severity="warning",
                                    code=Code.QUESTIONSET_FEW_QUESTIONS))
    return findings


def _check_respondent(data: dict[str, Any]) -> list[Finding]:
    findings = []
    answer_keys = set(_answer_keys(data))
    for i, fld in _items(data, "respondent"):
        ident, kind = fld.get("id"), fld.get("type", "text")
        choices = fld.get("choices")
        if kind == "choice" and not choices:
            findings.append(Finding(("respondent", i), "a choice field needs 'choices'",
                                    code=Code.QUESTIONSET_CHOICES_MISSING))
        if kind == "text" and choices:
            findings.append(Finding(("respondent", i, "choices"),
                                    "'choices' is only for fields of type 'choice'",
                                    hint="Add 'type: choice'",
                                    code=Code.QUESTIONSET_CHOICES_NOT_ALLOWED))
        if ident in RESERVED_COLUMNS or ident in answer_keys:
            what = "reserved column" if ident in RESERVED_COLUMNS else "question"
            findings.append(Finding(("respondent", i, "id"),
                                    f"field id {ident!r} clashes with a {what}",
                                    code=Code.QUESTIONSET_FIELD_CLASH))
        findings += _check_choices(fld, ("respondent", i, "choices"))
    return findings


def _check_choices(fld: dict[str, Any], base: PathT) -> list[Finding]:
    """Choices distinct as answers files and exports compare them (:func:`normalise`)."""
    from leadlens.responses.exports.text import normalise

    findings: list[Finding] = []
    seen: dict[str, tuple[int, str]] = {}
    for j, choice in _str_list(fld.get("choices")):
        key = normalise(choice)
        if key in seen and seen[key][1] != choice:
            findings.append(Finding((*base, j), f"{choice!r} reads the same as "
                                    f"{seen[key][1]!r} (choice {seen[key][0] + 1})",
                                    hint="Answers are compared ignoring case, spaces, Unicode "
                                         "form (NFC/NFD) and trailing punctuation; make them "
                                         "differ", code=Code.QUESTIONSET_DUPLICATE_LABEL))
        seen.setdefault(key, (j, choice))
        mixed = _mixed_scripts(choice)
        if mixed:
            findings.append(Finding((*base, j), f"{choice!r} mixes {mixed} letters in one "
                                    "word", hint="A look-alike letter makes typed answers fail "
                                    "to match; retype it", severity="warning",
                                    code=Code.QUESTIONSET_MIXED_SCRIPT))
    findings += _look_alikes([((*base, j), j, choice) for j, choice in _str_list(
        fld.get("choices"))], lambda j: f"choice {j + 1}")
    return findings


def _answer_keys(data: dict[str, Any]) -> list[str]:
    keys = []
    for _, question in _items(data, "questions"):
        ident = question.get("id")
        if isinstance(ident, str):
            variants = [v for _, v in _str_list(question.get("perspectives"))] or \
                [v for _, v in _str_list(question.get("timepoints"))]
            keys += [f"{ident}@{v}" for v in variants] or [ident]
    return keys


_UNKNOWN = {"principle": Code.QUESTIONSET_UNKNOWN_PRINCIPLE,
            "section": Code.QUESTIONSET_UNKNOWN_SECTION,
            "perspective": Code.QUESTIONSET_UNKNOWN_PERSPECTIVE,
            "timepoint": Code.QUESTIONSET_UNKNOWN_TIMEPOINT,
            "scale": Code.QUESTIONSET_UNKNOWN_SCALE}


def _reference(path: PathT, value: Any, known: list[str], noun: str) -> list[Finding]:
    if not isinstance(value, str) or value in known:
        return []
    hint = did_you_mean(value, known) or (f"Known {noun}s: {', '.join(known)}" if known
                                          else f"Declare {noun}s first")
    return [Finding(path, f"unknown {noun} {value!r}", hint=hint, code=_UNKNOWN[noun])]


def _check_questions(data: dict[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    principles, sections = _ids(data, "principles"), _ids(data, "sections")
    perspectives, timepoints = _ids(data, "perspectives"), _ids(data, "timepoints")
    scales = list(data["scales"]) if isinstance(data.get("scales"), dict) else []
    for i, q in _items(data, "questions"):
        base: PathT = ("questions", i)
        kind = q.get("type", "rating")
        findings += _reference((*base, "principle"), q.get("principle"), principles, "principle")
        findings += _reference((*base, "section"), q.get("section"), sections, "section")
        for j, name in _str_list(q.get("perspectives")):
            findings += _reference((*base, "perspectives", j), name, perspectives, "perspective")
        for j, name in _str_list(q.get("timepoints")):
            findings += _reference((*base, "timepoints", j), name, timepoints, "timepoint")
        if kind == "rating":
            if "scale" not in q or q.get("scale") is None:
                findings.append(Finding(base, "a rated question needs a 'scale'",
                                        hint="Add 'scale: <id>', or 'type: text' for free text",
                                        code=Code.QUESTIONSET_SCALE_MISSING))
            else:
                findings += _reference((*base, "scale"), q.get("scale"), scales, "scale")
        elif kind == "text":
            for key in ("scale", "principle", "reverse", "perspectives", "timepoints",
                        "replaces", "comparable_with"):
                if key in q:
                    findings.append(Finding((*base, key), f"'{key}' does not apply to a "
                                            "free-text question", at_key=True,
                                            code=Code.QUESTIONSET_NOT_FOR_TEXT))
        findings += _question_recommendations(data, base, q)
        if q.get("perspectives") and q.get("timepoints"):
            findings.append(Finding((*base, "timepoints"), "a question can have perspectives "
                                    "or timepoints, not both", at_key=True,
                                    code=Code.QUESTIONSET_PERSPECTIVES_AND_TIMEPOINTS))
        for key in ("perspectives", "timepoints"):
            seen: set[str] = set()
            for j, name in _str_list(q.get(key)):
                if name in seen:
                    findings.append(Finding((*base, key, j), f"{name!r} is listed twice",
                                            code=Code.QUESTIONSET_LISTED_TWICE))
                seen.add(name)
    return findings


def _question_recommendations(data: dict[str, Any], base: PathT, q: dict[str, Any]
                              ) -> list[Finding]:
    """A question's recommendations are keyed by values of its own scale, outside principles."""
    recommendations = q.get("recommendations")
    if not isinstance(recommendations, dict) or not recommendations:
        return []
    if q.get("principle") is not None or q.get("type", "rating") != "rating":
        return [Finding((*base, "recommendations"), "recommendations apply to rated questions "
                        "outside the principles", hint="A principle's recommendations are "
                        "given under the principle, by band", at_key=True,
                        code=Code.QUESTIONSET_RECOMMENDATIONS_NOT_HERE)]
    scales = data.get("scales")
    scale = scales.get(q.get("scale")) if isinstance(scales, dict) else None
    if not isinstance(scale, dict):
        return []
    values = [str(o.get("value")) for _, o in _items(scale, "options")
              if isinstance(o.get("value"), int)]
    findings = []
    for key in recommendations:
        if str(key) not in values:
            findings.append(Finding((*base, "recommendations", key),
                                    f"{key!r} is not a value of scale {q.get('scale')!r}",
                                    hint=f"Use one of {', '.join(values)}",
                                    at_key=True, code=Code.QUESTIONSET_UNKNOWN_OPTION))
    missing = [v for v in values if v not in {str(k) for k in recommendations}]
    if missing:
        findings.append(Finding((*base, "recommendations"), "no recommendation for "
                                f"{'value' if len(missing) == 1 else 'values'} "
                                f"{', '.join(str(v) for v in missing)}", severity="warning",
                                code=Code.QUESTIONSET_NO_RECOMMENDATION))
    return findings


def _check_scoring(data: dict[str, Any]) -> list[Finding]:
    scoring = data.get("scoring")
    if not isinstance(scoring, dict):
        return []
    value = scoring.get("min_answered")
    if isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value) and value >= 1 and value != int(value):
        return [Finding(("scoring", "min_answered"),
                        f"{value} is neither a fraction below 1 nor a whole number of items",
                        hint="Use e.g. 0.5 (half the items) or 2 (two items)",
                        code=Code.QUESTIONSET_MIN_ANSWERED)]
    return []


def _check_import(data: dict[str, Any]) -> list[Finding]:
    """The ``import`` section's targets name real answer keys, fields and scales."""
    section = data.get("import")
    if not isinstance(section, dict):
        return []
    findings: list[Finding] = []
    targets = [*_answer_keys(data), *_ids(data, "respondent"), *RESERVED_COLUMNS, "ignore"]
    for i, rule in _items(section, "columns"):
        target = rule.get("to")
        if isinstance(target, str) and "\\" not in target and target not in targets:
            findings.append(Finding(("import", "columns", i, "to"),
                                    f"unknown answer key or field {target!r}",
                                    hint=did_you_mean(target, targets) or
                                    "Use an answer key (id, or id@perspective / id@timepoint), "
                                    "a respondent field id, respondent_id, submitted_at or ignore",
                                    code=Code.IMPORT_UNKNOWN_TARGET))
    answers = section.get("answers")
    scales = list(data["scales"]) if isinstance(data.get("scales"), dict) else []
    if isinstance(answers, dict):
        for scale, codes in answers.items():
            found = _reference(("import", "answers", scale), scale, scales, "scale")
            findings += found
            if not found and scale in scales and isinstance(codes, dict):
                findings += _import_values(scale, codes, data["scales"][scale])
    return findings


def _import_values(scale_id: str, codes: dict[Any, Any], scale: Any) -> list[Finding]:
    """Each answer code of ``import.answers`` stands for a value of its scale, or one of its
    unscored answers (as a ``--mapping`` file's are checked before a file is read)."""
    if not isinstance(scale, dict) or not isinstance(scale.get("options"), list):
        return []  # the scale's own problems are reported where it is
    values = [o.get("value") for o in scale["options"] if isinstance(o, dict)]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    unscored = {u.casefold() for u in scale.get("unscored") or [] if isinstance(u, str)}
    findings = []
    for code, value in codes.items():
        if isinstance(value, bool) or not isinstance(value, int | str):
            continue  # the model reports the type
        ok = value in numbers if isinstance(value, int) else value.casefold() in unscored
        if not ok and numbers:
            also = " or one of its unscored answers" if unscored else ""
            findings.append(Finding(
                ("import", "answers", scale_id, code), f"{value!r} is not a value of the "
                f"{scale_id} scale ({min(numbers)}-{max(numbers)}){also}",
                code=Code.IMPORT_NOT_A_VALUE))
    return findings


def _check_waves(data: dict[str, Any]) -> list[Finding]:
    """``replaces`` and ``comparable_with``: what ``leadlens compare`` matches across versions."""
    findings: list[Finding] = []
    ids = _ids(data, "questions")
    version = data.get("version")
    replaced: dict[str, int] = {}
    for i, q in _items(data, "questions"):
        base: PathT = ("questions", i)
        old = q.get("replaces")
        if isinstance(old, str):
            if old == q.get("id"):
                findings.append(Finding((*base, "replaces"), "a question cannot replace itself",
                                        hint="Remove 'replaces', or give the id it had before",
                                        code=Code.QUESTIONSET_BAD_REPLACES))
            elif old in ids:
                findings.append(Finding((*base, "replaces"),
                                        f"{old!r} is still a question of this set; only an id "
                                        "the set no longer has can be replaced",
                                        hint="Give the old question's id as it was in the "
                                        "earlier version", code=Code.QUESTIONSET_BAD_REPLACES))
            elif old in replaced:
                findings.append(Finding((*base, "replaces"),
                                        f"{old!r} is replaced by question {replaced[old] + 1} "
                                        "too", hint="One question may replace an id",
                                        code=Code.QUESTIONSET_BAD_REPLACES))
            replaced.setdefault(old, i)
        seen: set[str] = set()
        for j, listed in _str_list(q.get("comparable_with")):
            if listed in seen:
                findings.append(Finding((*base, "comparable_with", j),
                                        f"version {listed!r} is listed twice",
                                        code=Code.QUESTIONSET_LISTED_TWICE))
            elif listed == version:
                findings.append(Finding((*base, "comparable_with", j),
                                        f"{listed!r} is this question set's own version",
                                        hint="List earlier versions only", severity="warning",
                                        code=Code.QUESTIONSET_OWN_VERSION))
            seen.add(listed)
    return findings
