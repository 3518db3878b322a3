"""Look-alike letters in answers: the TR39 skeleton idea.

Two answers of different options that look the same letter for letter are an error (a
reader cannot tell them apart); a word written wholly in another script's look-alikes of
Latin letters, among Latin answers, is a warning. Both located (file:line:col).
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import MINIMAL_SET
from leadlens.cli import app
from leadlens.errors import Code
from leadlens.questionset.loading import validate_bytes
from leadlens.text import has_latin_letters, look_alike_letters, looks_latin, skeleton

runner = CliRunner()
AGREE = "{value: 4, label: Agree}"
DK = "unscored: [\"Don't know\"]"
TELL = ("A reader cannot tell them apart and typed answers match only one; retype the "
        "look-alike letters")
TYPED = "Typed answers in Latin letters will not match it; retype it in Latin letters"

# Cyrillic У е ѕ; Greek Ν Ο; Cyrillic А with Latin g r and Cyrillic е е.
YES_CYRILLIC = "\u0423\u0435\u0455"
NO_GREEK = "\u039d\u039f"
AGREE_MIXED = "\u0410gr\u0435\u0435"


def _set(old: str, new: str) -> str:
    assert old in MINIMAL_SET
    return MINIMAL_SET.replace(old, new)


def _problems(text: str) -> list[str]:
    return [str(p) for p in validate_bytes(text.encode(), "qs.yaml").problems]


def test_skeleton_maps_look_alikes_to_latin() -> None:
    assert skeleton(YES_CYRILLIC) == "Yes"
    assert skeleton(NO_GREEK) == "NO"
    assert skeleton(AGREE_MIXED) == "Agree"
    assert skeleton("\uff21gree") == "Agree"  # fullwidth, by NFKC
    assert skeleton("\u0451") == "\u00eb"  # Cyrillic yo reads as e with diaeresis
    assert skeleton("\u0414\u0430") == "\u0414a"  # a Cyrillic De has no Latin look-alike
    assert look_alike_letters(AGREE_MIXED) == [("\u0410", "A"), ("\u0435", "e")]
    assert looks_latin(YES_CYRILLIC) and not looks_latin("\u0414\u0430")
    assert not looks_latin("Kat\u0131l\u0131yorum")  # Turkish dotless i is Latin
    assert has_latin_letters("Yes") and not has_latin_letters(YES_CYRILLIC)


def test_two_labels_that_look_the_same_are_an_error() -> None:
    text = _set("{value: 5, label: Strongly agree}",
                "{value: 5, label: \"" + AGREE_MIXED + "\"}")
    result = validate_bytes(text.encode(), "qs.yaml")
    assert result.question_set is None
    [error] = result.errors
    assert error.code == Code.QUESTIONSET_LOOK_ALIKE
    assert str(error) == (
        "qs.yaml:12:27: scales.agreement.options[4].label: 'Аgrее' looks the same as 'Agree' "
        "of option 4 (Cyrillic 'А', 'е' for Latin 'A', 'e'). " + TELL)


def test_an_alias_in_greek_that_looks_like_another_options_label_is_an_error() -> None:
    text = _set("{value: 1, label: Strongly disagree}",
                "{value: 1, label: Strongly disagree, aliases: [\"" + NO_GREEK + "\"]}")
    text = text.replace("{value: 2, label: Disagree}",
                        "{value: 2, label: Disagree, aliases: ['No']}")
    errors = [p for p in validate_bytes(text.encode(), "qs.yaml").errors
              if p.code == Code.QUESTIONSET_LOOK_ALIKE]
    assert [str(p) for p in errors] == [
        "qs.yaml:9:47: scales.agreement.options[1].aliases[0]: 'No' looks the same as 'ΝΟ' "
        "of option 1 (Greek 'Ν', 'Ο' for Latin 'N', 'O'). " + TELL]


def test_an_unscored_answer_that_looks_like_a_label_is_an_error() -> None:
    text = _set(DK, "unscored: [\"" + YES_CYRILLIC + "\"]").replace(
        AGREE, "{value: 4, label: Agree, aliases: ['yes']}")
    problems = _problems(text)
    assert sum("look" in p for p in problems) == 1, problems  # the error, no warning too
    assert any(p.startswith("qs.yaml:13:16: scales.agreement.unscored[0]: 'Уеѕ' looks the "
                            "same as 'yes' of option 4 (Cyrillic 'У', 'е', 'ѕ' for Latin 'Y', "
                            "'e', 's')") for p in problems), problems


def test_a_whole_word_in_look_alike_letters_is_a_warning() -> None:
    text = _set(AGREE, "{value: 4, label: Agree, aliases: [\"" + YES_CYRILLIC + "\"]}")
    result = validate_bytes(text.encode(), "qs.yaml")
    assert result.question_set is not None and not result.errors
    [warning] = result.problems
    assert warning.code == Code.QUESTIONSET_LOOK_ALIKE_LETTERS
    assert str(warning) == (
        "qs.yaml:11:44: warning: scales.agreement.options[3].aliases[0]: 'Уеѕ' is written in "
        "letters that only look Latin (Cyrillic 'У', 'е', 'ѕ' for Latin 'Y', 'e', 's'). "
        + TYPED)


def test_the_same_option_may_have_a_look_alike_alias_with_a_warning_only() -> None:
    # an alias is a second spelling of the same answer: no ambiguity between options
    text = _set(AGREE, "{value: 4, label: Agree, aliases: [\"" + AGREE_MIXED + "\"]}")
    result = validate_bytes(text.encode(), "qs.yaml")
    assert result.question_set is not None and not result.errors
    assert [p.code for p in result.problems] == [Code.QUESTIONSET_MIXED_SCRIPT]


def test_a_scale_written_in_cyrillic_is_not_warned_about() -> None:
    text = MINIMAL_SET
    for old, new in [("Strongly disagree",
                      "\u0421\u043e\u0432\u0441\u0435\u043c \u043d\u0435\u0442"),
                     ("label: Disagree", "label: \u041d\u0435\u0442"),
                     ("Neither agree nor disagree", "\u0421\u043a\u043e\u0440\u0435\u0435"),
                     ("label: Agree", "label: \u0441\u0435\u0440\u0430"),  # all look-alikes
                     ("Strongly agree", "\u0414\u0430"),
                     ('"Don\'t know"', "\u041d\u0435 \u0437\u043d\u0430\u044e")]:
        assert old in text
        text = text.replace(old, new)
    result = validate_bytes(text.encode(), "qs.yaml")
    assert result.question_set is not None
    assert [str(p) for p in result.problems] == []


def test_choices_that_look_the_same_are_an_error() -> None:
    text = _set('{id: organisation, prompt: "Which organisation?", required: true}',
                '{id: organisation, prompt: "Which organisation?", required: true, type: '
                'choice, choices: [ACME, "\u0410\u0421\u041c\u0415"]}')
    result = validate_bytes(text.encode(), "qs.yaml")
    errors = [str(p) for p in result.errors]
    assert errors == [
        "qs.yaml:22:101: respondent[0].choices[1]: 'АСМЕ' looks the same as 'ACME' of choice 1 "
        "(Cyrillic 'А', 'С', 'М', 'Е' for Latin 'A', 'C', 'M', 'E'). " + TELL], errors


def test_cli_validate_exits_1_with_the_located_line(write) -> None:  # type: ignore[no-untyped-def]
    path = write("qs.yaml", _set("{value: 5, label: Strongly agree}",
                                 "{value: 5, label: \"" + AGREE_MIXED + "\"}"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:12:27: scales.agreement.options[4].label: 'Аgrее' looks the same" \
        in result.output
    assert "Traceback" not in result.output


LOOK_ALIKE_OF = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441",
                 "y": "\u0443", "x": "\u0445", "i": "\u0456", "s": "\u0455"}


@settings(max_examples=80, deadline=None)
@given(word=st.text(alphabet="aeopcyxisgrtn", min_size=2, max_size=12),
       swaps=st.sets(st.integers(min_value=0, max_value=11), min_size=1))
def test_any_word_with_swapped_look_alikes_is_caught(word: str, swaps: set[int]) -> None:
    """Property: a label made from another option's label by swapping letters for their
    look-alikes is always an error, whichever letters are swapped."""
    swapped = "".join(LOOK_ALIKE_OF.get(c, c) if i in swaps else c for i, c in enumerate(word))
    if swapped == word:
        return
    text = _set("{value: 4, label: Agree}", "{value: 4, label: \"" + word + "\"}").replace(
        "{value: 5, label: Strongly agree}", "{value: 5, label: \"" + swapped + "\"}")
    result = validate_bytes(text.encode(), "qs.yaml")
    codes = [p.code for p in result.errors]
    assert Code.QUESTIONSET_LOOK_ALIKE in codes, [str(p) for p in result.problems]
    assert unicodedata.normalize("NFC", skeleton(swapped)) == word


@pytest.mark.parametrize("label", ["Agree", "Agréé", "Kat\u0131l\u0131yorum", "\u0414\u0430"])
def test_distinct_labels_are_not_flagged(label: str) -> None:
    text = _set("{value: 4, label: Agree}", "{value: 4, label: \"" + label + "\"}")
    codes = [p.code for p in validate_bytes(text.encode(), "qs.yaml").problems]
    assert Code.QUESTIONSET_LOOK_ALIKE not in codes
