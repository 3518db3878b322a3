"""Structural checks of the analysts' outputs (Parquet, xlsx, PDF), shared by the tests that
make them from the source tree and from the built wheel."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

TABLES = {"principles", "items", "groups", "timepoints", "perspectives"}
FRONT_SHEETS = ["Cover", "Contents", "Notes"]


def check_parquet(path: Path, results: dict[str, Any]) -> None:
    """One file, every tidy table told apart by ``table``; suppressed cells present, marked,
    and without a figure; the shown figures are the results document's."""
    import polars as pl

    tidy = pl.read_parquet(path)
    assert set(tidy["table"].unique()) == TABLES
    assert tidy.schema["value"] == pl.Float64 and tidy.schema["n"] == pl.Int64
    hidden = tidy.filter(pl.col("suppressed"))
    assert hidden.height > 0
    assert hidden["value"].null_count() == hidden.height
    assert hidden["n"].null_count() == hidden.height
    assert all(note.startswith("[c]: ") for note in hidden["note"])
    for breakdown in results["groups"].values():
        for group in breakdown["groups"]:
            rows = tidy.filter((pl.col("table") == "groups")
                               & (pl.col("group_field") == breakdown["field"])
                               & (pl.col("group_value") == group["value"]))
            assert rows.height > 0, group["value"]  # never silently dropped
            assert rows["suppressed"].all() == group["suppressed"]
            if not group["suppressed"]:
                overall = rows.filter(pl.col("principle").is_null()
                                      & (pl.col("statistic") == "score"))
                assert overall["value"].to_list() == [group["overall"]]
    overall = tidy.filter((pl.col("table") == "principles") & pl.col("principle").is_null()
                          & (pl.col("statistic") == "score"))
    assert overall["value"].to_list() == [results["overall"]["score"]]
    # The measurement figures are there, equal to the document's.
    for principle in results["principles"]:
        rows = tidy.filter((pl.col("table") == "principles")
                           & (pl.col("principle") == principle["id"]))
        figures = dict(zip(rows["statistic"], rows["value"], strict=True))
        for name in ("alpha_std", "g6", "rwg_j", "ad_m"):
            assert figures[name] == principle[name], name
        assert figures["favourable"] == principle["favourability"]["favourable"]
        assert figures["contested"] == float(principle["contested"])
    for breakdown in results["groups"].values():
        for icc in breakdown["icc"]:
            rows = tidy.filter((pl.col("statistic") == "icc1")
                               & (pl.col("group_field") == breakdown["field"])
                               & (pl.col("principle") == icc["principle"]))
            assert rows["value"].to_list() == [icc["icc1"]]
        # A hidden group has the shown groups' statistics, every one marked.
        statistics = {g["value"]: set(tidy.filter((pl.col("group_value") == g["value"])
                                                  & (pl.col("group_field") == breakdown["field"])
                                                  & ~pl.col("statistic").str.starts_with(
                                                      "spread_"))["statistic"])
                      for g in breakdown["groups"]}
        assert len({frozenset(v) for v in statistics.values()}) <= 1


def check_xlsx(path: Path, results: dict[str, Any], contact_given: str | None = None
               ) -> None:
    """The Analysis Function's layout: cover, contents, notes, one table per sheet with a
    title in A1 and one header row (an Excel table), no merged cells, numbers as numbers,
    [c] for withheld cells, text never a formula."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    assert book.sheetnames[:3] == FRONT_SHEETS
    assert book["Cover"]["A1"].value.endswith(": results")
    cover_text = [c.value for c in book["Cover"]["A"] if c.value]
    assert "Contact" in cover_text
    assert cover_text[cover_text.index("Respondents") + 1] == results["respondents"]  # a number
    contact = cover_text[cover_text.index("Contact") + 1]
    assert contact == contact_given or (contact_given is None and contact.startswith(
        "No contact was given")), contact
    assert "[" not in contact or contact_given  # never a placeholder to fill in
    note_numbers = {int(n) for n in re.findall(
        r"\[note (\d+)\]", " ".join(str(c.value) for c in book["Notes"]["A"] if c.value))}
    assert note_numbers == set(range(1, len(note_numbers) + 1))
    listed = [row[0] for row in book["Contents"].iter_rows(min_row=4, values_only=True)]
    assert listed == ["Notes", *book.sheetnames[3:]]
    notes = " ".join(str(c.value) for c in book["Notes"]["B"] if c.value)
    assert "[c]" in notes and f"fewer than {results['min_group_size']}" in notes
    seen_withheld = False
    for sheet in book.worksheets:
        assert not sheet.merged_cells.ranges, sheet.title
        assert isinstance(sheet["A1"].value, str) and sheet["A1"].font.bold
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
        if sheet.title in FRONT_SHEETS[:1]:
            continue
        (table,) = sheet.tables.values()
        first, last = table.ref.split(":")
        header_row = int("".join(ch for ch in first if ch.isdigit()))
        assert first.startswith("A") and header_row <= 4
        header = [c.value for c in sheet[header_row] if c.value is not None]
        assert header and all(isinstance(h, str) for h in header)
        assert sheet.freeze_panes == f"A{header_row + 1}"
        for row in range(1, header_row):  # what the sheet holds, each cited note explained
            for number in re.findall(r"\[note (\d+)\]", str(sheet.cell(row, 1).value or "")):
                assert int(number) in note_numbers, (sheet.title, number)
        for heading in header:
            for number in re.findall(r"\[note (\d+)\]", heading):
                assert int(number) in note_numbers, (sheet.title, heading)
        body = list(sheet.iter_rows(min_row=header_row + 1, values_only=True))
        assert body and all(v is not None for row in body for v in row[:len(header)]), \
            f"{sheet.title}: a blank cell inside the table"
        for row in body:  # numbers as numbers, text as text: never a number in a string
            for value in row[:len(header)]:
                assert not (isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value)), \
                    (sheet.title, value)
        columns = {h: i for i, h in enumerate(header)}
        if sheet.title == "Principles":
            overall = next(row for row in body if row[0] == "overall")
            # a number: the score as every output shows it, rounded down to one decimal (so
            # that "0.0" never shows 60.0 beside a band below 60)
            assert overall[5] == math.floor((results["overall"]["score"] + 1e-9) * 10) / 10
            for principle in results["principles"]:
                row = next(r for r in body if r[0] == principle["id"])
                assert _same(row[columns["% favourable [note 8]"]],
                             principle["favourability"]["favourable"])
                assert _same(row[columns["Agreement rwg(j) [note 9]"]], principle["rwg_j"])
                assert row[columns["Contested [note 10]"]] == (
                    "Yes" if principle["contested"] else "No")
        if sheet.title == "Reliability":
            for principle in results["principles"]:
                row = next(r for r in body if r[0] == principle["id"])
                if 0 < (principle["alpha_n"] or 0) < results["min_group_size"] \
                        or principle["withheld"]:
                    assert set(row[3:]) == {"[c]"}  # alpha on too few: withheld, not [x]
                    continue
                assert _same(row[columns["Standardised alpha"]], principle["alpha_std"])
                assert _same(row[columns["Guttman's lambda-6"]], principle["g6"])
        if sheet.title == "Group differences":
            iccs = [(b["field"], i["icc1"]) for b in results["groups"].values()
                    for i in b["icc"]]
            assert [r[0] for r in body] == [field for field, _ in iccs]
            assert all(_same(r[columns["ICC(1) [note 12]"]], icc)
                       for r, (_, icc) in zip(body, iccs, strict=True))
        if sheet.title.startswith("Detail by "):
            breakdown = results["groups"][sheet.title.removeprefix("Detail by ")]
            for group in breakdown["groups"]:
                shown = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", group["value"])
                rows = [r for r in body if r[0] == shown]
                assert len(rows) == len(results["principles"]), shown
                if group["suppressed"]:
                    assert {v for r in rows for v in r[2:]} == {"[c]"}
                    continue
                for gp in group["principles"]:
                    row = next(r for r in rows if r[1] == next(
                        p["name"] for p in results["principles"] if p["id"] == gp["id"]))
                    if gp["suppressed_reason"]:
                        assert set(row[2:]) == {"[c]"}
                    else:
                        assert _same(row[columns["Agreement rwg(j) [note 9]"]], gp["rwg_j"])
                        assert row[columns["Agreement"]] == (gp["agreement"] or "[x]")
        if sheet.title.startswith("By "):
            for row in body:
                if row[1] == "[c]":
                    seen_withheld = True
                    assert set(row[1:]) == {"[c]"}, row  # nothing else of that group shows
                else:
                    assert isinstance(row[1], int) and row[1] >= results["min_group_size"]
    if any(g["suppressed"] for b in results["groups"].values() for g in b["groups"]):
        assert seen_withheld


def _same(cell: object, figure: float | None) -> bool:
    """A workbook cell holds the figure: unrounded (openpyxl keeps 16 significant digits, so
    the last bit may differ), or [x] when there is none."""
    if figure is None:
        return cell == "[x]"
    return isinstance(cell, float) and math.isclose(cell, figure, rel_tol=1e-14, abs_tol=1e-15)


def check_pdf(path: Path, results: dict[str, Any]) -> None:
    """A tagged PDF (a structure tree), an outline, en-GB, and the headline figures in its
    text as pdftotext reads it."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    def flat(items: list[Any]) -> list[str]:
        return [t for item in items
                for t in (flat(item) if isinstance(item, list) else [item.title])]

    titles = flat(reader.outline)
    assert any("At a glance" in title for title in titles), titles
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is needed"
    text = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert results["question_set"]["title"].split()[0] in text
    assert str(results["respondents"]) in text
    assert f"{results['overall']['score']:.0f}" in text
    for principle in results["principles"]:
        assert principle["name"].split()[0] in text


def load_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
