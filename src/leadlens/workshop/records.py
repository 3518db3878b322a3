"""Where a workshop's record of what its screen showed sits, and the guard every scoring
path (``score``, ``leadlens.score``, the waves of ``compare`` and ``trend``) builds from it.

Light on purpose: scoring a file with no record beside it imports nothing of the workshop.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadlens.workshop import RECORD_SUFFIX

if TYPE_CHECKING:
    from leadlens.questionset.model import QuestionSet
    from leadlens.workshop.published import PackGuard


def workshop_guard(qs: QuestionSet, data: Any, min_group_size: int | None = None,
                   record: Path | None = None, *, always: bool = False) -> PackGuard | None:
    """What the screen of the workshop whose record sits beside a responses file showed, or
    of the one ``record`` names: scoring holds back whatever it showed with a slightly
    different set of answers, so the two cannot be subtracted
    (:class:`leadlens.workshop.published.PackGuard`). None when ``data`` is no file and no
    record is named, or no record is there (unless ``always``: ``score --agreed``, which
    warns about the files without one).

    Raises:
        LeadlensError: a damaged record, or a ``record`` that is not there.
    """
    paths = ([Path(data)] if isinstance(data, str | os.PathLike)
             else [Path(d) for d in data] if isinstance(data, list | tuple)
             and all(isinstance(d, str | os.PathLike) for d in data) else [])
    if record is None and not always and not any(
            p.with_name(p.name + RECORD_SUFFIX).is_file() for p in paths):
        return None
    from leadlens.workshop.published import PackGuard

    return PackGuard.beside(qs, paths, min_group_size, record)
