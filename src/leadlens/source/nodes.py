"""Small YAML and JSON documents as trees of located nodes.

Answers files are checked value by value with the exact source position of each value, and
without YAML or JSON quietly turning ``yes`` into true or ``4.0`` into 4: every scalar keeps
its kind (``str``, ``int``, ``bool``, ...) and its source text. YAML is composed with
``yaml.SafeLoader`` (nothing is constructed, no tags run); JSON is checked by :mod:`json`
first and then re-read by a small scanner that records line and column, each scalar
decoded by :meth:`json.JSONDecoder.raw_decode` (public API only).
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass, field
from typing import Literal

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from leadlens.errors import Code, Problem
from leadlens.source.yamltree import SourceMap, compose_checked, decode_text

_DECODER = json.JSONDecoder()

MAX_BYTES = 1024 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 20

Kind = Literal["map", "seq", "str", "int", "float", "bool", "null", "other"]


@dataclass
class Node:
    """A value with its kind, source text (scalars) and 1-based line and column."""

    kind: Kind
    line: int
    col: int
    raw: str = ""
    value: object = None
    items: list[tuple[Node, Node]] = field(default_factory=list)  # (key, value) of a map
    elements: list[Node] = field(default_factory=list)  # of a seq


class LoadError(Exception):
    """The document cannot be read at all; carries one located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def decode(data: bytes, filename: str) -> str:
    """UTF-8 text of ``data`` (a byte-order mark is dropped), or a located LoadError."""
    if len(data) > MAX_BYTES:
        raise LoadError(Problem(file=filename, line=1, col=1,
                                message=f"file is {len(data):,} bytes; the limit is "
                                        f"{MAX_BYTES:,}", code=Code.FILE_TOO_LARGE))
    text, problems = decode_text(data, filename)
    if text is None:
        raise LoadError(problems[0])
    return text


# ----------------------------------------------------------------------------- YAML

_TAG = "tag:yaml.org,2002:"
_YAML_KINDS: dict[str, Kind] = {"str": "str", "int": "int", "float": "float", "bool": "bool",
                                "null": "null"}


def load_yaml(text: str, filename: str) -> Node | None:
    """The located tree of a YAML document (None when it is empty)."""
    document, problems = compose_checked(text, filename, "an answers file")
    if problems:
        raise LoadError(problems[0])
    if document is None:
        return None
    counter = [0]
    return _from_yaml(document, filename, counter, 0)


def _from_yaml(node: yaml.Node, filename: str, counter: list[int], depth: int) -> Node:
    counter[0] += 1
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if counter[0] > MAX_NODES or depth > MAX_DEPTH:
        raise LoadError(Problem(file=filename, line=line, col=col,
                                message="too many or too deeply nested values (aliases?)",
                                code=Code.YAML_TOO_MANY_VALUES))
    standard = node.tag.startswith(_TAG) and node.tag.removeprefix(_TAG) in (
        "map", "seq", "str", "int", "float", "bool", "null", "timestamp")
    if not standard:
        raise LoadError(Problem(file=filename, line=line, col=col,
                                message=f"unsupported YAML tag {node.tag!r}; an answers file "
                                        "holds plain values", code=Code.YAML_UNSUPPORTED_TAG))
    if isinstance(node, MappingNode):
        return Node("map", line, col, items=[
            (_from_yaml(k, filename, counter, depth + 1),
             _from_yaml(v, filename, counter, depth + 1)) for k, v in node.value])
    if isinstance(node, SequenceNode):
        return Node("seq", line, col, elements=[
            _from_yaml(v, filename, counter, depth + 1) for v in node.value])
    assert isinstance(node, ScalarNode)
    raw = str(node.value)
    kind = _YAML_KINDS.get(node.tag.removeprefix(_TAG), "other")
    value: object = raw
    if kind == "null":
        value = None
    elif kind == "bool":
        value = raw.lower() in ("yes", "true", "on", "y")
    elif kind == "float":
        try:
            value = float(raw.replace("_", "").lower().replace(".inf", "inf")
                          .replace(".nan", "nan"))
        except ValueError:
            value = math.nan
    return Node(kind, line, col, raw=raw, value=value)


# ----------------------------------------------------------------------------- JSON

class _JsonScanner:
    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.count = 0

    def where(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def skip(self, index: int) -> int:
        while index < len(self.text) and self.text[index] in " \t\r\n":
            index += 1
        return index

    def value(self, index: int, depth: int) -> tuple[Node, int]:
        self.count += 1
        line, col = self.where(index)
        if depth > MAX_DEPTH or self.count > MAX_NODES:
            raise LoadError(Problem(file=self.filename, line=line, col=col,
                                    message="too many or too deeply nested values",
                                    code=Code.JSON_TOO_DEEP))
        char = self.text[index]
        if char == "{":
            node = Node("map", line, col)
            index = self.skip(index + 1)
            while self.text[index] != "}":
                key, index = self.value(index, depth + 1)
                index = self.skip(self.skip(index) + 1)  # past ':'
                item, index = self.value(index, depth + 1)
                node.items.append((key, item))
                index = self.skip(index)
                if self.text[index] == ",":
                    index = self.skip(index + 1)
            return node, index + 1
        if char == "[":
            node = Node("seq", line, col)
            index = self.skip(index + 1)
            while self.text[index] != "]":
                item, index = self.value(index, depth + 1)
                node.elements.append(item)
                index = self.skip(index)
                if self.text[index] == ",":
                    index = self.skip(index + 1)
            return node, index + 1
        # A scalar: json's own public decoder reads it from here (json.loads has already
        # accepted the whole document), and its type gives the kind.
        value, end = _DECODER.raw_decode(self.text, index)
        if isinstance(value, str):
            return Node("str", line, col, raw=value, value=value), end
        raw = self.text[index:end]
        kind: Kind = ("bool" if isinstance(value, bool) else "null" if value is None
                      else "float" if isinstance(value, float) else "int")
        return Node(kind, line, col, raw=raw, value=value), end


_JSON_WORDS = {
    "Expecting value": "expected a value (a number, text in double quotes, true, false, "
                       "null, [ or {)",
    "Expecting property name enclosed in double quotes": "expected a key in double quotes",
    "Expecting ':' delimiter": "expected ':' after the key",
    "Expecting ',' delimiter": "expected ',' or a closing bracket",
    "Unterminated string starting at": "text in double quotes that never ends",
    "Invalid control character at": "a control character (a line break or tab) inside text",
    "Invalid \\escape": "a backslash that starts no JSON escape",
    "Invalid \\uXXXX escape": "a \\u escape without four hexadecimal digits",
    "Extra data": "more after the end of the document",
}
"""Python's JSON error messages, in our words."""


def json_syntax(exc: json.JSONDecodeError) -> str:
    """What is wrong at ``exc``'s line and column, in our words (Python's words are cut
    short: "Unterminated string starting at")."""
    what = _JSON_WORDS.get(exc.msg, "not valid JSON here")
    cut = "was it cut short while being copied or written?"
    if exc.msg == "Unterminated string starting at":
        return f"not valid JSON: text in double quotes starts here and the file ends inside " \
               f"it ({cut})"
    if exc.msg != "Extra data" and exc.pos >= len(exc.doc.rstrip()):
        return f"not valid JSON: the file ends before the document does: {what} ({cut})"
    return f"not valid JSON: {what}"


def load_json(text: str, filename: str) -> Node | None:
    """The located tree of a JSON document (None when it is empty)."""
    if not text.strip():
        return None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(Problem(file=filename, line=exc.lineno, col=exc.colno,
                                message=json_syntax(exc), code=Code.JSON_SYNTAX)) from None
    except RecursionError:
        raise LoadError(Problem(file=filename, line=1, col=1,
                                message="nested too deeply", code=Code.JSON_TOO_DEEP)) from None
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise LoadError(Problem(file=filename, line=1, col=1,
                                message=f"JSON: {exc}", code=Code.JSON_SYNTAX)) from None
    scanner = _JsonScanner(text, filename)
    node, _ = scanner.value(scanner.skip(0), 0)
    return node


def source_map(node: Node | None) -> SourceMap:
    """Where each value and key of a located tree is, by path (as YAML loading records it),
    so that validation errors of a JSON document can be located too."""
    smap = SourceMap()
    stack: list[tuple[Node, tuple[str | int, ...]]] = [] if node is None else [(node, ())]
    while stack:
        current, path = stack.pop()
        smap.values[path] = (current.line, current.col)
        for key, value in current.items:
            child = (*path, key.raw)
            smap.keys[child] = (key.line, key.col)
            stack.append((value, child))
        stack.extend((value, (*path, i)) for i, value in enumerate(current.elements))
    return smap
