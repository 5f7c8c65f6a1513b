"""Effect sizes d_rm, d_s, g_s and CL (del_tool.stats.effect_sizes)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from del_tool.stats import paired_change, repeated_measures_effect, two_group_effect

DATA = Path(__file__).parent / "data"


def _movies() -> pd.DataFrame:
    # Lakens (2013), Front. Psychol. 4:863, Table 1: ratings of two movies by 10 raters.
    return pd.read_csv(DATA / "lakens2013_movie.csv")


def test_lakens_between_subjects_d_s_and_g_s():
    # Lakens (2013), between-subjects example: t(18) = 2.52, p = .022, Cohen's d_s = 1.13,
    # Hedges's g_s = 1.08; the same values are asserted by the R package apa
    # (dgromer/apa, tests/testthat test of cohens_d on "Example data from Lakens (2013)":
    # 1.13 and 1.08 with corr = "hedges_g").
    movies = _movies()
    res = two_group_effect(movies["movie_1"], movies["movie_2"])
    assert (res.n1, res.n2, res.df) == (10, 10, 18)
    assert round(res.t, 2) == 2.52
    assert round(res.p, 3) == 0.022
    assert round(res.d_s, 2) == 1.13
    assert round(res.g_s, 2) == 1.08


def test_lakens_within_subjects_d_z_and_d_rm():
    # Lakens (2013), within-subjects example: d_z = 1.50 (also asserted by the apa package,
    # cohens_d(paired = TRUE) = 1.5); Hedges's g_av = 1.03 (paired_change). d_rm by eq. 9 with
    # r = .726: 1.11 (computed here from the paper's formula; the paper's printed d_rm could
    # not be retrieved, see tests/stats/data/README.md).
    movies = _movies()
    res = repeated_measures_effect(movies["movie_2"], movies["movie_1"])
    assert round(res.d_z, 2) == 1.50
    assert round(res.r, 3) == 0.726
    assert round(res.d_rm, 2) == 1.11
    assert round(paired_change(movies["movie_2"], movies["movie_1"]).g_av, 2) == 1.03
    # CL for dependent samples: Phi(d_z), the share of raters expected to prefer movie 1.
    assert res.cl == pytest.approx(stats.norm.cdf(1.5))


def _from_summary(m1, m2, sd1, sd2, n1, n2):
    """Two samples with exactly these means and SDs (standardised points, rescaled)."""

    def sample(m, sd, n):
        z = np.linspace(-1, 1, n)
        z = (z - z.mean()) / z.std(ddof=1)
        return m + sd * z

    return sample(m1, sd1, n1), sample(m2, sd2, n2)


def test_mote_d_ind_t_and_g_ind_t():
    # R package MOTE (doomlab/MOTE), tests/testthat/test-d_ind_t.R: m1 17.75, m2 23, sd1 3.30,
    # sd2 2.16, n 4 + 4: d = -1.882482, CI [-3.56801, -0.1021864]; test-g_ind_t.R:
    # g = -1.636941, CI [-3.102618, -0.08885774] with MOTE's approximate correction
    # 1 - 3 / (4 (n1 + n2) - 9); DEL's exact J(6) differs by 0.11 %.
    a, b = _from_summary(17.75, 23, 3.30, 2.16, 4, 4)
    res = two_group_effect(a, b)
    assert res.d_s == pytest.approx(-1.882482, abs=1e-6)
    assert res.d_s_ci[0] == pytest.approx(-3.56801, abs=1e-5)
    assert res.d_s_ci[1] == pytest.approx(-0.1021864, abs=1e-6)
    approx_j = 1 - 3 / (4 * 8 - 9)
    exact_over_approx = res.g_s / (res.d_s * approx_j)
    assert res.g_s / exact_over_approx == pytest.approx(-1.636941, abs=1e-6)
    assert res.g_s_ci[0] / exact_over_approx == pytest.approx(-3.102618, abs=1e-6)
    assert res.g_s_ci[1] / exact_over_approx == pytest.approx(-0.08885774, abs=1e-6)
    assert abs(exact_over_approx - 1) < 0.002


def test_mote_d_dep_t_rm():
    # MOTE, tests/testthat/test-d_dep_t_rm.R: m1 5.57, m2 4.43, sd1 1.99, sd2 2.88, r 0.68,
    # n 7: d_rm = 0.4318412, CI [-0.3623148, 1.194367]. Data with exactly these moments: pre
    # and post built from two orthonormal columns.
    n, r = 7, 0.68
    base = np.linspace(-1, 1, n)
    other = np.array([1, -1, 0.5, 0, -0.5, 1, -1.0])
    u = (base - base.mean()) / base.std(ddof=1)
    v = other - other.mean()
    v = v - (v @ u) / (u @ u) * u
    v = v / v.std(ddof=1)
    first = 5.57 + 1.99 * u
    second = 4.43 + 2.88 * (r * u + np.sqrt(1 - r * r) * v)
    res = repeated_measures_effect(second, first)  # change = first - second, as MOTE's m1 - m2
    assert res.r == pytest.approx(0.68)
    assert res.d_rm == pytest.approx(0.4318412, abs=1e-6)
    assert res.d_rm_ci[0] == pytest.approx(-0.3623148, abs=1e-6)
    assert res.d_rm_ci[1] == pytest.approx(1.194367, abs=1e-6)


def test_common_language_two_groups():
    # effectsize (easystats), tests/testthat/test-common_language.R: x = 1:3, y = c(1, 1:3):
    # p_superiority = 0.5719 (parametric: Phi(d / sqrt(2)), after rpsychologist.com/cohend).
    res = two_group_effect([1, 2, 3], [1, 1, 2, 3])
    assert res.cl == pytest.approx(0.5719, abs=1e-3)


def test_degenerate_inputs_give_reasons():
    assert two_group_effect([1], [2, 3]).reason == "fewer than 2 observations in a group"
    assert two_group_effect([2, 2], [2, 2, None]).reason == "pooled SD is 0"
    assert repeated_measures_effect([1, 2], [2, 3]).reason == "fewer than 3 complete pairs"
    flat = repeated_measures_effect([1, 2, 3], [2, 3, 4])
    assert flat.d_rm is None
    assert "spread" in flat.reason
