"""Baseline-adjusted comparison of units (analysis of covariance of change on baseline).

References
----------
Vickers, A. J., & Altman, D. G. (2001). Analysing controlled trials with baseline and follow up
measurements. BMJ, 323, 1123-1124 (adjust change for baseline by ANCOVA, not by raw change).
Searle, S. R., Speed, F. M., & Milliken, G. A. (1980). Population marginal means in the linear
model: an alternative to least squares means. The American Statistician, 34, 216-221 (means
adjusted to the covariate's mean, as R's emmeans computes them).
Montgomery, D. C. (2013). Design and Analysis of Experiments, 8th ed., section 15.3 (the fiber
example used in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS

from del_tool.stats._results import FloatArray, StrArray, as_float_array, captured_warnings

_LEVEL = 0.95
#: Flags as in the funnel plots: beyond the 99.8% interval (Spiegelhalter 2005's "alarm" limit).
_FLAG_LEVEL = 0.998
MIN_GROUPS = 2


@dataclass(frozen=True, slots=True)
class AdjustedComparison:
    """Per group: mean outcome adjusted to the overall mean baseline, with CIs and flags."""

    groups: list[Any]
    n: FloatArray
    raw_mean: FloatArray
    adjusted: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    difference: FloatArray
    difference_se: FloatArray
    difference_ci_low: FloatArray
    difference_ci_high: FloatArray
    flag: StrArray
    flag95: StrArray
    overall: float | None
    slope: float | None
    slope_se: float | None
    sigma: float | None
    f_stat: float | None
    f_df: tuple[int, int] | None
    p_value: float | None
    n_total: int
    n_dropped: int
    method: str
    reason: str | None


def adjusted_comparison(outcome: Any, baseline: Any, groups: Any) -> AdjustedComparison:
    """Compare groups on ``outcome`` (e.g. change since admission) adjusted for ``baseline``.

    Fits the ANCOVA y_ij = a_j + b (x_ij - mean(x)) + e_ij by ordinary least squares
    (statsmodels OLS), one parameter a_j per group and a common baseline slope b. a_j is the
    group's adjusted mean: its predicted outcome at the overall mean baseline, what R's
    ``emmeans(lm(y ~ x + group), "group")`` gives, with SE from the OLS covariance and a t-based
    95% CI on the residual df. ``overall`` is the mean of all outcomes, which equals the
    n-weighted mean of the a_j; each group's ``difference`` a_j - overall is the contrast
    (e_j - w)'a with w_j = n_j / N, with its SE and 95% CI. ``flag`` is "above"/"below" when
    the 99.8% CI of the difference excludes 0 (``flag95`` at 95%), else "within".
    ``f_stat``/``p_value``: the F test that all a_j are equal (the model against y ~ x).

    Rows with a missing outcome, baseline or group are dropped and counted. Fewer than 2
    groups, no residual degrees of freedom, or a baseline without variation give NaN estimates
    and a ``reason`` (a constant baseline cannot be adjusted for). Groups are sorted.
    """
    y, x, g, dropped = _complete(outcome, baseline, groups)
    labels = sorted(pd.unique(g).tolist())
    problem = _problem(y, x, len(labels))
    if problem is not None:
        return _empty(labels, y, g, dropped, problem)
    design, counts = _design(x, g, labels)
    with captured_warnings():
        fit = OLS(y, design).fit()
    k, df = len(labels), float(fit.df_resid)
    cov = np.asarray(fit.cov_params(), dtype=float)
    f_stat, p_value = _f_test(y, x, float(fit.ssr), k, df)
    return AdjustedComparison(
        groups=labels,
        n=counts,
        raw_mean=np.array([y[g == label].mean() for label in labels]),
        **_group_estimates(np.asarray(fit.params[:k], dtype=float), cov[:k, :k], counts, df),
        overall=float(y.mean()),
        slope=float(fit.params[k]),
        slope_se=float(np.sqrt(cov[k, k])),
        sigma=float(np.sqrt(fit.scale)),
        f_stat=f_stat,
        f_df=(k - 1, int(df)),
        p_value=p_value,
        n_total=int(y.size),
        n_dropped=dropped,
        method="ANCOVA: outcome on baseline (centred) with one mean per group, OLS; adjusted "
        "means at the mean baseline with t-based 95% CI; flags at 99.8% for the difference "
        "from the overall mean",
        reason=None,
    )


def _group_estimates(
    adjusted: FloatArray, cov: FloatArray, counts: FloatArray, df: float
) -> dict[str, Any]:
    """Adjusted means, differences from the overall mean, their CIs and flags."""
    se = np.sqrt(np.diag(cov))
    t95 = float(stats.t.ppf(0.5 + _LEVEL / 2, df))
    diff, diff_se = _differences(adjusted, cov, counts)
    return {
        "adjusted": adjusted,
        "se": se,
        "ci_low": adjusted - t95 * se,
        "ci_high": adjusted + t95 * se,
        "difference": diff,
        "difference_se": diff_se,
        "difference_ci_low": diff - t95 * diff_se,
        "difference_ci_high": diff + t95 * diff_se,
        "flag": _flags(diff, diff_se, float(stats.t.ppf(0.5 + _FLAG_LEVEL / 2, df))),
        "flag95": _flags(diff, diff_se, t95),
    }


def _complete(outcome: Any, baseline: Any, groups: Any) -> tuple[FloatArray, FloatArray, Any, int]:
    """Outcome, baseline and group of the complete rows, and how many rows were dropped."""
    y = as_float_array(outcome, "outcome")
    x = as_float_array(baseline, "baseline")
    g = pd.Series(groups, dtype=object).to_numpy()
    if not y.size == x.size == g.size:
        raise ValueError(
            f"outcome, baseline and groups differ in length ({y.size}, {x.size}, {g.size})"
        )
    keep = np.isfinite(y) & np.isfinite(x) & ~pd.isna(g)
    return y[keep], x[keep], g[keep], int((~keep).sum())


def _problem(y: FloatArray, x: FloatArray, n_groups: int) -> str | None:
    """Why the model cannot be fitted, if so."""
    if n_groups < MIN_GROUPS:
        return f"fewer than {MIN_GROUPS} groups with data ({n_groups})"
    if y.size - n_groups - 1 < 1:
        return f"too few rows ({y.size}) for {n_groups} groups and a baseline slope"
    if float(np.ptp(x)) == 0:
        return "the baseline does not vary: nothing to adjust for"
    return None


def _design(x: FloatArray, g: Any, labels: list[Any]) -> tuple[FloatArray, FloatArray]:
    """One indicator column per group, then the centred baseline; and the group sizes."""
    indicators = np.column_stack([(g == label).astype(float) for label in labels])
    return np.column_stack([indicators, x - x.mean()]), indicators.sum(axis=0)


def _differences(
    adjusted: FloatArray, cov: FloatArray, counts: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """a_j - sum(w a) with w = n / N, and the SE of each contrast."""
    w = counts / counts.sum()
    contrasts = np.eye(adjusted.size) - w[np.newaxis, :]
    diff = contrasts @ adjusted
    variance = np.einsum("ij,jk,ik->i", contrasts, cov, contrasts)
    return diff, np.sqrt(np.clip(variance, 0.0, None))


def _f_test(
    y: FloatArray, x: FloatArray, ssr_full: float, k: int, df: float
) -> tuple[float | None, float | None]:
    """F test of equal group means given the baseline (full model against y ~ 1 + x)."""
    reduced = np.column_stack([np.ones(y.size), x - x.mean()])
    with captured_warnings():
        ssr_reduced = float(OLS(y, reduced).fit().ssr)
    if ssr_full <= 0:
        return None, None
    f_stat = ((ssr_reduced - ssr_full) / (k - 1)) / (ssr_full / df)
    return float(f_stat), float(stats.f.sf(f_stat, k - 1, df))


def _flags(diff: FloatArray, se: FloatArray, critical: float) -> StrArray:
    """ "above"/"below" when the interval diff +/- critical * se excludes 0, else "within"."""
    flags = np.full(diff.size, "within", dtype="<U6")
    flags[diff - critical * se > 0] = "above"
    flags[diff + critical * se < 0] = "below"
    return flags


def _empty(
    labels: list[Any], y: FloatArray, g: Any, dropped: int, reason: str
) -> AdjustedComparison:
    """Result without a model: counts and raw means only."""
    nan = np.full(len(labels), np.nan)
    counts = np.array([float((g == label).sum()) for label in labels])
    raw = np.array([y[g == label].mean() if (g == label).any() else np.nan for label in labels])
    return AdjustedComparison(
        groups=labels,
        n=counts,
        raw_mean=raw,
        adjusted=nan,
        se=nan,
        ci_low=nan,
        ci_high=nan,
        difference=nan,
        difference_se=nan,
        difference_ci_low=nan,
        difference_ci_high=nan,
        flag=np.full(len(labels), "", dtype="<U6"),
        flag95=np.full(len(labels), "", dtype="<U6"),
        overall=float(y.mean()) if y.size else None,
        slope=None,
        slope_se=None,
        sigma=None,
        f_stat=None,
        f_df=None,
        p_value=None,
        n_total=int(y.size),
        n_dropped=dropped,
        method="no model fitted",
        reason=reason,
    )
