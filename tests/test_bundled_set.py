"""The bundled question set, the example responses and the example answers file.

These are what a consultant meets first (`leadlens show`, `leadlens score` on the example),
so the tests check the promises the issue makes about them, not just that they load.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import BUNDLED, EXAMPLES
from leadlens.questionset.loading import load_question_set, validate_file
from leadlens.questionset.model import QuestionSet, Scale

GENERATOR = EXAMPLES / "generate_responses.py"
RESPONSES = EXAMPLES / "responses.csv"
ANSWERS = EXAMPLES / "answers.yaml"
PRINCIPLES = ["basics", "context", "influencing", "complexity", "adaptive", "narrative"]
BANDS = ["emerging", "developing", "established", "embedded"]


@pytest.fixture(scope="module")
def qs() -> QuestionSet:
    return QuestionSet.model_validate(yaml.safe_load(BUNDLED.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with RESPONSES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run_generator(*args: str | Path) -> None:
    subprocess.run([sys.executable, str(GENERATOR), *map(str, args)], check=True,
                   capture_output=True, timeout=60)


def accepted(scale: Scale, answer: object) -> bool:
    """Whether an answers-file value is one of the scale's values, labels, aliases or unscored."""
    if isinstance(answer, bool):
        return False
    if isinstance(answer, int):
        return answer in {o.value for o in scale.options}
    words = {o.label.casefold() for o in scale.options}
    words |= {a.casefold() for o in scale.options for a in o.aliases}
    words |= {u.casefold() for u in scale.unscored}
    return isinstance(answer, str) and answer.strip().casefold() in words


# The question set ---------------------------------------------------------------------------


def test_bundled_set_is_valid_without_warnings() -> None:
    result = validate_file(BUNDLED)
    assert result.problems == []
    assert result.question_set is not None
    assert load_question_set(None) == result.question_set  # the default set is this file


def test_bundled_set_validates_against_the_json_schema_under_pyyaml() -> None:
    # Finding 11: PyYAML reads an unquoted 2023-04-28 as a date, which the schema (a string)
    # refused; the set writes its dates quoted, and leadlens reads them as dates still.
    import json

    import jsonschema

    schema = json.loads((BUNDLED.parent / "../schema/question-set.schema.json")
                        .read_text(encoding="utf-8"))
    document = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    errors = [f"{list(e.path)}: {e.message}"
              for e in jsonschema.Draft202012Validator(schema).iter_errors(document)]
    assert errors == []
    assert document["source"]["date"] == "2023-04-28"


def test_cites_the_article(qs: QuestionSet) -> None:
    assert qs.id == "ggi-systems-leadership"
    assert qs.source is not None
    assert qs.source.title == "Rethinking leadership styles for integrated care systems"
    assert qs.source.publisher == "Good Governance Institute"
    assert qs.source.author == "Aidan Rave"
    assert qs.source.date == dt.date(2023, 4, 28)
    assert BUNDLED.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schema/question-set.schema.json\n")
    assert (BUNDLED.parent / "../schema/question-set.schema.json").is_file()


@pytest.mark.parametrize("principle", PRINCIPLES)
def test_each_principle_has_four_to_seven_statements_one_reversed(qs: QuestionSet,
                                                                 principle: str) -> None:
    statements = qs.scored_questions(principle)
    assert 4 <= len(statements) <= 7
    assert any(q.reverse for q in statements)
    assert not all(q.reverse for q in statements)
    assert {q.scale for q in statements} == {"agreement"}
    # Ids are the principle's id and a number; retired numbers are never reused.
    numbers = [int(q.id.removeprefix(f"{principle}-")) for q in statements]
    assert len(set(numbers)) == len(numbers)
    for q in statements:
        # A reverse-keyed statement is a plain opposite, not a positive one with "not" added.
        assert " not " not in f" {q.text.lower()} " or not q.reverse, q.id


def test_principles_in_the_articles_order(qs: QuestionSet) -> None:
    assert [p.id for p in qs.principles] == PRINCIPLES
    assert [p.name for p in qs.principles] == [
        "Understanding the basics", "The importance of context", "Influencing",
        "Embracing complexity", "Adaptive leadership", "The power of narrative"]


def test_agreement_scale(qs: QuestionSet) -> None:
    scale = qs.scales["agreement"]
    assert [(o.value, o.label) for o in scale.options] == [
        (1, "Strongly disagree"), (2, "Disagree"), (3, "Neither agree nor disagree"),
        (4, "Agree"), (5, "Strongly agree")]
    assert scale.unscored == ["Don't know"]
    assert "Neutral" in scale.options[2].aliases
    assert "Agree strongly" in scale.options[4].aliases


def test_the_five_icb_questions_with_current_and_target(qs: QuestionSet) -> None:
    icb = [q for q in qs.questions if q.section == "icb"]
    # The article's five questions; the third and fifth are asked as two and three.
    assert [q.id for q in icb] == ["icb-1", "icb-2", "icb-6", "icb-7", "icb-4", "icb-8",
                                   "icb-9", "icb-10"]
    assert [t.id for t in qs.timepoints] == ["current", "target"]
    assert "icb" in qs.section_by_id
    maturity = qs.scales["maturity"]
    assert [o.value for o in maturity.options] == [0, 1, 2, 3, 4]
    assert (maturity.options[0].label, maturity.options[-1].label) == ("Not started",
                                                                       "Business as usual")
    # Two vocabularies: a maturity level never has a score band's name.
    bands = {b.label.casefold() for b in qs.bands}
    assert not bands & {o.label.casefold() for o in maturity.options}
    for q in icb:
        # A recommendation for each level the room may stand at now, each its own.
        assert sorted(q.recommendations) == [str(o.value) for o in maturity.options], q.id
        assert len(set(q.recommendations.values())) == len(maturity.options)
        assert q.principle is None and not q.scored
        assert q.scale == "maturity"
        assert q.timepoints == ["current", "target"]
        assert q.answer_keys == [f"{q.id}@current", f"{q.id}@target"]


def test_two_hats_on_a_few_statements(qs: QuestionSet) -> None:
    assert [p.id for p in qs.perspectives] == ["organisation", "system"]
    with_hats = [q for q in qs.questions if q.perspectives]
    assert 2 <= len(with_hats) <= 5
    for q in with_hats:
        assert q.scored
        assert q.answer_keys == [f"{q.id}@organisation", f"{q.id}@system"]


def test_free_text_prompts(qs: QuestionSet) -> None:
    texts = [q for q in qs.questions if q.type == "text"]
    assert {"story-1", "comment-1"} <= {q.id for q in texts}
    assert "reflections" in qs.section_by_id
    for q in texts:
        assert (q.section, q.principle, q.scale) == ("reflections", None, None)


def test_respondent_fields(qs: QuestionSet) -> None:
    fields = {f.id: f for f in qs.respondent}
    assert list(fields) == ["organisation", "sector", "role"]
    assert fields["organisation"].type == "text" and fields["organisation"].required
    assert fields["sector"].choices == [
        "NHS trust", "Integrated care board", "Primary care", "Local authority",
        "Adult social care", "Ambulance service", "Voluntary and community sector",
        "Other partner"]
    assert "Board member (non-executive)" in fields["role"].choices


def test_four_bands_with_a_recommendation_for_every_principle(qs: QuestionSet) -> None:
    assert [b.id for b in qs.bands] == BANDS
    cuts = [b.from_ for b in qs.bands]
    assert cuts[0] == 0 and cuts == sorted(cuts) and len(set(cuts)) == 4
    recommendations = []
    for principle in qs.principles:
        assert sorted(principle.recommendations) == sorted(BANDS), principle.id
        recommendations += list(principle.recommendations.values())
    assert len(set(recommendations)) == 24  # specific: no recommendation is reused
    assert all(len(r.split()) >= 15 for r in recommendations)


def test_scoring_settings_and_unique_statements(qs: QuestionSet) -> None:
    assert (qs.scoring.min_answered, qs.scoring.min_group_size) == (0.5, 5)
    texts = [q.text for q in qs.questions]
    assert len(set(texts)) == len(texts)


# The example responses ----------------------------------------------------------------------


def test_generator_reproduces_the_committed_csv(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    run_generator("--output", out)
    assert out.read_bytes() == RESPONSES.read_bytes(), (
        "examples/responses.csv is stale: run python examples/generate_responses.py")


def test_generator_follows_the_question_set(tmp_path: Path) -> None:
    data = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    data["questions"] = [q for q in data["questions"] if q["id"] != "basics-5"]
    data["questions"][0]["perspectives"] = ["organisation", "system"]
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out.csv"
    run_generator("--question-set", changed, "--output", out)
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    expected = QuestionSet.model_validate(data)
    assert header == ["respondent_id", "submitted_at", *expected.respondent_field_ids(),
                      *expected.answer_keys()]
    assert "basics-1@system" in header and "basics-5" not in header


def test_csv_layout_matches_the_question_set(qs: QuestionSet, rows: list[dict[str, str]]) -> None:
    first_line = RESPONSES.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.split(",") == ["respondent_id", "submitted_at",
                                     *qs.respondent_field_ids(), *qs.answer_keys()]
    assert [r["respondent_id"] for r in rows] == [f"R{i:03d}" for i in range(1, len(rows) + 1)]
    times = [dt.datetime.fromisoformat(r["submitted_at"]) for r in rows]
    assert times == sorted(times)
    choices = {f.id: set(f.choices) for f in qs.respondent if f.type == "choice"}
    for row in rows:
        assert row["organisation"]
        for field, allowed in choices.items():
            assert row[field] in allowed
        for q in qs.questions:
            scale = qs.scale_of(q)
            if scale is None:
                continue
            for key in q.answer_keys:
                value = row[key]
                assert value == "" or value in scale.unscored or \
                    int(value) in {o.value for o in scale.options}, (row["respondent_id"], key)


def test_respondents_and_organisations(qs: QuestionSet, rows: list[dict[str, str]]) -> None:
    assert 55 <= len(rows) <= 65
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[row["organisation"]] = sizes.get(row["organisation"], 0) + 1
    assert len(sizes) == 8
    small = [org for org, n in sizes.items() if n < qs.scoring.min_group_size]
    assert 1 <= len(small) <= 2  # exercises anonymity suppression
    assert len({row["sector"] for row in rows}) >= 6


def _agreement(rows: list[dict[str, str]], key: str, reverse: bool = False) -> list[float | None]:
    values: list[float | None] = []
    for row in rows:
        value = row[key]
        if value.isdigit():
            values.append(6 - int(value) if reverse else int(value))
        else:
            values.append(None)
    return values


def cronbach_alpha(columns: list[list[float | None]]) -> float:
    """Raw alpha over the respondents who answered every item."""
    complete = [[v for v in r if v is not None] for r in zip(*columns, strict=True)
                if None not in r]
    items = list(zip(*complete, strict=True))
    k = len(items)
    item_var = sum(statistics.variance(item) for item in items)
    total_var = statistics.variance([sum(r) for r in complete])
    return float(k / (k - 1) * (1 - item_var / total_var))


@pytest.mark.parametrize("principle", PRINCIPLES)
def test_reliability_is_in_a_normal_range(qs: QuestionSet, rows: list[dict[str, str]],
                                          principle: str) -> None:
    columns = [_agreement(rows, key, q.reverse) for q in qs.scored_questions(principle)
               for key in q.answer_keys]
    assert 0.6 <= cronbach_alpha(columns) <= 0.9


def test_one_principle_is_contested(qs: QuestionSet, rows: list[dict[str, str]]) -> None:
    def shares(principle: str) -> tuple[float, float]:
        columns = [_agreement(rows, key, q.reverse) for q in qs.scored_questions(principle)
                   for key in q.answer_keys]
        means = [statistics.mean(v for v in r if v is not None)
                 for r in zip(*columns, strict=True) if any(v is not None for v in r)]
        return (sum(m < 3 for m in means) / len(means), sum(m > 3 for m in means) / len(means))

    below, above = shares("complexity")
    assert below >= 0.25 and above >= 0.25
    assert min(shares("context")) < 0.25  # not every principle is split


def test_system_hat_trails_organisation_hat(qs: QuestionSet, rows: list[dict[str, str]]) -> None:
    for q in qs.questions:
        if q.perspectives:
            org = [v for v in _agreement(rows, f"{q.id}@organisation") if v is not None]
            system = [v for v in _agreement(rows, f"{q.id}@system") if v is not None]
            assert statistics.mean(system) < statistics.mean(org) - 0.3, q.id


def test_targets_mostly_above_current(qs: QuestionSet, rows: list[dict[str, str]]) -> None:
    higher = pairs = 0
    for q in qs.questions:
        if q.timepoints:
            for row in rows:
                now, target = row[f"{q.id}@current"], row[f"{q.id}@target"]
                if now.isdigit() and target.isdigit():
                    pairs += 1
                    higher += int(target) > int(now)
    assert pairs > 200 and higher / pairs > 0.7


def test_missing_unscored_and_awkward_text(qs: QuestionSet, rows: list[dict[str, str]]) -> None:
    rated = [key for q in qs.questions if q.type == "rating" for key in q.answer_keys]
    cells = [row[key] for row in rows for key in rated]
    assert 0 < cells.count("") < 0.1 * len(cells)
    assert 0 < cells.count("Don't know") < 0.1 * len(cells)
    comments = [row[q.id] for q in qs.questions if q.type == "text" for row in rows
                if row[q.id]]
    assert len(comments) >= 8 and len(set(comments)) == len(comments)
    for awkward in [",", '"', "\n", "<b>", "£"]:
        assert any(awkward in c for c in comments), awkward


# The example answers file -------------------------------------------------------------------


def test_answers_example_fits_the_question_set(qs: QuestionSet) -> None:
    data = yaml.safe_load(ANSWERS.read_text(encoding="utf-8"))
    assert set(data) == {"respondent", "answers"}
    fields = {f.id: f for f in qs.respondent}
    assert set(data["respondent"]) == set(fields)
    for field_id, value in data["respondent"].items():
        assert isinstance(value, str)
        assert not fields[field_id].choices or value in fields[field_id].choices
    keys = {key: q for q in qs.questions for key in q.answer_keys}
    answers = data["answers"]
    assert set(answers) <= set(keys)
    assert len(answers) >= len(keys) - 2  # a filled-in example: nearly everything answered
    for key, answer in answers.items():
        scale = qs.scale_of(keys[key])
        if scale is None:
            assert isinstance(answer, str) and answer.strip(), key
        else:
            assert accepted(scale, answer), (key, answer)
    # It shows each kind of answer: numbers, labels, an alias, "Don't know", both hats, both
    # timepoints and free text.
    shown = {type(v) for v in answers.values()}
    assert shown == {int, str}
    assert "Don't know" in answers.values() and "Neutral" in answers.values()
    assert {"context-2@system", "icb-1@target", "story-1"} <= set(answers)


# The review of version 2 (issue 14) and its changelog ---------------------------------------

CHANGELOG = BUNDLED.parent / "CHANGELOG.md"
V1_IDS = [  # the question ids of version 1.0.0, as published
    "basics-1", "basics-2", "basics-3", "basics-4", "basics-5", "context-1", "context-2",
    "context-3", "context-4", "context-5", "influencing-1", "influencing-2", "influencing-3",
    "influencing-4", "influencing-5", "complexity-1", "complexity-2", "complexity-3",
    "complexity-4", "complexity-5", "adaptive-1", "adaptive-2", "adaptive-3", "adaptive-4",
    "adaptive-5", "narrative-1", "narrative-2", "narrative-3", "narrative-4", "narrative-5",
    "narrative-6", "icb-1", "icb-2", "icb-3", "icb-4", "icb-5", "story-1", "story-2",
    "comment-1"]


def _changelog_section(heading: str) -> str:
    text = CHANGELOG.read_text(encoding="utf-8")
    version = text.split("## ggi-systems-leadership 2.0.0", 1)[1].split("\n## ", 1)[0]
    return version.split(f"### {heading}", 1)[1].split("\n### ", 1)[0]


def _ids_in(text: str) -> set[str]:
    import re
    return set(re.findall(r"`([a-z]+-\d+)`", text))


def test_version_2_and_its_changelog_name_every_changed_id(qs: QuestionSet) -> None:
    assert qs.version == "2.1.0"  # 2.1.0 added the introduction; no question changed
    ids = [q.id for q in qs.questions]
    retired = sorted(set(V1_IDS) - set(ids))
    new = sorted(set(ids) - set(V1_IDS))
    replaced = _ids_in(_changelog_section("Retired and replaced"))
    added = _ids_in(_changelog_section("New"))
    # Every retired id and every new id is in the changelog, and nothing else is claimed.
    assert replaced | added == set(retired) | set(new)
    assert not set(retired) & set(ids)  # a retired id is never reused
    reworded = _ids_in(_changelog_section("Reworded, same meaning"))
    assert reworded <= set(V1_IDS) & set(ids)
    # reworded statements declare themselves comparable, so a re-run compares like with like
    declared = {q.id for q in qs.questions if "1.0.0" in q.comparable_with}
    assert declared == reworded - {"context-2", "adaptive-5", "narrative-1"}


def test_headers_do_not_argue_and_say_whom_statements_are_about(qs: QuestionSet) -> None:
    complexity = qs.principle_by_id["complexity"]
    assert "stability" not in complexity.description.lower()  # it primed complexity-1
    for principle in qs.principles:
        statements = qs.scored_questions(principle.id)
        sections = {q.section for q in statements}
        assert len(sections) == 1, principle.id
        section = qs.section_by_id[sections.pop() or ""]
        first = section.description.split(". ")[0]
        assert "about" in first, section.id  # the sentence the survey shows
    for q in qs.questions:
        # "we"/"our board" only where a hat says who "we" are
        words = f" {q.text.lower()} "
        assert " our board " not in words, q.id
        if " we " in words or words.startswith(" we "):
            assert q.perspectives and q.help and '"we"' in q.help, q.id


def test_reverse_keyed_statements_are_the_unfavourable_answer(qs: QuestionSet) -> None:
    basics = {q.id: q for q in qs.scored_questions("basics")}
    assert "basics-5" not in basics and not basics["basics-6"].reverse


def test_two_hats_explained_one_way_and_counted_once(qs: QuestionSet) -> None:
    assert [p.description for p in qs.perspectives] == [
        "Rate your own organisation, acting on its own.",
        "Rate the integrated care system, its partners acting together."]
    for q in qs.questions:
        if q.perspectives:
            assert q.help.startswith("You rate this twice."), q.id
            assert q.answer_weight * len(q.perspectives) == q.weight


def test_the_introduction_promises_what_leadlens_does(qs: QuestionSet) -> None:
    """Purpose, who sees the results, anonymity and consent, each true to the scoring rules."""
    text = qs.introduction
    paragraphs = text.split("\n\n")
    assert [p.split(":")[0].split(" ")[0] for p in paragraphs] == ["This", "Who", "Your",
                                                                   "Taking"]
    m = qs.scoring.min_group_size
    # Groups, the whole survey and comments: the same threshold the scoring applies.
    assert text.count(f"at least {m} ") == 3 and f"fewer than {m} people take part" in text
    assert "never shows one person's answers" in text
    required = [f.id for f in qs.respondent if f.required]
    assert required == ["organisation", "sector", "role"]
    assert "organisation,\nsector and role" not in text  # one paragraph per line of text
    assert "Apart from the three questions about you" in text
    assert all(not q.required for q in qs.questions)  # so every other one can be skipped
    assert all("Don't know" in s.unscored for s in qs.scales.values())
    changelog = CHANGELOG.read_text(encoding="utf-8")
    assert "## ggi-systems-leadership 2.1.0" in changelog.split("## ggi-systems-leadership "
                                                               "2.0.0")[0]
