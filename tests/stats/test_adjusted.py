"""Tests for del_tool.stats.adjusted (baseline-adjusted comparison of units, ANCOVA)."""

import numpy as np
import pytest

from del_tool.stats import adjusted_comparison

# Montgomery (2013), Design and Analysis of Experiments, 8th ed., Table 15.10: breaking strength
# (y) of fibres from three machines with their diameter (x) as covariate; the same data as the
# `fiber` dataset of the R packages emmeans and lsmeans (mean strength 40.2, mean diameter
# 24.133, as the emmeans documentation prints them).
MACHINE = list("AAAAABBBBBCCCCC")
STRENGTH = [36, 41, 39, 42, 49, 40, 48, 39, 45, 44, 35, 37, 42, 34, 32]
DIAMETER = [20, 25, 24, 25, 32, 22, 28, 22, 30, 28, 21, 23, 26, 21, 15]


def test_adjusted_means_reproduce_emmeans_on_the_fiber_data():
    # emmeans documentation, `fiber` help page: emmeans(lm(strength ~ diameter + machine),
    # pairwise ~ machine) prints
    #   A 40.4 SE 0.724 df 11 CI 38.8-42.0; B 41.4 0.744 39.8-43.1; C 38.8 0.788 37.1-40.5
    #   A - B -1.04 SE 1.01 t -1.024; A - C 1.58 SE 1.11 t 1.431; B - C 2.62 SE 1.15 t 2.283
    # and eff_size() prints "sigma used for effect sizes: 1.595" (df.residual 11).
    # Montgomery's ANCOVA table: adjusted treatment SS 13.28, error SS 27.99 (11 df), F 2.61,
    # P 0.12; slope estimate 0.954.
    res = adjusted_comparison(STRENGTH, DIAMETER, MACHINE)
    assert res.groups == ["A", "B", "C"]
    assert res.adjusted == pytest.approx([40.4, 41.4, 38.8], abs=0.05)
    assert res.se == pytest.approx([0.724, 0.744, 0.788], abs=5e-4)
    assert res.ci_low == pytest.approx([38.8, 39.8, 37.1], abs=0.05)
    assert res.ci_high == pytest.approx([42.0, 43.1, 40.5], abs=0.05)
    assert res.sigma == pytest.approx(1.595, abs=5e-4)
    assert res.f_df == (2, 11)
    assert res.f_stat == pytest.approx(2.61, abs=0.005)
    assert res.p_value == pytest.approx(0.12, abs=0.005)
    assert res.slope == pytest.approx(0.954, abs=5e-4)
    a, b, c = res.adjusted
    assert (a - b, a - c, b - c) == pytest.approx((-1.04, 1.58, 2.62), abs=0.005)
    assert list(res.n) == [5, 5, 5] and res.n_total == 15 and res.n_dropped == 0


def test_difference_from_the_overall_mean_is_an_independent_contrast():
    # The n-weighted mean of the adjusted means is the mean outcome; each group's difference
    # from it is a linear contrast of the parameters, checked here by a direct computation.
    res = adjusted_comparison(STRENGTH, DIAMETER, MACHINE)
    assert res.overall == pytest.approx(np.mean(STRENGTH))
    assert np.sum(res.n * res.adjusted) / res.n.sum() == pytest.approx(res.overall)
    g = np.array(MACHINE)
    x = np.array(DIAMETER, float) - np.mean(DIAMETER)
    design = np.column_stack([g == "A", g == "B", g == "C", x]).astype(float)
    beta, rss, *_ = np.linalg.lstsq(design, np.array(STRENGTH, float), rcond=None)
    cov = rss[0] / 11 * np.linalg.inv(design.T @ design)
    w = np.append(res.n / res.n.sum(), 0.0)
    for j in range(3):
        contrast = np.eye(4)[j] - w
        assert res.difference[j] == pytest.approx(contrast @ beta)
        assert res.difference_se[j] == pytest.approx(np.sqrt(contrast @ cov @ contrast))
    assert set(res.flag) == {"within"} and set(res.flag95) == {"within"}


def test_adjustment_removes_a_difference_that_is_only_regression_to_the_mean():
    # Two units with the same true effect (change = -0.5 * (baseline - 2)), one admitting
    # citizens with worse baselines: raw mean change differs, adjusted change does not.
    rng = np.random.default_rng(3)
    base_a, base_b = rng.normal(3.0, 0.4, 60), rng.normal(1.5, 0.4, 60)
    baseline = np.concatenate([base_a, base_b])
    change = -0.5 * (baseline - 2.0) + rng.normal(0, 0.01, 120)
    res = adjusted_comparison(change, baseline, ["a"] * 60 + ["b"] * 60)
    assert res.raw_mean[0] < res.raw_mean[1] - 0.5
    assert abs(res.adjusted[0] - res.adjusted[1]) < 0.02
    assert res.slope == pytest.approx(-0.5, abs=0.01)


def test_a_unit_far_from_the_others_is_flagged():
    rng = np.random.default_rng(5)
    groups = np.repeat(list("abcd"), 25)
    baseline = rng.normal(2, 0.5, 100)
    change = -0.2 * baseline + rng.normal(0, 0.2, 100) + np.where(groups == "d", 1.0, 0.0)
    res = adjusted_comparison(change, baseline, groups)
    assert res.flag.tolist() == ["below", "below", "below", "above"]
    assert res.p_value < 1e-6


def test_missing_rows_are_dropped_and_counted():
    res = adjusted_comparison([*STRENGTH, np.nan, 40], [*DIAMETER, 20, None], [*MACHINE, "A", "B"])
    assert res.n_dropped == 2 and res.n_total == 15
    assert res.adjusted == pytest.approx([40.382, 41.419, 38.798], abs=5e-4)


@pytest.mark.parametrize(
    ("outcome", "baseline", "groups", "why"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], ["a", "a", "a"], "fewer than 2 groups"),
        ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], ["a", "b", "b"], "too few rows"),
        ([1.0, 2.0, 3.0, 5.0], [2.0, 2.0, 2.0, 2.0], ["a", "a", "b", "b"], "does not vary"),
        ([], [], [], "fewer than 2 groups"),
    ],
)
def test_data_that_cannot_support_a_model_give_a_reason(outcome, baseline, groups, why):
    res = adjusted_comparison(outcome, baseline, groups)
    assert why in (res.reason or "")
    assert np.all(np.isnan(res.adjusted)) and res.p_value is None
    assert all(f == "" for f in res.flag)


def test_a_group_of_one_gets_an_estimate_with_a_wide_interval():
    res = adjusted_comparison([*STRENGTH, 44], [*DIAMETER, 24], [*MACHINE, "D"])
    assert res.n[-1] == 1 and np.isfinite(res.adjusted[-1])
    assert res.ci_high[-1] - res.ci_low[-1] > 2 * (res.ci_high[0] - res.ci_low[0])


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="differ in length"):
        adjusted_comparison([1, 2], [1, 2, 3], ["a", "b"])
