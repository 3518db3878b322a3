"""Safe YAML loading that remembers where every value came from.

PyYAML composes a node tree; we turn it into plain Python ourselves so that we can
record a line and column for every path, reject duplicate keys, refuse YAML 1.1 surprises
(``No`` read as false, ``010`` read as 8), cap aliases and nesting, and never construct
anything but plain data. Every problem found is collected and returned, located.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from leadlens.errors import Code, Problem, format_path

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 50
MAX_ALIASES = 100
MAX_NODES = 200_000

Path_ = tuple[str | int, ...]

# libyaml is about ten times faster than the pure-Python parser and keeps the same marks.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["SourceMap", "compose_checked", "decode_text", "format_path", "load_yaml"]

_TAG = "tag:yaml.org,2002:"
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}
_OCTAL_OR_ODD_INT = re.compile(
    r"^[-+]?(0[0-9_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+|[0-9_]*_[0-9_]*)$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")


@dataclass
class SourceMap:
    """Line and column (1-based) of each value and each mapping key, by path."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)  # source text of plain scalars
    plain: set[Path_] = field(default_factory=set)  # scalars written without quotes

    def locate(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The closest recorded position for ``path`` (walking up to its parents)."""
        probe = tuple(path)
        if key and probe in self.keys:
            return self.keys[probe]
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Converter:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.smap = SourceMap()
        self.problems: list[Problem] = []
        self.nodes = 0

    def problem(self, pos: tuple[int, int], code: Code, message: str, *, path: Path_ = (),
                hint: str = "") -> None:
        self.problems.append(Problem(file=self.filename, line=pos[0], col=pos[1],
                                     path=format_path(path), message=message, hint=hint,
                                     code=code))

    def convert(self, node: Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(_pos(node))
        self.smap.values[path] = _pos(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag not in (_TAG + "seq",):
                self.problem(_pos(node), Code.YAML_UNSUPPORTED_TAG,
                             f"unsupported YAML tag {node.tag!r}", path=path)
                return None
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: Path_) -> Any:
        if node.tag != _TAG + "map":
            self.problem(_pos(node), Code.YAML_UNSUPPORTED_TAG,
                         f"unsupported YAML tag {node.tag!r}", path=path)
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self.problem(_pos(key_node), Code.YAML_MERGE_KEY,
                             "merge keys ('<<') are not supported", path=path,
                             hint="Write the keys out in full")
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag not in (
                    _TAG + "str", _TAG + "int", _TAG + "bool", _TAG + "float", _TAG + "null"):
                self.problem(_pos(key_node), Code.YAML_KEY_NOT_TEXT,
                             "mapping keys must be plain text", path=path)
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in result:
                first = self.smap.keys[child][0]
                self.problem(_pos(key_node), Code.YAML_DUPLICATE_KEY,
                             f"duplicate key {key!r} (first defined at line {first})",
                             path=path, hint="Remove or rename one of them")
                continue
            self.smap.keys[child] = _pos(key_node)
            result[key] = self.convert(value_node, child)
        return result

    def _scalar(self, node: ScalarNode, path: Path_) -> Any:
        tag, text, pos = node.tag, node.value, _pos(node)
        plain = not node.style  # None (pure-Python parser) or "" (libyaml)
        if plain:
            self.smap.plain.add(path)
            self.smap.raw[path] = text
        if tag == _TAG + "str":
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            if text.lower() in _YAML11_BOOLS:
                meaning = "true" if text.lower() in ("yes", "on", "y") else "false"
                self.problem(pos, Code.YAML_YAML11_BOOLEAN,
                             f"{text!r} is read by YAML 1.1 as {meaning}", path=path,
                             hint=f"Write {meaning} for a yes/no setting, or quote it (\"{text}\") "
                             "if you mean text")
                return text
            return text.lower() == "true"
        if tag == _TAG + "int":
            if _OCTAL_OR_ODD_INT.match(text) or _SEXAGESIMAL.match(text):
                value = yaml.SafeLoader.construct_yaml_int(_DUMMY, node)
                self.problem(pos, Code.YAML_YAML11_NUMBER,
                             f"{text!r} is read by YAML 1.1 as the number {value}", path=path,
                             hint=f"Quote it (\"{text}\") if you mean text, or write {value}")
                return text
            return int(text)
        if tag == _TAG + "float":
            return yaml.SafeLoader.construct_yaml_float(_DUMMY, node)
        if tag == _TAG + "timestamp":
            try:
                return yaml.SafeLoader.construct_yaml_timestamp(_DUMMY, node)
            except (ValueError, OverflowError) as exc:  # 2023-02-30, hour 25
                self.problem(pos, Code.YAML_BAD_DATE, f"{text!r} is not a real date or time "
                             f"({exc})", path=path, hint="Write a date that exists, as YYYY-MM-DD")
                return text
        self.problem(pos, Code.YAML_UNSUPPORTED_TAG, f"unsupported YAML tag {tag!r}", path=path,
                     hint="Only plain YAML data is allowed in question sets")
        return None


class _TooBig(Exception):
    def __init__(self, pos: tuple[int, int]) -> None:
        self.pos = pos


_DUMMY = yaml.SafeLoader("")


def decode_text(data: bytes, filename: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text of ``data`` (a byte-order mark dropped), or a located problem.

    Bad UTF-8 is reported at the byte's line and column; a NUL byte means not a text file.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [Problem(file=filename, line=line, col=col,
                              message=f"invalid UTF-8 byte 0x{data[exc.start]:02x}",
                              hint="Save the file as UTF-8", code=Code.FILE_NOT_UTF8)]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Problem(file=filename, line=line, col=1,
                              message="NUL byte: this is not a text file",
                              code=Code.FILE_NOT_TEXT)]
    return text, []


def _mark_pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _scan(text: str, filename: str, document: str) -> list[Problem]:
    """Walk the parse events once: syntax errors, documents, depth and aliases.

    This runs before composing, so that a deeply nested or alias-heavy input is refused
    before PyYAML's recursive composer or our converter ever sees it.
    """
    depth, aliases, documents = 0, 0, 0
    open_anchors: list[str | None] = []  # anchors of the collections we are inside
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    line, col = _mark_pos(event.start_mark)
                    return [Problem(file=filename, line=line, col=col,
                                    message="a second YAML document starts here; "
                                    f"{document} is one document",
                                    hint="Remove the '---' line or split the file",
                                    code=Code.YAML_SECOND_DOCUMENT)]
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                open_anchors.append(event.anchor)
                if depth > MAX_DEPTH:
                    line, col = _mark_pos(event.start_mark)
                    return [Problem(file=filename, line=line, col=col,
                                    message=f"nested more than {MAX_DEPTH} levels deep",
                                    code=Code.YAML_TOO_DEEP)]
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                open_anchors.pop()
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor in open_anchors:
                    line, col = _mark_pos(event.start_mark)
                    return [Problem(file=filename, line=line, col=col,
                                    message=f"alias *{event.anchor} is inside the value it "
                                    "names (a recursive anchor)",
                                    hint="A value cannot contain itself; write it out",
                                    code=Code.YAML_RECURSIVE_ALIAS)]
                aliases += 1
                if aliases > MAX_ALIASES:
                    line, col = _mark_pos(event.start_mark)
                    return [Problem(file=filename, line=line, col=col,
                                    message=f"more than {MAX_ALIASES} aliases; refusing to "
                                    "expand them", hint="Write the values out instead",
                                    code=Code.YAML_TOO_MANY_ALIASES)]
    except yaml.MarkedYAMLError as exc:
        return [_syntax_problem(exc, filename)]
    except yaml.YAMLError as exc:  # e.g. reader errors for control characters
        return [Problem(file=filename, line=1, col=1, message=f"not valid YAML: {exc}",
                        code=Code.YAML_SYNTAX)]
    return []


_INDENT_HINT = ("Line this up with the lines above it: items of one list start with '-' "
                "at the same indentation, keys of one mapping at the same indentation (spaces, "
                "not tabs)")
_CONTEXT_NOUNS = (("quoted", "the quote"), ("mapping", "the mapping"), ("sequence", "the list"),
                  ("collection", "the list"))
# PyYAML's words (problem, context) for the common mistakes, in the user's words with a fix.
# The first entry whose problem and context both contain the given text wins.
_SYNTAX_WORDS: tuple[tuple[str, str, str, str], ...] = (
    ("did not find expected ',' or '}'", "flow mapping",
     "a '{' mapping that is not closed with '}' on its line",
     "Close it with '}', or put quotes around text that contains ',' or ':'"),
    ("did not find expected ',' or ']'", "flow sequence",
     "a '[' list that is not closed with ']' on its line",
     "Close it with ']', or put quotes around text that contains ','"),
    ("did not find expected key", "block mapping",
     "this line is not indented like the keys above it", _INDENT_HINT),
    ("expected <block end>", "block mapping",
     "this line is not indented like the keys above it", _INDENT_HINT),
    ("did not find expected '-' indicator", "",
     "this line is not indented like the list items above it", _INDENT_HINT),
    ("expected <block end>", "",
     "this line is not indented like the lines above it", _INDENT_HINT),
    ("mapping values are not allowed", "",
     "a second ':' on one line, or a key indented under a value",
     "Quote a value that contains ': ' (\"a: b\"), or line the key up with the ones above"),
    ("could not find expected ':'", "simple key",
     "a line inside a mapping with no 'key:'",
     "Write it as 'key: value', or make it part of the text above by quoting that text"),
    ("that cannot start any token", "",
     "a value starts with a character YAML keeps for itself ('@', '`', '%' or a tab)",
     "Put the value in quotes"),
    ("found unexpected end of stream", "quoted scalar",
     "a quote that is never closed", "Close the quote on the line it opens, or escape it"),
    ("expected ',' or '}'", "flow mapping",
     "a '{' mapping that is not closed with '}' on its line",
     "Close it with '}', or put quotes around text that contains ',' or ':'"),
    ("expected ',' or ']'", "flow sequence",
     "a '[' list that is not closed with ']' on its line",
     "Close it with ']', or put quotes around text that contains ','"),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, filename: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (exc.problem or "syntax error").strip()
    context = exc.context or ""
    hint = ""
    if "'\\t'" in problem or "tab character" in problem:
        problem = "a tab character where YAML expects spaces"
        hint = "Indent with spaces; YAML does not allow tabs"
    else:
        words = next(((said, fix) for found, where, said, fix in _SYNTAX_WORDS
                      if found in problem and where in context), None)
        if words is not None:
            problem, hint = words
            if "simple key" in context and exc.context_mark is not None:
                # PyYAML notices on the next line; the line without a ':' is the key's own
                line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
            elif exc.context_mark is not None and exc.context_mark.line + 1 != line:
                what = next((noun for word, noun in _CONTEXT_NOUNS if word in context), "it")
                problem += f" ({what} opens at line {exc.context_mark.line + 1})"
        else:
            problem = f"{problem} ({context})" if context else problem
            hint = "Check the indentation and quoting of this line and the one above it"
    return Problem(file=filename, line=line, col=col, message=f"YAML syntax: {problem}",
                   hint=hint, code=Code.YAML_SYNTAX)


def compose_checked(text: str, filename: str, document: str) -> tuple[Node | None, list[Problem]]:
    """Compose one YAML document safely: syntax, document count, depth and aliases checked
    first. ``document`` names what the file should be ("an answers file"), for messages."""
    from leadlens.source.kinds import csv_not_yaml

    table = csv_not_yaml(text, filename, document)
    if table is not None:
        return None, [table]
    problems = _scan(text, filename, document)
    if problems:
        return None, problems
    try:
        return yaml.compose(text, Loader=_LOADER), []
    except yaml.MarkedYAMLError as exc:  # pragma: no cover - _scan sees these first
        return None, [_syntax_problem(exc, filename)]


def load_yaml(data: bytes, filename: str) -> tuple[Any, SourceMap, list[Problem]]:
    """Parse ``data`` into plain Python with positions; return every problem found."""
    if len(data) > MAX_BYTES:
        return None, SourceMap(), [Problem(
            file=filename, line=1, col=1,
            message=f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}",
            code=Code.FILE_TOO_LARGE)]
    text, problems = decode_text(data, filename)
    if text is None:
        return None, SourceMap(), problems
    node, problems = compose_checked(text, filename, "a question set")
    if problems:
        return None, SourceMap(), problems
    if node is None:
        return None, SourceMap(), [Problem(file=filename, line=1, col=1,
                                           message="the file is empty",
                                           hint="Expected a YAML mapping with schema_version, "
                                           "id, title, ...", code=Code.FILE_EMPTY)]
    converter = _Converter(filename)
    try:
        data_ = converter.convert(node, ())
    except _TooBig as exc:
        return None, SourceMap(), [Problem(file=filename, line=exc.pos[0], col=exc.pos[1],
                                           message=f"more than {MAX_NODES:,} values (after "
                                           "expanding aliases)",
                                           code=Code.YAML_TOO_MANY_VALUES)]
    return data_, converter.smap, converter.problems
