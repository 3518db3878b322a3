"""The whole-render bounds hold on any thread: the workshop renders in worker threads.

Every template of the issue's list is rendered in a ``threading.Thread`` (no signals there);
each ends in the same located error as on the main thread, within its bound, and the thread
ends. Time and output bounds are lowered so the tests run fast; the memory bound is tested
in a subprocess under an address-space cap.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from leadlens.errors import TemplateError
from leadlens.report import bounds, render_report
from test_hostile_templates import EXPANDING, MEMORY_ATTACK
from test_report_data import sample_results

SRC = str(Path(__file__).resolve().parents[1] / "src")


def render_in_thread(template: Path, timeout: float = 30.0
                     ) -> tuple[str | None, BaseException | None]:
    """Render ``template`` in a worker thread: (text, None) or (None, the exception)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["text"] = render_report(sample_results(), "md", template)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test to assert on
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), "the render in a thread was not stopped"
    return outcome.get("text"), outcome.get("error")


@pytest.fixture
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_SECONDS", 1.0)
    monkeypatch.setattr(bounds, "MAX_OUTPUT", 5_000_000)


LONG_RUNNING = [
    # nested loops whose bodies call nothing: only the loop steps reach the bound
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    # the same over a list built once (no call per inner loop)
    "{% set xs = range(100000)|list %}{% for i in xs %}{% for j in xs %}{% endfor %}"
    "{% endfor %}",
    # a loop with a loop variable and an if
    "{% for i in range(100000) %}{% for j in range(100000) if j > i %}{% endfor %}"
    "{% endfor %}",
    # attribute reads only
    "{% for i in range(100000) %}{% for j in range(100000) %}{% set x = report.title %}"
    "{% endfor %}{% endfor %}",
    # a recursive macro with wide fan-out
    "{% macro m(d) %}{% if d < 30 %}{{ m(d + 1) }}{{ m(d + 1) }}{% endif %}{% endmacro %}"
    "{{ m(0) }}",
    # a recursive loop
    "{% for x in [[1, 1], [1, 1]] recursive %}{% for i in range(100000) %}{% endfor %}"
    "{{ loop([[1, 1], [1, 1]] * 1000) }}{% endfor %}",
]


@pytest.mark.parametrize("text", LONG_RUNNING)
def test_a_long_render_in_a_thread_stops_at_the_time_bound(write, small_bounds: None,  # type: ignore[no-untyped-def]
                                                           text: str) -> None:
    template = write("t.md.j2", "x\n" + text + "\n")
    start = time.monotonic()
    text_out, error = render_in_thread(template)
    elapsed = time.monotonic() - start
    assert text_out is None
    assert isinstance(error, TemplateError), error
    [problem] = error.problems
    assert str(problem).startswith(f"{template}:2: stopped: the template ran for more than 1 "
                                   "seconds"), problem
    assert elapsed < 4


def test_a_long_render_on_the_main_thread_says_the_same(write, small_bounds: None  # type: ignore[no-untyped-def]
                                                        ) -> None:
    template = write("t.md.j2", "x\n" + LONG_RUNNING[1] + "\n")
    with pytest.raises(TemplateError) as caught:
        render_report(sample_results(), "md", template)
    assert str(caught.value.problems[0]) == (
        f"{template}:2: stopped: the template ran for more than 1 seconds")


def test_a_report_that_grows_too_long_in_a_thread_is_stopped(write, small_bounds: None  # type: ignore[no-untyped-def]
                                                             ) -> None:
    template = write("t.md.j2", "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}")
    _, error = render_in_thread(template)
    assert isinstance(error, TemplateError)
    assert str(error.problems[0]) == (
        f"{template}: stopped: the report is longer than 5,000,000 characters")


@pytest.mark.parametrize(("text", "expected"), EXPANDING)
def test_expanding_operations_in_a_thread_are_refused(write, text: str, expected: str  # type: ignore[no-untyped-def]
                                                      ) -> None:
    template = write("t.md.j2", "# Title\n\n" + text + "\n")
    _, error = render_in_thread(template, timeout=10)
    assert isinstance(error, TemplateError), error
    [problem] = error.problems
    assert str(problem).startswith(f"{template}:3: not allowed in a report template: ")
    assert expected in str(problem)


def test_concurrent_renders_each_keep_their_own_bound(write, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
                                                      ) -> None:
    """A fast render beside a runaway one finishes normally; the runaway one stops."""
    monkeypatch.setattr(bounds, "MAX_SECONDS", 2.0)
    slow = write("slow.md.j2", "x\n" + LONG_RUNNING[0] + "\n")
    fast = write("fast.md.j2", "{{ report.title }}\n")
    results: dict[str, tuple[str | None, BaseException | None]] = {}

    def run(name: str, template: Path) -> None:
        results[name] = render_in_thread(template)

    threads = [threading.Thread(target=run, args=("slow", slow))]
    threads += [threading.Thread(target=run, args=(f"fast{i}", fast)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert isinstance(results["slow"][1], TemplateError)
    for i in range(3):
        text, error = results[f"fast{i}"]
        assert error is None and text is not None and text.strip()


def test_bounds_do_not_leak_into_later_work_in_the_thread(write, small_bounds: None  # type: ignore[no-untyped-def]
                                                          ) -> None:
    template = write("ok.md.j2", "{{ report.title }}\n")
    outcome: list[bool] = []

    def run() -> None:
        render_report(sample_results(), "md", template)
        time.sleep(1.2)  # past the 1 s bound of the render that has finished
        bounds.tick()  # outside a render: nothing to stop
        outcome.append(True)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(10)
    assert outcome == [True]


@pytest.mark.slow
def test_memory_is_bounded_for_a_render_in_a_thread(tmp_path: Path) -> None:
    """No address-space limit is set from a worker thread; the resident bound stops it."""
    template = tmp_path / "t.md.j2"
    template.write_text(MEMORY_ATTACK)
    script = textwrap.dedent(f"""
        import resource, sys, threading
        from pathlib import Path
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from leadlens.errors import TemplateError
        from leadlens.report import bounds, render_report
        from test_report_data import sample_results
        bounds.MAX_MEMORY = 512 * 1024**2
        out = []
        def run():
            try:
                render_report(sample_results(), "md", Path({str(template)!r}))
            except TemplateError as exc:
                out.append(str(exc.problems[0]))
            out.append(resource.getrlimit(resource.RLIMIT_AS)[0])
        t = threading.Thread(target=run)
        t.start()
        t.join()
        print(out[0])
        print(out[1])
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=False, env={"PYTHONPATH": SRC,
                                                           "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{template}:2: stopped: the template needed more than 0.5 GiB of memory",
        str(3 * 1024**3)]
