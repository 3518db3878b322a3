"""The Python API as an analyst uses it in a notebook: the CLI's rules, errors and results."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from typer.testing import CliRunner

import leadlens
from conftest import EXAMPLES, REPO
from leadlens.cli import app
from leadlens.cli._app import option_message

runner = CliRunner()
RESPONSES = EXAMPLES / "responses.csv"


def _stable(document: dict[str, Any]) -> dict[str, Any]:
    """A results document without what names the input (file names, in sources) and its
    seal (a checksum of the whole document, sources included)."""
    return {k: v for k, v in document.items() if k not in ("sources", "seal")}


def _cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.mark.usefixtures("fixed_time")
def test_a_notebook_scores_the_example_from_polars_and_pandas_as_the_cli_does() -> None:
    code, out, err = _cli(str(RESPONSES), "--by", "role", "--by", "sector", "-f", "json")
    assert code == 0, err
    cli = json.loads(out)
    # What an analyst types: read the file as their library reads it, then score it.
    from_polars = leadlens.score(pl.read_csv(RESPONSES), by=["role", "sector"])
    from_pandas = leadlens.score(pd.read_csv(RESPONSES), by=["role", "sector"])
    from_path = leadlens.score(RESPONSES, by=("role", "sector"))
    for results in (from_polars, from_pandas, from_path):
        assert isinstance(results, leadlens.Results)
        assert _stable(json.loads(results.model_dump_json(by_alias=True))) == _stable(cli)
    assert from_path.sources == cli["sources"]
    assert from_polars.sources == ["<polars DataFrame>"]
    assert from_pandas.sources == ["<pandas DataFrame>"]


def test_pandas_columns_with_gaps_read_as_whole_numbers_not_floats() -> None:
    frame = pd.read_csv(RESPONSES)
    floats = [c for c in frame.columns if frame[c].dtype == "float64"]
    assert floats  # a blank cell makes pandas hold a column of whole numbers as floats
    gappy = floats[0]
    frame.loc[0, "basics-1"] = None
    results = leadlens.score(frame)
    plain = leadlens.score(RESPONSES)

    def item(results: leadlens.Results, key: str) -> Any:
        return next(i for p in results.principles for i in p.items if i.key == key)

    assert item(results, "basics-1").missing == item(plain, "basics-1").missing + 1
    assert item(results, gappy).counts == item(plain, gappy).counts


def test_a_bad_answer_in_a_dataframe_is_located_by_row_and_column(tmp_path: Path) -> None:
    frame = pl.read_csv(RESPONSES, infer_schema=False).with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("7")).otherwise(pl.col("basics-2"))
        .alias("basics-2"))
    with pytest.raises(leadlens.ResponsesError) as caught:
        leadlens.score(frame)
    assert [str(p) for p in caught.value.problems] == [
        "<polars DataFrame>:3: column 'basics-2': 7 is not on the agreement scale (1-5)"]
    # The command line says the same of the same cell in a CSV, where row 3 is on line 4.
    path = tmp_path / "responses.csv"
    frame.write_csv(path)
    code, out, err = _cli(str(path), "-f", "json")
    assert (code, out) == (1, "")
    assert err == f"{path}:4: column 'basics-2': 7 is not on the agreement scale (1-5)\n"


def test_the_cli_and_the_api_refuse_the_same_options_in_the_same_words() -> None:
    for kwargs, args in (
            ({"by": "team"}, ["--by", "team"]),
            ({"min_group_size": 3}, ["--min-group-size", "3"]),
            ({"on_invalid": "skip"}, ["--on-invalid", "skip"]),
            ({"delimiter": "ab"}, ["--delimiter", "ab"])):
        with pytest.raises(leadlens.UsageError) as caught:
            leadlens.score(RESPONSES, **kwargs)
        assert isinstance(caught.value, ValueError)
        assert caught.value.option == next(iter(kwargs))
        code, out, err = _cli(str(RESPONSES), *args)
        assert (code, out) == (2, "")
        assert err == f"Error: {option_message(caught.value)}\n"


def test_dataframes_refuse_the_options_for_export_files() -> None:
    with pytest.raises(leadlens.UsageError) as caught:
        leadlens.score(pl.read_csv(RESPONSES), encoding="cp1252")
    assert caught.value.option == "encoding"
    with pytest.raises(leadlens.UsageError):
        leadlens.score(42)
    with pytest.raises(leadlens.UsageError):
        leadlens.score([])


def test_several_dataframes_and_files_are_concatenated() -> None:
    frame = pl.read_csv(RESPONSES, infer_schema=False)
    halves = leadlens.score([frame.head(30), frame.tail(30)])
    whole = leadlens.score(frame)
    assert halves.respondents == 60
    assert halves.overall == whole.overall and halves.principles == whole.principles
    mixed = leadlens.score([RESPONSES, frame.head(5)])
    assert mixed.respondents == 65


def test_tidy_tables_are_long_with_suppressed_cells_present_and_marked() -> None:
    results = leadlens.score(RESPONSES, by="role")
    tables = results.tables()
    assert list(tables) == ["principles", "items", "groups", "timepoints", "perspectives"]
    columns = ["table", "group_field", "group_value", "principle", "item", "variant", "option",
               "statistic", "value", "n", "band", "agreement", "suppressed", "note"]
    for name, table in tables.items():
        assert table.columns == columns and set(table["table"]) == {name}
    principles = tables["principles"]
    for p in results.principles:
        score = principles.filter((pl.col("principle") == p.id)
                                  & (pl.col("statistic") == "score"))
        assert score.select("value", "n", "band").row(0) == (p.score, p.n, p.band)
    groups = tables["groups"]
    breakdown = results.groups["role"]
    hidden = [g for g in breakdown.groups if g.suppressed]
    assert hidden
    for group in breakdown.groups:
        rows = groups.filter(pl.col("group_value") == group.value,
                             ~pl.col("statistic").str.starts_with("spread_"))
        if group.suppressed:
            shown = next(g for g in breakdown.groups if not g.suppressed)
            assert rows.height == groups.filter(pl.col("group_value") == shown.value,
                                                ~pl.col("statistic").str.starts_with(
                                                    "spread_")).height
            assert rows["suppressed"].all()
            assert rows["value"].null_count() == rows["n"].null_count() == rows.height
            assert set(rows["note"]) == {f"[c]: {group.n_text}"}
        else:
            assert not rows["suppressed"].any()
            assert rows.filter(pl.col("statistic") == "n")["value"].to_list() == [group.n]


def test_to_pandas_is_the_same_tables() -> None:
    results = leadlens.score(RESPONSES, by="role")
    frames = results.to_pandas()
    for name, table in results.tables().items():
        frame = frames[name]
        assert isinstance(frame, pd.DataFrame) and list(frame.columns) == table.columns
        assert len(frame) == table.height
        assert str(frame["n"].dtype) == "Int64"
        assert frame["n"].isna().sum() == table["n"].null_count()
        assert frame["value"].fillna(-1).tolist() == table["value"].fill_null(-1).to_list()


def test_the_notebook_view_escapes_hostile_group_names(tmp_path: Path) -> None:
    hostile = '<img src=x onerror="alert(1)">'
    frame = pl.read_csv(RESPONSES, infer_schema=False).with_columns(
        pl.col("role").replace({"Manager": hostile}))
    results = leadlens.score(frame, by="role")
    shown = results._repr_html_()
    assert "<img" not in shown and "onerror=\"" not in shown
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; " in shown
    visible = [g for g in results.groups["role"].groups if not g.suppressed]
    assert all(f"{g.value.replace('<', '&lt;')[:8]}" in shown for g in visible)
    assert "2 not shown" in shown


def test_the_notebook_view_is_a_headline_table_with_text_escaped() -> None:
    results = leadlens.score(RESPONSES, by="role")
    nasty = results.question_set.model_copy(update={"title": "<script>alert(1)</script> & co"})
    shown = results.model_copy(update={"question_set": nasty})._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in shown
    assert shown.count("<tr>") == 1 + len(results.principles) + 1  # header, principles, overall
    assert f"{results.overall.score:.1f}" in shown
    assert "60 respondents" in shown
    assert "By role (&ldquo;Which best describes your role?&rdquo;)" in shown


def test_load_results_and_render_report(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    code, _, err = _cli(str(RESPONSES), "-o", str(out))
    assert code == 0, err
    results = leadlens.load_results(str(out))
    assert results.respondents == 60
    html = leadlens.render_report(results, format="html")
    assert html.startswith("<!DOCTYPE html>") and 'lang="en-GB"' in html
    assert "| Principle |" in leadlens.render_report(results, format="md")
    with pytest.raises(leadlens.UsageError) as caught:
        leadlens.render_report(results, format="docx")
    assert caught.value.option == "format"


def test_import_leadlens_stays_light() -> None:
    probe = ("import sys, leadlens; leadlens.__all__; "
             "print(sorted(m for m in ('numpy', 'polars', 'narwhals', 'pandas', 'yaml', "
             "'jinja2', 'pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    assert out.strip() == "[]"
    for name in leadlens.__all__:
        assert getattr(leadlens, name) is not None


def test_polars_and_pandas_frames_become_the_same_cells() -> None:
    """polars converts its own columns (fast); other frames go cell by cell: they agree."""
    from leadlens.responses.frames import frame_cells

    data: dict[str, list[Any]] = {
        "floats": [1.0, 2.5, None, float("nan"), 1e20, -3.0, float("inf"), 0.1],
        "ints": [1, None, 3, 4, 5, 6, -7, 2**40],
        "bools": [True, False, None, True, True, True, False, False],
        "text": ["x", None, "", " y ", "x", "z", "NA", "Don't know"]}
    polars_cells = frame_cells(pl.DataFrame(data, strict=False))
    pandas_cells = frame_cells(pd.DataFrame(data))
    assert polars_cells.header == pandas_cells.header == list(data)
    for i in range(len(data)):
        assert polars_cells.columns[i].cells() == pandas_cells.columns[i].cells(), i
    assert polars_cells.columns[0].cells() == ["1", "2.5", None, None, "1e+20", "-3", "inf",
                                               "0.1"]


@pytest.mark.usefixtures("fixed_time")
def test_compare_and_trend_from_python_match_the_cli(tmp_path: Path) -> None:
    waves = [EXAMPLES / "waves" / f"wave-{year}.csv" for year in (2025, 2026)]
    out = tmp_path / "compare.json"
    result = runner.invoke(app, ["compare", *map(str, waves), "--by", "sector", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    cli = json.loads(out.read_text(encoding="utf-8"))
    frame = pl.read_csv(waves[1])
    from_python = leadlens.compare(waves[0], frame, by="sector",
                                   labels=["wave-2025", "wave-2026"])
    document = json.loads(from_python.model_dump_json(by_alias=True))
    for key in ("principles", "groups", "headline", "withheld", "overall"):
        if key in cli:
            assert document[key] == cli[key], key
    scored = leadlens.score(waves[0])
    from_results = leadlens.compare(scored, leadlens.score(waves[1]))
    assert from_results.principles and from_results.title == from_python.title
    # The earlier name stays an alias of the same function, and importing the waves package
    # (as the CLI does) does not rebind ``leadlens.compare``.
    importlib.import_module("leadlens.waves.engine")
    assert leadlens.compare_waves is leadlens.compare
    assert callable(leadlens.compare) and leadlens.compare.__module__ == "leadlens.analysis.waves"
    with pytest.raises(leadlens.UsageError) as caught:
        leadlens.trend(waves)
    assert caught.value.code == "option.too-few-waves"
    out = tmp_path / "trend.json"
    three = [RESPONSES, *waves]
    result = runner.invoke(app, ["trend", *map(str, three), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    line = json.loads(leadlens.trend(three).model_dump_json(by_alias=True))
    assert line["principles"] == json.loads(out.read_text(encoding="utf-8"))["principles"]
