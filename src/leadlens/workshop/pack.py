"""The board pack: the usual report of the submitted answers plus "What the board agreed"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leadlens.questionset.model import QuestionSet
from leadlens.results.document import Results
from leadlens.workshop.agreed import Agreed, load_agreed
from leadlens.workshop.published import HeldBack, PackGuard, Publication, Record, pack_publication


def with_agreed(results: Results, agreed: Agreed, source: str) -> Results:
    """``results`` carrying what the board agreed (the document's ``agreed`` section)."""
    return results.model_copy(update={"agreed": agreed.result(results.question_set, source)})


@dataclass(frozen=True)
class Pack:
    """A board pack, ready to write, and what it published."""

    html: str
    respondents: int
    held: HeldBack
    publication: Publication | None
    """The pack as a publication, for the workshop's record (None without a record)."""


def board_pack(qs: QuestionSet, responses: Path, agreed: Path | None,
               record: Record | None = None, at: str = "") -> Pack:
    """The HTML board pack for a workshop's responses file and agreed-levels file.

    The same as ``leadlens score RESPONSES --agreed AGREED -o board.html``: every unit
    whose answers moved by too few people since the workshop published it (``record``) is
    held back (:mod:`leadlens.workshop.published`). Raises
    :class:`leadlens.errors.LeadlensError`.
    """
    from leadlens.report import render_report
    from leadlens.responses.reading import read_responses
    from leadlens.scoring import score

    data = read_responses([responses], qs)
    guard = PackGuard.beside(qs, [])
    if record is not None:
        guard.records.append(record)
    results = guard.results(score(qs, guard.responses(data)).results)
    if agreed is not None and agreed.exists():
        results = with_agreed(results, load_agreed(agreed, qs), agreed.name)
    publication = None if record is None else pack_publication(qs, data, record.key,
                                                               guard.held, at)
    return Pack(render_report(results, "html"), results.respondents, guard.held, publication)
