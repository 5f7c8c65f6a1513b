"""Scale scoring as pure functions: reverse items, prorating, sum/mean, multiplier, ranges."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from del_tool.stats.scoring import (
    ScaleResult,
    ScaleSpec,
    band_index,
    band_indices,
    reverse_value,
    score_frame,
    score_scale,
)

METHODS: tuple[Literal["sum", "mean"], ...] = ("sum", "mean")
FOUR = ScaleSpec(items=("a", "b", "c", "d"), low=(0,) * 4, high=(4,) * 4)


def test_reverse_value_mirrors_inside_the_range() -> None:
    """low + high - value, for ranges that do not start at 0 too."""
    assert [reverse_value(v, low=0, high=4) for v in range(5)] == [4, 3, 2, 1, 0]
    assert [reverse_value(v, low=1, high=5) for v in range(1, 6)] == [5, 4, 3, 2, 1]
    with pytest.raises(ValueError, match=r"outside 0\.\.4"):
        reverse_value(5, low=0, high=4)


def test_sum_of_complete_answers() -> None:
    """All answered: the plain sum, not prorated."""
    assert score_scale({"a": 1, "b": 2, "c": 3, "d": 4}, FOUR) == ScaleResult(10, 10, 4, 4, False)


def test_sum_with_reverse_items() -> None:
    """Reverse-scored items enter as low + high - value."""
    spec = ScaleSpec(items=("a", "b"), low=(0, 0), high=(4, 4), reverse=frozenset({"b"}))
    assert score_scale({"a": 4, "b": 1}, spec).value == 4 + 3


def test_prorated_sum_is_mean_of_answered_times_items() -> None:
    """Three of four answered (min 3): mean(1, 2, 4) x 4 = 9.33..."""
    spec = ScaleSpec(items=FOUR.items, low=FOUR.low, high=FOUR.high, min_answered=3)
    result = score_scale({"a": 1, "b": 2, "d": 4}, spec)
    assert result.value == pytest.approx(28 / 3)
    assert (result.n_answered, result.n_items, result.prorated) == (3, 4, True)


def test_too_few_answers_give_none_never_zero() -> None:
    """Below min_answered: no score, also when every given answer is 0."""
    spec = ScaleSpec(items=FOUR.items, low=FOUR.low, high=FOUR.high, min_answered=3)
    assert score_scale({"a": 0, "b": 0}, spec) == ScaleResult(None, None, 2, 4, False)
    assert score_scale({}, FOUR) == ScaleResult(None, None, 0, 4, False)
    assert score_scale({"a": 0, "b": 0, "c": 0, "d": None}, FOUR).value is None


def test_mean_and_multiplier() -> None:
    """Mean of answered items; value = raw x multiplier; range scales too."""
    spec = ScaleSpec(items=("a", "b"), low=(0, 0), high=(4, 4), method="mean", multiplier=25)
    assert score_scale({"a": 3, "b": 2}, spec) == ScaleResult(62.5, 2.5, 2, 2, False)
    assert spec.score_range == (0, 100)


def test_who5_style_multiplier_on_a_sum() -> None:
    """Five items 0-5, raw 0-25, x4 gives 0-100."""
    spec = ScaleSpec(items=tuple("abcde"), low=(0,) * 5, high=(5,) * 5, multiplier=4)
    assert score_scale(dict.fromkeys("abcde", 3), spec) == ScaleResult(60, 15, 5, 5, False)
    assert spec.score_range == (0, 100)


def test_answers_outside_the_range_are_refused() -> None:
    """Range checks: out of range, bools and non-integers raise ValueError."""
    for bad in (5, -1, True, 2.5, "2"):
        with pytest.raises(ValueError, match="item 'a'"):
            score_scale({"a": bad}, FOUR)  # type: ignore[dict-item]


def test_numpy_integers_are_accepted() -> None:
    """Answers straight from a frame are numpy integers."""
    assert score_scale({k: np.int64(2) for k in "abcd"}, FOUR).value == 8


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"items": ()}, "at least one item"),
        ({"items": ("a", "a")}, "twice"),
        ({"low": (0,)}, "one entry per item"),
        ({"low": (4, 4), "high": (4, 4)}, "below its high"),
        ({"reverse": frozenset({"z"})}, "reverse items"),
        ({"method": "median"}, "unknown method"),
        ({"multiplier": 0.0}, "positive"),
        ({"multiplier": math.inf}, "positive"),
        ({"min_answered": 0}, "between 1 and 2"),
        ({"min_answered": 3}, "between 1 and 2"),
        ({"high": (4, 3), "min_answered": 1}, "same range"),
    ],
)
def test_invalid_specs_are_refused(kwargs: dict[str, object], message: str) -> None:
    """A specification that cannot give a meaningful score raises ValueError."""
    base: dict[str, object] = {"items": ("a", "b"), "low": (0, 0), "high": (4, 4)}
    if "items" in kwargs and kwargs["items"] == ():
        base.update(low=(), high=())
    with pytest.raises(ValueError, match=message):
        ScaleSpec(**{**base, **kwargs})  # type: ignore[arg-type]


def test_different_ranges_are_fine_without_prorating() -> None:
    """Items with different ranges may be summed when all must be answered."""
    spec = ScaleSpec(items=("a", "b"), low=(0, 1), high=(4, 2))
    assert spec.score_range == (1, 6)
    assert score_scale({"a": 4, "b": 2}, spec).value == 6


def test_score_frame() -> None:
    """One row per assessment; NaN answers are unanswered; NaN scores mean no score."""
    spec = ScaleSpec(
        items=FOUR.items, low=FOUR.low, high=FOUR.high, reverse=frozenset({"d"}), min_answered=3
    )
    frame = pd.DataFrame(
        {"a": [1, 1, 0, None], "b": [2, 2, 0, None], "c": [3, None, None, 1], "d": [0, 4, 0, 1]},
        index=["x", "y", "z", "w"],
    )
    result = score_frame(frame, spec)
    assert result["value"].tolist()[:2] == [10, pytest.approx(4)]
    assert result["value"].isna().tolist() == [False, False, False, True]
    assert result["n_answered"].tolist() == [4, 3, 3, 2]
    assert result["prorated"].tolist() == [False, True, True, False]
    assert result.loc["z", "raw"] == pytest.approx(16 / 3)  # 0, 0, reversed 0 -> 4: mean 4/3 x 4


def test_score_frame_missing_columns_and_errors() -> None:
    """A missing item column counts as unanswered; a bad value names its row."""
    frame = pd.DataFrame({"a": [1], "b": [1], "c": [1]})
    assert pd.isna(score_frame(frame, FOUR)["value"]).all()
    with pytest.raises(ValueError, match=r"item 'b', row 7: value outside 0..4"):
        score_frame(pd.DataFrame({"a": [1, 1], "b": [1, 9]}, index=[6, 7]), FOUR)
    with pytest.raises(ValueError, match="item 'a'"):
        score_frame(pd.DataFrame({"a": [1.5]}), FOUR)


def test_band_index_reads_bands_as_from_up_to_the_next() -> None:
    """A prorated 9.5 between PHQ-9 'mild' (5-9) and 'moderate' (10-14) is still mild."""
    bands = [(0, 4), (5, 9), (10, 14), (15, 19), (20, 27)]
    assert [band_index(v, bands) for v in (0, 4, 4.5, 5, 9.5, 10, 27)] == [0, 0, 0, 1, 1, 2, 4]
    assert band_index(27.5, bands) is None
    assert band_index(-1, bands) is None
    assert band_index(None, bands) is None
    assert band_index(float("nan"), bands) is None


def test_band_indices_matches_band_index() -> None:
    """The vectorised version gives the same bands, <NA> for no score."""
    bands = [(0, 48), (52, 100)]
    values = pd.Series([0, 48, 50, 52, 100, None, 101])
    assert band_indices(values, bands).tolist() == [0, 0, 0, 1, 1, pd.NA, pd.NA]


@st.composite
def spec_and_answers(draw: st.DrawFn) -> tuple[ScaleSpec, dict[str, int | None]]:
    """A random valid spec and a random answer set for it."""
    n = draw(st.integers(1, 8))
    items = tuple(f"i{k}" for k in range(n))
    low = draw(st.integers(-3, 3))
    high = low + draw(st.integers(1, 6))
    reverse = frozenset(draw(st.lists(st.sampled_from(items), unique=True)))
    method = draw(st.sampled_from(METHODS))
    multiplier = draw(st.sampled_from([1.0, 2.5, 4.0, 25.0]))
    min_answered = draw(st.integers(1, n))
    spec = ScaleSpec(items, (low,) * n, (high,) * n, reverse, method, multiplier, min_answered)
    answers = {item: draw(st.none() | st.integers(low, high)) for item in items}
    return spec, answers


@settings(max_examples=300, deadline=None)
@given(spec_and_answers())
def test_any_valid_answers_score_inside_the_range(
    case: tuple[ScaleSpec, dict[str, int | None]],
) -> None:
    """A score exists iff enough items are answered, and then lies in the scale's range."""
    spec, answers = case
    result = score_scale(answers, spec)
    answered = sum(v is not None for v in answers.values())
    assert result.n_answered == answered
    if answered < spec.needed:
        assert result.value is None
    else:
        lo, hi = spec.score_range
        assert result.value is not None
        assert lo - 1e-9 <= result.value <= hi + 1e-9


@settings(max_examples=100, deadline=None)
@given(st.lists(spec_and_answers(), min_size=1, max_size=1), st.integers(1, 6))
def test_frame_agrees_with_scalar(
    cases: list[tuple[ScaleSpec, dict[str, int | None]]], copies: int
) -> None:
    """score_frame equals score_scale row by row."""
    spec, answers = cases[0]
    frame = pd.DataFrame([answers] * copies, columns=list(spec.items), dtype="float")
    expected = score_scale(answers, spec).value
    for got in score_frame(frame, spec)["value"]:
        assert (math.isnan(got) and expected is None) or got == pytest.approx(expected)
