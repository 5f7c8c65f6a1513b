"""Tests for del_tool.stats.funnel (funnel-plot limits, flags and overdispersion)."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from del_tool.stats import (
    exact_proportion_limits,
    funnel_means,
    funnel_proportions,
    proportion_limits,
)

DATA = Path(__file__).parent / "data"
LIMIT_COLUMNS = {
    "lower95": "Lower2s0025limit",
    "upper95": "Upper2s0025limit",
    "lower998": "Lower3s0001limit",
    "upper998": "Upper3s0001limit",
}


def _phe(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, encoding="utf-8-sig")


def _phe_labels(res) -> np.ndarray:
    return np.select(
        [res.flag == "above", res.flag == "below", res.flag95 == "above", res.flag95 == "below"],
        ["High (0.001)", "Low (0.001)", "High (0.025)", "Low (0.025)"],
        "Not significant",
    )


def test_flags_match_phe_funnel_significance():
    # PHEindicatormethods test data: the `significance` column of testdata_funnel_prop_inputs
    # was written by phe_funnel_significance() for 303 areas (average = pooled proportion).
    areas = _phe("phe_testdata_funnel_prop_inputs.csv")
    res = funnel_proportions(areas["numerator"], areas["denominator"])
    assert res.n_units == 303
    assert list(_phe_labels(res)) == list(areas["significance"])


@pytest.mark.parametrize(
    ("outputs", "max_denominator"),
    [
        ("phe_testdata_funnel_prop_outputs.csv", None),
        ("phe_testdata_funnel_prop_outputs_with_axis_variation.csv", 31000),
    ],
)
def test_limits_match_phe_funnels(outputs, max_denominator):
    # PHEindicatormethods tests/testthat/testFunnels.R: phe_funnels() on all areas and on the
    # areas with denominator < 31000; expected limits (in %, cut to [0, 100]) and baselines
    # 80.642448 and 82.18033788 in the two output files.
    areas = _phe("phe_testdata_funnel_prop_inputs.csv")
    if max_denominator is not None:
        areas = areas[areas["denominator"] < max_denominator]
    expected = _phe(outputs)
    res = funnel_proportions(areas["numerator"], areas["denominator"])
    assert res.target * 100 == pytest.approx(expected["Baseline"].iloc[0], abs=1e-6)
    limits = proportion_limits(res.target, expected["Population"])
    for ours, theirs in LIMIT_COLUMNS.items():
        np.testing.assert_allclose(getattr(limits, ours) * 100, expected[theirs], atol=1e-6)


def test_units_with_zero_and_one_case():
    res = funnel_proportions([0, 1, 0, 30], [0, 1, 1, 100])
    assert np.isnan(res.value[0])
    assert np.isnan(res.z[0])
    assert res.flag[0] == ""
    assert res.flag95[0] == ""
    assert np.isnan(res.limits.upper95[0])
    assert res.n_units == 3
    assert res.target == pytest.approx(31 / 102)
    # one case: value 1 or 0, limits wide and cut at 0 and 1, no flag
    assert res.value[1] == 1.0
    assert res.limits.upper95[1] == 1.0
    assert res.limits.lower95[1] == 0.0
    assert list(res.flag[1:3]) == ["within", "within"]


def test_target_zero_or_given():
    none_happen = funnel_proportions([0, 0, 0], [10, 20, 5])
    assert none_happen.target == 0.0
    assert list(none_happen.flag) == ["within"] * 3
    assert list(none_happen.z) == [0.0, 0.0, 0.0]
    fixed = funnel_proportions([0, 3], [10, 10], target=0.0)
    assert fixed.z[1] == np.inf
    assert fixed.flag[1] == "above"


def test_no_units_with_data():
    res = funnel_proportions([0, 0], [0, 0])
    assert res.target is None
    assert list(res.flag) == ["", ""]
    assert "no units" in res.reason


def test_overdispersion_phi_and_tau2_independent_computation():
    # Spiegelhalter (2005): Winsorise z at the 10th/90th percentiles, phi = mean(z_w^2),
    # tau^2 = (k phi - (k - 1)) / (sum w - sum w^2 / sum w), w = 1 / s^2 (the formulas of
    # FunnelPlotR's phi_func and tau_func), recomputed here by hand.
    r = np.array([5, 12, 30, 8, 50, 22, 3, 40, 15, 60])
    n = np.array([50, 60, 100, 70, 150, 90, 40, 120, 80, 160])
    theta = r.sum() / n.sum()
    s = np.sqrt(theta * (1 - theta) / n)
    z = (r / n - theta) / s
    low, high = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, low, high) ** 2)
    w = 1 / s**2
    tau2 = max(0.0, (10 * phi - 9) / (w.sum() - (w**2).sum() / w.sum()))
    mult = funnel_proportions(r, n, overdispersion="multiplicative")
    add = funnel_proportions(r, n, overdispersion="additive")
    assert mult.phi == pytest.approx(phi)
    assert mult.tau2 is None
    assert add.tau2 == pytest.approx(tau2)
    scale = s * np.sqrt(max(phi, 1))
    np.testing.assert_allclose(mult.z, (r / n - theta) / scale)
    np.testing.assert_allclose(
        mult.limits.upper998, np.clip(theta + 3.090232 * scale, 0, 1), rtol=1e-6
    )
    np.testing.assert_allclose(add.z, (r / n - theta) / np.sqrt(s**2 + tau2))


def test_overdispersion_not_applied_when_phi_below_one():
    res = funnel_proportions(
        [10, 10, 10, 10], [100, 100, 100, 100], overdispersion="multiplicative"
    )
    plain = funnel_proportions([10, 10, 10, 10], [100, 100, 100, 100])
    assert res.phi == 0.0
    np.testing.assert_allclose(res.limits.upper95, plain.limits.upper95)


def test_overdispersion_needs_three_units():
    res = funnel_proportions([1, 9], [10, 10], overdispersion="additive")
    assert res.phi is None
    assert res.tau2 is None
    assert "too few units" in res.reason


def test_funnel_means_pooled_sd():
    means, sds, ns = [10.0, 12.0, 11.0, 15.0], [2.0, 3.0, np.nan, 2.0], [5, 8, 1, 0]
    res = funnel_means(means, sds, ns)
    sigma = np.sqrt((4 * 2.0**2 + 7 * 3.0**2) / 11)
    theta = (5 * 10 + 8 * 12 + 1 * 11) / 14
    assert res.sd == pytest.approx(sigma)
    assert res.target == pytest.approx(theta)
    np.testing.assert_allclose(res.z[:3], (np.array(means[:3]) - theta) / (sigma / np.sqrt(ns[:3])))
    assert res.flag[3] == ""  # no citizens
    assert res.flag[2] == "within"  # one citizen: compared with the pooled SD
    assert np.isnan(res.value[3])


def test_funnel_means_without_sd():
    res = funnel_means([10.0, 11.0], [np.nan, np.nan], [1, 1])
    assert res.target is None
    assert "within-unit SD unknown" in res.reason


def test_bad_input_raises():
    with pytest.raises(ValueError, match="numerator"):
        funnel_proportions([5], [3])
    with pytest.raises(ValueError, match="overdispersion"):
        funnel_proportions([1], [3], overdispersion="both")
    with pytest.raises(ValueError, match="target"):
        funnel_proportions([1], [3], target=1.5)
    with pytest.raises(ValueError, match="differ"):
        funnel_means([1.0], [1.0, 2.0], [3])


def test_to_frame():
    frame = funnel_proportions([1, 2, 3], [10, 10, 10]).to_frame()
    assert list(frame.columns[:3]) == ["value", "n", "z"]
    assert len(frame) == 3


def _binom_cdf(r: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(r + 1)) if r >= 0 else 0.0


def test_exact_limits_independent_computation():
    # Spiegelhalter (2005), appendix: r_p = smallest r with P(R <= r) >= p, alpha =
    # (P(R <= r_p) - p) / P(R = r_p), limit = (r_p - alpha) / n. Recomputed here with
    # math.comb (no published table of these limits was available).
    target, sizes = 0.3, [1, 5, 10, 40]
    limits = exact_proportion_limits(target, sizes)
    for i, n in enumerate(sizes):
        for p, ours in [
            (0.025, limits.lower95),
            (0.975, limits.upper95),
            (0.001, limits.lower998),
            (0.999, limits.upper998),
        ]:
            r_p = next(r for r in range(n + 1) if _binom_cdf(r, n, target) >= p)
            mass = _binom_cdf(r_p, n, target) - _binom_cdf(r_p - 1, n, target)
            alpha = (_binom_cdf(r_p, n, target) - p) / mass
            assert ours[i] == pytest.approx(min(1.0, max(0.0, (r_p - alpha) / n)))


def test_exact_limits_approach_normal_for_large_n():
    exact = exact_proportion_limits(0.3, [100_000])
    normal = proportion_limits(0.3, [100_000])
    assert exact.upper998[0] == pytest.approx(normal.upper998[0], abs=2e-4)
    assert exact.lower95[0] == pytest.approx(normal.lower95[0], abs=2e-4)


def test_exact_flags_small_units():
    # Against a target of 0.1: 1 of 1 has P(R >= 1) = 0.1 and 3 of 8 has P(R >= 3) = 0.038,
    # neither beyond the 2.5% tail, though the normal approximation flags both at 95%;
    # 5 of 9 has P(R >= 5) = 0.00089 < 0.001.
    r, n = [1, 3, 5, 0], [1, 8, 9, 0]
    exact = funnel_proportions(r, n, target=0.1, limits="exact")
    normal = funnel_proportions(r, n, target=0.1)
    assert list(exact.flag95) == ["within", "within", "above", ""]
    assert list(exact.flag) == ["within", "within", "above", ""]
    assert list(normal.flag95[:2]) == ["above", "above"]
    assert 1 - _binom_cdf(4, 9, 0.1) < 0.001
    with pytest.raises(ValueError, match="exact limits"):
        funnel_proportions(r, n, limits="exact", overdispersion="additive")
