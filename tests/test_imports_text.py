"""Header normalisation, grid-header splitting, encodings and delimiters."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadlens.errors import ResponsesError
from leadlens.responses.exports import sniff
from leadlens.responses.exports.text import normalise, splits, strip_suffix_number


@pytest.mark.parametrize(("raw", "expected"), [
    ("  Which  organisation\tdo you work for? ", "which organisation do you work for"),
    ("Don\u2019t know", "don't know"),
    ("Partners mean \u201cemergency\u201d", 'partners mean "emergency"'),
    ("Health &amp; care", "health & care"),
    ("Health &amp;amp; care", "health & care"),
    ("<p>I <strong>understand</strong> it.</p>", "i understand it"),
    ("Day\u2013to\u2013day\u00a0services:", "day-to-day services"),
    ("\uff21gree", "agree"),  # full-width letters (NFKC)
    ("Agree ...", "agree"),
])
def test_normalise_ignores_what_platforms_change(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@given(st.text(max_size=60))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@pytest.mark.parametrize(("header", "expected"), [
    ("Basics [I know them]", [("Basics", "I know them")]),
    ("Q text - Organisation hat", [("Q text", "Organisation hat")]),
    ("Grid [Statement [System hat]]", [("Grid", "Statement [System hat]")]),
    ("Plans (Now)", [("Plans", "Now")]),
    ("A - B - C", [("A", "B - C"), ("A - B", "C")]),
    ("No grid here", []),
    ("[only brackets]", []),
])
def test_splits_reads_grid_headers(header: str, expected: list[tuple[str, str]]) -> None:
    assert splits(header) == expected


def test_numbered_repeat_of_a_header() -> None:
    assert strip_suffix_number("When2") == "When"
    assert strip_suffix_number("five years.12") == "five years."
    assert strip_suffix_number("When") is None
    assert strip_suffix_number("2024") is None


# --- encodings ----------------------------------------------------------------------------


def test_utf8_with_and_without_bom() -> None:
    text = "a,b\n£1,é\n"
    plain, warnings = sniff.decode(text.encode(), "f.csv")
    assert (plain.text, plain.encoding, plain.bom, warnings) == (text, "utf-8", False, [])
    bom, _ = sniff.decode(codecs.BOM_UTF8 + text.encode(), "f.csv")
    assert (bom.text, bom.bom) == (text, True)


def test_utf16_from_excel_unicode_text() -> None:
    decoded, _ = sniff.decode("a\tb\n1\t2\n".encode("utf-16"), "f.txt")
    assert decoded.text == "a\tb\n1\t2\n"
    assert decoded.encoding == "utf-16"


def test_cp1252_fallback_warns_with_the_line() -> None:
    data = "a,b\nx,y\n\u2019quoted\u2019,£5\n".encode("cp1252")
    decoded, warnings = sniff.decode(data, "f.csv")
    assert decoded.text.splitlines()[2] == "\u2019quoted\u2019,£5"
    assert decoded.encoding == "cp1252"
    assert [str(w) for w in warnings] == [
        "f.csv:3: warning: not UTF-8 (byte 0x92); read as Windows-1252 (cp1252). Pass "
        '--encoding if that is wrong, or re-save the file as "CSV UTF-8"']


def test_mixed_encodings_are_an_error_naming_both_lines() -> None:
    data = "a,b\ncafé,1\n".encode() + "naïve,2\n".encode("cp1252")
    with pytest.raises(ResponsesError) as caught:
        sniff.decode(data, "f.csv")
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        "f.csv:3: mixed encodings: byte 0xef here is not UTF-8, but line 2 holds UTF-8 text")


def test_encoding_option_is_honoured_and_checked() -> None:
    data = "a\nnaïve\n".encode("latin-1")
    decoded, warnings = sniff.decode(data, "f.csv", "latin-1")
    assert decoded.text == "a\nnaïve\n" and not warnings
    with pytest.raises(ResponsesError, match=r"f.csv:2: byte 0xef is not valid utf-8"):
        sniff.decode(data, "f.csv", "utf-8")
    with pytest.raises(ResponsesError, match="unknown encoding 'klingon'"):
        sniff.decode(data, "f.csv", "klingon")


# --- delimiters -----------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_guessed(delimiter: str) -> None:
    rows = [["Timestamp", "Which organisation, exactly?", "Q1"], ["1", "Acme; Ltd", "Agree"],
            ["2", "B, C", "4,5"]]
    text = "\n".join(delimiter.join(f'"{c}"' if {",", ";"} & set(c) else c for c in row)
                     for row in rows) + "\n"
    assert sniff.guess_delimiter(text) == delimiter


def test_sep_line_names_the_delimiter() -> None:
    assert sniff.sep_line("sep=;\r\na;b\r\n") == ";"
    assert sniff.sep_line('"sep=,"\na,b\n') == ","
    assert sniff.sep_line("a;b\n") is None
    assert sniff.skip_sep_line("sep=;\r\na;b\r\n") == "a;b\r\n"
