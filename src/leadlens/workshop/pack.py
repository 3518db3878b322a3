"""The board pack: the usual report of the submitted answers plus "What the board agreed"."""

from __future__ import annotations

from pathlib import Path

from leadlens.questionset.model import QuestionSet
from leadlens.results.document import Results
from leadlens.workshop.agreed import Agreed, load_agreed


def with_agreed(results: Results, agreed: Agreed, source: str) -> Results:
    """``results`` carrying what the board agreed (the document's ``agreed`` section)."""
    return results.model_copy(update={"agreed": agreed.result(results.question_set, source)})


def board_pack(qs: QuestionSet, responses: Path, agreed: Path | None) -> tuple[str, int]:
    """The HTML board pack for a workshop's responses file and agreed-levels file.

    The same as ``leadlens score RESPONSES --agreed AGREED -o board.html``. Returns the
    HTML and the number of respondents. Raises :class:`leadlens.errors.LeadlensError`.
    """
    from leadlens.report import render_report
    from leadlens.responses.reading import read_responses
    from leadlens.scoring import score

    data = read_responses([responses], qs)
    results = score(qs, data).results
    if agreed is not None and agreed.exists():
        results = with_agreed(results, load_agreed(agreed, qs), agreed.name)
    return render_report(results, "html"), results.respondents
