"""leadlens: a command-line diagnostic toolkit for systems leadership.

The public API: load and validate question sets, and the models of the question-set format
and of the results document. Everything else is internal.
"""

from __future__ import annotations

__version__ = "0.1.0"

from leadlens.errors import LeadlensError, Problem, QuestionSetError, ResponsesError
from leadlens.models import QuestionSet
from leadlens.questionset import load_question_set, validate_file
from leadlens.results import Results

__all__ = [
    "LeadlensError",
    "Problem",
    "QuestionSet",
    "QuestionSetError",
    "ResponsesError",
    "Results",
    "__version__",
    "load_question_set",
    "validate_file",
]
