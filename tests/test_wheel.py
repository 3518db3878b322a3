"""The built wheel carries the bundled question sets and templates and works anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO
from test_analyst_inputs import bfi  # noqa: F401 (the fixture: R writes bfi at test time)


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel, install it (not editable) into a fresh venv; return the venv's bin."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                    "--outdir", str(dist), str(REPO)], check=True, capture_output=True)
    wheel = next(dist.glob("leadlens-*.whl"))
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True)
    return bin_dir


@pytest.mark.slow
def test_wheel_lists_bundled_set_from_any_directory(installed_wheel: Path,
                                                    tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    listed = subprocess.run([str(installed_wheel / "leadlens"), "list"], cwd=tmp_path,
                            capture_output=True, text=True, env=env, check=False)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("ggi-systems-leadership\t")
    shown = subprocess.run([str(installed_wheel / "python"), "-m", "leadlens", "show"],
                           cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "The power of narrative" in shown.stdout


@pytest.mark.slow
def test_wheel_ships_templates_and_sets(installed_wheel: Path) -> None:
    probe = ("import importlib.resources as r, leadlens; "
             "root = r.files('leadlens'); "
             "print(sorted(p.name for p in (root / 'question_sets').iterdir())); "
             "print(sorted(p.name for p in (root / 'report_templates').iterdir())); "
             "print(leadlens.__file__); "
             "from leadlens.questionset.compiled import load_compiled; "
             "print(load_compiled((root / 'question_sets' / 'ggi-systems-leadership.yaml')"
             ".read_bytes()) is not None)")
    out = subprocess.run([str(installed_wheel / "python"), "-c", probe], capture_output=True,
                         text=True, check=True, cwd="/").stdout.splitlines()
    assert "ggi-systems-leadership.yaml" in out[0]
    assert "report.html.j2" in out[1] and "report.md.j2" in out[1]
    assert "site-packages" in out[2]
    assert "compiled" in out[0] and out[3] == "True"  # the bundled set's compiled form, used


@pytest.mark.slow
def test_wheel_scores_and_reports_the_example(installed_wheel: Path, tmp_path: Path) -> None:
    responses = REPO / "examples" / "responses.csv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    for name in ("report.html", "report.md", "results.json"):
        proc = subprocess.run([str(installed_wheel / "leadlens"), "score", str(responses),
                               "--by", "sector", "-o", name], cwd=tmp_path,
                              capture_output=True, text=True, env=env, check=False)
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / name).stat().st_size > 1000
    assert "Understanding the basics" in (tmp_path / "report.html").read_text()


@pytest.mark.slow
def test_wheel_compares_and_follows_the_example_waves(installed_wheel: Path,
                                                      tmp_path: Path) -> None:
    waves = [str(REPO / "examples" / "responses.csv"),
             *(str(REPO / "examples" / "waves" / f"wave-{year}.csv") for year in (2025, 2026))]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    runs = [["compare", *waves[:2], "--by", "sector", "-o", "compare.html"],
            ["compare", *waves[:2], "-o", "compare.md"],
            ["trend", *waves, "-o", "trend.html"]]
    for args in runs:
        proc = subprocess.run([str(installed_wheel / "leadlens"), *args], cwd=tmp_path,
                              capture_output=True, text=True, env=env, check=False)
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / args[-1]).stat().st_size > 2000
    assert "What changed since March 2024" in (tmp_path / "compare.html").read_text()
    assert "Influencing rose by" in (tmp_path / "compare.md").read_text()


@pytest.mark.slow
def test_wheel_writes_the_analysts_outputs_and_scores_a_dataframe(installed_wheel: Path,
                                                                  tmp_path: Path) -> None:
    """Parquet, xlsx and PDF from the installed wheel, each checked structurally; the API
    from the wheel's Python on a polars DataFrame gives the CLI's results."""
    import json

    from output_checks import check_parquet, check_pdf, check_xlsx

    responses = REPO / "examples" / "responses.csv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    for name in ("results.json", "results.parquet", "results.xlsx", "report.pdf"):
        proc = subprocess.run([str(installed_wheel / "leadlens"), "score", str(responses),
                               "--by", "role", "-o", name], cwd=tmp_path,
                              capture_output=True, text=True, env=env, check=False)
        assert proc.returncode == 0, proc.stderr
    document = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    check_parquet(tmp_path / "results.parquet", document)
    check_xlsx(tmp_path / "results.xlsx", document)
    check_pdf(tmp_path / "report.pdf", document)
    probe = ("import json, sys, polars, leadlens; "
             f"r = leadlens.score(polars.read_csv({str(responses)!r}), by='role'); "
             "assert 'site-packages' in leadlens.__file__; "
             "sys.stdout.write(r.model_dump_json(by_alias=True))")
    api = subprocess.run([str(installed_wheel / "python"), "-c", probe], cwd="/", env=env,
                         capture_output=True, text=True, check=False)
    assert api.returncode == 0, api.stderr
    scored = json.loads(api.stdout)
    assert scored["sources"] == ["<polars DataFrame>"]
    assert {k: v for k, v in scored.items() if k not in ("sources", "seal")} == {
        k: v for k, v in document.items() if k not in ("sources", "seal")}


@pytest.mark.slow
def test_wheel_runs_the_notebook_docs_and_reads_r_exports(
        installed_wheel: Path, tmp_path: Path,
        bfi: tuple[Path, dict[str, Any]]) -> None:  # noqa: F811 (the imported fixture)
    """The issue end to end from the installed wheel: docs/api.md's examples run as shown;
    polars and pandas frames give the CLI's results; the notebook view escapes hostile group
    names; R's write.csv of psychTools' bfi scores without editing, alpha as psych's."""
    import json

    from test_analyst_inputs import BFI_KEYS, _bfi_set

    python = str(installed_wheel / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    has_pandas = subprocess.run([python, "-c", "import pandas"], capture_output=True,
                                env=env, check=False)
    if has_pandas.returncode != 0:  # pandas is optional for leadlens: the notebook has it
        subprocess.run([python, "-m", "pip", "install", "-q", "pandas"], check=True,
                       capture_output=True, env=env)
    docs = ("import doctest, sys, leadlens; "
            "assert 'site-packages' in leadlens.__file__, leadlens.__file__; "
            "failed, attempted = doctest.testfile('docs/api.md', module_relative=False, "
            "optionflags=doctest.ELLIPSIS); "
            "print(failed, attempted); sys.exit(1 if failed or attempted < 20 else 0)")
    ran = subprocess.run([python, "-c", docs], cwd=REPO, env=env, capture_output=True,
                         text=True, check=False)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]

    responses = REPO / "examples" / "responses.csv"
    cli = subprocess.run([str(installed_wheel / "leadlens"), "score", str(responses), "--by",
                          "role", "-f", "json"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, check=False)
    assert cli.returncode == 0, cli.stderr
    document = json.loads(cli.stdout)
    hostile = '<img src=x onerror="alert(1)">'
    probe = ("import json, sys, pandas, polars, leadlens; "
             f"path = {str(responses)!r}; "
             "frames = {'polars': polars.read_csv(path), 'pandas': pandas.read_csv(path)}; "
             "out = {k: json.loads(leadlens.score(f, by='role').model_dump_json(by_alias=True))"
             " for k, f in frames.items()}; "
             "nasty = pandas.read_csv(path, dtype=str, keep_default_na=False); "
             f"nasty['role'] = nasty['role'].replace('Manager', {hostile!r}); "
             "out['html'] = leadlens.score(nasty, by='role')._repr_html_(); "
             "sys.stdout.write(json.dumps(out))")
    api = subprocess.run([python, "-c", probe], cwd="/", env=env, capture_output=True,
                         text=True, check=False)
    assert api.returncode == 0, api.stderr
    scored = json.loads(api.stdout)
    for library in ("polars", "pandas"):
        assert scored[library]["sources"] == [f"<{library} DataFrame>"]
        assert {k: v for k, v in scored[library].items() if k not in ("sources", "seal")} == {
            k: v for k, v in document.items() if k not in ("sources", "seal")}, library
    html = scored["html"]
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html

    csv, reference = bfi
    bfi_set = _bfi_set(tmp_path)
    scored_bfi = subprocess.run([str(installed_wheel / "leadlens"), "score", str(csv), "-q",
                                 str(bfi_set), "-f", "json", "--by", "gender"], cwd=tmp_path,
                                env=env, capture_output=True, text=True, check=False)
    assert (scored_bfi.returncode, scored_bfi.stderr) == (0, "")
    bfi_document = json.loads(scored_bfi.stdout)
    assert bfi_document["respondents"] == 2800
    for principle in bfi_document["principles"]:
        expected = reference[BFI_KEYS[principle["id"]][0]]
        assert principle["alpha"] == pytest.approx(expected["alpha"], abs=1e-9)
        assert principle["alpha_n"] == expected["alpha_n"]
