"""The survey flow as a state machine, driven by a scripted prompter."""

from __future__ import annotations

import pytest

from leadlens.questionset.model import QuestionSet
from leadlens.survey.flow import (
    Answer,
    Back,
    Change,
    ReviewScreen,
    Screen,
    Skip,
    Submit,
    Survey,
    build_steps,
    run_respondent,
    scale_choices,
)
from leadlens.survey.render import head_lines, keys_hint, progress, variant_line
from leadlens.text import clean, first_sentence, one_line, wrap
from survey_support import FULL, KEYS, ScriptedPrompter, answers, keys_of, survey_set


@pytest.fixture
def qs() -> QuestionSet:
    return survey_set()


def run(qs: QuestionSet, script: list[object],
        start: dict[str, str | None] | None = None) -> tuple[dict[str, str | None],
                                                          ScriptedPrompter, list[tuple]]:
    prompter = ScriptedPrompter(script)
    journal: list[tuple] = []
    result = run_respondent(Survey(qs, answers=dict(start or {})), prompter,
                            lambda k, v: journal.append((k, v)))
    return dict(result), prompter, journal


def test_steps_are_fields_then_every_answer_key_in_file_order(qs: QuestionSet) -> None:
    steps = build_steps(qs)
    assert [s.key for s in steps] == KEYS
    assert [s.number for s in steps] == [1, 2, 1, 2, 2, 3, 4, 4, 5]
    assert [s.total for s in steps] == [2, 2, 5, 5, 5, 5, 5, 5, 5]
    assert [s.choices[i].label for s in steps[1:2] for i in range(2)] == [
        "NHS trust", "Local authority"]


def test_sections_come_from_the_set_or_the_principle(qs: QuestionSet) -> None:
    steps = {s.key: s for s in build_steps(qs)}
    assert steps["org"].section is not None and steps["org"].section.title == "About you"
    basics = steps["b1"].section
    assert basics is not None and basics.title == "Understanding the basics"
    assert basics.description == "Do partners know each other? More."  # the whole of it
    icb = steps["i1@current"].section
    assert icb is not None and (icb.title, icb.description) == (
        "Questions for the board", "Now and in a year.")
    assert steps["t1"].section is None


def test_scale_choices_use_values_as_keys_and_a_letter_for_unscored(qs: QuestionSet) -> None:
    choices = scale_choices(qs.scales["agree"])
    assert [(c.key, c.value, c.scored) for c in choices] == [
        ("1", "1", True), ("2", "2", True), ("3", "3", True), ("d", "Don't know", False)]


def test_scale_choices_number_by_position_when_values_are_not_single_digits() -> None:
    qs = survey_set()
    scale = qs.scales["agree"].model_copy(update={"options": [
        o.model_copy(update={"value": o.value * 10}) for o in qs.scales["agree"].options],
        "unscored": ["Skip this", "Same"]})
    choices = scale_choices(scale)
    assert [c.key for c in choices] == ["1", "2", "3", "k", "a"]  # s and b are reserved
    assert [c.value for c in choices][:3] == ["10", "20", "30"]


def test_a_full_respondent_is_recorded_in_order(qs: QuestionSet) -> None:
    result, prompter, journal = run(qs, answers(*FULL))
    assert result == dict(zip(KEYS, FULL, strict=True))
    assert journal == list(zip(KEYS, FULL, strict=True))
    assert keys_of(prompter.screens) == [*KEYS, "<review>"]


def test_back_shows_the_old_answer_which_can_be_changed(qs: QuestionSet) -> None:
    script: list[object] = [Answer("Acme"), Answer("NHS trust"), Answer("3"), Back(), Back(),
                            lambda s: Answer("Local authority"), Answer("2")]
    script += answers(*FULL[3:])
    result, prompter, journal = run(qs, script)
    screens = [s for s in prompter.screens if isinstance(s, Screen)]
    assert [s.step.key for s in screens[:7]] == ["org", "sector", "b1", "b2@organisation",
                                                 "b1", "sector", "b1"]
    back_at_b1, back_at_sector = screens[4], screens[5]
    assert (back_at_b1.current, back_at_b1.answered) == ("3", True)
    assert back_at_sector.current == "NHS trust"
    assert result["sector"] == "Local authority" and result["b1"] == "2"
    assert ("sector", "Local authority") in journal and ("b1", "2") in journal


def test_back_on_the_first_step_is_refused_with_a_notice(qs: QuestionSet) -> None:
    result, prompter, _ = run(qs, [Back(), *answers(*FULL)])
    first, again = prompter.screens[0], prompter.screens[1]
    assert isinstance(first, Screen) and isinstance(again, Screen)
    assert not first.can_back
    assert again.step.key == "org" and "first question" in again.notice
    assert result["org"] == "Acme Trust"


def test_optional_questions_can_be_skipped_required_ones_cannot(qs: QuestionSet) -> None:
    script: list[object] = [Answer("Acme"), Skip(), Skip(), Answer("3")]
    script += answers(None, None, None, None, None, None)
    result, prompter, journal = run(qs, script)
    sector, b1, b1_again = prompter.screens[1], prompter.screens[2], prompter.screens[3]
    assert isinstance(sector, Screen) and sector.can_skip
    assert isinstance(b1, Screen) and not b1.can_skip
    assert isinstance(b1_again, Screen) and b1_again.step.key == "b1"
    assert "cannot be skipped" in b1_again.notice
    assert result == {"org": "Acme", "sector": None, "b1": "3", **dict.fromkeys(KEYS[3:])}
    assert ("sector", None) in journal


def test_required_free_text_needs_some_text(qs: QuestionSet) -> None:
    result, prompter, _ = run(qs, [Answer("   "), Skip(), Answer("  Acme  "),
                                   *answers(*FULL[1:])])
    assert [s.notice for s in prompter.screens[1:3]] == [
        "This one needs an answer.", "This one needs an answer; it cannot be skipped."]
    assert result["org"] == "Acme"  # trimmed


def test_empty_optional_free_text_is_a_skip(qs: QuestionSet) -> None:
    result, _, journal = run(qs, answers(*FULL[:-1], "  "))
    assert result["t1"] is None and journal[-1] == ("t1", None)


def test_free_text_is_kept_literally(qs: QuestionSet) -> None:
    # Control characters (ESC included) are refused instead: tests/test_survey_refusals.py.
    story = "[bold]We[/bold] met [31m =SUM(A1) \"quoted\", with commas <b>\ttabbed"
    result, _, _ = run(qs, answers(*FULL[:-1], story))
    assert result["t1"] == story


def test_a_value_that_is_not_a_choice_is_refused(qs: QuestionSet) -> None:
    result, prompter, journal = run(qs, [Answer("Acme"), Answer("Hospital"),
                                         *answers(*FULL[1:])])
    again = prompter.screens[2]
    assert isinstance(again, Screen) and again.step.key == "sector"
    assert "'Hospital' is not one of the choices" in again.notice
    assert ("sector", "Hospital") not in journal


def test_perspectives_are_asked_as_a_pair_naming_the_hat(qs: QuestionSet) -> None:
    _, prompter, _ = run(qs, answers(*FULL))
    screens = {s.step.key: s for s in prompter.screens if isinstance(s, Screen)}
    first, second = screens["b2@organisation"], screens["b2@system"]
    assert first.step.question_id == second.step.question_id == "b2"
    assert variant_line(first.step) == ("Organisation hat (1 of 2): As a leader of your "
                                        "organisation.")
    assert variant_line(second.step) == "System hat (2 of 2): As a partner in the whole system."
    assert first.partners == ()
    assert [(v.id, text) for v, text in second.partners] == [("organisation", "2  Neutral")]


def test_timepoints_are_asked_as_a_pair(qs: QuestionSet) -> None:
    _, prompter, _ = run(qs, answers(*FULL))
    screens = {s.step.key: s for s in prompter.screens if isinstance(s, Screen)}
    now, target = screens["i1@current"], screens["i1@target"]
    assert variant_line(now.step) == "Now (1 of 2)"
    assert variant_line(target.step) == "In 12 months (2 of 2)"
    assert [(v.id, text) for v, text in target.partners] == [("current", "1  Disagree")]
    assert progress(now, unicode=False).startswith("Question 4 of 5")


def test_a_perspective_label_without_hat_gets_the_word() -> None:
    qs = survey_set()
    qs = qs.model_copy(update={"perspectives": [
        p.model_copy(update={"label": p.label.replace(" hat", "")}) for p in qs.perspectives]})
    step = next(s for s in build_steps(qs) if s.key == "b2@system")
    assert variant_line(step).startswith("Wearing your System hat (2 of 2)")


def test_review_lists_every_answer_and_can_change_any(qs: QuestionSet) -> None:
    script: list[object] = [*answers(*FULL)[:-1], Change("c1"), Answer("2"), Change("org"),
                            Back(), Submit()]
    result, prompter, journal = run(qs, script)
    review = prompter.screens[len(KEYS)]
    assert isinstance(review, ReviewScreen)
    assert [(i.key, i.answer) for i in review.items] == [
        ("org", "Acme Trust"), ("sector", "1  NHS trust"), ("b1", "3  Agree"),
        ("b2@organisation", "2  Neutral"), ("b2@system", "3  Agree"), ("c1", "Don't know"),
        ("i1@current", "1  Disagree"), ("i1@target", "3  Agree"), ("t1", "It worked.")]
    assert review.items[2].label == "I know our partners."  # no internal key
    assert review.items[3].label == "We plan together. (Organisation hat)"
    changed = prompter.screens[len(KEYS) + 1]
    assert isinstance(changed, Screen) and changed.step.key == "c1"
    assert changed.current == "Don't know" and changed.can_back
    # after the change the review comes back; "back" from a change returns to the review
    assert keys_of(prompter.screens[len(KEYS) + 2:]) == ["<review>", "org", "<review>"]
    assert result["c1"] == "2" and result["org"] == "Acme Trust"
    assert journal[-1] == ("c1", "2")


def test_review_refuses_to_save_without_required_answers(qs: QuestionSet) -> None:
    survey = Survey(qs, answers=dict(zip(KEYS, FULL, strict=True)))
    survey.answers["b1"] = None  # e.g. an old journal
    assert survey.at_review
    assert survey.review_reply(Submit()) is False
    assert survey.step.key == "b1" and survey.notice == "Please answer: b1"
    assert survey.review_reply(Change("nope")) is False


def test_resume_starts_at_the_first_unanswered_step(qs: QuestionSet) -> None:
    start: dict[str, str | None] = dict(zip(KEYS[:4], FULL[:4], strict=True))
    start["sector"] = None
    result, prompter, journal = run(qs, answers(*FULL[4:]), start)
    assert keys_of(prompter.screens)[0] == "b2@system"
    assert result["sector"] is None and result["b1"] == "3"
    assert [k for k, _ in journal] == KEYS[4:]


def test_resume_with_everything_answered_goes_to_the_review(qs: QuestionSet) -> None:
    result, prompter, journal = run(qs, [Submit()], dict(zip(KEYS, FULL, strict=True)))
    assert keys_of(prompter.screens) == ["<review>"] and journal == []


def test_unknown_keys_from_an_old_journal_are_dropped(qs: QuestionSet) -> None:
    survey = Survey(qs, answers={"gone": "1", "org": "Acme"})
    assert survey.answers == {"org": "Acme"} and survey.step.key == "sector"


def test_progress_counts_questions_and_fields(qs: QuestionSet) -> None:
    survey = Survey(qs)
    assert progress(survey.screen(), unicode=False) == "About you: 1 of 2  " + (
        "[" + "-" * 20 + "] 0%")
    survey.reply(Answer("Acme"))
    survey.reply(Answer("NHS trust"))
    assert progress(survey.screen(), unicode=False).startswith("Question 1 of 5  [####")


def test_keys_hint_offers_only_what_the_step_allows(qs: QuestionSet) -> None:
    survey = Survey(qs, answers={"org": "Acme", "sector": None})
    assert keys_hint(survey.screen()) == "1-3 or arrows + Enter | d Don't know | b back"
    survey.reply(Answer("3"))
    assert keys_hint(survey.screen()).endswith("| b back | s skip")
    first = Survey(qs).screen()
    assert keys_hint(first) == "Type your answer, Enter to save"  # required, nothing before


# -- untrusted text on screen ---------------------------------------------------------------

def test_clean_escapes_control_characters_and_bidi_overrides() -> None:
    assert clean("a\x1b[31mred\x07\x9b\u202eb\tc") == "a\\x1b[31mred\\x07\\x9b\\u202eb c"
    assert clean("[/bold] [link=http://x]click[/link]") == "[/bold] [link=http://x]click[/link]"
    assert one_line("one\ntwo\r\nthree\u2028four\x85five") == "one two three four five"


def test_wrap_keeps_paragraphs_and_width() -> None:
    lines = wrap("word " * 30 + "\n\nnext \x1b]0;title\x07", 30)
    assert all(len(line) <= 30 for line in lines)
    assert "" in lines and lines[-1].endswith("next \\x1b]0;title\\x07")


def test_first_sentence_cuts_long_text() -> None:
    assert first_sentence("Short one. Second.") == "Short one."
    assert first_sentence("x" * 300, limit=20) == "x" * 17 + "..."


def test_head_lines_show_markup_and_escapes_literally() -> None:
    hostile = "[/bold] [link=http://x]click[/link] \x1b[31mred\x1b]8;;http://x\x07"
    qs = survey_set()
    qs = qs.model_copy(update={"questions": [
        qs.questions[0].model_copy(update={"text": hostile, "help": "\x1b[2J"}),
        *qs.questions[1:]]})
    survey = Survey(qs, answers={"org": "Acme", "sector": None})
    text = "\n".join("".join(t for _, t in line)
                     for line in head_lines(survey.screen(), 78, unicode=True))
    assert "[/bold] [link=http://x]click[/link] \\x1b[31mred\\x1b]8;;http://x\\x07" in text
    assert "\\x1b[2J" in text
    assert "\x1b" not in text and "\x07" not in text
