"""Standardised effect sizes: d_rm for repeated measures, d_s and g_s for two groups, and CL.

Hedges' correction. Cohen's d overestimates the population effect in small samples; Hedges
(1981) multiplies it by J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df - 1)/2)), often approximated
by 1 - 3 / (4 df - 1). Two conventions for df are published for the same data and both appear
in software: df = n - 1, the degrees of freedom of one group's (or the differences') SD, and
df = 2(n - 1) (= n1 + n2 - 2), the pooled df of two SDs. For two independent groups DEL uses
n1 + n2 - 2 (the df of the pooled SD; Lakens 2013 eq. 4). For repeated measures (g_av in
``paired_change`` and g_rm here) DEL uses n - 1, the df of the paired design, which reproduces
Lakens's (2013) g_av = 1.03 for his movie example; 2(n - 1) would give 1.08. DEL uses the exact J
throughout; MOTE and many texts use the approximation, which differs from it by less than 0.2 %
from df = 6.

Confidence intervals invert the noncentral t distribution of the t statistic (the
noncentralities at which the observed t is the 97.5th and 2.5th percentile), scaled to d: for
d_s by sqrt(n1 n2 / (n1 + n2)); g_s's interval is J times d_s's. For d_rm the interval treats
d_rm sqrt(n) as noncentral t with n - 1 df, as the R package MOTE does (an approximation: d_rm
is not exactly a rescaled t).

References
----------
Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science: a
practical primer for t-tests and ANOVAs. Frontiers in Psychology, 4, 863 (eqs. 1-9, 11).
Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and related
estimators. Journal of Educational Statistics, 6, 107-128.
McGraw, K. O., & Wong, S. P. (1992). A common language effect size statistic. Psychological
Bulletin, 111, 361-365.
Morris, S. B., & DeShon, R. P. (2002). Combining effect size estimates in meta-analysis with
repeated measures and independent-groups designs. Psychological Methods, 7, 105-125 (d_rm).
Buchanan, E. M., Gillenwaters, A., Scofield, J. E., & Valentine, K. D. (2019). MOTE: Measure of
the Effect (R package).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from del_tool.stats._results import as_float_array, join_reasons, paired_arrays
from del_tool.stats.paired import _hedges_j, _secant

_LEVEL = 0.95
_MAX_T = 1e4
_CHECK_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class RepeatedMeasuresEffect:
    """d_rm (post - pre) with interval, g_rm, d_z and the common-language effect size."""

    n: int
    r: float | None = None
    d_rm: float | None = None
    d_rm_ci: tuple[float, float] | None = None
    g_rm: float | None = None
    d_z: float | None = None
    cl: float | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class TwoGroupEffect:
    """Two independent groups (first - second): t-test, d_s and g_s with intervals, and CL."""

    n1: int
    n2: int
    mean_diff: float | None = None
    sd_pooled: float | None = None
    t: float | None = None
    df: int | None = None
    p: float | None = None
    d_s: float | None = None
    d_s_ci: tuple[float, float] | None = None
    g_s: float | None = None
    g_s_ci: tuple[float, float] | None = None
    cl: float | None = None
    reason: str | None = None


def repeated_measures_effect(pre: Any, post: Any) -> RepeatedMeasuresEffect:
    """Effect of the change from ``pre`` to ``post`` for the same people (complete pairs).

    With s1, s2 the SDs of pre and post, r their correlation and M_diff = mean(post - pre):
    d_rm = M_diff / sqrt(s1^2 + s2^2 - 2 r s1 s2) * sqrt(2 (1 - r)) (Lakens 2013 eq. 9; Morris
    & DeShon 2002), which, unlike d_z, does not grow with r; g_rm = d_rm J(n - 1);
    d_z = M_diff / sd(post - pre); CL = Phi(d_z), the probability that a person picked at
    random changes in the positive direction (Lakens 2013, after McGraw & Wong 1992).
    Fewer than 3 pairs, or no spread in pre, post or the differences, give None with a reason.
    """
    pre_arr, post_arr, complete = paired_arrays(pre, post)
    x, y = pre_arr[complete], post_arr[complete]
    n = int(x.size)
    if n < 3:
        return RepeatedMeasuresEffect(n=n, reason="fewer than 3 complete pairs")
    d = y - x
    s1, s2, sd_d = float(x.std(ddof=1)), float(y.std(ddof=1)), float(d.std(ddof=1))
    if s1 == 0 or s2 == 0 or sd_d == 0:
        return RepeatedMeasuresEffect(n=n, reason="no spread in pre, post or the change")
    r = float(np.corrcoef(x, y)[0, 1])
    mean_d = float(d.mean())
    d_rm = mean_d / sd_d * float(np.sqrt(2.0 * (1.0 - r)))
    d_z = mean_d / sd_d
    bounds = _ncp_bounds(d_rm * np.sqrt(n), n - 1)
    ci = None if bounds is None else (bounds[0] / np.sqrt(n), bounds[1] / np.sqrt(n))
    return RepeatedMeasuresEffect(
        n=n,
        r=r,
        d_rm=d_rm,
        d_rm_ci=ci,
        g_rm=d_rm * _hedges_j(n - 1),
        d_z=d_z,
        cl=float(stats.norm.cdf(d_z)),
        reason=None if ci is not None else "interval not computable (|t| too large)",
    )


def two_group_effect(first: Any, second: Any) -> TwoGroupEffect:
    """Compare two independent groups (missing values dropped); difference = first - second.

    Student's t with the pooled SD s_p = sqrt(((n1 - 1) s1^2 + (n2 - 1) s2^2) / (n1 + n2 - 2)),
    df = n1 + n2 - 2; d_s = (M1 - M2) / s_p (Lakens 2013 eq. 1); g_s = d_s J(n1 + n2 - 2)
    (eq. 4, exact J); intervals as in the module docstring; CL = Phi(d_s / sqrt(2)), the
    probability that a person drawn from the first group scores higher than one drawn from the
    second (McGraw & Wong 1992). Fewer than 2 in a group or a pooled SD of 0 give None.
    """
    a = as_float_array(first, "first")
    b = as_float_array(second, "second")
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    n1, n2 = int(a.size), int(b.size)
    if n1 < 2 or n2 < 2:
        return TwoGroupEffect(n1=n1, n2=n2, reason="fewer than 2 observations in a group")
    df = n1 + n2 - 2
    var = ((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / df
    sd_p = float(np.sqrt(var))
    diff = float(a.mean() - b.mean())
    if sd_p == 0:
        return TwoGroupEffect(
            n1=n1, n2=n2, mean_diff=diff, sd_pooled=0.0, df=df, reason="pooled SD is 0"
        )
    scale = float(np.sqrt(n1 * n2 / (n1 + n2)))
    d_s = diff / sd_p
    t = d_s * scale
    j = _hedges_j(df)
    bounds = _ncp_bounds(t, df)
    d_ci = None if bounds is None else (bounds[0] / scale, bounds[1] / scale)
    return TwoGroupEffect(
        n1=n1,
        n2=n2,
        mean_diff=diff,
        sd_pooled=sd_p,
        t=float(t),
        df=df,
        p=float(2 * stats.t.sf(abs(t), df)),
        d_s=d_s,
        d_s_ci=d_ci,
        g_s=d_s * j,
        g_s_ci=None if d_ci is None else (d_ci[0] * j, d_ci[1] * j),
        cl=float(stats.norm.cdf(d_s / np.sqrt(2.0))),
        reason=join_reasons([None if d_ci else "interval not computable (|t| too large)"]),
    )


def _ncp_bounds(t_obs: float, df: int) -> tuple[float, float] | None:
    """Noncentralities at which ``t_obs`` is the 97.5th and 2.5th percentile (None if unsure)."""
    if not abs(t_obs) <= _MAX_T:
        return None
    alpha = 1 - _LEVEL
    targets = np.array([1 - alpha / 2, alpha / 2])
    with np.errstate(all="ignore"):
        ncp = _secant(df, targets, t_obs, special.nctdtrinc(df, targets, t_obs))
        excess = special.nctdtr(df, ncp, t_obs) - targets
    if not (np.all(np.isfinite(ncp)) and np.all(np.abs(excess) <= _CHECK_TOL)):
        return None
    return float(ncp[0]), float(ncp[1])
