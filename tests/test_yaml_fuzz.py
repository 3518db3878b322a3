"""Random or mutated YAML never produces a traceback: only located problems."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINIMAL_SET
from leadlens.questionset.loading import validate_bytes

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _check(data: bytes) -> None:
    result = validate_bytes(data, "fuzz.yaml")
    for problem in result.problems:
        assert problem.file == "fuzz.yaml"
        assert problem.line is None or problem.line >= 1
        assert problem.message
    assert (result.question_set is None) == bool(result.errors)


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@SETTINGS
@given(st.integers(0, len(MINIMAL_SET) - 1), st.integers(0, 40),
       st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_mutated_question_set(start: int, length: int, insert: str) -> None:
    text = MINIMAL_SET[:start] + insert + MINIMAL_SET[start + length:]
    _check(text.encode("utf-8", "surrogatepass"))


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                         st.text(max_size=10))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["schema_version", "id", "title", "version", "scales",
                                        "bands", "principles", "questions", "respondent",
                                        "scoring", "extra"]), yaml_values, max_size=9))
def test_structurally_random_documents(doc: dict[str, object]) -> None:
    import yaml

    _check(yaml.safe_dump(doc, allow_unicode=True).encode())
