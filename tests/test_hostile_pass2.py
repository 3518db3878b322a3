"""A second adversarial pass, over every input added since the hostile-input issue was filed.

Binary outputs (xlsx, pdf, parquet) to a FIFO, a device, a dangling link or a folder;
results documents made by hand for ``compare``, ``trend`` and ``report``; ``--agreed``,
``--withhold-comments`` and ``--group-aliases`` files; ``inspect``; the workshop's state
file. Each ends in a located one-line error (exit 1, 2 for usage) or correct output: no
traceback, no hang, no file destroyed. Devices are made here with ``mknod`` (a copy of the
null device's numbers in a temporary folder), never the machine's own ``/dev`` entries.
"""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import MINIMAL_SET
from leadlens.cli import app

runner = CliRunner()
SRC = str(Path(__file__).resolve().parents[1] / "src")
QS = MINIMAL_SET.replace(
    "  - {id: b3, principle: basics, text: Three, scale: agreement}\n",
    "  - {id: b3, principle: basics, text: Three, scale: agreement}\n"
    "  - {id: note, text: Anything else?, type: text}\n")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A question set, 40 responses and their results document."""
    base = tmp_path_factory.mktemp("pass2")
    (base / "qs.yaml").write_text(QS, encoding="utf-8")
    rows = ["respondent_id,organisation,b1,b2,b3,note"] + [
        f"r{i},{'AB'[i % 2]},{1 + i % 5},{1 + (i * 3) % 5},{1 + (i * 7) % 5},hello {i}"
        for i in range(40)]
    (base / "r.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["score", "-q", str(base / "qs.yaml"), str(base / "r.csv"),
                                 "-o", str(base / "res.json"), "--by", "organisation"])
    assert result.exit_code == 0, result.output
    return base


def _document(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "res.json").read_text(encoding="utf-8"))
    return loaded


def _clean(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert "Traceback" not in result.output


# --- outputs ----------------------------------------------------------------------------------

def _target(base: Path, kind: str) -> Path:
    path = base / f"target-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    elif kind == "device-link":
        os.mknod(base / "dev", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        path.symlink_to(base / "dev")
    elif kind == "folder":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(base / "nowhere")
    return path


REFUSED = {"fifo": "is a FIFO (named pipe), not a regular file",
           "device": "is a character device, not a regular file",
           "device-link": "is a character device, not a regular file",
           "folder": "is a folder, not a file",
           "dangling": "is a symbolic link to a missing file; not replaced"}
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")


@pytest.mark.parametrize("kind", [
    "fifo", pytest.param("device", marks=needs_root),
    pytest.param("device-link", marks=needs_root), "folder", "dangling"])
@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "parquet", "json", "csv", "md", "html"])
@pytest.mark.parametrize("force", [False, True])
def test_score_output_targets_are_refused_and_left_alone(folder: Path, tmp_path: Path,
                                                         kind: str, fmt: str,
                                                         force: bool) -> None:
    target = _target(tmp_path, kind)
    before = os.lstat(target)
    result = runner.invoke(app, ["score", "-q", str(folder / "qs.yaml"),
                                 str(folder / "r.csv"), "-o", str(target), "-f", fmt,
                                 *(["--force"] if force else [])])
    _clean(result)
    if kind == "dangling" and force:  # --force replaces the link itself, by design
        assert result.exit_code == 0
        assert stat.S_ISREG(os.lstat(target).st_mode)
        assert not (tmp_path / "nowhere").exists()
        return
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{target}: {REFUSED[kind]}")
    assert result.stderr.count("\n") == 1
    after = os.lstat(target)
    assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode),
                                                          before.st_ino)


@pytest.mark.parametrize("kind", ["fifo", pytest.param("device", marks=needs_root), "folder"])
@pytest.mark.parametrize("command", ["report", "compare", "trend"])
def test_report_compare_and_trend_targets_are_refused(folder: Path, tmp_path: Path, kind: str,
                                                      command: str) -> None:
    target = _target(tmp_path, kind)
    res = str(folder / "res.json")
    waves = {"report": [res], "compare": [res, res], "trend": [res, res, res]}[command]
    extra = [] if command == "report" else ["-q", str(folder / "qs.yaml")]
    result = runner.invoke(app, [command, *waves, *extra, "-o", str(target), "-f", "html",
                                 "--force"])
    _clean(result)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{target}: {REFUSED[kind]}")


# --- results documents given to compare, trend, report ----------------------------------------

def _set(path: tuple[Any, ...], value: Any) -> Any:
    def change(doc: dict[str, Any]) -> dict[str, Any]:
        here: Any = doc
        for key in path[:-1]:
            here = here[key]
        here[path[-1]] = value
        return doc
    return change


def _drop(key: str) -> Any:
    def change(doc: dict[str, Any]) -> dict[str, Any]:
        doc.pop(key)
        return doc
    return change


def _twice(doc: dict[str, Any]) -> dict[str, Any]:
    doc["principles"].append(copy.deepcopy(doc["principles"][0]))
    return doc


def _item_twice(doc: dict[str, Any]) -> dict[str, Any]:
    doc["principles"][0]["items"].append(copy.deepcopy(doc["principles"][0]["items"][0]))
    return doc


DOCUMENTS = [
    ("no principles", _set(("principles",), []), "principles: principle 'basics' of the "
     "question set is not listed"),
    ("principle twice", _twice, "principles[1].id: principle 'basics' is listed twice"),
    ("unknown principle", _set(("principles", 0, "id"), "ghost"),
     "principles[0].id: principle 'ghost' is not a principle of the document's question set"),
    ("item twice", _item_twice, "principles[0].items[3].key: item 'b1' is listed twice"),
    ("unknown question", _set(("principles", 0, "items", 0, "question"), "zz"),
     "principles[0].items[0].question: question 'zz' is not a question"),
    ("group principle unknown", _set(("groups", "organisation", "groups", 0, "principles", 0,
                                      "id"), "ghost"),
     "groups.organisation.groups[0].principles[0].id: principle 'ghost' is not a principle"),
    ("version 1", _set(("results_version",), 1), "results_version: version 1 is not supported"),
    ("version text", _set(("results_version",), "2"), 'results_version: version "2" is not'),
    ("version true", _set(("results_version",), True), "results_version: version true is not"),
    ("no version", _drop("results_version"), "not a leadlens results"),
    ("negative respondents", _set(("respondents",), -5), "respondents: -5 is not a number of"),
    ("score 250", _set(("principles", 0, "score"), 250), "principles[0].score: 250.0 is not"),
    ("threshold lowered", _set(("min_group_size",), 1), "min_group_size: 1 is below"),
    ("question set null", _set(("question_set",), None), "question_set: expected a mapping"),
    ("groups of numbers", _set(("groups",), {"x": 1}), "groups.x: expected a mapping"),
    ("principles text", _set(("principles",), "x"), "principles: expected a list"),
]


@pytest.mark.parametrize(("name", "change", "expected"), DOCUMENTS,
                         ids=[d[0] for d in DOCUMENTS])
@pytest.mark.parametrize("command", ["compare", "trend", "report"])
def test_hand_made_results_documents_are_located_errors(folder: Path, tmp_path: Path,
                                                        name: str, change: Any, expected: str,
                                                        command: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(change(_document(folder))), encoding="utf-8")
    res = str(folder / "res.json")
    args = {"compare": ["compare", res, str(bad), "-q", str(folder / "qs.yaml")],
            "trend": ["trend", res, res, str(bad), "-q", str(folder / "qs.yaml")],
            "report": ["report", str(bad), "-o", "-", "-f", "md"]}[command]
    result = runner.invoke(app, args)
    _clean(result)
    assert (result.exit_code, result.stdout) == (1, "")
    first = result.stderr.splitlines()[0]
    assert first.startswith(str(bad)) and expected in first, result.stderr


@pytest.mark.parametrize("text", ["", "[" * 100_000, "\ufeff{", '{"results_version": 2',
                                  '{"results_version": 2, "respondents": NaN}',
                                  '{"results_version": 2, "respondents": ' + "9" * 5000 + "}"])
def test_broken_results_json_is_one_line(folder: Path, tmp_path: Path, text: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["compare", str(folder / "res.json"), str(bad), "-q",
                                 str(folder / "qs.yaml")])
    _clean(result)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}") and result.stderr.count("\n") == 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.text(max_size=6), lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value[:3]):
            found += _paths(child, (*path, i))
    return found


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_value_in_a_results_document_is_handled(folder: Path, tmp_path: Path,
                                                            data: st.DataObject) -> None:
    """Property: one value anywhere replaced by any JSON value, or removed: compare and
    report give correct output or located errors, never a traceback."""
    doc = _document(folder)
    paths = _paths(doc)
    path = data.draw(st.sampled_from(paths))
    here: Any = doc
    for key in path[:-1]:
        here = here[key]
    if data.draw(st.booleans()) and isinstance(here, dict):
        here.pop(path[-1])
    else:
        here[path[-1]] = data.draw(JSON_VALUES)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    for args in (["compare", str(folder / "res.json"), str(bad), "-q", str(folder / "qs.yaml")],
                 ["report", str(bad), "-o", "-", "-f", "md"]):
        result = runner.invoke(app, args)
        _clean(result)
        assert result.exit_code in (0, 1), result.output
        if result.exit_code == 1:
            assert result.stderr.startswith(str(bad)), result.stderr


# --- option files: --agreed, --withhold-comments, --group-aliases ------------------------------

OPTION_FILES = ["--agreed", "--withhold-comments", "--group-aliases"]


def _score(folder: Path, *extra: str) -> Any:
    return runner.invoke(app, ["score", "-q", str(folder / "qs.yaml"), str(folder / "r.csv"),
                               "--by", "organisation", "-o", "-", "-f", "json", *extra])


@pytest.mark.parametrize("option", OPTION_FILES)
def test_an_option_file_that_is_a_fifo_is_refused_at_once(folder: Path, tmp_path: Path,
                                                          option: str) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    # in a subprocess with a timeout: before the fix, each of these waited for a writer
    result = subprocess.run([sys.executable, "-m", "leadlens", "score", "-q",
                             str(folder / "qs.yaml"), str(folder / "r.csv"), option, str(fifo),
                             "-o", "-", "-f", "json"], capture_output=True, text=True,
                            timeout=60, check=False, env={"PYTHONPATH": SRC,
                                                          "PATH": "/usr/bin:/bin"})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"{fifo}: is a FIFO (named pipe), not a regular file. leadlens "
                             "reads and writes only regular files (and '-' for standard input "
                             "or output where a command offers it)\n")


@pytest.mark.parametrize("option", OPTION_FILES)
@pytest.mark.parametrize(("content", "expected"), [
    (b"\xff\xfe bad\n", "1"),
    (b"ok\n\xc3\n", "2"),
    (b"x" * (3 * 1024 * 1024), "too large"),
])
def test_an_option_file_of_bad_bytes_is_a_located_error(folder: Path, tmp_path: Path,
                                                        option: str, content: bytes,
                                                        expected: str) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(content)
    result = _score(folder, option, str(path))
    _clean(result)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"{path}:{expected}" if expected.isdigit()
                                    else f"{path}: {expected}"), result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("option", OPTION_FILES)
def test_an_option_file_that_is_a_folder_is_refused(folder: Path, tmp_path: Path,
                                                    option: str) -> None:
    result = _score(folder, option, str(tmp_path))
    _clean(result)
    assert result.exit_code in (1, 2)
    assert str(tmp_path) in result.stderr or "directory" in result.stderr.lower()


def test_a_spelling_under_two_groups_is_an_error(folder: Path, tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("organisation:\n  A: [x]\n  B: [x]\n", encoding="utf-8")
    result = _score(folder, "--group-aliases", str(aliases))
    _clean(result)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"{aliases}:3:7: organisation.B: 'x' is listed under 'A' (line 2) "
                             "and under 'B'. List each spelling under one group\n")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(OPTION_FILES), text=st.text(alphabet=st.sampled_from(
    list("organisatinABxy:-[]{}#&*!|>'\"\n\t ,0123.") + ["\x00", "\u2028", "é"]), max_size=80))
def test_any_option_file_is_read_or_refused_cleanly(folder: Path, tmp_path: Path, option: str,
                                                    text: str) -> None:
    """Property: YAML-ish soup in any of the three files: exit 0 or 1, no traceback."""
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    result = _score(folder, option, str(path))
    _clean(result)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert all(line.startswith(str(path)) for line in result.stderr.splitlines()
                   if line and "warning" not in line), result.stderr


# --- inspect --------------------------------------------------------------------------------

def test_inspect_reads_a_parquet_file_under_the_same_bounds(folder: Path, tmp_path: Path
                                                           ) -> None:
    import polars as pl

    path = tmp_path / "r.parquet"
    pl.read_csv(folder / "r.csv").write_parquet(path)
    result = runner.invoke(app, ["inspect", "-q", str(folder / "qs.yaml"), str(path)])
    _clean(result)
    assert result.exit_code == 0 and "Parquet file" in result.stdout
    bomb = tmp_path / "bomb.parquet"
    pl.DataFrame({"organisation": ["A"], "note": ["x" * 200_000]}).write_parquet(bomb)
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(path.read_bytes()[:-20])
    for bad, expected in ((bomb, f"{bomb}:1: column 'note': a cell of 200,000 bytes"),
                          (damaged, f"{damaged}: not a readable Parquet file: it does not "
                                    "start and end with PAR1")):
        result = runner.invoke(app, ["inspect", "-q", str(folder / "qs.yaml"), str(bad)])
        _clean(result)
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr.startswith(expected) and result.stderr.count("\n") == 1


@pytest.mark.parametrize(("content", "expected"), [
    (b"\xef\xbb\xbf", "no header row"),
    (b"\x00" * 100, "not a text (CSV) file: it contains NUL bytes"),
    (b"PK\x03\x04" + b"\x00" * 50, "not a readable"),
])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_inspect_of_odd_files_is_one_line(folder: Path, tmp_path: Path, content: bytes,
                                          expected: str, fmt: str) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    result = runner.invoke(app, ["inspect", "-q", str(folder / "qs.yaml"), str(path),
                                 "--format", fmt])
    _clean(result)
    assert result.exit_code == 1
    assert expected in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_inspect_of_a_fifo_does_not_wait(folder: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "leadlens", "inspect", "-q",
                             str(folder / "qs.yaml"), str(fifo)], capture_output=True,
                            text=True, timeout=60, check=False,
                            env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert result.stderr.startswith(f"{fifo}: is a FIFO (named pipe)")


# --- the workshop's state file --------------------------------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "bad-utf8", "huge", "folder"])
def test_a_damaged_workshop_state_file_is_a_located_error(tmp_path: Path, kind: str) -> None:
    from leadlens.errors import LeadlensError
    from leadlens.workshop.server import state_path
    from workshop_support import make_workshop

    make_workshop(tmp_path)
    state = state_path(tmp_path / "board.csv")
    state.unlink()
    if kind == "fifo":
        os.mkfifo(state)
    elif kind == "bad-utf8":
        state.write_bytes(b"\xff\xfe{}")
    elif kind == "huge":
        state.write_bytes(b" " * (1024 * 1024))
    else:
        state.mkdir()
    outcome: list[BaseException] = []

    def resume() -> None:
        try:
            make_workshop(tmp_path, resume=True)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome.append(exc)

    worker = threading.Thread(target=resume, daemon=True)  # a hang fails, never blocks
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "--resume waited on the state file"
    [error] = outcome
    assert isinstance(error, LeadlensError)
    [problem] = error.problems
    assert str(problem).startswith(f"{state}: cannot read the workshop's state: ")


# --- the workshop's POST bodies -------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
PARTICIPANT_POSTS = [
    ("bad UTF-8 escapes", "q", "csrf={t}&step=x&value=%FF%FE&action=answer", FORM),
    ("raw bad UTF-8", "q", "csrf={t}&value=\udcff\udcfe&action=answer", FORM),
    ("3,000 fields", "q", "csrf={t}&" + "&".join(f"a{i}=" for i in range(3000)), FORM),
    ("csrf twice", "q", "csrf=x&csrf={t}&value=1", FORM),
    ("NUL in the answer", "q", "csrf={t}&step=x&value=%00&action=answer", FORM),
    ("a surrogate escape", "q", "csrf={t}&step=x&value=%ED%A0%80&action=answer", FORM),
    ("a 10 KB step", "q", "csrf={t}&step=" + "s" * 10_000 + "&value=1&action=answer", FORM),
    ("multipart", "q", "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{t}\r\n"
     "--b--\r\n", "multipart/form-data; boundary=b"),
    ("multipart cut short", "q", "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n",
     "multipart/form-data; boundary=b"),
    ("multipart without boundary", "q", "xxx", "multipart/form-data"),
    ("a file upload", "q", "--b\r\nContent-Disposition: form-data; name=\"f\"; "
     "filename=\"a.txt\"\r\n\r\nhello\r\n--b--\r\n", "multipart/form-data; boundary=b"),
    ("JSON", "q", '{{"csrf": "{t}"}}', "application/json"),
    ("UTF-7 text", "q", "csrf={t}", "text/plain; charset=utf-7"),
    ("UTF-16 form", "q", "csrf={t}&value=x", FORM + "; charset=utf-16"),
    ("join with 3,000 fields", "join", "csrf={t}&" + "&".join(f"a{i}=b" for i in range(3000)),
     FORM),
    ("review with bad UTF-8", "review", "csrf={t}&action=%FF", FORM),
]


@pytest.mark.parametrize(("name", "path", "body", "content_type"), PARTICIPANT_POSTS,
                         ids=[p[0] for p in PARTICIPANT_POSTS])
def test_hostile_posts_never_break_the_workshop(tmp_path: Path, name: str, path: str,
                                               body: str, content_type: str) -> None:
    from workshop_support import Phone, client, make_workshop

    workshop = make_workshop(tmp_path)
    c = client(workshop)  # raises any server exception in the test
    phone = Phone(c, workshop.secrets.room)
    phone.join()
    token = c.cookies.get("ll_csrf") or ""
    data = body.replace("{t}", token).encode("utf-8", "surrogateescape")
    response = c.post(f"/r/{workshop.secrets.room}/{path}", content=data,
                      headers={"content-type": content_type})
    assert response.status_code < 500, (name, response.status_code)
    phone.answer_all()  # the room still works for this phone afterwards
    assert phone.submit().status_code == 200


FACILITATOR_POSTS = [
    "principle=%FF&current=%FF", "principle=basics&text=x&due=2023-02-30",
    "principle=basics&text=x&owner=" + "o" * 5000, "principle=basics&text=x&due=99999-01-01",
    "principle=basics&notes=%00", "principle=" + "p" * 10_000,
]


@pytest.mark.parametrize("body", FACILITATOR_POSTS)
@pytest.mark.parametrize("path", ["/f/agree", "/f/action", "/f/notes"])
def test_hostile_facilitator_posts_are_refused_cleanly(tmp_path: Path, body: str,
                                                       path: str) -> None:
    from workshop_support import facilitator, make_workshop

    workshop = make_workshop(tmp_path)
    f = facilitator(workshop)
    token = f.cookies.get("ll_csrf") or ""
    response = f.post(path, content=f"csrf={token}&{body}".encode(),
                      headers={"content-type": FORM})
    assert response.status_code < 500
    if workshop.agreed_path.exists():  # whatever was kept reads back
        from leadlens.workshop.agreed import load_agreed

        load_agreed(workshop.agreed_path, workshop.qs)


@pytest.mark.parametrize("where", [("principles", 0, "items", 2, "scale"),
                                   ("principles", 0, "scale")])
def test_a_scale_the_question_set_lacks_is_a_located_error(folder: Path, tmp_path: Path,
                                                           where: tuple[Any, ...]) -> None:
    """Found by the property test above: compare looked an item's scale up and gave a
    KeyError traceback for a scale the document's question set does not have."""
    doc = _document(folder)
    here: Any = doc
    for key in where[:-1]:
        here = here[key]
    here[where[-1]] = "nope"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    for args in (["compare", str(folder / "res.json"), str(bad), "-q", str(folder / "qs.yaml")],
                 ["report", str(bad), "-o", "-", "-f", "md"]):
        result = runner.invoke(app, args)
        _clean(result)
        assert result.exit_code == 1, result.output
        assert "scale 'nope' is not a scale of the document's question set" in result.stderr
