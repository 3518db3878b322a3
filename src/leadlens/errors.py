"""Located problems and the one exception family that carries them.

Every user-facing failure is a list of :class:`Problem` objects, each naming where it is
(file, line, column or CSV column), what is wrong and, where it helps, how to fix it, and
carrying a stable :class:`Code` (the catalogue in ``docs/errors.md``), so that logic and
tests check what kind of problem it is, never how it is worded.
Only ``leadlens.cli`` turns a :class:`LeadlensError` into output and an exit code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum, unique
from typing import Literal

Severity = Literal["error", "warning"]

MAX_PROBLEMS = 50
"""Problems listed from one input; the rest are counted ("... and N more problems")."""


@unique
class Code(StrEnum):
    """The catalogue of problem codes, one per kind of problem (as XLSForm/pyxform's
    ``ErrorCode``): ``group.name``, lower-case. A published code keeps its meaning; messages
    may be reworded. Each is documented in ``docs/errors.md`` (a test checks it)."""

    # Any input file
    FILE_UNREADABLE = "file.unreadable"
    FILE_TOO_LARGE = "file.too-large"
    FILE_NOT_UTF8 = "file.not-utf8"
    FILE_NOT_TEXT = "file.not-text"
    FILE_EMPTY = "file.empty"
    FILE_NOT_REGULAR = "file.not-regular"
    # Output files
    OUTPUT_EXISTS = "output.exists"
    OUTPUT_IS_FOLDER = "output.is-folder"
    OUTPUT_UNWRITABLE = "output.unwritable"
    OUTPUT_NO_FOLDER = "output.no-folder"
    OUTPUT_NOT_REGULAR = "output.not-regular"
    OUTPUT_IS_INPUT = "output.is-input"
    OUTPUT_NO_BROWSER = "output.no-browser"
    OUTPUT_BROWSER_FAILED = "output.browser-failed"
    # YAML and JSON documents (question sets, mappings, answers files, results)
    YAML_SYNTAX = "yaml.syntax"
    YAML_SECOND_DOCUMENT = "yaml.second-document"
    YAML_TOO_DEEP = "yaml.too-deep"
    YAML_TOO_MANY_ALIASES = "yaml.too-many-aliases"
    YAML_TOO_MANY_VALUES = "yaml.too-many-values"
    YAML_UNSUPPORTED_TAG = "yaml.unsupported-tag"
    YAML_MERGE_KEY = "yaml.merge-key"
    YAML_KEY_NOT_TEXT = "yaml.key-not-text"
    YAML_DUPLICATE_KEY = "yaml.duplicate-key"
    YAML_YAML11_BOOLEAN = "yaml.yaml11-boolean"
    YAML_YAML11_NUMBER = "yaml.yaml11-number"
    YAML_RECURSIVE_ALIAS = "yaml.recursive-alias"
    YAML_BAD_DATE = "yaml.bad-date"
    YAML_CSV_FILE = "yaml.csv-file"
    JSON_SYNTAX = "json.syntax"
    JSON_TOO_DEEP = "json.too-deep"
    # A value of the wrong shape for its document (one translation of pydantic's errors)
    SCHEMA_NOT_A_MAPPING = "schema.not-a-mapping"
    SCHEMA_MISSING_KEY = "schema.missing-key"
    SCHEMA_UNKNOWN_KEY = "schema.unknown-key"
    SCHEMA_WRONG_TYPE = "schema.wrong-type"
    SCHEMA_INVALID_ID = "schema.invalid-id"
    SCHEMA_OUT_OF_RANGE = "schema.out-of-range"
    SCHEMA_LENGTH = "schema.length"
    SCHEMA_NOT_A_CHOICE = "schema.not-a-choice"
    SCHEMA_INVALID = "schema.invalid"
    # Question sets: what the semantic checks find
    QUESTIONSET_NOT_FOUND = "questionset.not-found"
    QUESTIONSET_DUPLICATE_ID = "questionset.duplicate-id"
    QUESTIONSET_DUPLICATE_VALUE = "questionset.duplicate-value"
    QUESTIONSET_DUPLICATE_LABEL = "questionset.duplicate-label"
    QUESTIONSET_UNSCORED_IS_OPTION = "questionset.unscored-is-option"
    QUESTIONSET_BANDS_START = "questionset.bands-start"
    QUESTIONSET_BANDS_ORDER = "questionset.bands-order"
    QUESTIONSET_UNKNOWN_BAND = "questionset.unknown-band"
    QUESTIONSET_UNKNOWN_PRINCIPLE = "questionset.unknown-principle"
    QUESTIONSET_UNKNOWN_SECTION = "questionset.unknown-section"
    QUESTIONSET_UNKNOWN_PERSPECTIVE = "questionset.unknown-perspective"
    QUESTIONSET_UNKNOWN_TIMEPOINT = "questionset.unknown-timepoint"
    QUESTIONSET_UNKNOWN_SCALE = "questionset.unknown-scale"
    QUESTIONSET_NO_RECOMMENDATION = "questionset.no-recommendation"
    QUESTIONSET_EMPTY_PRINCIPLE = "questionset.empty-principle"
    QUESTIONSET_FEW_QUESTIONS = "questionset.few-questions"
    QUESTIONSET_CHOICES_MISSING = "questionset.choices-missing"
    QUESTIONSET_CHOICES_NOT_ALLOWED = "questionset.choices-not-allowed"
    QUESTIONSET_FIELD_CLASH = "questionset.field-clash"
    QUESTIONSET_SCALE_MISSING = "questionset.scale-missing"
    QUESTIONSET_NOT_FOR_TEXT = "questionset.not-for-text"
    QUESTIONSET_PERSPECTIVES_AND_TIMEPOINTS = "questionset.perspectives-and-timepoints"
    QUESTIONSET_LISTED_TWICE = "questionset.listed-twice"
    QUESTIONSET_MIN_ANSWERED = "questionset.min-answered"
    QUESTIONSET_SCALE_SPAN = "questionset.scale-span"
    QUESTIONSET_LABEL_IS_NUMBER = "questionset.label-is-number"
    QUESTIONSET_MIXED_SCRIPT = "questionset.mixed-script"
    QUESTIONSET_LOOK_ALIKE = "questionset.look-alike"
    QUESTIONSET_LOOK_ALIKE_LETTERS = "questionset.look-alike-letters"
    QUESTIONSET_BAD_REPLACES = "questionset.bad-replaces"
    QUESTIONSET_OWN_VERSION = "questionset.own-version"
    QUESTIONSET_FAVOURABLE_NOT_A_VALUE = "questionset.favourable-not-a-value"
    QUESTIONSET_FAVOURABLE_ALL = "questionset.favourable-all"
    QUESTIONSET_UNKNOWN_OPTION = "questionset.unknown-option"
    QUESTIONSET_RECOMMENDATIONS_NOT_HERE = "questionset.recommendations-not-here"
    # Import rules (a question set's import section, or a --mapping file)
    IMPORT_ONE_MATCHER = "import.one-matcher"
    IMPORT_BAD_REGEX = "import.bad-regex"
    IMPORT_BAD_TEMPLATE = "import.bad-template"
    IMPORT_REGEX_TIMEOUT = "import.regex-timeout"
    IMPORT_UNKNOWN_TARGET = "import.unknown-target"
    IMPORT_UNKNOWN_SCALE = "import.unknown-scale"
    IMPORT_NOT_A_VALUE = "import.not-a-value"
    IMPORT_QUALTRICS_RECODES = "import.qualtrics-recodes"
    # Reading CSV files, workbooks and platform exports
    CSV_DUPLICATE_HEADER = "csv.duplicate-header"
    CSV_RAGGED_ROW = "csv.ragged-row"
    CSV_UNCLOSED_QUOTE = "csv.unclosed-quote"
    CSV_STRAY_QUOTE = "csv.stray-quote"
    CSV_INVALID = "csv.invalid"
    CSV_CELL_TOO_LARGE = "csv.cell-too-large"
    ENCODING_MIXED = "encoding.mixed"
    ENCODING_GUESSED = "encoding.guessed"
    ENCODING_UNKNOWN = "encoding.unknown"
    ENCODING_INVALID_BYTE = "encoding.invalid-byte"
    XLSX_UNREADABLE = "xlsx.unreadable"
    XLSX_TOO_LARGE = "xlsx.too-large"
    XLSX_SHEET_CHOICE = "xlsx.sheet-choice"
    XLSX_OTHER_SHEET = "xlsx.other-sheet"
    XLSX_FORMULA_WITHOUT_RESULT = "xlsx.formula-without-result"
    EXPORT_PARTIAL_HEADER = "export.partial-header"
    EXPORT_NOT_RESPONSES = "export.not-responses"
    EXPORT_UNFINISHED = "export.unfinished"
    RESPONSES_LEADLENS_OUTPUT = "responses.leadlens-output"
    RESPONSES_YAML_FILE = "responses.yaml-file"
    # Responses: columns and answers
    RESPONSES_AMBIGUOUS_COLUMN = "responses.ambiguous-column"
    RESPONSES_DUPLICATE_COLUMN = "responses.duplicate-column"
    RESPONSES_UNKNOWN_COLUMN = "responses.unknown-column"
    RESPONSES_SIMILAR_COLUMN = "responses.similar-column"
    RESPONSES_BLANK_HEADER = "responses.blank-header"
    RESPONSES_NO_QUESTION_COLUMNS = "responses.no-question-columns"
    RESPONSES_MISSING_COLUMNS = "responses.missing-columns"
    RESPONSES_MISSING_QUESTIONS = "responses.missing-questions"
    RESPONSES_MISSING_FIELDS = "responses.missing-fields"
    RESPONSES_UNKNOWN_ANSWER = "responses.unknown-answer"
    RESPONSES_OFF_SCALE = "responses.off-scale"
    RESPONSES_NOT_WHOLE_NUMBER = "responses.not-whole-number"
    RESPONSES_BOOLEAN = "responses.boolean"
    RESPONSES_NOT_A_CHOICE = "responses.not-a-choice"
    RESPONSES_REQUIRED = "responses.required"
    RESPONSES_INVALID_AS_MISSING = "responses.invalid-as-missing"
    RESPONSES_BLANK_ROWS = "responses.blank-rows"
    RESPONSES_AMBIGUOUS_DATES = "responses.ambiguous-dates"
    RESPONSES_UNREADABLE_DATES = "responses.unreadable-dates"
    RESPONSES_NONE = "responses.none"
    RESPONSES_DUPLICATE_IDS = "responses.duplicate-ids"
    RESPONSES_MORE_WARNINGS = "responses.more-warnings"
    RESPONSES_NOT_PARQUET = "responses.not-parquet"
    RESPONSES_TOO_LARGE = "responses.too-large"
    RESPONSES_RUN_TOO_LARGE = "responses.run-too-large"
    RESPONSES_CELL_TOO_LARGE = "responses.cell-too-large"
    # The survey's responses file and its journal
    SURVEY_NO_HEADER = "survey.no-header"
    SURVEY_HEADER_MISMATCH = "survey.header-mismatch"
    SURVEY_NOTHING_TO_RESUME = "survey.nothing-to-resume"
    SURVEY_JOURNAL_DAMAGED = "survey.journal-damaged"
    SURVEY_JOURNAL_OTHER_SET = "survey.journal-other-set"
    SURVEY_UNWRITABLE = "survey.unwritable"
    SURVEY_NO_ANSWERS = "survey.no-answers"
    SURVEY_CHOICE_TWICE = "survey.choice-twice"
    SURVEY_NO_CHOICES = "survey.no-choices"
    SURVEY_TOO_MANY_CHOICES = "survey.too-many-choices"
    SURVEY_CHOICE_NOT_PRINTABLE = "survey.choice-not-printable"
    SURVEY_ANSWER_NOT_PRINTABLE = "survey.answer-not-printable"
    # The workshop's files and server
    WORKSHOP_FILES_IN_THE_WAY = "workshop.files-in-the-way"
    WORKSHOP_NOTHING_TO_RESUME = "workshop.nothing-to-resume"
    WORKSHOP_STATE_DAMAGED = "workshop.state-damaged"
    WORKSHOP_NO_RECORD = "workshop.no-record"
    WORKSHOP_OTHER_SET = "workshop.other-set"
    WORKSHOP_CANNOT_LISTEN = "workshop.cannot-listen"
    # Agreed-levels files (board.agreed.yaml)
    AGREED_VERSION = "agreed.version"
    AGREED_OTHER_SET = "agreed.other-set"
    AGREED_OTHER_VERSION = "agreed.other-version"
    AGREED_UNKNOWN_BAND = "agreed.unknown-band"
    AGREED_NOT_A_DATE = "agreed.not-a-date"
    # Options the library refuses (exit code 2 on the command line)
    OPTION_UNKNOWN_FIELD = "option.unknown-field"
    OPTION_FIELD_TWICE = "option.field-twice"
    OPTION_BELOW_ANONYMITY_FLOOR = "option.below-anonymity-floor"
    OPTION_NOT_POSITIVE = "option.not-positive"
    OPTION_UNKNOWN_CHOICE = "option.unknown-choice"
    OPTION_UNKNOWN_FORMAT = "option.unknown-format"
    OPTION_BAD_DELIMITER = "option.bad-delimiter"
    OPTION_FILES_ONLY = "option.files-only"
    OPTION_NOT_DATA = "option.not-data"
    OPTION_BAD_LABELS = "option.bad-labels"
    OPTION_TOO_FEW_WAVES = "option.too-few-waves"
    OPTION_NOT_ONE_PER_WAVE = "option.not-one-per-wave"
    OPTION_STDIN_TWICE = "option.stdin-twice"
    # Scoring
    SCORING_UNSCORED_PRINCIPLE = "scoring.unscored-principle"
    SCORING_NEAR_DUPLICATE_GROUPS = "scoring.near-duplicate-groups"
    SCORING_NOT_A_CHOICE = "scoring.not-a-choice"
    # Results documents read back
    RESULTS_NOT_RESULTS = "results.not-results"
    RESULTS_VERSION = "results.version"
    RESULTS_NOT_FINITE = "results.not-finite"
    RESULTS_TOO_LARGE = "results.too-large"
    RESULTS_OUT_OF_DOMAIN = "results.out-of-domain"
    RESULTS_ANONYMITY = "results.anonymity"
    RESULTS_UNCHECKED_BREAKDOWNS = "results.unchecked-breakdowns"
    RESULTS_INCONSISTENT = "results.inconsistent"
    # Comparing waves
    COMPARE_OTHER_QUESTION_SET = "compare.other-question-set"
    COMPARE_NO_BREAKDOWN = "compare.no-breakdown"
    COMPARE_NOT_INDEPENDENT = "compare.not-independent"
    # The report's cover
    REPORT_LOGO_NOT_AN_IMAGE = "report.logo-not-an-image"
    # Report templates
    TEMPLATE_SYNTAX = "template.syntax"
    TEMPLATE_UNDEFINED = "template.undefined"
    TEMPLATE_FORBIDDEN = "template.forbidden"
    TEMPLATE_NOT_FOUND = "template.not-found"
    TEMPLATE_RECURSION = "template.recursion"
    TEMPLATE_ERROR = "template.error"
    TEMPLATE_LIMIT = "template.limit"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in one place of one input."""

    file: str
    message: str
    line: int | None = None
    col: int | None = None
    path: str = ""
    severity: Severity = "error"
    hint: str = ""
    column: str | None = None  # CSV column header, for tabular inputs
    code: Code = field(kw_only=True)
    """What kind of problem this is; stable across releases, unlike the wording."""

    def location(self) -> str:
        """``file:line:col`` (YAML) or ``file:line: column 'name'`` (CSV)."""
        return location(self.file, self.line, self.col, self.column)

    def __str__(self) -> str:
        return problem_text(self.location(), self.severity, self.path, self.message, self.hint)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": str(self.code),
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "column": self.column,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class LeadlensError(Exception):
    """Base error: one or more located problems that stop the command (exit code 1)."""

    problems: list[Problem] = field(default_factory=list)
    omitted: int = 0  # problems found but not listed (the list was capped)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        return "\n".join(str(p) for p in self.problems)



class QuestionSetError(LeadlensError):
    """A question set could not be loaded or is invalid."""


class ResponsesError(LeadlensError):
    """A responses file (CSV, answers file, platform export) is invalid."""


class TemplateError(LeadlensError):
    """A report template failed to compile or render."""


class OutputExistsError(LeadlensError):
    """An output file exists and ``--force`` was not given."""


@dataclass
class UsageError(LeadlensError, ValueError):
    """An option the library refuses (the command line's exit code 2, not 1).

    The library owns the rule (a ``--by`` field must exist, the anonymity threshold may be
    raised but not lowered, ...); the CLI only prints ``Error: --OPTION MESSAGE``. ``option``
    is the argument's name in the Python API (``min_group_size``), ``code`` a stable name for
    the rule, so no caller has to match message text. A ``ValueError`` too, as the API
    documented before options had their own error.
    """

    option: str = ""
    code: str = ""  # the Code of its problem (a str, so comparing with text works too)

    @classmethod
    def about(cls, option: str, message: str, *, code: Code) -> UsageError:
        """One refused option: ``message`` starts with the value (``2: may raise ...``)."""
        return cls([Problem(file="", path=option, message=message, code=code)], option=option,
                   code=code)

    def summary(self) -> str:
        return "\n".join(f"{p.path} {p.message}" for p in self.problems)


def format_path(path: tuple[str | int, ...]) -> str:
    """``('questions', 5, 'principle')`` -> ``questions[5].principle``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def location(file: str | None, line: int | None = None, col: int | None = None,
             column: str | None = None) -> str:
    """``file:line:col`` (YAML) or ``file:line: column 'name'`` (CSV); "" without a file."""
    if file is None:
        return ""
    loc = file
    if line is not None:
        loc += f":{line}"
        if col is not None:
            loc += f":{col}"
    if column is not None:
        loc += f": column {column!r}"
    return loc


def problem_text(where: str, severity: Severity, path: str, message: str, hint: str) -> str:
    """The one line a problem prints as: ``where: [warning: ][path: ]message. Hint``.

    Without a location (a warning about scoring as a whole) it is just the message.
    """
    text = f"{where}: " + ("warning: " if severity == "warning" else "") if where else ""
    if path:
        text += f"{path}: "
    return text + with_hint(message, hint)


def with_hint(message: str, hint: str) -> str:
    """A message and its hint as one sentence: ``msg. Hint`` (or ``msg (hint)``)."""
    if not hint:
        return message
    return f"{message} {hint}" if hint.startswith("(") else f"{message}. {hint}"


def unreadable(file: str, exc: OSError) -> Problem:
    """The one wording for an input that cannot be read (missing, a folder, no permission)."""
    return Problem(file=file, message=f"cannot read: {exc.strerror or exc}",
                   code=Code.FILE_UNREADABLE)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word``, or None when nothing is close (the one cut-off)."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A "Did you mean 'x'?" hint, or an empty string when nothing is close."""
    close = closest(word, choices)
    return f"Did you mean {close!r}?" if close is not None else ""
