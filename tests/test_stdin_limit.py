"""Standard input over the size limit is "too large", as a file of that size is (tester F15).

The reader looks at its input twice (a format sniff, then the read). Standard input cannot be
read again: before the fix the second look saw only the rest of the pipe and reported a
missing header. Run in a real process with a real pipe, the limit lowered so the test is quick.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RUN = ("import sys, leadlens.files as f; f.LIMITS['responses file'] = 1000; "
       "from leadlens.cli._app import main; sys.argv = ['leadlens', *sys.argv[1:]]; main()")
CSV = "respondent_id,organisation,role\n" + "R1,A,Board member\n" * 100


@pytest.mark.parametrize("how", ["redirect", "pipe"])
def test_oversize_standard_input_is_too_large(tmp_path: Path, how: str) -> None:
    path = tmp_path / "big.csv"
    path.write_text(CSV, encoding="utf-8")
    command = [sys.executable, "-c", RUN, "score", "-"]
    if how == "redirect":
        with path.open("rb") as stdin:
            done = subprocess.run(command, stdin=stdin, capture_output=True, text=True,
                                  timeout=120, check=False)
    else:
        done = subprocess.run(command, input=CSV, capture_output=True, text=True,
                              timeout=120, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == ("-: too large: standard input (a responses file) may be at most "
                           "1,000 bytes; this is larger than that. Split the input, or check "
                           "that it is the input you meant\n")
    as_file = subprocess.run([sys.executable, "-c", RUN, "score", str(path)],
                             capture_output=True, text=True, timeout=120, check=False)
    assert as_file.returncode == 1
    assert as_file.stderr.startswith(f"{path}: too large: a responses file may be at most "
                                     "1,000 bytes; this is 1,832 bytes")
