"""Loading question sets: from a path or a bundled id, with every problem located."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadlens import files
from leadlens.errors import Code, Problem, QuestionSetError, did_you_mean
from leadlens.questionset.compiled import compiled_dir, compiled_form, key, load_compiled
from leadlens.questionset.hints import DOMAIN_HINTS
from leadlens.questionset.model import QuestionSet

DEFAULT_QUESTION_SET = "ggi-systems-leadership"



@dataclass
class Validation:
    """The outcome of validating one file: the model (when valid) and every problem."""

    file: str
    question_set: QuestionSet | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def bundled_dir() -> Path:
    """The folder of bundled question sets (inside the wheel, or the repo when editable)."""
    return files.bundled_dir("question_sets")


def bundled_sets() -> dict[str, Path]:
    """Bundled question-set ids (file stems) and their files."""
    folder = bundled_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def write_compiled(folder: Path | None = None) -> list[Path]:
    """(Re)write the compiled form of every bundled question set
    (:mod:`leadlens.questionset.compiled`) and remove any other; the files written.

    Raises:
        QuestionSetError: a bundled set does not load.
        OSError: the rule modules' source cannot be read (nothing to key the forms by).
    """
    folder = compiled_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)  # its own folder (write_atomic creates none)
    written = []
    for path in bundled_sets().values():
        data = path.read_bytes()
        name = key(data)
        if name is None:
            raise OSError(f"cannot read the question-set rules' source beside {__file__}")
        target = folder / f"{name}.json"
        files.write_atomic(target, compiled_form(load_from_yaml(data, str(path))), force=True)
        written.append(target)
    for stale in set(folder.glob("*.json")) - set(written):
        stale.unlink()
    return written


def resolve(ref: str | Path | None) -> Path:
    """A path for ``ref``: an existing file, or a bundled id; None means the default set."""
    ref = DEFAULT_QUESTION_SET if ref is None else ref
    path = Path(ref)
    # A FIFO or device is returned too, for the reader to refuse by name; '-' is stdin.
    if str(ref) == "-" or path.is_file() or (path.exists() and not path.is_dir()):
        return path
    bundled = bundled_sets()
    if isinstance(ref, str) and ref in bundled:
        return bundled[ref]
    hint = did_you_mean(str(ref), bundled) or (
        f"Bundled sets: {', '.join(bundled)}" if bundled else "")
    raise QuestionSetError([Problem(file=str(ref), message="no such question-set file or "
                                    "bundled id", hint=hint, code=Code.QUESTIONSET_NOT_FOUND)])


def load_question_set(ref: str | Path | None = None) -> QuestionSet:
    """Load and validate a question set; raise :class:`QuestionSetError` if it is invalid.

    Warnings do not stop loading.
    """
    path = resolve(ref)
    try:
        data = files.read_input(path, "question set")
    except files.InputError as exc:
        raise QuestionSetError(exc.problems) from None
    # The bundled set, unedited, from its compiled form (no YAML; see questionset.compiled).
    return load_compiled(data) or load_from_yaml(data, str(path))


def load_from_yaml(data: bytes, name: str) -> QuestionSet:
    """Validate question-set YAML (bytes); raise :class:`QuestionSetError` if it is invalid."""
    result = validate_bytes(data, name)
    if result.question_set is None:
        raise QuestionSetError(result.errors)
    return result.question_set


def validate_file(path: Path, display_name: str | None = None) -> Validation:
    """Validate one question-set file, collecting every problem in it."""
    name = display_name or str(path)
    try:
        data = files.read_input(path, "question set", name=name)
    except files.InputError as exc:
        return Validation(name, problems=list(exc.problems))
    return validate_bytes(data, name)


def validate_bytes(data: bytes, name: str) -> Validation:
    """Validate question-set YAML given as bytes (``name`` is used in locations)."""
    # PyYAML and the checks are imported here, not at start-up: the bundled set loads
    # from its compiled form without them.
    from pydantic import ValidationError

    from leadlens.questionset.checks import check_question_set
    from leadlens.source.schema_errors import describe, validation_problems
    from leadlens.source.yamltree import format_path, load_yaml

    raw, smap, problems = load_yaml(data, name)
    result = Validation(name, problems=list(problems))
    if raw is None and problems:
        return result
    if not isinstance(raw, dict):
        line, col = smap.locate(())
        result.problems.append(Problem(file=name, line=line, col=col,
                                       message="expected a mapping of keys (schema_version, "
                                       f"id, title, ...), got {describe(raw)}",
                                       code=Code.SCHEMA_NOT_A_MAPPING))
        return result
    lines = {path: pos[0] for path, pos in smap.values.items()}
    for finding in check_question_set(raw, lines):
        line, col = smap.locate(finding.path, key=finding.at_key)
        result.problems.append(Problem(file=name, line=line, col=col,
                                       path=format_path(finding.path), message=finding.message,
                                       hint=finding.hint, severity=finding.severity,
                                       code=finding.code))
    model: QuestionSet | None = None
    try:
        model = QuestionSet.model_validate(raw)
    except ValidationError as exc:
        # A value the YAML layer already refused (e.g. unquoted No) is not reported twice,
        # nor the model's cross-reference guard (a root error): the checks located those.
        refused = {(p.line, p.col) for p in problems}
        result.problems += [p for p in validation_problems(exc, name, QuestionSet, smap=smap,
                                                      hints=DOMAIN_HINTS)
                            if (p.line, p.col) not in refused
                            and not (p.code is Code.SCHEMA_INVALID and not p.path)]
    result.problems.sort(key=lambda p: (p.line or 0, p.col or 0, p.severity))
    result.problems = _dedupe(result.problems)
    if model is not None and not result.errors:
        result.question_set = model.located(name, smap)
    return result


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for p in problems:
        key = (p.line, p.col, p.path, p.code, p.message)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique
