"""Tests for del_tool.stats.trajectory_models (ML/REML fits, AIC/BIC, LR test of random slopes).

Published values, sleepstudy (Belenky et al. 2003), ``Reaction ~ Days + (Days | Subject)``
against ``Reaction ~ Days + (1 | Subject)``:
- lme4's documentation (lme4/lme4, docs/reference/utilities.html, the ``llikAIC`` example): the
  random-slope model by REML has log-likelihood -871.8141 (REML criterion 1743.628, also in
  ``?lmer``), by ML -875.9697 (df 6) with AIC 1763.9393, BIC 1783.0971, -2 log L 1751.9393.
- lme4's ``anova()`` of the two models (which refits by ML), as printed e.g. in the course notes
  of many lme4 tutorials: random intercept df 4, AIC 1802.1, BIC 1814.8, logLik -897.04,
  deviance 1794.1; Chisq 42.139 on 2 df, Pr(>Chisq) 7.072e-10. The REML criterion of the
  random-intercept model is 1786.5 (lme4's summary of ``lmer(Reaction ~ Days + (1 | Subject))``).
The boundary p-value (50:50 mixture of chi2(1) and chi2(2), Self & Liang 1987) is computed from
the published statistic.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.regression.mixed_linear_model import MixedLM

from del_tool.stats import compare_trajectory_models
from del_tool.stats.reml import _Criterion, _sums, fit_growth_reml

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def sleep() -> pd.DataFrame:
    return pd.read_csv(DATA / "sleepstudy.csv")


def test_sleepstudy_fits_match_lme4(sleep):
    res = compare_trajectory_models(sleep, time="Days", score="Reaction", group="Subject")
    slope, intercept = res.slope, res.intercept
    assert slope.loglik_ml == pytest.approx(-875.9697, abs=5e-5)
    assert slope.aic == pytest.approx(1763.9393, abs=5e-5)
    assert slope.bic == pytest.approx(1783.0971, abs=5e-5)
    assert slope.deviance_ml == pytest.approx(1751.9393, abs=5e-5)
    assert slope.reml_criterion == pytest.approx(1743.628, abs=5e-4)
    assert slope.loglik_reml == pytest.approx(-871.8141, abs=5e-5)
    assert intercept.n_params == 4 and slope.n_params == 6
    assert intercept.aic == pytest.approx(1802.1, abs=0.05)
    # printed 1814.8; from the printed logLik (-897.04) and 4 log(180) it is 1814.85 (our
    # -2 log L + 4 log 180 = 1814.8505, with logLik -897.03932 as statsmodels finds below)
    assert intercept.bic == pytest.approx(1814.8, abs=0.06)
    assert intercept.bic == pytest.approx(-2 * intercept.loglik_ml + 4 * np.log(180))
    assert intercept.loglik_ml == pytest.approx(-897.04, abs=0.005)
    assert intercept.deviance_ml == pytest.approx(1794.1, abs=0.05)
    assert intercept.reml_criterion == pytest.approx(1786.5, abs=0.05)
    assert res.lr_statistic == pytest.approx(42.139, abs=5e-4)
    assert res.df == 2
    assert res.p_value_naive == pytest.approx(7.072e-10, rel=1e-3)
    mixture = 0.5 * stats.chi2.sf(42.139, 1) + 0.5 * stats.chi2.sf(42.139, 2)
    assert res.p_value == pytest.approx(mixture, rel=1e-3)
    assert res.p_value < res.p_value_naive
    assert res.chosen == "slope"
    assert "vary" in res.why
    assert (res.n_groups, res.n_rows) == (18, 180)


def test_ml_fits_agree_with_statsmodels(sleep):
    # An independent implementation of the same ML criterion (statsmodels MixedLM, reml=False).
    t, y, g = (sleep[c].to_numpy() for c in ("Days", "Reaction", "Subject"))
    exog = np.column_stack([np.ones(len(t)), t.astype(float)])
    for random_slope, k in ((True, 3), (False, 1)):
        ours = fit_growth_reml(t, y, g, random_slope=random_slope, reml=False)
        theirs = MixedLM(y, exog, groups=g, exog_re=exog[:, :2] if random_slope else exog[:, :1])
        fit = theirs.fit(reml=False, method=["lbfgs"])
        assert -ours.deviance / 2 == pytest.approx(fit.llf, abs=1e-4)
        np.testing.assert_allclose(ours.beta, fit.fe_params, rtol=1e-5)
        assert ours.cov_re.shape == (k - 1, k - 1) if random_slope else (1, 1)


@pytest.mark.parametrize("random_slope", [True, False])
def test_ml_gradient_matches_finite_differences(sleep, random_slope):
    t, y = sleep["Days"].to_numpy(float), sleep["Reaction"].to_numpy(float)
    criterion = _Criterion(_sums(t, y, sleep["Subject"].to_numpy()), random_slope, reml=False)
    for theta in ([0.9, 0.02, 0.2], [0.5, -0.1, 0.4]) if random_slope else ([0.9], [1.7]):
        theta = np.array(theta)
        error = optimize.check_grad(
            criterion.deviance, lambda x: criterion.deviance_and_gradient(x)[1], theta
        )
        assert error <= 1e-4 * max(1.0, np.linalg.norm(criterion.deviance_and_gradient(theta)[1]))


def test_no_slope_variation_chooses_intercept():
    rng = np.random.default_rng(7)
    rows = []
    for person in range(30):
        level = rng.normal(50, 8)
        for day in range(4):
            rows.append({"p": person, "t": day, "y": level + 2.0 * day + rng.normal(0, 3)})
    frame = pd.DataFrame(rows)
    res = compare_trajectory_models(frame, time="t", score="y", group="p")
    assert res.lr_statistic is not None and res.lr_statistic >= 0
    assert res.p_value >= 0.05
    assert res.chosen == "intercept"
    assert "no evidence" in res.why


def test_too_few_groups_and_single_times():
    frame = pd.DataFrame({"p": [1, 1, 2, 2], "t": [0, 1, 0, 1], "y": [1.0, 2.0, 3.0, 5.0]})
    res = compare_trajectory_models(frame, time="t", score="y", group="p")
    assert res.chosen is None and res.intercept is None
    assert "too few groups" in res.reason
    # every group measured twice at one time: only the random intercept can be fitted
    frame = pd.DataFrame(
        {"p": np.repeat(range(8), 2), "t": np.repeat([0, 1] * 4, 2), "y": np.arange(16.0) % 5}
    )
    res = compare_trajectory_models(frame, time="t", score="y", group="p")
    assert res.slope is None and res.chosen == "intercept"
    assert "fewer than 3 groups" in res.why
    with pytest.raises(ValueError, match="alpha"):
        compare_trajectory_models(frame, time="t", score="y", group="p", alpha=1.5)
