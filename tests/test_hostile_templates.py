"""Templates that try to exhaust the machine: each ends in a located error, within bounds.

Expanding filters and methods are refused before they build anything; what no single
operation gives away (doubling by ``~`` in a loop, nested loops, a huge report) is stopped
by the whole-render bounds, made small here so the tests run fast.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.errors import TemplateError
from leadlens.report import bounds, render_report
from test_report_data import sample_results

runner = CliRunner()
BUILT = "would build"
SRC = str(Path(__file__).resolve().parents[1] / "src")

EXPANDING = [
    ('{{ "x"|center(2000000000) }}', "center would build 2,000,000,000 characters"),
    ('{{ "x\\nx"|indent(2000000000, true) }}', "indent would build"),
    ('{{ "%2000000000s"|format(1) }}', "format width 2000000000 is too large"),
    ('{{ range(100)|batch(2000000000, "x")|list|length }}', "batch " + BUILT),
    ('{{ range(100)|slice(2000000000, "x")|list|length }}', "slice " + BUILT),
    ('{{ ("x" * 1000000)|replace("x", "y" * 40) }}', "replace would build 40,000,000"),
    ('{{ ("x" * 20)|replace("", "y" * 900000) }}', "replace would build 18,900,020"),
    ('{{ range(100000)|join("x" * 100000) }}', "join " + BUILT),
    ('{{ ("x" * 1000000)|wordwrap(1, wrapstring="y" * 1000) }}', "wordwrap " + BUILT),
    ("{{ lipsum(100000) }}", "lipsum is limited to 100 paragraphs"),
    ("{{ lipsum(5, max=10000000) }}", "lipsum is limited to 100 paragraphs"),
    ('{{ "x".ljust(2000000000) }}', "str.ljust " + BUILT),
    ('{{ "x".center(2000000000) }}', "str.center " + BUILT),
    ('{{ "1".zfill(2000000000) }}', "str.zfill " + BUILT),
    ('{{ ("\\t" * 1000).expandtabs(100000) }}', "str.expandtabs " + BUILT),
    ('{{ ("x" * 1000000).replace("x", "y" * 40) }}', "str.replace " + BUILT),
    ('{{ ("x" * 100000).join(["a"] * 1000) }}', "str.join " + BUILT),
    ('{{ "{:>2000000000}".format(1) }}', "format width 2000000000 is too large"),
    ('{{ "{0:.2000000000f}".format(1.5) }}', "format width 2000000000 is too large"),
    ('{{ "%2000000000d" % 1 }}', "format width 2000000000 is too large"),
    ('{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}'
     '{% endfor %}{{ ns.s|length }}', "'+' would build 16,777,216"),
    ('{% set ns = namespace(s="xx") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}'
     '{% endfor %}{{ ns.s|length }}', "'~' would build 16,777,216"),
]


@pytest.mark.parametrize(("text", "expected"), EXPANDING)
def test_expanding_operations_are_refused_before_building(write, text: str, expected: str  # type: ignore[no-untyped-def]
                                                          ) -> None:
    template = write("t.md.j2", "# Title\n\n" + text + "\n")
    start = time.monotonic()
    with pytest.raises(TemplateError) as caught:
        render_report(sample_results(), "md", template)
    assert time.monotonic() - start < 5
    assert [str(p) for p in caught.value.problems] == [
        f"{template}:3: not allowed in a report template: "
        + str(caught.value.problems[0]).split("not allowed in a report template: ", 1)[1]]
    assert expected in str(caught.value.problems[0])


@pytest.fixture
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_SECONDS", 1.0)
    monkeypatch.setattr(bounds, "MAX_OUTPUT", 5_000_000)


def test_a_render_that_runs_too_long_is_stopped(write, small_bounds: None) -> None:  # type: ignore[no-untyped-def]
    template = write("t.md.j2", "x\n{% for i in range(100000) %}{% for j in range(100000) %}"
                                "{% endfor %}{% endfor %}\n")
    start = time.monotonic()
    with pytest.raises(TemplateError) as caught:
        render_report(sample_results(), "md", template)
    assert time.monotonic() - start < 5
    assert str(caught.value.problems[0]) == (
        f"{template}:2: stopped: the template ran for more than 1 seconds")


def test_a_report_that_grows_too_long_is_stopped(write, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
                                                 ) -> None:
    monkeypatch.setattr(bounds, "MAX_OUTPUT", 5_000_000)  # the time bound stays 30 s
    template = write("t.md.j2", "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}")
    with pytest.raises(TemplateError) as caught:
        render_report(sample_results(), "md", template)
    assert str(caught.value.problems[0]) == (
        f"{template}: stopped: the report is longer than 5,000,000 characters")


MEMORY_ATTACK = ('{% set ns = namespace(s=[]) %}\n{% for i in range(100000) %}'
                 '{% set ns.s = ns.s + ["x" * 1000000 ~ i] %}{% endfor %}{{ ns.s|length }}\n')


@pytest.mark.slow
def test_memory_is_bounded_for_a_whole_render(tmp_path: Path) -> None:
    """Many strings of 1 MB each, kept in a list: no single large step; the memory bound stops it.

    Run under a 3 GiB address-space cap in a subprocess, with leadlens' own render bound
    lowered to 512 MiB: a located error and exit 1, not a MemoryError traceback.
    """
    results = tmp_path / "results.json"
    results.write_text(sample_results().model_dump_json(), encoding="utf-8")
    template = tmp_path / "t.md.j2"
    template.write_text(MEMORY_ATTACK)
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
        from leadlens.report import bounds
        bounds.MAX_MEMORY = 512 * 1024**2
        from leadlens.cli import _app
        sys.argv = ["leadlens", "report", {str(results)!r}, "-o", "-", "-f", "md",
                    "-t", {str(template)!r}]
        _app.main()
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=False, env={"PYTHONPATH": SRC,
                                                           "PATH": "/usr/bin:/bin"})
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    assert result.stderr == (f"{template}:2: stopped: the template needed more than 0.5 GiB "
                             "of memory\n")
    assert "Traceback" not in result.stderr


def test_limits_are_restored_after_a_render(write) -> None:  # type: ignore[no-untyped-def]
    before = resource.getrlimit(resource.RLIMIT_AS)
    render_report(sample_results(), "md", write("ok.md.j2", "{{ report.title }}\n"))
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_cli_template_attack_is_exit_1_without_output(write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    results = tmp_path / "results.json"
    results.write_text(sample_results().model_dump_json(), encoding="utf-8")
    template = write("t.md.j2", '{{ "x"|center(2000000000) }}\n')
    out = tmp_path / "r.md"
    result = runner.invoke(app, ["report", str(results), "-o", str(out), "-t", str(template)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"{template}:1: not allowed in a report template: center")
    assert not out.exists()


@pytest.mark.slow
def test_a_template_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    import os

    results = tmp_path / "results.json"
    results.write_text(sample_results().model_dump_json(), encoding="utf-8")
    fifo = tmp_path / "t.md.j2"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "leadlens", "report", str(results), "-o",
                             "-", "-f", "md", "-t", str(fifo)], capture_output=True, text=True,
                            timeout=60, check=False, env={"PYTHONPATH": SRC,
                                                          "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert result.stderr.startswith(f"{fifo}: is a FIFO (named pipe), not a regular file")


FILTER_CALLS = st.sampled_from([
    '"ab"|center({n})', '"a\\nb"|indent({n})', '"%{n}s"|format(1)', "range(9)|batch({n}, 0)",
    "range(9)|slice({n}, 0)", '"ab"|replace("a", "a" * ({n} % 100000))',
    'range({n} % 1000)|join("-" * ({n} % 100000))', '"a".ljust({n})', '"{{:{n}}}".format(1)',
    '"%{n}d" % 1', '"\\t".expandtabs({n})', 'lipsum({n} % 200)',
])


@settings(max_examples=60, deadline=None)
@given(call=FILTER_CALLS, n=st.integers(min_value=0, max_value=2**40))
def test_any_width_is_bounded(tmp_path_factory: pytest.TempPathFactory, call: str, n: int
                              ) -> None:
    folder = tmp_path_factory.mktemp("t")
    template = folder / "t.md.j2"
    template.write_text("{{ " + call.format(n=n) + " }}\n", encoding="utf-8")
    start = time.monotonic()
    try:
        text = render_report(sample_results(), "md", template)
    except TemplateError as exc:
        assert len(exc.problems) == 1 and exc.problems[0].line == 1
    else:
        assert len(text) <= bounds.MAX_BUILT * 2
    assert time.monotonic() - start < 10
