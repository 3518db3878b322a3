"""Bundled question sets in a precompiled form: the validated model as JSON, for start-up.

Loading a question set from YAML means importing PyYAML, composing the file with every
node's position, running the cross-reference checks and validating the model: about a
tenth of a second, paid by every ``leadlens score`` that uses the bundled set. A compiled
form is the model that loading gave, as JSON (``question_sets/compiled/<key>.json``), read
back with pydantic's JSON validator (under a millisecond).

The file's name is its key: a SHA-256 of the YAML's bytes and of the source of every module
whose rules decide what loading gives (the model, the checks, the YAML reader). A question
set whose bytes are the bundled file's, read by this version of those rules, has a compiled
form; an edited file, or an edited rule, changes the key and is loaded from YAML as always.
So the compiled form can be stale only by being unused, never by being wrong; the test
``tests/test_questionset_compiled.py`` keeps it current and equal to loading from YAML
(``LEADLENS_UPDATE_COMPILED=1`` writes it again, through
:func:`leadlens.questionset.loading.write_compiled`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from leadlens import files

if TYPE_CHECKING:
    from leadlens.questionset.model import QuestionSet

RULES = ("leadlens.questionset.model", "leadlens.questionset.checks",
         "leadlens.source.yamltree")
"""The modules whose source is part of the key (found without importing them)."""


def compiled_dir() -> Path:
    return files.bundled_dir("question_sets") / "compiled"


def _rules_digest() -> bytes | None:
    """A digest of the rule modules' source, or None if any cannot be read (then nothing is
    taken from a compiled form)."""
    package = Path(__file__).resolve().parents[1]  # src/leadlens
    digest = hashlib.sha256()
    for module in RULES:
        path = package.joinpath(*module.split(".")[1:]).with_suffix(".py")
        try:
            digest.update(path.read_bytes())
        except OSError:
            return None
    return digest.digest()


def key(data: bytes) -> str | None:
    """The compiled form's name for a question set's bytes, under the current rules."""
    rules = _rules_digest()
    if rules is None:
        return None
    return hashlib.sha256(rules + hashlib.sha256(data).digest()).hexdigest()


def load_compiled(data: bytes) -> QuestionSet | None:
    """The question set the bytes ``data`` load as, from its compiled form if there is one.

    None when there is none (any other file, or rules edited since): load from YAML then.
    """
    name = key(data)
    if name is None:
        return None
    try:
        payload = (compiled_dir() / f"{name}.json").read_bytes()
    except OSError:
        return None
    from pydantic import ValidationError

    from leadlens.questionset.model import QuestionSet

    try:
        return QuestionSet.model_validate_json(payload)
    except ValidationError:  # not what this version wrote: load from YAML
        return None


def compiled_form(question_set: QuestionSet) -> str:
    """The JSON a compiled form holds (by alias: ``from``, ``import``, as the YAML spells them)."""
    return question_set.model_dump_json(by_alias=True, indent=1) + "\n"
