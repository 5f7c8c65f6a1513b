"""Trajectory models compared: random intercept against random intercept and slope.

Both growth models of ``del_tool.stats.mixed_models`` (score = b0 + b1 t + u0 [+ u1 t] + e) are
fitted by ML and by REML (``del_tool.stats.reml``, lme4's profiled criteria). The ML fits give
log-likelihoods, AIC = -2 log L + 2 k and BIC = -2 log L + k log N (k parameters: 2 fixed
effects, the random-effect (co)variances and sigma^2, i.e. 4 and 6; N observations), and the
likelihood-ratio statistic LR = 2 (log L_slope - log L_intercept), as lme4's ``anova()`` computes
them after refitting with ML.

The null hypothesis (no slope variance, so also no covariance) puts the variance on the boundary
of its space, so LR is not chi2(2): its null distribution is the 50:50 mixture of chi2(1) and
chi2(2) (Self & Liang 1987, case 6; Stram & Lee 1994), p = 0.5 P(chi2_1 > LR) + 0.5
P(chi2_2 > LR). DEL decides with this mixture p-value (``p_value``); the naive chi2(2) p-value
that ``anova()`` prints is ``p_value_naive`` (conservative: twice too large at most). The random
slopes are chosen when the mixture p-value is below ``alpha`` (0.05) and both fits converged;
the slopes' model is then reported by REML, as ``trajectory`` fits it.

References
----------
Self, S. G., & Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood estimators and
likelihood ratio tests under nonstandard conditions. JASA, 82, 605-610.
Stram, D. O., & Lee, J. W. (1994). Variance components testing in the longitudinal mixed effects
model. Biometrics, 50, 1171-1177.
Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models
using lme4. J Stat Softw, 67(1) (profiled ML and REML criteria; the sleepstudy example).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from del_tool.stats._results import join_reasons
from del_tool.stats.mixed_models import MIN_GROUPS, _Data, _data_problem, _prepare
from del_tool.stats.reml import fit_growth_reml

ALPHA = 0.05


@dataclass(frozen=True, slots=True)
class ModelFit:
    """One model's ML and REML criteria (None when that fit did not converge)."""

    random_slope: bool
    n_params: int
    loglik_ml: float | None
    aic: float | None
    bic: float | None
    deviance_ml: float | None  # -2 log L
    reml_criterion: float | None  # -2 log restricted likelihood
    loglik_reml: float | None


@dataclass(frozen=True, slots=True)
class ModelComparison:
    """Random intercept against random slopes: fits, the LR test and the chosen model."""

    intercept: ModelFit | None
    slope: ModelFit | None
    lr_statistic: float | None
    df: int
    p_value: float | None  # 50:50 mixture of chi2(1) and chi2(2)
    p_value_naive: float | None  # chi2(2), as lme4's anova()
    chosen: str | None  # "slope" or "intercept"
    why: str | None
    n_groups: int
    n_rows: int
    alpha: float
    method: str
    reason: str | None


def compare_trajectory_models(
    frame: pd.DataFrame,
    *,
    time: str,
    score: str,
    group: str,
    alpha: float = ALPHA,
) -> ModelComparison:
    """Fit both growth models by ML and REML, test the random slopes and choose a model.

    Uses every complete row (as ``trajectory``). ``chosen`` is "slope" when the boundary
    (mixture) p-value is below ``alpha``, "intercept" otherwise, and also "intercept" when fewer
    than 3 groups have two distinct times or the slope model does not converge; ``why`` says
    which in English (the reports word it themselves from the numbers). None throughout when no
    model can be fitted (too few groups, no variation in time), with ``reason``.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    data, _ = _prepare(frame, time, score, group)
    method = (
        "ML and REML fits of the random-intercept and random-slope growth models (profiled "
        "criteria as lme4); LR test of the slopes against the 50:50 mixture of chi2(1) and "
        "chi2(2) (Self & Liang 1987)"
    )
    problem = _data_problem(data)
    if problem is not None:
        return ModelComparison(
            intercept=None,
            slope=None,
            lr_statistic=None,
            df=2,
            p_value=None,
            p_value_naive=None,
            chosen=None,
            why=None,
            n_groups=data.n_groups,
            n_rows=len(data.t),
            alpha=alpha,
            method=method,
            reason=problem,
        )
    intercept = _fit(data, random_slope=False)
    slope_possible = data.groups_with_two_times() >= MIN_GROUPS
    slope = _fit(data, random_slope=True) if slope_possible else None
    lr = p_mix = p_naive = None
    if intercept.loglik_ml is not None and slope is not None and slope.loglik_ml is not None:
        lr = max(0.0, 2.0 * (slope.loglik_ml - intercept.loglik_ml))
        p_naive = float(stats.chi2.sf(lr, 2))
        p_mix = float(0.5 * stats.chi2.sf(lr, 1) + 0.5 * p_naive)
    chosen, why = _choose(intercept, slope, slope_possible, p_mix, alpha)
    reasons = [None if intercept.loglik_ml is not None else "the random-intercept ML fit failed"]
    return ModelComparison(
        intercept=intercept,
        slope=slope,
        lr_statistic=lr,
        df=2,
        p_value=p_mix,
        p_value_naive=p_naive,
        chosen=chosen,
        why=why,
        n_groups=data.n_groups,
        n_rows=len(data.t),
        alpha=alpha,
        method=method,
        reason=join_reasons(reasons),
    )


def _fit(data: _Data, *, random_slope: bool) -> ModelFit:
    """ML and REML fits of one model."""
    t, y, codes = data.t, data.y, data.codes
    ml = fit_growth_reml(t, y, codes, random_slope=random_slope, reml=False)
    reml = fit_growth_reml(t, y, codes, random_slope=random_slope, reml=True)
    k = 6 if random_slope else 4
    n = len(t)
    deviance = None if ml is None else ml.deviance
    return ModelFit(
        random_slope=random_slope,
        n_params=k,
        loglik_ml=None if deviance is None else -deviance / 2,
        aic=None if deviance is None else deviance + 2 * k,
        bic=None if deviance is None else deviance + k * math.log(n),
        deviance_ml=deviance,
        reml_criterion=None if reml is None else reml.deviance,
        loglik_reml=None if reml is None else -reml.deviance / 2,
    )


def _choose(
    intercept: ModelFit,
    slope: ModelFit | None,
    slope_possible: bool,
    p_mix: float | None,
    alpha: float,
) -> tuple[str | None, str]:
    """The chosen model and why, in English."""
    if not slope_possible:
        return "intercept", f"fewer than {MIN_GROUPS} groups with two or more time points"
    if slope is None or slope.loglik_ml is None or slope.reml_criterion is None:
        return "intercept", "the random-slope model did not converge"
    if intercept.loglik_ml is None or p_mix is None:
        return "slope", "the random-intercept model did not converge"
    if p_mix < alpha:
        return "slope", f"the slopes vary between groups (boundary LR test p < {alpha:g})"
    return "intercept", f"no evidence that the slopes vary (boundary LR test p >= {alpha:g})"
