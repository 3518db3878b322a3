"""The built wheel carries the bundled question sets and templates and works anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import REPO


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
             "print(leadlens.__file__)")
    out = subprocess.run([str(installed_wheel / "python"), "-c", probe], capture_output=True,
                         text=True, check=True, cwd="/").stdout.splitlines()
    assert "ggi-systems-leadership.yaml" in out[0]
    assert "report.html.j2" in out[1] and "report.md.j2" in out[1]
    assert "site-packages" in out[2]


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
    assert "What changed since responses" in (tmp_path / "compare.html").read_text()
    assert "Influencing rose by" in (tmp_path / "compare.md").read_text()
