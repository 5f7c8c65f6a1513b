"""Properties: valid answer sets score inside the scale's range; invalid values are refused."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from del_tool.questionnaires import (
    InvalidAnswers,
    QuestionnaireDefinition,
    default_definitions_dir,
    definition_from_mapping,
    load_registry,
)

from .conftest import TEST_DEFINITION

DEFINITIONS: list[QuestionnaireDefinition] = [
    *load_registry(default_definitions_dir()).current(),
    definition_from_mapping(TEST_DEFINITION),
]
IDS = [d.id for d in DEFINITIONS]
SETTINGS = settings(max_examples=100, deadline=None)


def answer_sets(definition: QuestionnaireDefinition) -> st.SearchStrategy[dict[str, int | None]]:
    """Every item answered with one of its options, or left unanswered."""
    return st.fixed_dictionaries(
        {item.id: st.none() | st.sampled_from(item.option_values) for item in definition.items}
    )


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_valid_answers_score_inside_the_range(
    definition: QuestionnaireDefinition, data: Any
) -> None:
    """Scores are None or within [score_min, score_max]; bands belong to the scale."""
    answers = data.draw(answer_sets(definition))
    scores = definition.score(answers)
    assert 0 <= scores.completeness <= 1
    for scale in definition.scales:
        score = scores.scales[scale.id]
        answered = sum(answers[item_id] is not None for item_id in scale.items)
        assert score.n_answered == answered
        if answered < scale.min_answered:
            assert score.value is None
            assert score.band is None
            continue
        assert score.value is not None
        assert scale.score_min - 1e-9 <= score.value <= scale.score_max + 1e-9
        assert score.prorated == (answered < len(scale.items))
        if scale.bands:
            assert score.band in {band.id for band in scale.bands}


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_invalid_values_are_refused(definition: QuestionnaireDefinition, data: Any) -> None:
    """A value outside an item's options (or not a whole number) raises InvalidAnswers."""
    answers = data.draw(answer_sets(definition))
    item = data.draw(st.sampled_from(definition.items))
    allowed = set(item.option_values)
    bad = data.draw(
        st.integers().filter(lambda v: v not in allowed)
        | st.booleans()
        | st.floats(allow_nan=True)
        | st.text(max_size=3)
    )
    answers[item.id] = bad
    with pytest.raises(InvalidAnswers):
        definition.score(answers)


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_unknown_items_are_refused(definition: QuestionnaireDefinition, data: Any) -> None:
    """An answer for an item the definition does not have raises InvalidAnswers."""
    known = {item.id for item in definition.items}
    name = data.draw(st.text(min_size=1, max_size=8).filter(lambda n: n not in known))
    with pytest.raises(InvalidAnswers):
        definition.score({name: definition.items[0].option_values[0]})


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_frame_scoring_agrees_with_single_scoring(
    definition: QuestionnaireDefinition, data: Any
) -> None:
    """score_frame gives, row by row, the values score gives (NaN for no score)."""
    rows = data.draw(st.lists(answer_sets(definition), min_size=1, max_size=8))
    frame = pd.DataFrame(rows, columns=[item.id for item in definition.items], dtype="float")
    scored = definition.score_frame(frame)
    for position, row in enumerate(rows):
        for scale_id, score in definition.score(row).scales.items():
            got = scored.iloc[position][scale_id]
            if score.value is None:
                assert math.isnan(got)
            else:
                assert got == pytest.approx(score.value)
