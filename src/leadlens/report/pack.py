"""The board pack's additions to the template context (``report.*``).

* ``organisation``, ``logo``: the cover's (see :mod:`leadlens.report.cover`);
* ``collected``: when the answers were given (from ``submitted_at``), ``produced``: when the
  results were scored; the cover shows both, never the render time as "the date";
* ``discuss_first``, ``next_steps`` (principles in priority order), ``icb_steps``: see
  :mod:`leadlens.report.priorities`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict, cast

from leadlens.report.cover import Cover
from leadlens.report.priorities import as_data, discuss_first, icb_steps, principle_order
from leadlens.results.document import Results

if TYPE_CHECKING:
    from leadlens.report.view import IcbStepView, PriorityView


def day_text(day: dt.date) -> str:
    """``4 March 2024``."""
    return f"{day.day} {day:%B %Y}"


def period_text(first: dt.date | None, last: dt.date | None) -> str | None:
    """``4\u201315 March 2024``, ``28 February \u2013 15 March 2024``, or one day."""
    if first is None or last is None:
        return None
    if first == last:
        return day_text(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}\u2013{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} \u2013 {day_text(last)}"
    return f"{day_text(first)} \u2013 {day_text(last)}"


class Pack(TypedDict):
    """The ``report`` keys the board pack adds (declared in :class:`~.view.ReportView`)."""

    organisation: str | None
    logo: str | None
    collected: str | None
    produced: str
    discuss_first: list[PriorityView]
    next_steps: list[dict[str, Any]]
    icb_steps: list[IcbStepView]


def board_pack(results: Results, principles: list[dict[str, Any]], cover: Cover | None
               ) -> Pack:
    """The ``report`` keys the board pack adds; ``principles`` are the report's views."""
    first = discuss_first(results)
    by_id = {p["id"]: p for p in principles}
    return {
        "organisation": cover.organisation if cover else None,
        "logo": cover.logo if cover else None,
        "collected": period_text(results.collected_from, results.collected_to),
        "produced": day_text(results.generated_at.date()),
        "discuss_first": cast("list[PriorityView]", as_data(first)),
        "next_steps": [by_id[pid] for pid in principle_order(results, first) if pid in by_id],
        "icb_steps": cast("list[IcbStepView]", as_data(icb_steps(results.question_set, results))),
    }
