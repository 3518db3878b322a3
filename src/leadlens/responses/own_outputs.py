"""Files that are not responses though they are given as responses, told apart before (or,
for tables, right after) reading: a text file named ``.parquet``, leadlens' YAML files (a
question set, a mapping, an answers file: :mod:`leadlens.source.kinds`), and its own outputs
(a results document, a comparison, the results workbook of ``score -o results.xlsx``, the
tidy tables of ``score -o results.parquet``, the scores CSV of ``score -f csv``).

Without these checks such a file is read as a CSV or matched column by column, and the user
sees one warning per question ("56 question column(s) missing") about a file that was
never responses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from leadlens.errors import Code, Problem, ResponsesError

_HEAD = 4096
# The first key of each leadlens JSON document, as its writers put it.
_DOCUMENTS = {
    "results_version": ("a leadlens results document",
                        "Make a report from it with: leadlens report {name} -o report.html"),
    "compare_version": ("a leadlens comparison document",
                        "Make a report from it with: leadlens report {name} -o compare.html"),
    "trend_version": ("a leadlens trend document",
                      "Make a report from it with: leadlens report {name} -o trend.html"),
}
_FIRST_KEY = re.compile(rb'^\s*\{\s*"([a-z_]+)"\s*:')


def check_before_reading(path: Path, *, parquet: bool) -> None:
    """Refuse a ``.parquet`` name on a file that is not Parquet, and a leadlens JSON document.

    Args:
        parquet: whether the file has Parquet's marker
            (:func:`~leadlens.responses.frames.is_parquet`).

    Raises:
        ResponsesError: one located problem.
    """
    name = str(path)
    if not parquet and path.suffix.lower() == ".parquet":
        raise ResponsesError([Problem(
            file=name, line=None,
            message="not a Parquet file: it does not start with Parquet's 'PAR1' marker",
            hint="If it is a CSV, name it .csv; otherwise write the Parquet file again "
                 "(it may be cut short or damaged)", code=Code.RESPONSES_NOT_PARQUET)])
    if parquet:
        return
    from leadlens.files import InputError, read_head

    try:
        head = read_head(path, _HEAD)
    except InputError:
        return  # the reader says why
    if head.startswith(b"PK\x03\x04") and _is_results_workbook(path):
        raise ResponsesError([Problem(
            file=name, line=None, message="a leadlens results workbook (score -o "
            "results.xlsx), not responses",
            hint="It holds the published figures, not answers: open it in a spreadsheet, or "
                 "score the responses it was made from", code=Code.RESPONSES_LEADLENS_OUTPUT)])
    found = _FIRST_KEY.match(head.lstrip(b"\xef\xbb\xbf"))
    if found is None:
        from leadlens.source.kinds import yaml_not_responses

        yaml_file = yaml_not_responses(head.decode("utf-8", errors="replace"), name)
        if yaml_file is not None:
            raise ResponsesError([yaml_file])
        return
    known = _DOCUMENTS.get(found.group(1).decode("ascii"))
    if known is None:
        return
    what, hint = known
    raise ResponsesError([Problem(
        file=name, line=1, message=f"{what}, not responses",
        hint=hint.format(name=_shell_word(name)), code=Code.RESPONSES_LEADLENS_OUTPUT)])


def check_table_header(name: str, header: Sequence[str]) -> None:
    """Refuse the tidy tables leadlens writes (``score -o results.parquet``) read as responses.

    Raises:
        ResponsesError: one located problem.
    """
    from leadlens.results.tables import COLUMNS

    if list(header) == list(COLUMNS):
        raise ResponsesError([Problem(
            file=name, message="leadlens' tidy results tables (score -o results.parquet), "
            "not responses",
            hint="Read them with polars or pandas; for a report, score the responses with "
                 "-o results.json and run: leadlens report results.json -o report.html",
            code=Code.RESPONSES_LEADLENS_OUTPUT)])


_PART_BYTES = 64 * 1024
"""The most of a workbook's part :func:`_is_results_workbook` unpacks."""


def _is_results_workbook(path: Path) -> bool:
    """Whether a workbook is one leadlens wrote (:mod:`leadlens.report.spreadsheet`): its
    creator is leadlens and its first sheet the cover. Only two small parts are unpacked;
    a damaged workbook is left to the reader, which says why."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            parts = {}
            for part in ("docProps/core.xml", "xl/workbook.xml"):
                info = book.getinfo(part)
                if info.file_size > _PART_BYTES:
                    return False
                parts[part] = book.read(info)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, NotImplementedError):
        return False
    return (b">leadlens</dc:creator>" in parts["docProps/core.xml"]
            and re.search(rb'<sheet [^>]*name="Cover"', parts["xl/workbook.xml"]) is not None)


def check_scores_header(name: str, header: Sequence[str], principles: Sequence[str],
                        rated: Sequence[str]) -> None:
    """Refuse the scores CSV leadlens writes (``score -f csv``: respondent fields, then each
    principle's score and the overall) read as responses: it ends with the question set's
    principle ids and ``overall``, and holds none of its rated questions.

    Raises:
        ResponsesError: one located problem.
    """
    names = [column.strip() for column in header]
    tail = [*principles, "overall"]
    if names[-len(tail):] != tail or set(rated) & set(names):
        return
    raise ResponsesError([Problem(
        file=name, line=1, message="leadlens' scores CSV (score -f csv: a score per "
        "respondent and principle), not responses",
        hint="Score the responses it was made from; to read the scores, open it with "
             "polars, pandas or a spreadsheet", code=Code.RESPONSES_LEADLENS_OUTPUT)])


def _shell_word(name: str) -> str:
    import shlex

    return shlex.quote(name) if name != "-" else "results.json"
