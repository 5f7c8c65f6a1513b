"""Tests for del_tool.stats.funnel_poisson (funnels for standardised ratios and rates).

Published values: the test data of the R package PHEindicatormethods (UK Health Security
Agency), tests/testthat/ at commit d667767 (July 2021, the funnel work for ratios and rates):
the significance labels of ``phe_funnel_significance(statistic = "ratio")`` for 300 areas and
of ``statistic = "rate", rate_type = "crude"`` for 40 areas, and the limit tables of
``phe_funnels(statistic = "ratio")`` and ``phe_funnels(statistic = "rate", rate_type = "crude",
multiplier = 1e5, years_of_data = 3)`` (files copied to tests/stats/data, see its README).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from del_tool.stats import (
    exact_poisson_limits,
    funnel_rates,
    funnel_ratios,
    poisson_funnel_points,
)

DATA = Path(__file__).parent / "data"


def _phe(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, encoding="utf-8-sig")


def _labels(res) -> list[str]:
    return list(
        np.select(
            [
                res.flag == "above",
                res.flag95 == "above",
                res.flag == "below",
                res.flag95 == "below",
            ],
            ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)"],
            "Not significant",
        )
    )


def _close_to_bisection(ours, theirs, observed) -> None:
    """PHE's poisson_funnel bisects v in E = (1 + O) v / (1 - v) until the step is below 1e-7,
    so its E is within (1 + O) 1e-7 / (1 - v)^2 of the exact value (3e-7 for O = 1 and E near
    0); beyond that the values must agree to 1e-6 relative."""
    ours, theirs, observed = (np.asarray(x, dtype=float) for x in (ours, theirs, observed))
    v = theirs / (1 + observed + theirs)
    bound = 2e-7 * (1 + observed) / (1 - v) ** 2 + 1e-6 * theirs
    assert np.all(np.abs(ours - theirs) <= bound), np.max(np.abs(ours - theirs) / bound)


def test_ratio_flags_match_phe_funnel_significance():
    # testdata_funnel_ratio_inputs.csv: obs, expected and the label phe_funnel_significance(
    # statistic = "ratio") gave each of 300 areas (50 high and 49 low at 0.001, 23 high and 49
    # low at 0.025, 129 not significant).
    areas = _phe("phe_testdata_funnel_ratio_inputs.csv")
    res = funnel_ratios(areas["obs"], areas["expected"])
    assert res.n_units == 300
    assert res.target == 1.0
    assert _labels(res) == list(areas["significance"])
    np.testing.assert_allclose(res.value, areas["obs"] / areas["expected"])


def test_ratio_limit_points_match_phe_funnels():
    # testdata_funnel_ratio_outputs.csv: for observed events 1..101 the expected events at each
    # limit (e.g. O = 1: 5.571644585 and 0.025317898 at 95%, 9.233410143 and 0.001000547 at
    # 99.8%) and the limits as O/E - 1 ("count") and 100 O/E ("isr"). PHE finds E by bisection,
    # so E is compared within the bisection's error and the limits through E = O / limit.
    table = _phe("phe_testdata_funnel_ratio_outputs.csv")
    table = table.rename(columns={table.columns[0]: "observed"})
    points = poisson_funnel_points(table["observed"])
    for ours, theirs in {
        "lower95": "lower_2s",
        "upper95": "upper_2s",
        "lower998": "lower_3s",
        "upper998": "upper_3s",
    }.items():
        o = table["observed"]
        e = points[f"exposure_{ours}"]
        _close_to_bisection(e, table[f"{theirs}_exp_events"], o)
        _close_to_bisection(e, o / (table[f"{theirs}_count"] + 1), o)
        _close_to_bisection(e, o / (table[f"{theirs}_isr"] / 100), o)
        np.testing.assert_allclose(points[ours], o / e)


def test_crude_rate_flags_match_phe_funnel_significance():
    # testdata_funnel_rate_dsr_inputs.csv: 40 areas' counts and populations with the label of
    # phe_funnel_significance(statistic = "rate", rate_type = "crude", multiplier = 1e5) against
    # the weighted average, with the zero-count area (columns _with_0) and without it.
    areas = _phe("phe_testdata_funnel_rate_dsr_inputs.csv")
    res = funnel_rates(areas["count"], areas["pop"], multiplier=1e5)
    assert _labels(res) == list(areas["crude_per_100000_with_0"])
    assert res.target == pytest.approx(areas["count"].sum() / areas["pop"].sum() * 1e5)
    np.testing.assert_allclose(res.value, areas["rate_crude_per_100000"], rtol=1e-8)
    nonzero = areas[areas["count"] != 0]
    res = funnel_rates(nonzero["count"], nonzero["pop"], multiplier=100)
    assert _labels(res) == list(nonzero["crude_per_100_without_0"])


def test_crude_rate_limit_points_match_phe_funnels():
    # testdata_funnel_rate_outputs_2.csv: phe_funnels(ev, rate, multiplier = 1e5,
    # statistic = "rate", rate_type = "crude", years_of_data = 3) on the input funnels with the
    # largest count set to 5; baseline 114.8591735 per 100,000, one-year populations and rates at
    # each limit for events 1..100 (e.g. 1 event: 1616.949526 and 20.61494982 at the lower 95%).
    data = _phe("phe_testdata_funnel_rate_input_funnels.csv")
    ev = data["ev"].where(data["ev"] != data["ev"].max(), 5)
    exposure = 1e5 * ev / data["rate"]
    res = funnel_rates(ev, exposure, multiplier=1e5)
    table = _phe("phe_testdata_funnel_rate_outputs_2.csv")
    assert res.target == pytest.approx(table["baseline"].iloc[0], rel=1e-9)
    theta = res.target / 1e5
    points = poisson_funnel_points(table["Events"], target=theta)
    for ours, theirs in {
        "lower95": "lower_2s",
        "upper95": "upper_2s",
        "lower998": "lower_3s",
        "upper998": "upper_3s",
    }.items():
        o = table["Events"]
        e = points[f"exposure_{ours}"] * theta  # expected events at the limit
        _close_to_bisection(e, table[f"{theirs}_population_1_year"] * 3 * theta, o)
        _close_to_bisection(e, o / table[f"{theirs}_limit"] * 1e5 * theta, o)


def test_exact_limits_interpolate_between_whole_counts():
    # Spiegelhalter (2005), appendix: (r_p - alpha) / E with alpha from the Poisson cdf; at the
    # expected count where P(X <= O - 1) = 0.975 exactly (E = chi2_0.025(2 O) / 2), r_p = O - 1
    # and alpha = 0, so the upper limit is (O - 1) / E.
    for o in (3, 10, 40):
        e = stats.chi2.ppf(0.025, 2 * o) / 2
        limit = exact_poisson_limits(1.0, [e])
        assert limit.upper95[0] == pytest.approx((o - 1) / e, rel=1e-9)
    lim = exact_poisson_limits(1.0, [0.0, 50.0, 5000.0])
    assert np.isnan(lim.lower95[0])
    # large E: close to the normal limits 1 +/- 1.96 / sqrt(E)
    assert lim.upper95[2] == pytest.approx(1 + 1.959964 / np.sqrt(5000), abs=2e-3)
    assert lim.lower998[1] < lim.lower95[1] < 1 < lim.upper95[1] < lim.upper998[1]


def test_ratio_overdispersion_uses_normal_scale():
    # s_i = sqrt(theta0 / E_i) (Spiegelhalter 2005, Table I); phi and tau^2 as for proportions,
    # recomputed by hand.
    o = np.array([12, 30, 5, 44, 20, 9, 61, 25, 14, 33])
    e = np.array([10.0, 22.0, 9.0, 30.0, 21.0, 12.0, 40.0, 27.0, 11.0, 35.0])
    s = np.sqrt(1 / e)
    z = (o / e - 1) / s
    low, high = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, low, high) ** 2)
    w = 1 / s**2
    tau2 = max(0.0, (10 * phi - 9) / (w.sum() - (w**2).sum() / w.sum()))
    mult = funnel_ratios(o, e, overdispersion="multiplicative")
    add = funnel_ratios(o, e, overdispersion="additive")
    assert mult.phi == pytest.approx(phi)
    np.testing.assert_allclose(mult.z, z / np.sqrt(max(phi, 1)))
    assert add.tau2 == pytest.approx(tau2)
    np.testing.assert_allclose(add.z, (o / e - 1) / np.sqrt(s**2 + tau2))
    np.testing.assert_allclose(
        mult.limits.upper998, 1 + 3.090232 * s * np.sqrt(max(phi, 1)), rtol=1e-6
    )
    assert "normal approximation" in mult.method
    plain = funnel_ratios(o, e, limits="normal")
    np.testing.assert_allclose(plain.z, z)


def test_rates_normal_equal_ratios_against_pooled_expectation():
    o = np.array([3, 8, 1, 12, 0])
    t = np.array([400.0, 900.0, 300.0, 700.0, 250.0])
    rates = funnel_rates(o, t, multiplier=1000, overdispersion="additive")
    theta = o.sum() / t.sum()
    ratios = funnel_ratios(o, theta * t, overdispersion="additive")
    np.testing.assert_allclose(rates.z, ratios.z)
    np.testing.assert_allclose(rates.limits.upper95, ratios.limits.upper95 * theta * 1000)
    assert rates.target == pytest.approx(theta * 1000)
    assert list(rates.flag) == list(ratios.flag)


def test_bad_input_and_empty_units():
    with pytest.raises(ValueError, match="non-negative"):
        funnel_ratios([-1, 2], [1, 2])
    with pytest.raises(ValueError, match="whole-number"):
        funnel_ratios([1.5, 2], [1, 2])
    with pytest.raises(ValueError, match="cannot be combined"):
        funnel_ratios([1, 2], [1, 2], overdispersion="additive", limits="exact")
    with pytest.raises(ValueError, match="differ in length"):
        funnel_rates([1, 2], [1])
    with pytest.raises(ValueError, match="whole numbers"):
        poisson_funnel_points([0, 1])
    res = funnel_ratios([0, 4], [0, 2])
    assert list(res.flag) == ["", "within"]
    assert res.n_units == 1
    none = funnel_rates([0, 0], [0, 0])
    assert none.target is None
    assert "no units" in none.reason
    zero = funnel_rates([0, 0], [10, 10])
    assert "target rate is 0" in zero.reason
