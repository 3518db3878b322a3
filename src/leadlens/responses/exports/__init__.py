"""Reading survey-platform exports: Google Forms, Microsoft Forms, Qualtrics, SurveyMonkey,
LimeSurvey and Excel re-saves of any of them.

:func:`read_export` turns an export into leadlens' own columns (answer keys, field ids) with
answer labels already turned into scale values; :func:`inspect_export` shows what was
detected and how each column maps; :func:`needs_import` decides, from the first few KB,
whether a file needs this reader at all or is a plain leadlens responses CSV.
"""

from __future__ import annotations

from leadlens.responses.exports.detect import needs_import
from leadlens.responses.exports.mapping import RuleSource, load_mapping
from leadlens.responses.exports.reader import (
    Detection,
    ImportedTable,
    ImportOptions,
    Inspection,
    inspect_export,
    read_export,
)

__all__ = [
    "Detection",
    "ImportOptions",
    "ImportedTable",
    "Inspection",
    "RuleSource",
    "inspect_export",
    "load_mapping",
    "needs_import",
    "read_export",
]
