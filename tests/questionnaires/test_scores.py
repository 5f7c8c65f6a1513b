"""Each shipped definition (and the test definition) scores known answer sets correctly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest

from del_tool.questionnaires import (
    InvalidAnswers,
    QuestionnaireDefinition,
    Registry,
    ScaleScore,
    definition_from_mapping,
)


@pytest.fixture
def tst(definition_data: dict[str, Any]) -> QuestionnaireDefinition:
    """The test definition: reverse items b and d, prorating from 3 of 4, a x25 mean."""
    return definition_from_mapping(definition_data)


def _answers(prefix: str, values: Sequence[int | None]) -> dict[str, int | None]:
    return {f"{prefix}{n}": value for n, value in enumerate(values, start=1)}


@pytest.mark.parametrize(
    ("values", "raw", "value", "band"),
    [
        ([3, 3, 3, 3, 3], 15, 60, "not_low"),
        ([5, 5, 5, 5, 5], 25, 100, "not_low"),
        ([0, 0, 0, 0, 0], 0, 0, "low"),
        ([2, 2, 2, 3, 3], 12, 48, "low"),  # raw below 13: poor well-being
        ([2, 2, 3, 3, 3], 13, 52, "not_low"),
    ],
)
def test_who5(
    shipped_registry: Registry, values: list[int], raw: int, value: int, band: str
) -> None:
    """WHO-5: raw sum 0-25, times 4 gives 0-100."""
    score = shipped_registry.get("who5").score(_answers("q", values)).scales["wellbeing"]
    assert score == ScaleScore(value, raw, 5, 5, prorated=False, band=band)


def test_who5_needs_all_five_answers(shipped_registry: Registry) -> None:
    """One missing WHO-5 answer gives no score (never 0, never a prorated guess)."""
    scores = shipped_registry.get("who5").score(_answers("q", [5, 5, 5, 5, None]))
    assert scores.scales["wellbeing"] == ScaleScore(None, None, 4, 5, prorated=False, band=None)
    assert scores.completeness == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("values", "value", "band"),
    [
        ([0] * 9, 0, "minimal"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal"),
        ([1] * 9, 9, "mild"),
        ([2, 2, 2, 2, 2, 0, 0, 0, 0], 10, "moderate"),
        ([2, 2, 2, 2, 2, 2, 2, 1, 0], 15, "moderately_severe"),
        ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, "severe"),
        ([3] * 9, 27, "severe"),
    ],
)
def test_phq9(shipped_registry: Registry, values: list[int], value: int, band: str) -> None:
    """PHQ-9: sum 0-27 with the Kroenke et al. (2001) severity bands."""
    score = shipped_registry.get("phq9").score(_answers("q", values)).scales["depression"]
    assert (score.value, score.raw, score.band, score.prorated) == (value, value, band, False)


def test_phq9_and_gad7_give_no_score_with_a_missing_item(shipped_registry: Registry) -> None:
    """No prorating for PHQ-9 and GAD-7 (see the comments in their files)."""
    phq9 = shipped_registry.get("phq9").score(_answers("q", [3] * 8 + [None]))
    gad7 = shipped_registry.get("gad7").score(_answers("q", [None] + [3] * 6))
    assert phq9.scales["depression"].value is None
    assert gad7.scales["anxiety"].value is None
    assert gad7.scales["anxiety"].n_answered == 6


@pytest.mark.parametrize(
    ("values", "value", "band"),
    [
        ([0] * 7, 0, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "mild"),
        ([2, 2, 2, 2, 1, 1, 0], 10, "moderate"),
        ([3, 3, 3, 2, 2, 2, 0], 15, "severe"),
        ([3] * 7, 21, "severe"),
    ],
)
def test_gad7(shipped_registry: Registry, values: list[int], value: int, band: str) -> None:
    """GAD-7: sum 0-21 with the Spitzer et al. (2006) bands."""
    score = shipped_registry.get("gad7").score(_answers("q", values)).scales["anxiety"]
    assert (score.value, score.band) == (value, band)


THEMES = [
    "relations",
    "communication",
    "mobility",
    "self_care",
    "community_life",
    "practical_tasks",
]


def test_functioning_profile_scores_each_theme_and_the_mean(shipped_registry: Registry) -> None:
    """Each theme scale is its item's level; `mean` is the mean of the six levels."""
    profile = shipped_registry.get("del_functioning")
    answers = dict(zip(THEMES, [0, 1, 2, 3, 4, 2], strict=True))
    scores = profile.score(answers)
    for theme, level in answers.items():
        assert scores.scales[theme] == ScaleScore(level, level, 1, 1, prorated=False, band=None)
    assert scores.scales["mean"] == ScaleScore(2.0, 2.0, 6, 6, prorated=False, band=None)
    assert scores.completeness == 1.0


def test_functioning_mean_of_four_themes_and_too_few(shipped_registry: Registry) -> None:
    """The mean needs four themes: four give a (prorated) mean, three give no score."""
    profile = shipped_registry.get("del_functioning")
    four = profile.score({"relations": 1, "communication": 2, "mobility": 0, "self_care": 3})
    assert four.scales["mean"] == ScaleScore(1.5, 1.5, 4, 6, prorated=True, band=None)
    assert four.scales["community_life"].value is None
    three = profile.score({"relations": 4, "communication": 4, "mobility": 4})
    assert three.scales["mean"].value is None
    assert three.scales["relations"].value == 4
    assert three.completeness == 0.5


def test_reverse_items(tst: QuestionnaireDefinition) -> None:
    """b and d are reverse-scored inside 0-4: 4 + (4-0) + 4 + (4-0) = 16."""
    total = tst.score({"a": 4, "b": 0, "c": 4, "d": 0}).scales["total"]
    assert total == ScaleScore(16, 16, 4, 4, prorated=False, band="high")
    total = tst.score({"a": 1, "b": 3, "c": 2, "d": 4}).scales["total"]
    assert (total.value, total.band) == (1 + 1 + 2 + 0, "low")


def test_prorating_a_sum(tst: QuestionnaireDefinition) -> None:
    """With 3 of 4 answered the sum is the mean of the three times four."""
    total = tst.score({"a": 4, "b": 1, "c": 2}).scales["total"]
    # answered (after reversing b): 4, 3, 2 -> mean 3 -> 3 * 4 = 12
    assert total == ScaleScore(12.0, 12.0, 3, 4, prorated=True, band="high")


def test_too_many_missing_gives_no_score_not_zero(tst: QuestionnaireDefinition) -> None:
    """Two of four answered (min 3): no score, even when the answers are zeros."""
    scores = tst.score({"a": 0, "c": 0})
    assert scores.scales["total"] == ScaleScore(None, None, 2, 4, prorated=False, band=None)
    assert scores.scales["ab"].value is None
    assert scores.scales["yes"].value is None


def test_mean_with_multiplier(tst: QuestionnaireDefinition) -> None:
    """ab = mean(a, reverse-free b) x 25 on 0-100."""
    ab = tst.score({"a": 3, "b": 2}).scales["ab"]
    assert ab == ScaleScore(62.5, 2.5, 2, 2, prorated=False, band=None)


def test_options_that_do_not_start_at_zero(tst: QuestionnaireDefinition) -> None:
    """Item e has options 1 and 2; its scale ranges 1-2."""
    scale = tst.scale("yes")
    assert (scale.score_min, scale.score_max) == (1, 2)
    assert tst.score({"a": 0, "e": 2}).scales["yes"].value == 2


def test_invalid_answers_name_the_item_and_allowed_values(tst: QuestionnaireDefinition) -> None:
    """Unknown items and values outside the options are refused with one clear message."""
    with pytest.raises(InvalidAnswers) as caught:
        tst.score({"a": 5, "zz": 1, "e": 0, "b": True, "c": "2", "d": 2.0})
    assert str(caught.value) == (
        "tst@1: item 'a': 5 is not one of 0, 1, 2, 3, 4; "
        "unknown item 'zz' (items are: a, b, c, d, e); "
        "item 'e': 0 is not one of 1, 2; "
        "item 'b': True is not one of 0, 1, 2, 3, 4; "
        "item 'c': '2' is not one of 0, 1, 2, 3, 4; "
        "item 'd': 2.0 is not one of 0, 1, 2, 3, 4"
    )
    assert isinstance(caught.value, ValueError)


def test_validate_answers_fills_unanswered_items(tst: QuestionnaireDefinition) -> None:
    """Every item gets a key; None marks the unanswered ones."""
    assert tst.validate_answers({"b": 1}) == {"a": None, "b": 1, "c": None, "d": None, "e": None}


def test_to_dict_is_json_ready(tst: QuestionnaireDefinition) -> None:
    """Scores can be stored with the assessment as JSON."""
    data = tst.score({"a": 4, "b": 1, "c": 2}).to_dict()
    assert data["completeness"] == 0.6
    assert data["scales"]["total"] == {
        "value": 12.0,
        "raw": 12.0,
        "n_answered": 3,
        "n_items": 4,
        "prorated": True,
        "band": "high",
    }


def test_score_frame_matches_score(tst: QuestionnaireDefinition) -> None:
    """The vectorised scoring gives the same values as scoring one assessment at a time."""
    rows = [
        {"a": 4, "b": 0, "c": 4, "d": 0, "e": 1},
        {"a": 4, "b": 1, "c": 2},
        {"a": 0, "c": 0},
        {"a": 3, "b": 2, "e": 2},
    ]
    frame = pd.DataFrame(rows, index=["r1", "r2", "r3", "r4"])
    scored = tst.score_frame(frame)
    assert list(scored.columns) == ["total", "ab", "yes"]
    for index, row in zip(frame.index, rows, strict=True):
        for scale_id, score in tst.score(row).scales.items():
            expected = float("nan") if score.value is None else score.value
            assert scored.loc[index, scale_id] == pytest.approx(expected, nan_ok=True)


def test_score_frame_refuses_values_outside_the_options(tst: QuestionnaireDefinition) -> None:
    """A value that is not an option is named with its row."""
    frame = pd.DataFrame({"a": [1, 2], "e": [1, 0]}, index=[10, 11])
    with pytest.raises(InvalidAnswers) as caught:
        tst.score_frame(frame)
    assert str(caught.value) == "tst@1: item 'e', row 11: 0 is not one of 1, 2"


def test_score_frame_of_shipped_definition(shipped_registry: Registry) -> None:
    """Extra columns are ignored; missing item columns count as unanswered."""
    who5 = shipped_registry.get("who5")
    frame = pd.DataFrame(
        {"assessment_id": [1, 2], **{f"q{n}": [3, 3] for n in range(1, 5)}, "q5": [3, None]}
    )
    assert who5.score_frame(frame)["wellbeing"].tolist()[0] == 60
    assert pd.isna(who5.score_frame(frame)["wellbeing"].tolist()[1])
    assert pd.isna(who5.score_frame(frame.drop(columns="q5"))["wellbeing"]).all()


def test_scale_metadata_for_reports(shipped_registry: Registry) -> None:
    """The figures the reports need are on the scale, with their sources."""
    depression = shipped_registry.get("phq9").scale("depression")
    assert depression.reliability is not None
    assert (depression.reliability.value, depression.reliability.kind) == (0.89, "cronbach_alpha")
    assert depression.mic is not None
    assert depression.mic.value == 5
    assert "Löwe" in depression.mic.source
    assert depression.higher_is_better is False
    assert [b.id for b in depression.bands] == [
        "minimal",
        "mild",
        "moderate",
        "moderately_severe",
        "severe",
    ]
    assert depression.band("moderate").label("en") == "Moderate"
    wellbeing = shipped_registry.get("who5").scale("wellbeing")
    assert (wellbeing.score_min, wellbeing.score_max, wellbeing.multiplier) == (0, 100, 4)
    assert wellbeing.mic is not None
    assert wellbeing.mic.value == 10
    assert wellbeing.reliability is None  # not found in a citable source: reports compute alpha
    assert shipped_registry.get("gad7").scale("anxiety").reliability is not None
