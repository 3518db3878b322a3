"""One respondent's answers from a YAML or JSON file, checked against the question set.

Shape (what ``leadlens template -o answers.yaml`` writes)::

    respondent: {field_id: text}
    answers: {answer_key: value or label}     # blank = skipped

Every problem is reported at ``file:line:col``. Nothing is coerced: ``yes``/``true``
(booleans), ``4.0`` (floats) and numbers off the scale are errors; an option's label (or an
alias, or an unscored answer such as "Don't know") is accepted in any letter case.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from leadlens.errors import Code, Problem, ResponsesError, did_you_mean
from leadlens.questionset.model import Question, QuestionSet, RespondentField, Scale
from leadlens.responses.exports.text import normalise
from leadlens.source.nodes import LoadError, Node, decode, load_json, load_yaml
from leadlens.survey.flow import refused_characters

TOP_KEYS = ("respondent", "answers", "respondent_id")
_PLAIN_INT = re.compile(r"^[-+]?[0-9]{1,18}$")
_KIND_WORDS = {"map": "a mapping", "seq": "a list"}


@dataclass
class FileAnswers:
    """A checked respondent: field values and answers as CSV cell text."""

    respondent_id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)


# Labels and choices are compared as survey-platform exports are (case, spaces, smart quotes,
# trailing punctuation), so an answer reads the same from an answers file and from an export.
_norm = normalise


def _suggest(word: str, choices: list[str]) -> str:
    """"Did you mean 'X'?" comparing without regard to case."""
    folded = {_norm(c): c for c in choices}
    close = difflib.get_close_matches(_norm(word), list(folded), n=1, cutoff=0.6)
    if not close:  # "NHS" for "NHS trust": a unique choice the text starts
        close = [c for c in folded if c.startswith(_norm(word))]
        close = close if len(close) == 1 and _norm(word) else []
    return f"Did you mean {folded[close[0]]!r}?" if close else ""


class _Checker:
    def __init__(self, qs: QuestionSet, filename: str) -> None:
        self.qs = qs
        self.filename = filename
        self.problems: list[Problem] = []
        self.result = FileAnswers()

    def problem(self, node: Node, path: str, code: Code, message: str, hint: str = "") -> None:
        self.problems.append(Problem(file=self.filename, line=node.line, col=node.col,
                                     path=path, message=message, hint=hint, code=code))

    def mapping(self, node: Node, path: str, known: list[str],
                hint_for: Callable[[str], str] | None = None) -> dict[str, Node]:
        """The entries of a mapping node, reporting non-text, duplicate and unknown keys."""
        entries: dict[str, Node] = {}
        first_line: dict[str, int] = {}
        for key_node, value in node.items:
            if key_node.kind in ("map", "seq"):
                self.problem(key_node, path, Code.YAML_KEY_NOT_TEXT, "keys must be plain text")
                continue
            key = key_node.raw
            if key in entries:
                self.problem(key_node, path, Code.YAML_DUPLICATE_KEY,
                             f"duplicate key {key!r} (first at line "
                             f"{first_line[key]})", "Remove one of them")
                continue
            if key not in known:
                hint = (hint_for(key) if hint_for else "") or did_you_mean(key, known)
                self.problem(key_node, path, Code.SCHEMA_UNKNOWN_KEY, f"unknown key {key!r}", hint)
                continue
            entries[key] = value
            first_line[key] = key_node.line
        return entries

    # -- the document
    def check(self, root: Node | None) -> None:
        if root is None:
            self.problems.append(Problem(file=self.filename, line=1, col=1,
                                         message="the file is empty",
                                         hint="Expected 'respondent:' and 'answers:'; "
                                              "`leadlens template -o answers.yaml` writes one",
                                         code=Code.FILE_EMPTY))
            return
        if root.kind != "map":
            self.problem(root, "", Code.SCHEMA_NOT_A_MAPPING,
                         f"expected a mapping with 'respondent' and 'answers', "
                         f"found {self.kind_word(root)}")
            return
        top = self.mapping(root, "", list(TOP_KEYS))
        if "respondent_id" in top:
            node = top["respondent_id"]
            if node.kind in ("str", "int"):
                self.result.respondent_id = node.raw.strip() or None
            elif node.kind != "null":
                self.problem(node, "respondent_id", Code.SCHEMA_WRONG_TYPE, f"expected text, found "
                             f"{self.kind_word(node)}")
        respondent = top.get("respondent")
        self.check_fields(respondent, root)
        answers = top.get("answers")
        if answers is None and not any(k.raw == "answers" for k, _ in root.items):
            self.problem(root, "", Code.SCHEMA_MISSING_KEY, "no 'answers:' section",
                         "Add 'answers:' with one key per question")
        self.check_answers(answers, root)

    def kind_word(self, node: Node) -> str:
        if node.kind in _KIND_WORDS:
            return _KIND_WORDS[node.kind]
        if node.kind == "bool":
            return f"the yes/no value {node.raw}"
        return f"{node.raw!r}"

    def check_fields(self, node: Node | None, root: Node) -> None:
        fields = {f.id: f for f in self.qs.respondent}
        entries: dict[str, Node] = {}
        if node is not None and node.kind == "map":
            entries = self.mapping(node, "respondent", list(fields))
        elif node is not None and node.kind != "null":
            self.problem(node, "respondent", Code.SCHEMA_WRONG_TYPE,
                         f"expected a mapping of field ids to text, found "
                         f"{self.kind_word(node)}")
            return
        for field_id, rf in fields.items():
            value = entries.get(field_id)
            reported = len(self.problems)
            text = self.text(value, f"respondent.{field_id}") if value is not None else None
            if text and value is not None and rf.type == "choice":
                text = self.choice(value, rf, text)
            if text:
                self.result.fields[field_id] = text
            elif rf.required and len(self.problems) == reported:
                self.problem(value or node or root, f"respondent.{field_id}",
                             Code.RESPONSES_REQUIRED,
                             f"required field {field_id!r} ({rf.prompt}) has no answer")

    def choice(self, node: Node, rf: RespondentField, text: str) -> str | None:
        for choice in rf.choices:
            if _norm(choice) == _norm(text):
                return choice
        listing = "; ".join(rf.choices)
        hint = _suggest(text, rf.choices) or f"Choose one of: {listing}"
        self.problem(node, f"respondent.{rf.id}", Code.RESPONSES_NOT_A_CHOICE,
                     f"{text!r} is not one of the choices",
                     hint)
        return None

    def text(self, node: Node, path: str) -> str | None:
        """Free text: strings, or numbers as written; booleans and collections are errors."""
        if node.kind == "null":
            return None
        if node.kind == "bool":
            self.problem(node, path, Code.RESPONSES_BOOLEAN,
                         f"{node.raw} is read as a yes/no value (boolean), "
                         "not text", f"Quote it if you mean the text: \"{node.raw}\"")
            return None
        if node.kind in ("map", "seq"):
            self.problem(node, path, Code.SCHEMA_WRONG_TYPE,
                         f"expected text, found {self.kind_word(node)}")
            return None
        refused = refused_characters(node.raw)
        if refused:  # the rule a typed answer follows (survey.md): refused, not written raw
            self.problem(node, path, Code.SURVEY_ANSWER_NOT_PRINTABLE,
                         f"contains {refused}, which cannot be saved",
                         "Remove it from the text")
            return None
        return node.raw.strip() or None

    def check_answers(self, node: Node | None, root: Node) -> None:
        keys = self.qs.answer_keys()
        entries: dict[str, Node] = {}
        if node is not None and node.kind == "map":
            entries = self.mapping(node, "answers", keys, self.variant_hint)
        elif node is not None and node.kind != "null":
            self.problem(node, "answers", Code.SCHEMA_WRONG_TYPE,
                         f"expected a mapping of answer keys to values, "
                         f"found {self.kind_word(node)}")
            return
        for question in self.qs.questions:
            for key in question.answer_keys:
                value = entries.get(key)
                reported = len(self.problems)
                if value is None:
                    cell = None
                elif question.type == "text":
                    cell = self.text(value, f"answers.{key}")
                else:
                    cell = self.rating(value, question, key)
                if cell is not None:
                    self.result.answers[key] = cell
                elif question.required and len(self.problems) == reported:
                    self.problem(value or node or root, f"answers.{key}", Code.RESPONSES_REQUIRED,
                                 f"required question {key!r} has no answer")

    def variant_hint(self, key: str) -> str:
        question = self.qs.question_by_id.get(key)
        if question is not None and len(question.answer_keys) > 1:
            how = "under each perspective" if question.perspectives else "for each timepoint"
            return f"{key!r} is answered {how}: use " + ", ".join(
                repr(k) for k in question.answer_keys)
        return ""

    def rating(self, node: Node, question: Question, key: str) -> str | None:
        scale = self.qs.scale_of(question)
        assert scale is not None  # rating questions have a scale (model validator)
        path = f"answers.{key}"
        where = f"the {question.scale} scale ({scale.describe()})"
        if node.kind == "null":
            return None
        if node.kind == "bool":
            self.problem(node, path, Code.RESPONSES_BOOLEAN,
                         f"{node.raw} is a yes/no value (boolean), not an answer "
                         f"on {where}", self.options_hint(scale))
            return None
        if node.kind == "float":
            self.problem(node, path, Code.RESPONSES_NOT_WHOLE_NUMBER,
                         f"{node.raw} is not a whole number on {where}",
                         self.options_hint(scale))
            return None
        if node.kind in ("map", "seq"):
            self.problem(node, path, Code.SCHEMA_WRONG_TYPE,
                         f"expected a value or label on {where}, found "
                         f"{self.kind_word(node)}")
            return None
        if node.kind == "int":
            if not _PLAIN_INT.match(node.raw):
                self.problem(node, path, Code.RESPONSES_NOT_WHOLE_NUMBER,
                             f"{node.raw!r} is not a plain whole number on {where}",
                             self.options_hint(scale))
                return None
            return self.on_scale(node, int(node.raw), scale, path, where)
        text = node.raw.strip()
        if not text:
            return None
        for option in scale.options:
            if _norm(text) in {_norm(option.label), *(_norm(a) for a in option.aliases)}:
                return str(option.value)
        for label in scale.unscored:
            if _norm(text) == _norm(label):
                return label
        if _PLAIN_INT.match(text):
            return self.on_scale(node, int(text), scale, path, where)
        labels = [o.label for o in scale.options] + list(scale.unscored)
        self.problem(node, path, Code.RESPONSES_UNKNOWN_ANSWER,
                     f"{text!r} is not an option of {where}",
                     _suggest(text, labels + [a for o in scale.options for a in o.aliases])
                     or self.options_hint(scale))
        return None

    def on_scale(self, node: Node, value: int, scale: Scale, path: str,
                 where: str) -> str | None:
        if value in {o.value for o in scale.options}:
            return str(value)
        self.problem(node, path, Code.RESPONSES_OFF_SCALE,
                     f"{value} is not on {where}", self.options_hint(scale))
        return None

    @staticmethod
    def options_hint(scale: Scale) -> str:
        options = ", ".join(f"{o.value} {o.label}" for o in scale.options)
        extra = "".join(f", or {u!r}" for u in scale.unscored)
        return f"Use one of: {options}{extra}"


_READERS: dict[str, Callable[[str, str], Node | None]] = {
    ".yaml": load_yaml, ".yml": load_yaml, ".json": load_json}


def parse_answers(data: bytes, filename: str, qs: QuestionSet) -> FileAnswers:
    """Check one respondent's answers file; raise :class:`ResponsesError` listing every problem.

    The reader follows the file name: ``.json`` is JSON, anything else YAML.
    """
    reader = _READERS.get(Path(filename).suffix.lower(), load_yaml)
    try:
        root = reader(decode(data, filename), filename)
    except LoadError as exc:
        raise ResponsesError([exc.problem]) from None
    checker = _Checker(qs, filename)
    checker.check(root)
    if checker.problems:
        raise ResponsesError(sorted(checker.problems,
                                    key=lambda p: (p.line or 0, p.col or 0)))
    result = checker.result
    if not any(v.strip() for v in (*result.fields.values(), *result.answers.values())):
        # An all-blank row would still count as a respondent (in n and in every group).
        raise ResponsesError([Problem(
            file=filename, line=1, col=1, message="no answers: every field and answer is "
            "blank, so nothing is appended", hint="Fill in at least one answer",
            code=Code.SURVEY_NO_ANSWERS)])
    return result


def load_answers(path: Path, qs: QuestionSet) -> FileAnswers:
    """Read and check ``path`` (YAML or JSON by its extension)."""
    from leadlens.files import read_input

    data = read_input(path, "answers file", error=ResponsesError)
    return parse_answers(data, str(path), qs)
