"""Tests for del_tool.stats.goals (GAS T-score, goal attainment, Wilson interval)."""

import numpy as np
import pandas as pd
import pytest

from del_tool.stats import gas_t_score, goal_attainment, wilson_interval
from del_tool.stats.goals import gas_t_scores, goal_met


@pytest.mark.parametrize(
    ("met", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_matches_newcombe_1998_table(met, n, low, high):
    # Newcombe (1998), Stat Med 17:857-872, Table I, method 3 (Wilson score interval).
    ci = wilson_interval(met, n)
    assert ci == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize("n", range(1, 301))
def test_wilson_limits_are_exactly_0_and_1_at_the_ends(n):
    # At a share of 1 the upper limit is 1 (and at 0 the lower limit 0), not 1 - 1e-16 as the
    # formula gives in floating point for e.g. 10 of 10; a report's CI must contain its share.
    assert wilson_interval(n, n)[1] == 1.0
    assert wilson_interval(0, n)[0] == 0.0
    low, high = wilson_interval(n, n)
    assert low < 1.0 and low <= n / n <= high


def test_gas_definition_kiresuk_sherman_1968():
    # Kiresuk & Sherman (1968): the T-score has mean 50 and SD 10; all goals at the expected
    # level (0) give 50, and one unweighted goal one level above/below gives 60/40.
    assert gas_t_score([0, 0, 0]).t_score == 50.0
    assert gas_t_score([1]).t_score == pytest.approx(60.0)
    assert gas_t_score([-1]).t_score == pytest.approx(40.0)
    assert gas_t_score([2]).t_score == pytest.approx(70.0)


def test_gas_weighted_hand_computation():
    # Turner-Stokes (2009, with erratum) formula, rho 0.3, on the example goals of the gasr R
    # package documentation (scores -2, 0, -1, 2, 0, 1; weights 3, 5, 1, 4, 2, 6). gasr does
    # not print the value; by hand: sum(w x) = 7, sum(w^2) = 91, sum(w) = 21,
    # sqrt(0.7*91 + 0.3*441) = 14, T = 50 + 70/14 = 55 (an independent computation).
    res = gas_t_score([-2, 0, -1, 2, 0, 1], weights=[3, 5, 1, 4, 2, 6])
    assert res.t_score == pytest.approx(55.0)
    assert res.weighted
    assert res.n_goals == 6


def test_gas_unweighted_three_goals():
    # Unweighted, rho 0.3, three goals at -1: T = 50 - 30 / sqrt(0.7*3 + 0.3*9) = 36.307.
    res = gas_t_score([-1, -1, -1])
    assert res.t_score == pytest.approx(50 - 30 / np.sqrt(4.8))


def test_gas_variance_denominator_property():
    # With goal scores of variance 1 and pairwise correlation rho, Var(sum w x) equals
    # (1 - rho) sum w^2 + rho (sum w)^2, so T has SD 10 (Kiresuk & Sherman 1968).
    w = np.array([1.0, 2.0, 3.0])
    rho = 0.3
    cov = np.full((3, 3), rho) + np.eye(3) * (1 - rho)
    var = w @ cov @ w
    assert var == pytest.approx((1 - rho) * np.sum(w**2) + rho * np.sum(w) ** 2)


def test_gas_missing_and_empty():
    res = gas_t_score([1, None, 0])
    assert res.n_goals == 2
    assert res.n_missing == 1
    none = gas_t_score([None, np.nan])
    assert none.t_score is None
    assert none.reason == "no scored goals"
    assert gas_t_score([]).t_score is None


@pytest.mark.parametrize(
    ("scores", "weights", "rho"),
    [([3], None, 0.3), ([1], [-1], 0.3), ([1, 0], [1], 0.3), ([1], None, 1.5), ([1], [0], 0.3)],
)
def test_gas_bad_input_raises(scores, weights, rho):
    with pytest.raises(ValueError, match=r"GAS scores|weights|rho"):
        gas_t_score(scores, weights, rho)


def test_goal_attainment_shares_by_direction():
    goals = pd.DataFrame(
        {
            "direction": ["develop", "develop", "develop", "maintain", "limit_loss", None],
            "level": [1, 3, 0, 2, 4, 0],
            "target": [2, 2, 0, 2, None, 1],
        }
    )
    res = goal_attainment(goals)
    assert (res.n, res.n_missing) == (5, 1)
    assert (res.overall.met, res.overall.n) == (4, 5)
    develop = res.by_direction["develop"]
    assert (develop.met, develop.n, develop.share) == (2, 3, pytest.approx(2 / 3))
    assert develop.ci_low == pytest.approx(wilson_interval(2, 3)[0])
    assert res.by_direction["limit_loss"].n == 0
    assert res.by_direction["limit_loss"].share is None
    assert res.by_direction["limit_loss"].reason == "no assessable goals"


def test_goal_attainment_arrays_and_published_interval():
    # 81 of 263 goals met: the share's CI is Newcombe's (1998) Table I Wilson interval.
    level = np.r_[np.zeros(81), np.full(182, 3)]
    res = goal_attainment(level=level, target=np.ones(263), direction=["develop"] * 263)
    assert res.overall.share == pytest.approx(81 / 263)
    assert (res.overall.ci_low, res.overall.ci_high) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert res.by_direction["develop"].n == 263


def test_goal_attainment_empty_and_errors():
    res = goal_attainment(level=[], target=[])
    assert res.overall.n == 0
    assert res.overall.share is None
    with pytest.raises(ValueError, match="direction"):
        goal_attainment(level=[1], target=[1], direction=["grow"])
    with pytest.raises(ValueError, match="either"):
        goal_attainment(pd.DataFrame({"level": [1], "target": [1]}), level=[1])
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(3, 2)


def test_gas_t_scores_equal_one_call_per_person():
    rng = np.random.default_rng(11)
    n = 400
    groups = rng.integers(0, 90, n)
    scores = rng.integers(-2, 3, n).astype(float)
    scores[rng.random(n) < 0.15] = np.nan
    scores[groups == 7] = np.nan  # a person with no scored goal is left out
    weights = rng.choice([1.0, 2.0, 0.5], n)
    result = gas_t_scores(scores, weights, groups)
    expected = {
        g: gas_t_score(scores[groups == g], weights[groups == g]).t_score
        for g in np.unique(groups)
        if np.isfinite(scores[groups == g]).any()
    }
    assert 7 not in result.index
    assert list(result.index) == sorted(expected)
    assert result.to_numpy() == pytest.approx([expected[g] for g in sorted(expected)], abs=1e-12)


def test_gas_t_scores_check_their_input():
    with pytest.raises(ValueError, match="lie in"):
        gas_t_scores([3], [1], ["a"])
    with pytest.raises(ValueError, match="non-negative"):
        gas_t_scores([1], [-1], ["a"])
    with pytest.raises(ValueError, match="sum to 0"):
        gas_t_scores([1, 0], [0, 0], ["a", "a"])
    with pytest.raises(ValueError, match="differ in length"):
        gas_t_scores([1, 0], [1], ["a", "a"])
    with pytest.raises(ValueError, match="rho"):
        gas_t_scores([1], [1], ["a"], rho=1.5)


def test_goal_met_is_the_rule_of_goal_attainment():
    level = [0, 2, 3, None, 1, 4]
    target = [1, 2, 2, 1, None, 4]
    assessable, met = goal_met(level, target)
    assert assessable.tolist() == [True, True, True, False, False, True]
    assert met.tolist() == [True, True, False, False, False, True]
    result = goal_attainment(level=level, target=target)
    assert (result.overall.n, result.overall.met) == (int(assessable.sum()), int(met.sum()))
