"""Tests for del_tool.stats.paired (paired_change)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from del_tool.stats import paired_change

DATA = Path(__file__).parent / "data"


def _with_mean_sd(mean: float, sd: float, n: int) -> np.ndarray:
    """n values with exactly this mean and SD (ddof 1), to feed summary-statistic examples."""
    z = np.linspace(-1.0, 1.0, n) ** 3 + np.arange(n) * 0.01
    return mean + sd * (z - z.mean()) / z.std(ddof=1)


def test_lakens_2013_movie_example():
    # Lakens (2013), Front. Psychol. 4:863, Table 1 and its reporting example: "Mean 1 was
    # higher (M = 8.7, SD = 0.82) than Mean 2 (M = 7.7, SD = 0.95), t(9) = 4.74, p = .001,
    # 95% CI [0.52, 1.48], Hedges's g_av = 1.03"; d_z = 1.50. t, p and d_z are also asserted by
    # the R package apa (tests/testthat/test_t_apa.R: "t(9) = 4.74, p = .001, d = 1.50").
    movie = pd.read_csv(DATA / "lakens2013_movie.csv")
    res = paired_change(movie["movie_2"], movie["movie_1"])  # difference = movie 1 - movie 2
    assert res.n == 10
    assert res.n_dropped == 0
    assert res.mean_post == pytest.approx(8.7)
    assert res.mean_pre == pytest.approx(7.7)
    assert round(res.sd_post, 2) == 0.82
    assert round(res.sd_pre, 2) == 0.95
    assert res.mean_diff == pytest.approx(1.0)
    assert round(res.t, 2) == 4.74
    assert round(res.p_t, 3) == 0.001
    assert (round(res.ci_low, 2), round(res.ci_high, 2)) == (0.52, 1.48)
    assert round(res.d_z, 2) == 1.50
    assert res.srm == res.d_z
    assert round(res.g_av, 2) == 1.03
    # d_av = 1.0 / ((0.82 + 0.95) / 2) = 1.13 from the published summary statistics
    # (Lakens 2013, eq. 10; an independent computation, the paper's text gives g_av).
    assert round(res.d_av, 2) == 1.13
    assert res.reason is None


def test_dz_noncentral_t_ci_matches_mote():
    # R package MOTE, tests/testthat/test-d_dep_t_diff.R: mdiff 1.14, sddiff 2.12, n 7 gives
    # d = 0.5377358 with noncentral-t 95% CI [-0.2791857, 1.317321].
    diff = _with_mean_sd(1.14, 2.12, 7)
    res = paired_change(np.zeros(7), diff)
    assert res.d_z == pytest.approx(0.5377358, abs=1e-6)
    assert res.d_z_ci == pytest.approx((-0.2791857, 1.317321), abs=1e-6)


def test_dav_matches_mote():
    # R package MOTE, tests/testthat/test-d_dep_t_avg.R: m1 5.57, m2 4.43, sd1 1.99, sd2 2.88
    # gives d_av = 0.4681725.
    res = paired_change(_with_mean_sd(4.43, 2.88, 7), _with_mean_sd(5.57, 1.99, 7))
    assert res.d_av == pytest.approx(0.4681725, abs=1e-6)


def test_wilcoxon_exact_hollander_wolfe():
    # Hollander & Wolfe (1973) Example 3.1, the paired example of R's ?wilcox.test:
    # wilcox.test(x, y, paired = TRUE, alternative = "greater") gives V = 40, p = 0.01953
    # (= 10/512); the exact distribution is symmetric, so two-sided p = 20/512.
    x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    res = paired_change(y, x)
    assert res.p_wilcoxon == pytest.approx(20 / 512, abs=1e-12)
    assert "exact" in res.method


def test_wilcoxon_with_zero_and_ties_sleep_data():
    # Student's sleep data: R's wilcox.test(extra ~ group, data = sleep, paired = TRUE) prints
    # "V = 0, p-value = 0.009091" with warnings for ties and zeroes (printed in several public
    # R tutorials). One zero difference is dropped, ties get the tie-corrected variance and the
    # continuity correction.
    drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    res = paired_change(drug1, drug2)
    assert res.p_wilcoxon == pytest.approx(0.009091, abs=5e-7)
    assert "1 zero difference(s) dropped" in res.method


def test_wilcoxon_many_ties_and_zeros():
    # stats.stackexchange.com question 514618: d = x1 - x2 with four zeros and many ties;
    # R's wilcox.test(d) gives "V = 99.5, p-value = 0.01842".
    x1 = [5, 6, 3, 3, 4, 2, 5, 3, 4, 3, 4, 5, 3, 2, 2, 5, 4, 1, 3]
    x2 = [4, 5, 3, 2, 2, 1, 4, 5, 4, 2, 2, 4, 2, 1, 3, 5, 3, 1, 2]
    res = paired_change(x2, x1)
    assert res.p_wilcoxon == pytest.approx(0.01842, abs=5e-6)


def test_missing_pairs_dropped_and_counted():
    res = paired_change([1.0, None, 3.0, np.nan, 5.0], [2.0, 2.0, None, 4.0, 7.0])
    assert res.n == 2
    assert res.n_dropped == 3
    assert res.mean_diff == pytest.approx(1.5)


def test_n0_all_missing():
    res = paired_change([None, np.nan], [1.0, None])
    assert res.n == 0
    assert res.n_dropped == 2
    assert res.mean_diff is None
    assert res.p_t is None
    assert "no complete pairs" in res.reason


def test_n0_empty():
    res = paired_change([], [])
    assert (res.n, res.n_dropped, res.mean_pre) == (0, 0, None)
    assert res.reason == "no complete pairs"


def test_n1_gives_means_only():
    res = paired_change([3.0], [5.0])
    assert res.n == 1
    assert res.mean_diff == 2.0
    assert res.ci_low is None
    assert res.t is None
    assert res.d_z is None
    assert res.d_av is None
    assert res.p_wilcoxon == 1.0  # exact signed-rank with one non-zero difference, as R
    assert "fewer than 2 complete pairs" in res.reason


def test_n2_no_hedges_correction():
    res = paired_change([1.0, 2.0], [2.0, 4.0])
    assert res.n == 2
    assert res.t is not None
    assert res.d_z_ci is not None
    assert res.d_av is not None
    assert res.g_av is None
    assert "J(1)" in res.reason


def test_zero_variance_of_differences():
    res = paired_change([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert res.mean_diff == 1.0
    assert res.sd_diff == 0.0
    assert res.t is None
    assert res.ci_low is None
    assert res.d_z is None
    assert res.d_z_ci is None
    assert res.d_av == pytest.approx(1.0)
    assert "zero variance of differences" in res.reason


def test_all_differences_zero():
    res = paired_change([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert res.p_wilcoxon is None
    assert res.mean_diff == 0.0
    assert "all differences are zero" in res.reason


def test_constant_scores_no_dav():
    res = paired_change([2.0, 2.0, 2.0], [3.0, 3.0, 3.0])
    assert res.d_av is None
    assert "zero variance of pre and post scores" in res.reason


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="differ in length"):
        paired_change([1, 2, 3], [1, 2])


def test_non_numeric_raises():
    with pytest.raises(ValueError, match="numeric"):
        paired_change(["a", "b"], [1, 2])


def test_extreme_t_gives_no_dz_ci_instead_of_failing():
    # Differences that vary only in the 7th decimal: t ~ 1.5e7, beyond what the noncentral t
    # can be evaluated at; the CI is left out with a reason, nothing raises or warns.
    res = paired_change([1.0, 2.0, 3.0], [1.5, 2.5, 3.5000001])
    assert res.t > 1e6
    assert res.d_z_ci is None
    assert "could not be found numerically" in res.reason


def test_large_sample_dz_ci_where_the_noncentral_t_underflows():
    # n = 17857, t = -13.164 (found in the benchmark's national data): scipy's noncentral t cdf
    # is NaN far out in the tail the root search passes through; the CI is still found and
    # agrees with the large-sample normal approximation d_z +/- 1.96 * sqrt(1/n + d_z^2/(2n)).
    rng = np.random.default_rng(5)
    n = 17857
    z = rng.normal(size=n)
    d = (z - z.mean()) / z.std(ddof=1) - 13.164 / np.sqrt(n)
    pre = rng.normal(2.0, 0.7, n)
    res = paired_change(pre, pre + d)
    assert res.t == pytest.approx(-13.164, abs=1e-6)
    half = 1.96 * np.sqrt(1 / n + res.d_z**2 / (2 * n))
    assert res.d_z_ci == pytest.approx((res.d_z - half, res.d_z + half), abs=1e-4)


@pytest.mark.parametrize(
    ("t_obs", "n"),
    [(4.74, 10), (-13.164, 17857), (0.0, 5), (300.0, 2), (40.0, 10), (-60.0, 3), (1000.0, 30)],
)
def test_dz_ci_bounds_are_the_exact_noncentral_t_quantiles(t_obs, n):
    # The definition itself: at the bounds' noncentralities the observed t is the 97.5th and
    # 2.5th percentile. Checked with scipy.stats.nct and an independent root search (brentq);
    # scipy's nctdtrinc alone is off by up to 0.05 in d_z here (t = 300, n = 2).
    from scipy import optimize, stats

    from del_tool.stats.paired import _dz_interval

    bounds = _dz_interval(t_obs, n)
    assert bounds is not None
    for bound, level in zip(bounds, (0.975, 0.025), strict=True):
        ncp = bound * np.sqrt(n)
        assert stats.nct.cdf(t_obs, n - 1, ncp) == pytest.approx(level, abs=1e-10)
        width = 0.25 * (1 + abs(ncp))  # a bracket where scipy's cdf does not underflow
        root = optimize.brentq(
            lambda x, p=level: stats.nct.cdf(t_obs, n - 1, x) - p,
            ncp - width,
            ncp + width,
            xtol=1e-12,
        )
        assert ncp == pytest.approx(root, rel=1e-9, abs=1e-9)
