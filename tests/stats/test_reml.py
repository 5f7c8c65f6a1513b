"""Tests for del_tool.stats.reml: the vectorised profiled REML fit of the growth model."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from statsmodels.regression.mixed_linear_model import MixedLM

from del_tool.stats.reml import _Criterion, _sums, fit_growth_reml

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def sleep() -> pd.DataFrame:
    return pd.read_csv(DATA / "sleepstudy.csv")


def _fit(frame: pd.DataFrame, **kwargs):
    return fit_growth_reml(
        frame["Days"].to_numpy(float),
        frame["Reaction"].to_numpy(float),
        frame["Subject"].to_numpy(),
        **kwargs,
    )


def test_random_slope_matches_lme4(sleep):
    # lmer(Reaction ~ Days + (Days | Subject), sleepstudy): REML criterion 1743.6; fixed effects
    # 251.405 (SE 6.825), 10.467 (SE 1.546); SDs 24.741 and 5.922, correlation 0.066; residual
    # SD 25.592 (Bates et al. 2015, J Stat Softw 67(1)).
    fit = _fit(sleep)
    assert fit is not None
    assert fit.deviance == pytest.approx(1743.628, abs=1e-3)
    assert fit.beta == pytest.approx([251.405, 10.467], abs=5e-4)
    assert np.sqrt(np.diag(fit.cov_beta)) == pytest.approx([6.825, 1.546], abs=1e-3)
    sd = np.sqrt(np.diag(fit.cov_re))
    assert sd == pytest.approx([24.741, 5.922], abs=1e-3)
    assert fit.cov_re[0, 1] / (sd[0] * sd[1]) == pytest.approx(0.066, abs=1e-3)
    assert np.sqrt(fit.sigma2) == pytest.approx(25.592, abs=1e-3)


def test_random_intercept_matches_lme4(sleep):
    # lmer(Reaction ~ Days + (1 | Subject), sleepstudy): REML criterion 1786.5; fixed effects
    # 251.4051 (SE 9.7467), 10.4673 (SE 0.8042); SDs 37.124 (Subject) and 30.991 (residual).
    fit = _fit(sleep, random_slope=False)
    assert fit is not None
    assert fit.deviance == pytest.approx(1786.465, abs=1e-3)
    assert fit.beta == pytest.approx([251.4051, 10.4673], abs=5e-4)
    assert np.sqrt(np.diag(fit.cov_beta)) == pytest.approx([9.7467, 0.8042], abs=5e-4)
    assert np.sqrt(fit.cov_re[0, 0]) == pytest.approx(37.124, abs=1e-3)
    assert np.sqrt(fit.sigma2) == pytest.approx(30.991, abs=1e-3)


def _simulated(groups: int, seed: int, slope_sd: float = 0.2):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 8, groups)  # unbalanced, with single-observation groups
    g = np.repeat(np.arange(groups), sizes)
    t = np.concatenate([np.sort(rng.uniform(0, 4, k)) for k in sizes])
    u0, u1 = rng.normal(0, 0.6, groups), rng.normal(0, slope_sd, groups)
    y = 2.0 + u0[g] + (-0.3 + u1[g]) * t + rng.normal(0, 0.4, len(g))
    return t, y, g


def _best_statsmodels_fit(t, y, g):
    """statsmodels' converged fit with the lowest REML deviance, and that deviance."""
    exog = np.column_stack([np.ones(len(y)), t])
    criterion = _Criterion(_sums(t, y, g), True)
    best = None
    for method in ("lbfgs", "bfgs"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = MixedLM(y, exog, groups=g, exog_re=exog).fit(reml=True, method=[method])
        if not result.converged:
            continue
        lam = np.linalg.cholesky(np.asarray(result.cov_re) / result.scale)
        deviance = criterion.deviance(np.array([lam[0, 0], lam[1, 0], lam[1, 1]]))
        if best is None or deviance < best[1]:
            best = (result, deviance)
    assert best is not None
    return best


@pytest.mark.parametrize(("groups", "seed"), [(60, 5), (90, 2)])
def test_agrees_with_statsmodels_and_reaches_at_least_its_optimum(groups, seed):
    # statsmodels' optimizers sometimes stop early (lbfgs can stop 0.04 above the optimum), so
    # the fit must be at least as good as the best of them and agree with it.
    t, y, g = _simulated(groups, seed)
    reference, their_deviance = _best_statsmodels_fit(t, y, g)
    fit = fit_growth_reml(t, y, g)
    assert fit is not None
    assert fit.deviance <= their_deviance + 1e-6
    assert fit.beta == pytest.approx(np.asarray(reference.fe_params), rel=1e-4)
    assert fit.cov_re == pytest.approx(np.asarray(reference.cov_re), rel=1e-3, abs=1e-5)
    assert fit.sigma2 == pytest.approx(float(reference.scale), rel=1e-4)
    # Standard errors as lme4 gives them: the GLS covariance (X'V^-1 X)^-1 at the estimates
    # (statsmodels' observed-information SEs differ by a few per cent), built densely here.
    assert fit.cov_beta == pytest.approx(_dense_gls_covariance(t, g, fit), rel=1e-8)


def _dense_gls_covariance(t, g, fit):
    exog = np.column_stack([np.ones(len(t)), t])
    v = fit.sigma2 * np.eye(len(t))
    for group in np.unique(g):
        rows = np.flatnonzero(g == group)
        z = exog[rows]
        v[np.ix_(rows, rows)] += z @ fit.cov_re @ z.T
    return np.linalg.inv(exog.T @ np.linalg.solve(v, exog))


def test_group_labels_and_row_order_do_not_matter():
    t, y, g = _simulated(60, 3)
    order = np.random.default_rng(0).permutation(len(y))
    labels = np.array([f"stay-{i}" for i in g], dtype=object)
    first, second = fit_growth_reml(t, y, g), fit_growth_reml(t[order], y[order], labels[order])
    assert first is not None and second is not None
    assert second.beta == pytest.approx(first.beta, rel=1e-6)
    assert second.cov_re == pytest.approx(first.cov_re, rel=1e-4, abs=1e-8)


def test_no_slope_variation_gives_a_boundary_fit():
    t, y, g = _simulated(200, 4, slope_sd=0.0)
    fit = fit_growth_reml(t, y, g)
    assert fit is not None
    assert fit.cov_re[1, 1] == pytest.approx(0.0, abs=2e-3)
    assert fit.beta[1] == pytest.approx(-0.3, abs=0.05)


def _central_differences(func, theta, step=1e-5):
    """The gradient of func at theta by central differences (error of order step^2)."""
    out = np.empty_like(theta)
    for i in range(len(theta)):
        h = np.zeros_like(theta)
        h[i] = step * max(1.0, abs(theta[i]))
        out[i] = (func(theta + h) - func(theta - h)) / (2 * h[i])
    return out


def _assert_gradient(criterion, theta):
    value, gradient = criterion.deviance_and_gradient(theta)
    assert value == pytest.approx(criterion.deviance(theta), rel=1e-12)
    # Differences have an error of order (rounding of the deviance) / step besides truncation,
    # hence the term in |value|.
    scale = max(1.0, float(np.linalg.norm(gradient)))
    numeric = _central_differences(criterion.deviance, theta)
    assert np.linalg.norm(gradient - numeric) <= 1e-6 * scale + 1e-9 * abs(value)
    # scipy's check (forward differences, step 1.5e-8) agrees to its own, larger error.
    error = optimize.check_grad(
        criterion.deviance, lambda x: criterion.deviance_and_gradient(x)[1], theta
    )
    assert error <= 1e-4 * scale + 1e-5 * abs(value)


@pytest.mark.parametrize("random_slope", [True, False])
@pytest.mark.parametrize("seed", range(5))
def test_analytic_gradient_matches_finite_differences(seed, random_slope):
    # Random datasets and random points theta (not only near the optimum, where the gradient
    # is small).
    t, y, g = _simulated(40 + 20 * seed, seed)
    criterion = _Criterion(_sums(t, y, g), random_slope)
    rng = np.random.default_rng(100 + seed)
    theta = rng.uniform(0.05, 2.0, 3 if random_slope else 1)
    if random_slope:
        theta[1] = rng.normal()
    _assert_gradient(criterion, theta)


def test_analytic_gradient_on_sleepstudy_and_few_evaluations(sleep):
    t, y = sleep["Days"].to_numpy(float), sleep["Reaction"].to_numpy(float)
    criterion = _Criterion(_sums(t, y, sleep["Subject"].to_numpy()), True)
    for theta in ([1.0, 0.0, 1.0], [0.97, 0.015, 0.23], [0.3, -0.2, 0.05]):
        _assert_gradient(criterion, np.array(theta))
    fit = _fit(sleep)
    assert fit is not None
    # With a finite-difference gradient (7 evaluations per gradient) this took 112.
    assert fit.evaluations <= 30


def test_iteration_limit_gives_none(sleep):
    assert _fit(sleep, maxiter=1) is None


def test_trajectory_uses_the_vectorised_fit_first_and_statsmodels_on_request(sleep):
    from del_tool.stats import trajectory

    fast = trajectory(sleep, time="Days", score="Reaction", group="Subject")
    slow = trajectory(sleep, time="Days", score="Reaction", group="Subject", optimizers=("lbfgs",))
    assert fast.optimizer == "reml" and "profiled REML" in fast.method
    assert slow.optimizer == "lbfgs" and "statsmodels" in slow.method
    assert fast.slope == pytest.approx(slow.slope, rel=1e-6)
    assert fast.var_intercept == pytest.approx(slow.var_intercept, rel=1e-3)
