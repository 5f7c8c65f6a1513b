"""Tests for del_tool.stats.attrition (who is missing, the baseline comparison, the bounds).

Published values:
- Welch's t: R's documented example ``t.test(extra ~ group, data = sleep)`` (Cushny & Peebles
  1905, Student 1908): t = -1.8608, df = 17.776, p-value = 0.07939.
- Mann-Whitney: R's ``?wilcox.test`` example (Hollander & Wolfe 1973, p. 69: permeability
  constants) x = 0.80 ... 1.46, y = 1.15 ... 0.74, ``alternative = "greater"``: W = 35,
  p-value = 0.1272 (two-sided 0.2544).
- Bounds: Manski's (1989) worst/best case for a share with missing outcomes, P(improved) in
  [P(improved | observed) P(observed), P(improved | observed) P(observed) + P(missing)].
"""

import numpy as np
import pytest
from scipy import stats

from del_tool.stats.attrition import attrition

SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
HW_X = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
HW_Y = [1.15, 0.88, 0.90, 0.74, 1.21]


def test_welch_t_matches_r_sleep_example():
    # group 1 as the missing, group 2 as the completers: t(missing - completers)
    res = attrition(SLEEP_1 + SLEEP_2, [False] * 10 + [True] * 10)
    assert (res.n_baseline, res.n_completers, res.n_missing) == (20, 10, 10)
    assert res.welch_t == pytest.approx(-1.8608, abs=5e-5)
    assert res.welch_df == pytest.approx(17.776, abs=5e-4)
    assert res.welch_p == pytest.approx(0.07939, abs=5e-6)
    assert res.mean_missing == pytest.approx(0.75) and res.mean_completers == pytest.approx(2.33)
    assert res.effect.g_s < 0 and res.effect.g_s_ci[0] < res.effect.g_s < res.effect.g_s_ci[1]


def test_mann_whitney_matches_r_hollander_wolfe_example():
    res = attrition(HW_X + HW_Y, [False] * 10 + [True] * 5)
    assert res.mann_whitney_u == 35
    assert res.mann_whitney_p == pytest.approx(2 * 0.1272, abs=2e-4)
    one_sided = stats.mannwhitneyu(HW_X, HW_Y, alternative="greater")
    assert one_sided.pvalue == pytest.approx(0.1272, abs=5e-5)


def test_worst_and_best_case_bounds():
    # 40 with a baseline; 30 measured again, 24 of them classified, 9 improved; 10 missing
    baseline = np.arange(40.0)
    again = np.arange(40) < 30
    res = attrition(baseline, again, improved=9, classified=24)
    assert res.share == pytest.approx(9 / 24)
    assert res.lower_bound == pytest.approx(9 / 34)
    assert res.upper_bound == pytest.approx(19 / 34)
    # Manski's form: P(improved | observed) P(observed) (+ P(missing))
    p_obs = 24 / 34
    assert res.lower_bound == pytest.approx(9 / 24 * p_obs)
    assert res.upper_bound == pytest.approx(9 / 24 * p_obs + (1 - p_obs))
    assert res.share_missing == pytest.approx(10 / 40)


def test_no_missing_and_bad_input():
    res = attrition([1.0, 2.0, 3.0], [True, True, True], improved=1, classified=3)
    assert res.n_missing == 0 and res.lower_bound == res.upper_bound == pytest.approx(1 / 3)
    assert res.welch_t is None and "no test" in res.reason
    res = attrition([1.0, np.nan, 3.0, 4.0], [True, False, False, True])
    assert res.n_baseline == 3 and res.n_missing == 1
    with pytest.raises(ValueError, match="improved"):
        attrition([1.0], [True], improved=3, classified=2)
    with pytest.raises(ValueError, match="length"):
        attrition([1.0, 2.0], [True])
