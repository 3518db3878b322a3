"""The bundled question sets' compiled form: current, equal to loading the YAML, used only for
the exact bytes and rules it was made from; and what start-up no longer imports.

``LEADLENS_UPDATE_COMPILED=1 python -m pytest tests/test_questionset_compiled.py`` writes the
compiled forms again after a bundled set (or the model, checks or YAML reader) changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from leadlens.questionset import compiled
from leadlens.questionset.loading import (
    bundled_sets,
    load_from_yaml,
    load_question_set,
    write_compiled,
)

REPO = Path(__file__).resolve().parents[1]
UPDATE = os.environ.get("LEADLENS_UPDATE_COMPILED") == "1"


def test_every_bundled_set_has_a_current_compiled_form(tmp_path: Path) -> None:
    if UPDATE:
        write_compiled()
    fresh = tmp_path / "compiled"
    write_compiled(fresh)
    shipped = compiled.compiled_dir()
    assert sorted(p.name for p in shipped.glob("*.json")) == sorted(
        p.name for p in fresh.glob("*.json")), (
        "the compiled forms are stale: run LEADLENS_UPDATE_COMPILED=1 python -m pytest "
        "tests/test_questionset_compiled.py")
    for path in fresh.glob("*.json"):
        assert (shipped / path.name).read_bytes() == path.read_bytes()


@pytest.mark.parametrize("name", sorted(bundled_sets()))
def test_the_compiled_form_is_the_model_loading_the_yaml_gives(name: str) -> None:
    data = bundled_sets()[name].read_bytes()
    from_yaml = load_from_yaml(data, name)
    from_compiled = compiled.load_compiled(data)
    assert from_compiled is not None
    assert from_compiled == from_yaml
    assert from_compiled.model_dump(by_alias=True) == from_yaml.model_dump(by_alias=True)
    assert load_question_set(name) == from_yaml


def test_an_edited_copy_is_loaded_from_yaml_with_its_problems(tmp_path: Path) -> None:
    data = bundled_sets()["ggi-systems-leadership"].read_bytes()
    assert compiled.load_compiled(data + b"\n") is None  # one more byte: another key
    broken = data.replace(b"principle: basics", b"principle: basicz", 1)
    assert broken != data and compiled.load_compiled(broken) is None
    path = tmp_path / "edited.yaml"
    path.write_bytes(broken)
    from leadlens.errors import QuestionSetError

    with pytest.raises(QuestionSetError) as caught:
        load_question_set(path)
    assert any("unknown principle 'basicz'" in p.message for p in caught.value.problems)


def test_edited_rules_change_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    data = bundled_sets()["ggi-systems-leadership"].read_bytes()
    before = compiled.key(data)
    monkeypatch.setattr(compiled, "RULES", (*compiled.RULES, "leadlens.errors"))
    assert compiled.key(data) not in (None, before)
    monkeypatch.setattr(compiled, "RULES", ("leadlens.no_such_module",))
    assert compiled.key(data) is None
    assert compiled.load_compiled(data) is None


def test_a_compiled_form_that_does_not_validate_is_ignored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = bundled_sets()["ggi-systems-leadership"].read_bytes()
    name = compiled.key(data)
    (tmp_path / f"{name}.json").write_text(json.dumps({"id": "not a question set"}))
    monkeypatch.setattr(compiled, "compiled_dir", lambda: tmp_path)
    assert compiled.load_compiled(data) is None
    assert load_question_set("ggi-systems-leadership").id == "ggi-systems-leadership"


HEAVY_FOR_A_SMALL_SCORE = ("yaml", "jinja2", "polars", "narwhals", "rich", "openpyxl",
                           "python_calamine", "starlette", "fastexcel")


def test_scoring_a_workshop_file_imports_only_what_it_needs(tmp_path: Path) -> None:
    """`leadlens score` on the 60-row example with the bundled set (start-up, issue 17): no
    YAML (the compiled form), no polars or narwhals (small CSVs are read with `csv`), no
    rich (nothing is drawn), no Jinja, openpyxl or Starlette."""
    out = tmp_path / "results.json"
    code = ("import atexit, json, sys\n"
            "atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in "
            f"sys.modules}} & {set(HEAVY_FOR_A_SMALL_SCORE)!r}))))\n"
            "from leadlens.cli import main\n"
            f"sys.argv = ['leadlens', 'score', {str(REPO / 'examples' / 'responses.csv')!r}, "
            f"'-o', {str(out)!r}]\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
    assert json.loads(out.read_text())["respondents"] == 60
