"""The HTML report: self-contained, escaped, accessible, and with the content the issue asks for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leadlens.report import render_report
from leadlens.report.environment import is_html_name, make_templates
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


@pytest.fixture(scope="module")
def html() -> str:
    return render_report(sample_results(), "html")


def test_untrusted_text_is_inert(html: str) -> None:
    page = assert_inert(html)
    text = page.text
    for comment in NASTY_COMMENTS:
        assert " ".join(comment.split()) in text  # shown, as text
    for value in (NASTY_GROUP, NASTY_QUESTION, NASTY_PRINCIPLE):
        assert value in text


def test_comment_markup_is_escaped_not_dropped(html: str) -> None:
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert", "")


@pytest.mark.parametrize("name", ["report.html.j2", "x.HTML", "page.htm.j2", "a.svg",
                                  "feed.xml.jinja", "nested/dir/r.html.jinja2"])
def test_html_names_are_autoescaped_whatever_the_output(name: str) -> None:
    assert is_html_name(name)
    templates = make_templates("md")
    assert templates.env.autoescape(name) is True  # type: ignore[operator]


@pytest.mark.parametrize("name", ["report.md.j2", "notes.txt", "html.md", None])
def test_other_names_follow_the_output_format(name: str | None) -> None:
    assert not is_html_name(name)
    assert make_templates("md").env.autoescape(name) is False  # type: ignore[operator]
    assert make_templates("html").env.autoescape(name) is True  # type: ignore[operator]


def test_self_contained(html: str) -> None:
    page = Page(html)
    assert page.tags("link") == [] and page.tags("script") == [] and page.tags("img") == []
    assert page.tags("iframe") == [] and page.tags("object") == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", html)
    assert "@font-face" not in html
    assert len(page.tags("style")) == 1
    assert page.tags("meta")[0] == {"charset": "utf-8"}


def test_print_css_for_a4(html: str) -> None:
    assert "@page { size: A4;" in html
    assert "@media print" in html
    assert "break-inside: avoid" in html  # rows, cards and figures are never split
    assert "break-before: page" not in html  # sections flow on: no half-empty pages


def test_every_chart_has_a_text_equivalent(html: str) -> None:
    page = Page(html)
    svgs = page.tags("svg")
    # bars (wide and phone), two heatmaps, perspectives and timepoints (wide and phone), items
    assert len(svgs) >= 8 + 9
    assert not any("chart-radar" in svg["class"] for svg in svgs)  # not the bars' numbers again
    for svg in svgs:
        assert svg["role"] == "img"
        assert len(svg["aria-label"]) > 10
    page = Page(html)
    tags = [tag for tag, _ in page.elements]
    assert all(tags[i + 1] == "title" for i, tag in enumerate(tags) if tag == "svg")


def test_sections_in_order(html: str) -> None:
    ids = [attrs["id"] for attrs in Page(html).tags("section")]
    # What a board needs first: headline, what to discuss, next steps, the ICB and the hats,
    # groups; only then item detail, reliability and method.
    assert ids == ["at-a-glance", "discuss-first", "what-to-do-next", "now-and-target",
                   "perspectives", "alignment", "comments", "question-by-question",
                   "reliability", "method"]
    toc = [a["href"] for a in Page(html).tags("a")]
    assert toc == [f"#{i}" for i in ids]


def test_headline_content(html: str) -> None:
    text = Page(html).text
    assert "Mini systems leadership check" in text
    assert "Question set version 2.1.0" in text
    assert "Good Governance Institute, “Rethinking leadership styles for integrated care " \
           "systems”, Aidan Rave, 28 April 2023" in text
    assert "15 January 2025" in text
    assert "workshop-responses.csv" in text and "/private/path" not in html
    assert "60 out of 100" in text
    assert "Understanding the basics 58 Developing upper 54–63 38" in text
    assert f"{NASTY_PRINCIPLE} 47 Developing middle 42–52 38 46% contested don’t know 14% " \
           "low reliability" in text
    assert "Strongest: The power of narrative (75, Established)" in text  # 75.x, rounded down
    assert f"Weakest: {NASTY_PRINCIPLE} (47, Developing)" in text


def test_recommendations_per_band(html: str) -> None:
    text = Page(html).text
    assert "Pair board members across organisations." in text  # basics: developing
    assert "Practise making the case | to *partners*." in text
    assert "Report progress through people's stories." in text


def test_suppressed_groups_show_no_numbers(html: str) -> None:
    text = Page(html).text
    assert "Riverside Voluntary Alliance fewer than 5 fewer than 5" in text
    assert "Southgate Primary Care Network withheld to protect a smaller group" in text
    assert "fewer than 5" in text


def test_reliability_and_flags(html: str) -> None:
    text = Page(html).text
    assert ("below 0.6 Low: the questions do not hang together well, so read this score "
            "with caution and look at the questions one by one. alpha 0.41 (95% CI 0.33 to "
            "0.46), omega 0.43 22") in text
    assert ("The key check suggests reversing \u201cLeaders form coalitions.\u201d "
            "(influencing-2@system): it runs against the principle's other questions. With "
            "that change alpha would be 0.63 instead of 0.41.") in text
    assert "influencing-2@system Influence & <persuasion> −0.12 0.86 reverse?" in text
    assert (f"{NASTY_PRINCIPLE}: Organisation hat alpha 0.52 (0.41 to 0.63) on 33; System hat "
            "not shown (21 complete answers).") in text
    assert ("agreed (rwg(j) 0.81, AD 0.60, sd 0.80) favourable / neutral / unfavourable "
            "50% / 14% / 36% 95% CI 52–70") in text


def test_timepoints_and_perspectives(html: str) -> None:
    text = Page(html).text
    assert "How far have we developed a shared vision? icb-1 1.5 3.0 +1.5 37" in text
    assert f"{NASTY_PRINCIPLE} 68 41 −28 large gap" in text


def test_withheld_comments_say_why() -> None:
    results = sample_results(comments={}, comments_withheld="fewer than 5 respondents")
    text = Page(render_report(results, "html")).text
    assert "Comments are withheld: fewer than 5 respondents" in text
    assert NASTY_COMMENTS[0] not in text


def test_minimal_results_render() -> None:
    """One principle, no scores, no groups, no comments: nothing missing prints as None."""
    doc = sample_document()
    first = doc["principles"][0]
    first.update(score=None, ci95=None, band=None, mean=None, sd=None, alpha=None, n=0)
    doc.update(principles=[first], groups={}, by=[], timepoints=[], items=[], comments={},
               warnings=[], overall={"n": 0, "score": None, "band": None})
    results = Results.model_validate_json(_json(doc))
    for fmt in ("html", "md"):
        out = render_report(results, fmt)  # type: ignore[arg-type]
        assert "None" not in out
        assert "No score, so no recommendation" in out
        assert "No comments were given." in out
    html = render_report(results, "html")
    assert "chart-radar" not in html  # a radar needs three principles
    assert 'id="alignment"' not in html and 'id="now-and-target"' not in html


def _json(doc: object) -> str:
    import json

    return json.dumps(doc)


def test_title_option() -> None:
    html = render_report(sample_results(), "html", title="Board <workshop> & away day")
    page = Page(html)
    assert "<title>Board &lt;workshop&gt; &amp; away day</title>" in html
    assert "Mini systems leadership check, version 2.1.0" in page.text


def test_bundled_templates_found(tmp_path: Path) -> None:
    from leadlens.report.environment import templates_dir

    folder = templates_dir()
    assert (folder / "report.html.j2").is_file() and (folder / "report.md.j2").is_file()
