"""The Markdown report through real GFM renderers: tables keep their columns and untrusted
text cannot inject markup."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from leadlens.report import render_report
from leadlens.report.filters import heading_anchor
from leadlens.report.markdown import MdSafe, md_escape, md_lines, text_bar
from leadlens.results.document import Results
from test_report_data import (
    NASTY_COMMENTS,
    NASTY_GROUP,
    NASTY_PRINCIPLE,
    NASTY_QUESTION,
    Page,
    assert_inert,
    sample_document,
    sample_results,
)

RENDERERS = {
    "commonmark+table": lambda: MarkdownIt("commonmark").enable("table").enable("strikethrough"),
    "gfm-like": lambda: MarkdownIt("gfm-like", {"linkify": False}),
}


@pytest.fixture(scope="module")
def markdown() -> str:
    return render_report(sample_results(), "md")


def _cells(line: str) -> list[str]:
    """A GFM table row's cells, split on pipes that are not backslash-escaped."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return re.split(r"(?<!\\)\|", inner)


def _tables(markdown: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_every_table_row_has_the_header_cell_count(markdown: str) -> None:
    tables = _tables(markdown)
    assert len(tables) >= 10
    for rows in tables:
        width = len(_cells(rows[0]))
        assert re.fullmatch(r"\|(?:-+:?|:?-+:?|-{3}|--:)(?:\|(?:-+:?|:?-+:?))*\|", rows[1])
        for row in rows:
            assert len(_cells(row)) == width, row


@pytest.mark.parametrize("renderer", RENDERERS)
def test_tables_keep_their_columns_in_a_real_renderer(markdown: str, renderer: str) -> None:
    md = RENDERERS[renderer]()
    tokens = md.parse(markdown)
    tables = 0
    for i, token in enumerate(tokens):
        if token.type != "table_open":
            continue
        tables += 1
        j, header, row_cells = i, 0, 0
        rows: list[int] = []
        while tokens[j].type != "table_close":
            if tokens[j].type == "th_open":
                header += 1
            if tokens[j].type == "td_open":
                row_cells += 1
            if tokens[j].type == "tr_close" and row_cells:
                rows.append(row_cells)
                row_cells = 0
            j += 1
        assert rows and all(n == header for n in rows)
    assert tables == len(_tables(markdown))
    # markdown-it pads short rows, so also check that untrusted cells arrive whole.
    page = Page(md.render(markdown))
    assert f"{NASTY_GROUP} 12 59 52 55 71" in page.text  # 59.x is shown rounded down
    assert (f"{NASTY_QUESTION} (influencing-1) 9 / 6 / 3 / 8 / 9 / 5 35 3.1 "
            "49% (33–64%) / 9% / 43% 5") in page.text
    assert f"| {NASTY_PRINCIPLE} | 47 |" not in page.text


@pytest.mark.parametrize("renderer", RENDERERS)
def test_untrusted_text_is_inert_after_rendering(markdown: str, renderer: str) -> None:
    html = RENDERERS[renderer]().render(markdown)
    page = assert_inert(html, banned=frozenset({"img", "iframe", "object", "embed", "form",
                                                "b"}))
    # No heading, list or code block comes from a comment: count what the template makes.
    assert len(page.tags("h1")) == 1
    assert page.tags("pre") == []
    assert page.tags("ol") == [{}, {}]  # the contents list and what to discuss first
    assert len(page.tags("hr")) == 1  # above the footer
    assert page.tags("del") == [] and page.tags("s") == []
    code = page.tags("code")
    assert len(code) == 3  # the three text bars
    text = page.text
    for comment in NASTY_COMMENTS:
        assert " ".join(comment.split()) in text
    for value in (NASTY_GROUP, NASTY_QUESTION, NASTY_PRINCIPLE):
        assert value in text


def test_each_comment_stays_one_list_item(markdown: str) -> None:
    html = MarkdownIt("commonmark").render(markdown)
    section = html.split('Tell us a story about your place.</h3>')[1].split("</ul>")[0]
    items = re.findall(r"<li>(.*?)</li>", section, flags=re.S)
    assert len(items) == len(NASTY_COMMENTS)
    assert items[4].count("<br />") == 5  # the six lines of the multi-line comment


@pytest.mark.parametrize(("text", "escaped"), [
    ("a | b", "a \\| b"),
    ("# heading", "\\# heading"),
    ("- item", "\\- item"),
    ("+ item", "\\+ item"),
    ("2. item", "2\\. item"),
    ("3) item", "3\\) item"),
    ("===", "\\==="),
    ("---", "\\---"),
    ("`x`", "\\`x\\`"),
    ("*a* _b_", "\\*a\\* \\_b\\_"),
    ("[l](javascript:x)", "\\[l\\](javascript:x)"),
    ("<b>&amp;", "\\<b\\>\\&amp;"),
    ("$x$ ~y~", "\\$x\\$ \\~y\\~"),
    ("back\\slash", "back\\\\slash"),
    ("one\ntwo\r\nthree\rfour\u2028five", "one two three four five"),
    ("  - indented", " \\- indented"),
    ("\t\tcode", " code"),
    ("bidi\u202eevil\u200b", "bidievil"),
    ("-3.5", "-3.5"),
    ("72.5", "72.5"),
])
def test_md_escape(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped
    assert isinstance(md_escape(text), MdSafe)
    assert md_escape(md_escape(text)) == escaped  # never escaped twice


def test_md_lines_keeps_lines_as_hard_breaks() -> None:
    assert md_lines("one\n\n- two\n# three", indent=2) == "one\\\n  \\- two\\\n  \\# three"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_any_text_stays_one_inline_cell(text: str) -> None:
    """Whatever a respondent types, it renders as the text of one table cell."""
    source = f"| a | b |\n|---|---|\n| {md_escape(text)} | end |\n"
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(source)
    page = Page(html)
    assert [t for t, _ in page.elements] == ["table", "thead", "tr", "th", "th", "tbody", "tr",
                                             "td", "td"]
    assert page.text.endswith(" end")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_comment_stays_one_list_item(text: str) -> None:
    source = f"- {md_lines(text, 2)}\n- end\n"
    html = MarkdownIt("commonmark").render(source)
    tags = [t for t, _ in Page(html).elements]
    assert tags.count("li") == 2 and tags.count("ul") == 1
    assert set(tags) <= {"ul", "li", "br", "p"}


@pytest.mark.parametrize(("value", "bar"), [
    (0, "`░░░░░░░░░░`"), (100, "`██████████`"), (50, "`█████░░░░░`"),
    (55, "`█████▌░░░░`"), (None, ""), (-5, "`░░░░░░░░░░`"), (140, "`██████████`"),
])
def test_text_bar(value: float | None, bar: str) -> None:
    assert text_bar(value) == bar


def test_contents_links_match_github_heading_anchors(markdown: str) -> None:
    html = MarkdownIt("commonmark").render(markdown)
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[0] == "Contents"
    links = [a["href"] for a in Page(html).tags("a")]
    assert links == ["#" + heading_anchor(h.replace("&amp;", "&")) for h in headings[1:]]


INJECTIONS = {
    "pipe": "a | b | c",
    "newline": "line one\nline two\n\nparagraph",
    "heading": "# Heading\n## Another",
    "backticks": "```\ncode block\n```",
    "raw html": "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "link": "[click](javascript:alert(1)) <javascript:alert(3)>",
    "emphasis": "*bold* __strong__ ~~gone~~",
    "list": "- one\n+ two\n1. three",
    "rule": "text\n---\n***",
    "table": "| x |\n|---|\n| y |",
}


@pytest.mark.parametrize("name", INJECTIONS)
def test_each_injection_stays_text_in_a_cell_and_a_list(name: str) -> None:
    nasty = INJECTIONS[name]

    def report(group: str, comment: str) -> str:
        doc = sample_document()
        doc["groups"]["sector"]["groups"][0]["value"] = group
        doc["comments"] = {"story-1": [comment, "after"]}
        return render_report(Results.model_validate_json(json.dumps(doc)), "md")

    markdown = report(nasty, nasty)
    lines = [line for line in nasty.splitlines() if line.strip()]
    clean = report("plain", "\n".join("plain" for _ in lines))  # same number of lines
    for renderer in RENDERERS.values():
        md = renderer()
        html, reference = md.render(markdown), md.render(clean)
        page, ref = Page(html), Page(reference)
        shape = [t for t, _ in page.elements]
        # Same document structure as with harmless text: nothing added, nothing broken.
        assert shape == [t for t, _ in ref.elements]
        assert f"{' '.join(nasty.split())} 20 59 57 45 76" in page.text  # one table row
        assert_inert(html, banned=frozenset({"img", "script", "iframe"}))
