"""User templates (--template): sandboxed, strict, located errors, and no output on failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.errors import TemplateError
from leadlens.report import render_report
from test_report_data import Page, assert_inert, sample_results

runner = CliRunner()


def _render(write, name: str, text: str, fmt: str = "html") -> str:  # type: ignore[no-untyped-def]
    return render_report(sample_results(), fmt, write(name, text))  # type: ignore[arg-type]


def _problem(write, name: str, text: str, fmt: str = "html") -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(TemplateError) as caught:
        _render(write, name, text, fmt)
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ report.__class__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ principles.append(1) }}",
    "{{ report.update({'title': 'x'}) }}",
    "{{ 'x' * 100000000 }}",
    "{{ [1] * 10000000 }}",
    "{{ 2 ** 100000 }}",
    "{% for i in range(10000000) %}{% endfor %}",
    "{{ ''.format.__globals__ }}",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_sandbox_escapes_fail_with_a_located_error(write, expression: str) -> None:  # type: ignore[no-untyped-def]
    message = _problem(write, "template.html.j2", f"<p>ok</p>\n\n<p>{expression}</p>\n")
    assert message.startswith(f"{write('x', '').parent / 'template.html.j2'}:3: ")


def test_mro_escape_message(write) -> None:  # type: ignore[no-untyped-def]
    message = _problem(write, "template.html.j2", "line one\n{{ ''.__class__.__mro__ }}\n")
    assert message.endswith(":2: not allowed in a report template: access to attribute "
                            "'__class__' of 'str' object is unsafe.")


def test_typo_in_a_variable_is_an_error(write) -> None:  # type: ignore[no-untyped-def]
    message = _problem(write, "t.md.j2", "# {{ report.title }}\n{{ principels }}\n", "md")
    assert message.endswith("t.md.j2:2: 'principels' is not defined. Did you mean "
                            "'principles'?")


def test_typo_in_a_field_is_an_error(write) -> None:  # type: ignore[no-untyped-def]
    message = _problem(write, "t.html.j2",
                       "{% for p in principles %}\n{{ p.scroe }}\n{% endfor %}\n")
    assert message.endswith("t.html.j2:2: no field 'scroe' here. Did you mean 'score'?")


def test_syntax_error_is_located(write) -> None:  # type: ignore[no-untyped-def]
    message = _problem(write, "t.html.j2", "a\nb\n{% for p in principles %}\n{{ p.name }\n")
    assert "t.html.j2:4: syntax error: " in message


def test_error_in_an_included_partial_names_the_partial(write) -> None:  # type: ignore[no-untyped-def]
    write("part.html.j2", "fine\n{{ 1 / 0 }}\n")
    message = _problem(write, "main.html.j2", "{% include 'part.html.j2' %}\n")
    assert "part.html.j2:2: ZeroDivisionError: division by zero" in message


def test_missing_include(write) -> None:  # type: ignore[no-untyped-def]
    message = _problem(write, "main.html.j2", "x\n{% include 'nope.html.j2' %}\n")
    assert message.endswith("main.html.j2:2: template 'nope.html.j2' not found")


def test_user_template_sees_the_documented_context(write) -> None:  # type: ignore[no-untyped-def]
    text = _render(write, "mine.md.j2", (
        "{{ question_set.title }} | {{ respondents }} | {{ results.overall.n }}\n"
        "{% for p in principles %}{{ p.id }}={{ p.score | score }};{{ p.items | length }} "
        "{% endfor +%}\n"
        "{{ report.title }} {{ report.bands[0]['from'] }} {{ question_set.bands[1].from }}\n"
        "{{ groups.organisation.groups[3].suppressed }} {{ comments['story-1'] | length }}\n"
        "{{ overall.ci95 }} {{ none }} {{ report.overall.band_label }}\n"), "md")
    assert text.splitlines() == [
        "Mini systems leadership check | 40 | 39",
        "basics=58;2 influencing=47;3 narrative=75;2 ",  # scores rounded down
        "Mini systems leadership check 0.0 40.0",
        "True 8",
        "\\[56.9, 64.1\\] \u2014 Established",
    ]


def test_user_html_template_is_autoescaped(write) -> None:  # type: ignore[no-untyped-def]
    html = _render(write, "mine.html.j2",
                   "<ul>{% for c in comments['story-1'] %}<li>{{ c }}</li>{% endfor %}</ul>")
    assert_inert(html)
    assert len(Page(html).tags("li")) == 8


def test_html_suffix_is_escaped_even_for_markdown_output(write) -> None:  # type: ignore[no-untyped-def]
    out = _render(write, "frag.html.j2", "{{ comments['story-1'][0] }}", "md")
    assert out == "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;"


def test_user_template_can_extend_the_bundled_one(write) -> None:  # type: ignore[no-untyped-def]
    write("base.html.j2", "<h1>{{ report.title }}</h1>{% block body %}{% endblock %}")
    html = _render(write, "child.html.j2", "{% extends 'base.html.j2' %}{% block body %}"
                   "{% include 'leadlens/partials/style.css' %}{% endblock %}")
    assert html.startswith("<h1>Mini systems leadership check</h1>:root {")


def test_cli_template_error_writes_nothing(write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    results = tmp_path / "results.json"
    results.write_text(sample_results().model_dump_json(by_alias=True), encoding="utf-8")
    template = write("template.html.j2", "<p>{{ report.title }}</p>\n{{ ''.__class__.__mro__ }}\n")
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(results), "-o", str(out), "--template",
                                 str(template)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"{template}:2: not allowed in a report template: access to "
                             "attribute '__class__' of 'str' object is unsafe.\n")
    assert not out.exists()
    assert list(tmp_path.glob(".report.html.*")) == []


def test_cli_template_decides_format_when_output_is_stdout(write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    results = tmp_path / "results.json"
    results.write_text(sample_results().model_dump_json(by_alias=True), encoding="utf-8")
    template = write("list.md.j2", "{% for p in principles %}- {{ p.name }}\n{% endfor %}")
    result = runner.invoke(app, ["report", str(results), "-o", "-", "--template",
                                 str(template)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("- Understanding the basics\n- Influence \\& \\<persuasion\\>\n"
                             "- The power of narrative\n")


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_blocks_of_the_bundled_report_can_be_replaced(write, fmt: str) -> None:  # type: ignore[no-untyped-def]
    out = _render(write, f"board.{fmt}.j2", (
        f'{{% extends "leadlens/report.{fmt}.j2" %}}\n'
        "{% block cover %}BOARD PACK: {{ report.title }}\n{% endblock %}\n"
        "{% block comments %}{% endblock %}\n"
        "{% block method %}{{ super() }}Prepared by the facilitator.\n{% endblock %}\n"), fmt)
    assert out.startswith("BOARD PACK: Mini systems leadership check") or \
        "BOARD PACK: Mini systems leadership check" in out.split("<body>")[-1][:200]
    assert "Tell us a story about your place" not in out
    assert "At a glance" in out
    assert out.index("Each answer is put on a 0-100 scale") < \
        out.index("Prepared by the facilitator.")


def test_template_examples_in_the_docs_render(tmp_path: Path) -> None:
    """Every named ```jinja example in docs/templates.md renders with the sample results."""
    import re

    docs = (Path(__file__).resolve().parents[1] / "docs" / "templates.md").read_text(
        encoding="utf-8")
    examples = re.findall(r"```jinja\n\{# ([\w.-]+)[:# ].*?\n(.*?)```", docs, flags=re.S)
    assert len(examples) >= 2
    for name, body in examples:
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        fmt = "html" if ".html" in name else "md"
        out = render_report(sample_results(), fmt, path)  # type: ignore[arg-type]
        assert "Mini systems leadership check" in out


def test_band_from_and_principle_items_read_as_fields(write) -> None:  # type: ignore[no-untyped-def]
    out = _render(write, "f.md.j2", "{{ question_set.bands[1].from }} "
                  "{{ principles[0].items | length }} "
                  "{% for id, s in question_set.scales | dictsort %}{{ id }} {% endfor %}", "md")
    assert out == "40.0 2 agreement maturity "


def test_template_not_utf8(write) -> None:  # type: ignore[no-untyped-def]
    path = write("bad.md.j2", b"\xff\xfe{{ x }}")
    with pytest.raises(TemplateError) as caught:
        render_report(sample_results(), "md", path)
    assert str(caught.value) == f"{path}: not UTF-8 text (at byte offset 0)"


def test_endless_recursion_is_located(write) -> None:  # type: ignore[no-untyped-def]
    message = _problem(write, "r.md.j2", "{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}\n",
                       "md")
    assert message.endswith("r.md.j2:1: a macro or include calls itself without end")


DOCUMENTED_BOARD = (
    "{# board.html.j2: the bundled report, with our cover, no comments and a note #}\n"
    """{% extends "leadlens/report.html.j2" %}
{% block style %}{{ super() }} .cover { background: #4b0f3a; }{% endblock %}
{% block cover %}<header class="cover"><h1>{{ report.title }}</h1>
<p class="subtitle">Prepared for the board, {{ report.generated }}</p></header>{% endblock %}
{% block comments %}{% endblock %}
{% block method %}{{ super() }}<p>Facilitated by the governance team.</p>{% endblock %}
""")


def test_the_documented_board_template_is_the_one_in_the_docs() -> None:
    from conftest import REPO

    assert DOCUMENTED_BOARD.strip() in (REPO / "docs" / "templates.md").read_text(
        encoding="utf-8")


@pytest.mark.parametrize(("fmt", "name", "link"), [
    ("html", "board.html.j2", 'href="#comments"'),
    ("md", "board.md.j2", "](#comments)"),
])
def test_contents_list_only_the_sections_present(write, fmt: str, name: str,  # type: ignore[no-untyped-def]
                                                 link: str) -> None:
    whole = render_report(sample_results(), fmt)  # type: ignore[arg-type]
    assert link in whole  # the sample has comments
    text = (DOCUMENTED_BOARD if fmt == "html" else DOCUMENTED_BOARD.replace(
        "report.html.j2", "report.md.j2").split("{% block style %}")[0]
        + "{% block comments %}{% endblock %}\n")
    mine = _render(write, name, text, fmt)
    contents = mine.split("</nav>")[0] if fmt == "html" else mine.split("## Contents")[1][:800]
    assert link not in contents
    assert ("#method" in contents) and ("#at-a-glance" in contents)
    assert 'id="comments"' not in mine and "## Comments" not in mine
