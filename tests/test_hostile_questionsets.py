"""Question sets whose values are out of their domain: each a located error at validation.

Weights, min_answered, scale values and their span, labels that read back ambiguously,
recursive anchors, impossible dates and YAML 1.1 numbers that are text. A property test
feeds random numbers into those places: validation either refuses them with located
problems or the set scores to finite numbers; never a traceback.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import MINIMAL_SET
from leadlens.cli import app
from leadlens.questionset.loading import validate_bytes
from leadlens.scoring import Responses, score

runner = CliRunner()

B1 = "{id: b1, principle: basics, text: One, scale: agreement}"
AGREE = "{value: 4, label: Agree}"
TOP = "{value: 5, label: Strongly agree}"
WEIGHT_HINT = "Weights are relative, above 0 and at most 1000: 2 counts twice"
VALUE_HINT = ("Option values are whole numbers from -1000 to 1000, at most 100 apart within a "
              "scale")
MIN_HINT = "Use a fraction below 1 (0.5: half the items) or a whole number of items"


def _set(old: str, new: str, extra: str = "") -> str:
    assert old in MINIMAL_SET
    return MINIMAL_SET.replace(old, new) + extra


CASES = [
    (_set(B1, B1[:-1] + ", weight: .inf}"),
     f"qs.yaml:24:70: questions[0].weight: must be a finite number, got a number (inf). "
     f"{WEIGHT_HINT}"),
    (_set("name: Basics", "name: Basics\n    weight: .nan"),
     f"qs.yaml:20:13: principles[0].weight: must be a finite number, got a number (nan). "
     f"{WEIGHT_HINT}"),
    (_set("name: Basics", "name: Basics\n    weight: 1.0e+300"),
     f"qs.yaml:20:13: principles[0].weight: must be at most 1000, got a number (1e+300). "
     f"{WEIGHT_HINT}"),
    (_set("name: Basics", "name: Basics\n    weight: 1.0e308"),
     "qs.yaml:20:13: principles[0].weight: expected a number, got text ('1.0e308'). YAML 1.1 "
     f"reads 1.0e308 as text, and as a number it is out of range. {WEIGHT_HINT}"),
    (_set("name: Basics", "name: Basics\n    weight: 2e3"),
     "qs.yaml:20:13: principles[0].weight: expected a number, got text ('2e3'). YAML 1.1 "
     f"reads 2e3 as text, and as a number it is out of range. {WEIGHT_HINT}"),
    (MINIMAL_SET + "scoring: {min_answered: .inf}\n",
     f"qs.yaml:27:25: scoring.min_answered: must be a finite number, got a number (inf). "
     f"{MIN_HINT}"),
    (MINIMAL_SET + "scoring: {min_answered: -.inf}\n",
     f"qs.yaml:27:25: scoring.min_answered: must be a finite number, got a number (-inf). "
     f"{MIN_HINT}"),
    (MINIMAL_SET + "scoring: {min_answered: 1000000}\n",
     f"qs.yaml:27:25: scoring.min_answered: must be at most 1000, got a number (1000000). "
     f"{MIN_HINT}"),
    (_set(TOP, "{value: 100000000000000000000000000000000, label: Strongly agree}"),
     "qs.yaml:12:17: scales.agreement.options[4].value: must be at most 1000, got a number "
     f"(100000000000000000000000000000000). {VALUE_HINT}"),
    (_set(TOP, "{value: -9223372036854775808, label: Strongly agree}"),
     "qs.yaml:12:17: scales.agreement.options[4].value: must be at least -1000, got a number "
     f"(-9223372036854775808). {VALUE_HINT}"),
    (_set(TOP, "{value: 500, label: Strongly agree}"),
     f"qs.yaml:7:5: scales.agreement: option values span 1 to 500, more than 100 apart. "
     f"{VALUE_HINT}"),
    (_set(AGREE, "{value: 4, label: '5'}"),
     "qs.yaml:11:27: scales.agreement.options[3].label: '5' of option 4 reads as the number 5, "
     "the value of option 5. An answer is read as a label before a number; use a label that "
     "is not a number, or the option's own value"),
    (_set(AGREE, "{value: 4, label: Agree, aliases: ['2']}"),
     "qs.yaml:11:44: scales.agreement.options[3].aliases[0]: '2' of option 4 reads as the "
     "number 2, the value of option 2"),
    (_set("unscored: [\"Don't know\"]", "unscored: ['3']"),
     "qs.yaml:13:16: scales.agreement.unscored[0]: '3' of an unscored answer reads as the "
     "number 3, the value of option 3"),
    (_set(AGREE, '{value: 4, label: "Caf\\u00e9"}').replace(
        "{value: 3, label: Neither agree nor disagree}", '{value: 3, label: "Cafe\\u0301"}'),
     "qs.yaml:11:27: scales.agreement.options[3].label: 'Caf\u00e9' reads the same as "
     "'Cafe\u0301' of "
     "option 3. Answers are compared ignoring case, spaces, Unicode form (NFC/NFD) and "
     "trailing punctuation; make them differ"),
    (_set(AGREE, '{value: 4, label: "Strongly\\u00a0agree"}'),
     "qs.yaml:12:27: scales.agreement.options[4].label: 'Strongly agree' reads the same as "
     "'Strongly\\xa0agree' of option 4"),
    (_set("unscored: [\"Don't know\"]", "unscored: &a [*a]"),
     "qs.yaml:13:19: alias *a is inside the value it names (a recursive anchor). A value "
     "cannot contain itself; write it out"),
    (MINIMAL_SET.replace("questions:", "extra: &b {x: [1, {y: *b}]}\nquestions:"),
     "alias *b is inside the value it names (a recursive anchor)"),
    (MINIMAL_SET.replace('{id: organisation, prompt: "Which organisation?", required: true}',
                         '{id: organisation, prompt: "Which organisation?", type: choice, '
                         'choices: [NHS trust, "NHS\\u00a0Trust."]}'),
     "qs.yaml:22:90: respondent[0].choices[1]: 'NHS\\xa0Trust.' reads the same as 'NHS "
     "trust' (choice 1)"),
    (MINIMAL_SET + "source: {title: T, date: 2023-02-30}\n",
     "qs.yaml:27:26: source.date: '2023-02-30' is not a real date or time (day is out of "
     "range for month). Write a date that exists, as YYYY-MM-DD"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_out_of_domain_values_are_located_errors(text: str, expected: str) -> None:
    result = validate_bytes(text.encode(), "qs.yaml")
    shown = [str(p) for p in result.errors]
    assert result.question_set is None
    assert any(line.startswith(expected) or expected in line for line in shown), shown


def test_cli_validate_and_score_give_no_traceback(write) -> None:  # type: ignore[no-untyped-def]
    for i, (text, _) in enumerate(CASES):
        path = write(f"qs{i}.yaml", text)
        for args in (["validate", str(path)], ["score", "-q", str(path), str(path)]):
            result = runner.invoke(app, args)
            assert result.exit_code == 1, (args, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert "Traceback" not in result.output


def test_a_confusable_label_is_a_warning() -> None:
    result = validate_bytes(_set(AGREE, '{value: 4, label: "Agr\\u0435e"}').encode(), "qs.yaml")
    assert result.question_set is not None and not result.errors
    assert [str(p) for p in result.problems] == [
        "qs.yaml:11:27: warning: scales.agreement.options[3].label: 'Agrеe' mixes Latin and "
        "Cyrillic letters in one word. A look-alike letter (a Cyrillic 'е' for a Latin 'e') "
        "makes typed answers fail to match; retype it"]


def test_a_label_that_is_its_own_value_is_fine() -> None:
    text = _set(AGREE, "{value: 4, label: '4'}")
    assert validate_bytes(text.encode(), "qs.yaml").question_set is not None


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 1000, 1001, 2**31, 2**63, -(2**63), 1e-300, 5e-324]),
)


def _yaml_number(value: float | int) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)  # 1e+300 is text to YAML 1.1: refused with the exponent hint
    return str(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weight=NUMBERS, min_answered=NUMBERS, top=NUMBERS)
def test_random_numbers_are_refused_or_score_finitely(weight: float | int,
                                                      min_answered: float | int,
                                                      top: float | int) -> None:
    text = (_set("name: Basics", f"name: Basics\n    weight: {_yaml_number(weight)}")
            .replace(TOP, f"{{value: {_yaml_number(top)}, label: Strongly agree}}")
            + f"scoring: {{min_answered: {_yaml_number(min_answered)}}}\n")
    result = validate_bytes(text.encode(), "qs.yaml")
    qs = result.question_set
    if qs is None:
        assert result.errors and all(p.line is not None for p in result.errors)
        return
    scale = qs.scales["agreement"]
    assert scale.max - scale.min <= 100
    values = [o.value for o in scale.options]
    rng = np.random.default_rng(0)
    records = [{"organisation": "A", **{k: int(rng.choice(values)) for k in qs.answer_keys()}}
               for _ in range(12)]
    results = score(qs, Responses.from_records(qs, records)).results
    for principle in results.principles:
        assert principle.score is None or 0 <= principle.score <= 100
    assert results.overall.score is None or 0 <= results.overall.score <= 100
