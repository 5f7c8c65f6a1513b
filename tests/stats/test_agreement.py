"""Tests for del_tool.stats.agreement (weighted kappa, Bland-Altman limits of agreement).

Published values:
- SAS PROC FREQ printout for the 3x3 table [[0, 4, 1], [0, 8, 0], [0, 1, 5]] (Cicchetti-Allison
  = linear weights), as statsmodels' tests/test_inter_rater.py records it: simple kappa 0.4842,
  ASE 0.1380, 95% CI [0.2137, 0.7547], ASE under H0 0.1484, Z 3.2626; weighted kappa 0.4701,
  ASE 0.1457, CI [0.1845, 0.7558], ASE under H0 0.1426, Z 3.2971.
- R irr::kappa2 on the `anxiety` data (irr package, raters 2 and 3; statsmodels' same test file):
  "equal" (linear) weights 0.1459075, z 1.282472, p 0.1996772; "squared" (quadratic)
  0.2520325, z 1.437451, p 0.1505898; unweighted -0.006289308.
- Bland & Altman (1986), Lancet, Table 1 (PEFR, first Wright and first mini Wright readings of
  17 subjects): mean difference -2.1, SD 38.8, limits (2 SD) -79.7 and 75.5 l/min; SE of the
  mean difference 9.4, its 95% CI -22.0 to 17.8; SE of a limit sqrt(3 s^2 / n) = 16.3, t 2.12,
  CI of the lower limit -114.3 to -45.1 and of the upper 40.9 to 110.1.
"""

import numpy as np
import pytest

from del_tool.stats import limits_of_agreement, weighted_kappa

ANXIETY = np.array(
    [
        *(3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3, 3, 6, 4, 6, 2, 4, 2, 4, 3, 3),
        *(2, 3, 3, 3, 2, 2, 1, 3, 3, 4, 2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2),
    ]
).reshape(20, 3, order="F")
WRIGHT = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
MINI = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]


def _pairs(table):
    """Rating pairs (row category, column category) from a contingency table."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


def test_sas_table_unweighted_and_linear():
    a, b = _pairs([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    simple = weighted_kappa(a, b, weights="none")
    got = [simple.kappa, simple.se, *simple.ci, simple.se_null, simple.z]
    np.testing.assert_allclose(got, [0.4842, 0.1380, 0.2137, 0.7547, 0.1484, 3.2626], atol=5e-5)
    linear = weighted_kappa(a, b, weights="linear")
    got = [linear.kappa, linear.se, *linear.ci, linear.se_null, linear.z]
    np.testing.assert_allclose(got, [0.4701, 0.1457, 0.1845, 0.7558, 0.1426, 3.2971], atol=5e-5)
    assert linear.n == 19 and linear.p_value == pytest.approx(0.0010, abs=5e-5)


def test_irr_kappa2_anxiety_raters_2_and_3():
    a, b = ANXIETY[:, 1], ANXIETY[:, 2]
    linear = weighted_kappa(a, b, weights="linear")
    assert linear.kappa == pytest.approx(0.1459075, abs=1e-7)
    assert linear.z == pytest.approx(1.282472, abs=1e-5)
    assert linear.p_value == pytest.approx(0.1996772, abs=1e-6)
    quadratic = weighted_kappa(a, b, weights="quadratic")
    assert quadratic.kappa == pytest.approx(0.2520325, abs=1e-7)
    assert quadratic.z == pytest.approx(1.437451, abs=1e-5)
    assert quadratic.p_value == pytest.approx(0.1505898, abs=1e-6)
    assert weighted_kappa(a, b, weights="none").kappa == pytest.approx(-0.006289308, abs=1e-8)
    # irr uses the observed levels (5 of them; 5 is never used): k matters for the weights
    assert linear.categories == (1.0, 2.0, 3.0, 4.0, 6.0)
    full = weighted_kappa(a, b, weights="linear", categories=range(1, 7))
    assert full.kappa != pytest.approx(linear.kappa)


def test_kappa_edge_cases():
    perfect = weighted_kappa([1, 2, 3, 1], [1, 2, 3, 1])
    assert perfect.kappa == pytest.approx(1.0) and perfect.ci[1] == 1.0
    same = weighted_kappa([2, 2, 2], [2, 2, 2])
    assert same.kappa is None and "one category" in same.reason
    missing = weighted_kappa([1, None, 2, 3], [1, 2, np.nan, 3])
    assert missing.n == 2
    with pytest.raises(ValueError, match="outside"):
        weighted_kappa([1, 7], [1, 2], categories=[1, 2, 3])
    with pytest.raises(ValueError, match="weights"):
        weighted_kappa([1, 2], [1, 2], weights="cubic")


def test_bland_altman_1986_pefr():
    res = limits_of_agreement(MINI, WRIGHT, multiplier=2, se_method="1986")  # Wright - mini
    assert res.n == 17
    assert res.bias == pytest.approx(-2.1, abs=0.05)
    assert res.sd == pytest.approx(38.8, abs=0.05)
    # the paper works from the rounded -2.1 and 38.8 (-2.1 -/+ 77.6); exact -79.65 and 75.41
    assert res.lower == pytest.approx(-79.7, abs=0.1)
    assert res.upper == pytest.approx(75.5, abs=0.1)
    assert res.sd / np.sqrt(17) == pytest.approx(9.4, abs=0.05)
    np.testing.assert_allclose(res.bias_ci, (-22.0, 17.8), atol=0.05)
    # the paper's intervals are its rounded limits -/+ 2.12 x 16.3 (half-width 34.6):
    # -114.3 to -45.1 and 40.9 to 110.1; ours are the exact limits -/+ t_16 x s sqrt(3/17)
    se_limit = res.sd * np.sqrt(3 / 17)
    assert se_limit == pytest.approx(16.3, abs=0.05)
    for ci, paper in ((res.lower_ci, (-114.3, -45.1)), (res.upper_ci, (40.9, 110.1))):
        assert (ci[1] - ci[0]) / 2 == pytest.approx((paper[1] - paper[0]) / 2, abs=0.1)
        np.testing.assert_allclose(ci, paper, atol=0.2)


def test_bland_altman_1999_standard_error():
    res = limits_of_agreement(MINI, WRIGHT)
    d = np.array(WRIGHT) - np.array(MINI)
    s, n = d.std(ddof=1), 17
    se = s * np.sqrt(1 / n + 1.96**2 / (2 * (n - 1)))
    t = 2.119905
    assert res.lower == pytest.approx(d.mean() - 1.96 * s)
    np.testing.assert_allclose(res.upper_ci, (res.upper - t * se, res.upper + t * se), rtol=1e-6)
    few = limits_of_agreement([1, 2], [2, 3])
    assert few.bias is None and "too few" in few.reason
