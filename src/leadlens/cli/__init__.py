"""The ``leadlens`` command line: the only place that reads argv, prints and exits.

Each command lives in a small module of this package and registers itself on :data:`app`;
it parses options, calls one library function and prints. Errors from the library arrive as
:class:`leadlens.errors.LeadlensError` and leave here as one line per problem and exit code 1.
"""

from __future__ import annotations

from leadlens.cli._app import app, main

# Importing a command module registers its commands on ``app``.
from leadlens.cli import questionsets as _questionsets  # noqa: F401  isort: skip
from leadlens.cli import survey as _survey  # noqa: F401  isort: skip
from leadlens.cli import score as _score  # noqa: F401  isort: skip
from leadlens.cli import report as _report  # noqa: F401  isort: skip
from leadlens.cli import inspect as _inspect  # noqa: F401  isort: skip
from leadlens.cli import compare as _compare  # noqa: F401  isort: skip
from leadlens.cli import workshop as _workshop  # noqa: F401  isort: skip

__all__ = ["app", "main"]
