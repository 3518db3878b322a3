"""The files a command names, checked together before any work is done.

A command given missing inputs and an output that exists says all of it at once (collect
everything, then report once), not only the first thing it happened to look at.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from leadlens.errors import LeadlensError, Problem


def check_paths(inputs: Iterable[Path | str | None], output: Path | None, *,
                force: bool) -> None:
    """Raise one error listing every input that is missing or a folder, and the output's
    problem (exists without ``force``, a folder, one of the inputs even with ``force``...).
    Standard input (``-``) and inputs that are not regular files but can be read (a FIFO
    from ``<(...)``) are left to the readers.

    Raises:
        LeadlensError: every problem found, inputs first.
    """
    from leadlens.files import check_writable, not_regular, unreadable_input

    problems: list[Problem] = []
    inputs = list(inputs)
    for path in inputs:
        if path is None or str(path) == "-":
            continue
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            problems.append(unreadable_input(str(path), exc))
            continue
        if stat.S_ISDIR(mode):
            problems.append(not_regular(str(path), mode))
    if output is not None:
        try:
            check_writable(output, force=force, inputs=inputs)
        except LeadlensError as exc:
            if not problems:
                raise
            problems += exc.problems
    if problems:
        raise LeadlensError(problems)
