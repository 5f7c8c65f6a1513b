"""Tests for del_tool.stats.mixed_models (linear mixed model with random intercept and slope)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from del_tool.stats import mixed_models, trajectory

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def sleep() -> pd.DataFrame:
    return pd.read_csv(DATA / "sleepstudy.csv")


def test_sleepstudy_matches_lme4(sleep):
    # Bates, Maechler, Bolker & Walker (2015), J Stat Softw 67(1), lmer(Reaction ~ Days +
    # (Days | Subject), sleepstudy), REML: fixed effects 251.405 (SE 6.825) and 10.467
    # (SE 1.546); random-effect SDs 24.741 (intercept) and 5.922 (Days), correlation 0.066;
    # residual SD 25.592.
    res = trajectory(sleep, time="Days", score="Reaction", group="Subject")
    assert res.converged
    assert res.random_slope
    assert res.intercept == pytest.approx(251.405, abs=5e-4)
    assert res.slope == pytest.approx(10.467, abs=5e-4)
    assert res.intercept_se == pytest.approx(6.825, abs=1e-3)
    assert res.slope_se == pytest.approx(1.546, abs=1e-3)
    assert np.sqrt(res.var_intercept) == pytest.approx(24.741, abs=2e-3)
    assert np.sqrt(res.var_slope) == pytest.approx(5.922, abs=1e-3)
    assert res.corr_intercept_slope == pytest.approx(0.066, abs=1e-3)
    assert np.sqrt(res.var_residual) == pytest.approx(25.592, abs=1e-3)
    assert res.cov_intercept_slope == pytest.approx(
        res.corr_intercept_slope * np.sqrt(res.var_intercept * res.var_slope)
    )
    assert res.slope_ci == pytest.approx((10.467 - 1.96 * 1.546, 10.467 + 1.96 * 1.546), abs=5e-3)
    assert (res.n_groups, res.n_rows, res.n_dropped) == (18, 180, 0)
    assert res.reason is None
    assert "REML" in res.method


def test_single_observation_group_is_kept(sleep):
    extra = pd.DataFrame({"Reaction": [300.0], "Days": [0], "Subject": [999]})
    res = trajectory(pd.concat([sleep, extra]), time="Days", score="Reaction", group="Subject")
    assert res.converged
    assert res.n_groups == 19
    assert res.n_rows == 181
    assert res.n_single_obs_groups == 1


def test_missing_rows_dropped_and_counted(sleep):
    data = sleep.copy()
    data.loc[[0, 5], "Reaction"] = np.nan
    data.loc[7, "Days"] = np.nan
    res = trajectory(data, time="Days", score="Reaction", group="Subject")
    assert res.n_dropped == 3
    assert res.n_rows == 177
    assert res.converged


def test_too_few_groups(sleep):
    res = trajectory(sleep.head(20), time="Days", score="Reaction", group="Subject")
    assert not res.converged
    assert res.slope is None
    assert "too few groups" in res.reason


def test_empty_frame():
    empty = pd.DataFrame({"t": [], "y": [], "g": []})
    res = trajectory(empty, time="t", score="y", group="g")
    assert res.n_rows == 0
    assert res.n_groups == 0
    assert "too few groups" in res.reason


def test_time_without_variation(sleep):
    res = trajectory(sleep[sleep["Days"] == 3], time="Days", score="Reaction", group="Subject")
    assert "too few rows" in res.reason
    twice = pd.concat([sleep[sleep["Days"] == 3]] * 2)
    res = trajectory(twice, time="Days", score="Reaction", group="Subject")
    assert "time does not vary" in res.reason


def test_random_intercept_fallback_when_few_groups_have_slopes(sleep):
    # Only two subjects have more than one time point: no random slope can be estimated.
    first = sleep.groupby("Subject").head(1)
    full = sleep[sleep["Subject"].isin([308, 309])]
    res = trajectory(pd.concat([first, full]), time="Days", score="Reaction", group="Subject")
    assert res.converged
    assert not res.random_slope
    assert res.var_slope is None
    assert "random intercept only" in res.method
    assert "random intercept only" in res.reason


def test_non_convergence_is_reported_not_raised(sleep):
    res = trajectory(sleep, time="Days", score="Reaction", group="Subject", maxiter=1)
    assert not res.converged
    assert res.intercept is None
    assert "did not converge" in res.reason
    assert "intercept/powell" in res.method
    assert any("ConvergenceWarning" in w for w in res.warnings)


def test_missing_column_raises(sleep):
    with pytest.raises(ValueError, match="not in frame"):
        trajectory(sleep, time="day", score="Reaction", group="Subject")


def test_statsmodels_fallback_fits_a_reproducible_sample_and_says_so(sleep):
    kwargs = {"time": "Days", "score": "Reaction", "group": "Subject", "optimizers": ("lbfgs",)}
    res = trajectory(sleep, fallback_max_groups=10, **kwargs)
    assert res.converged and res.optimizer == "lbfgs"
    assert (res.n_groups, res.n_rows, res.sampled_from) == (10, 100, 18)
    assert "random sample of 10 of 18 groups" in res.method
    assert trajectory(sleep, fallback_max_groups=10, **kwargs).slope == res.slope
    whole = trajectory(sleep, fallback_max_groups=18, **kwargs)
    assert (whole.n_groups, whole.sampled_from) == (18, None)
    assert "sample" not in whole.method


def test_reml_fit_uses_every_group_whatever_the_cap(sleep):
    res = trajectory(sleep, time="Days", score="Reaction", group="Subject", fallback_max_groups=5)
    assert res.optimizer == "reml"
    assert (res.n_groups, res.n_rows, res.sampled_from) == (18, 180, None)
    assert "sample" not in res.method


def test_sample_only_when_reml_does_not_converge(sleep, monkeypatch):
    monkeypatch.setattr(mixed_models, "fit_growth_reml", lambda *args, **kwargs: None)
    res = trajectory(
        sleep,
        time="Days",
        score="Reaction",
        group="Subject",
        optimizers=("reml", "bfgs"),
        fallback_max_groups=12,
    )
    assert res.optimizer == "bfgs" and res.random_slope
    assert (res.n_groups, res.sampled_from) == (12, 18)
    assert "after trying slope/reml" in res.method and "sample of 12 of 18" in res.method


def test_groups_with_two_times_counts_distinct_times_per_group():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"t": rng.integers(0, 3, 400).astype(float), "y": 1.0, "g": rng.integers(0, 150, 400)}
    )
    data, _ = mixed_models._prepare(frame, "t", "y", "g")
    expected = int((frame.groupby("g")["t"].nunique() >= 2).sum())
    assert data.groups_with_two_times() == expected
    counts = data.counts(0)
    assert counts["n_groups"] == frame["g"].nunique()
    assert counts["n_single_obs_groups"] == int((frame.groupby("g").size() == 1).sum())
