"""Paired pre/post change: mean change with CI, paired t, Wilcoxon signed-rank, effect sizes.

References
----------
Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science: a
practical primer for t-tests and ANOVAs. Frontiers in Psychology, 4, 863.
Cumming, G. (2012). Understanding the new statistics. Routledge (d_av).
Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size. J Educ Stat, 6, 107.
Liang, M. H., Fossel, A. H., & Larson, M. G. (1990). Comparisons of five health status instruments
for orthopedic evaluation. Medical Care, 28, 632-642 (standardised response mean).
Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin, 1, 80-83.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from del_tool.stats._results import (
    FloatArray,
    join_reasons,
    opt_float,
    paired_arrays,
)

_LEVEL = 0.95
#: Largest |t| whose d_z interval is computed; the cdf tolerances of the secant steps and of
#: the final check; at most this many steps (two or three suffice from nctdtrinc's start).
_MAX_T = 1e4
_CDF_TOL = 1e-12
_CHECK_TOL = 1e-9
_SECANT_STEPS = 12


@dataclass(frozen=True, slots=True)
class PairedChange:
    """Change from pre to post in one group: means, mean change with CI, tests and effect sizes."""

    n: int = 0
    n_dropped: int = 0
    mean_pre: float | None = None
    mean_post: float | None = None
    mean_diff: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    t: float | None = None
    p_t: float | None = None
    p_wilcoxon: float | None = None
    d_z: float | None = None
    d_z_ci: tuple[float, float] | None = None
    d_av: float | None = None
    g_av: float | None = None
    srm: float | None = None
    sd_pre: float | None = None
    sd_post: float | None = None
    sd_diff: float | None = None
    method: str = ""
    reason: str | None = None


def paired_change(pre: Any, post: Any) -> PairedChange:
    """Describe and test the change from ``pre`` to ``post`` (difference = post - pre).

    Pairs with a missing side are dropped and counted in ``n_dropped``. With d = post - pre over
    the n complete pairs (Lakens 2013, eqs. 7-10):

    - mean_diff = mean(d), CI = mean_diff +/- t(0.975, n-1) * sd(d) / sqrt(n);
    - t = mean_diff / (sd(d) / sqrt(n)) with n-1 df, two-sided p_t;
    - d_z = mean_diff / sd(d), 95% CI by inverting the noncentral t distribution of t
      (the ncp values at which the observed t is the 97.5th and 2.5th percentile, divided by
      sqrt(n)); srm, the standardised response mean (Liang et al. 1990), is the same ratio;
    - d_av = mean_diff / ((sd(pre) + sd(post)) / 2) (Cumming 2012; Lakens 2013 eq. 10);
    - g_av = d_av * J(n-1), J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)) (Hedges 1981);
    - p_wilcoxon: two-sided Wilcoxon signed-rank test on d as R's ``wilcox.test`` does it: zero
      differences are dropped (Wilcoxon's method); the exact null distribution is used when fewer
      than 50 non-zero differences remain and none are tied in absolute value, otherwise the
      normal approximation with tie-corrected variance and a continuity correction of 0.5.

    Data that cannot support a number give None with a reason: no complete pairs; one pair (no
    SD, so no CI, test or standardised effect); zero variance of the differences (t and d_z
    undefined); all differences zero (no Wilcoxon test); two pairs (Hedges' J(1) = 0, g_av None).
    """
    pre_arr, post_arr, complete = paired_arrays(pre, post)
    x, y = pre_arr[complete], post_arr[complete]
    n = int(x.size)
    n_dropped = int(pre_arr.size - n)
    if n == 0:
        reason = "no complete pairs" + (" (all pairs have a missing side)" if n_dropped else "")
        return _empty(n_dropped, reason)
    d = y - x
    wilcoxon_p, wilcoxon_desc, wilcoxon_reason = _wilcoxon(d)
    method = (
        "paired t, t-based 95% CI; Wilcoxon signed-rank "
        f"({wilcoxon_desc}); d_z with noncentral-t 95% CI; d_av with average SD; "
        "g_av Hedges-corrected (df = n-1); SRM = mean/SD of change"
    )
    if n == 1:
        return PairedChange(
            n=1,
            n_dropped=n_dropped,
            mean_pre=float(x[0]),
            mean_post=float(y[0]),
            mean_diff=float(d[0]),
            p_wilcoxon=wilcoxon_p,
            method=method,
            reason=join_reasons(
                [
                    "fewer than 2 complete pairs: no SD, CI, t-test or standardised effect",
                    wilcoxon_reason,
                ]
            ),
        )
    return _from_pairs(x, y, d, n_dropped, (wilcoxon_p, wilcoxon_reason), method)


def _from_pairs(
    x: FloatArray,
    y: FloatArray,
    d: FloatArray,
    n_dropped: int,
    wilcoxon: tuple[float | None, str | None],
    method: str,
) -> PairedChange:
    """Compute the n >= 2 case."""
    n = d.size
    mean_diff = float(d.mean())
    sd_pre, sd_post = float(x.std(ddof=1)), float(y.std(ddof=1))
    sd_diff = float(d.std(ddof=1))
    reasons: list[str | None] = [wilcoxon[1]]
    ci_low = ci_high = t = p_t = d_z = None
    d_z_ci: tuple[float, float] | None = None
    if _is_zero_spread(d):
        reasons.append(
            "zero variance of differences (every pair changed by the same amount): "
            "CI, t-test and d_z undefined"
        )
        sd_diff = 0.0
    else:
        se = sd_diff / np.sqrt(n)
        half = float(stats.t.ppf(0.5 + _LEVEL / 2, n - 1)) * se
        ci_low, ci_high = float(mean_diff - half), float(mean_diff + half)
        t = float(mean_diff / se)
        p_t = float(2 * stats.t.sf(abs(t), n - 1))
        d_z = mean_diff / sd_diff
        d_z_ci = _dz_interval(t, n)
        if d_z_ci is None:
            reasons.append("noncentral-t CI for d_z could not be found numerically")
    d_av = g_av = None
    if sd_pre + sd_post > 0:
        d_av = mean_diff / ((sd_pre + sd_post) / 2)
        if n > 2:
            g_av = d_av * _hedges_j(n - 1)
        else:
            reasons.append("2 pairs: Hedges' correction J(1) is 0, g_av not given")
    else:
        reasons.append("zero variance of pre and post scores: d_av and g_av undefined")
    return PairedChange(
        n=n,
        n_dropped=n_dropped,
        mean_pre=float(x.mean()),
        mean_post=float(y.mean()),
        mean_diff=mean_diff,
        ci_low=ci_low,
        ci_high=ci_high,
        t=opt_float(t),
        p_t=p_t,
        p_wilcoxon=wilcoxon[0],
        d_z=d_z,
        d_z_ci=d_z_ci,
        d_av=d_av,
        g_av=g_av,
        srm=d_z,
        sd_pre=sd_pre,
        sd_post=sd_post,
        sd_diff=sd_diff,
        method=method,
        reason=join_reasons(reasons),
    )


def _empty(n_dropped: int, reason: str) -> PairedChange:
    """Result for no complete pairs."""
    return PairedChange(
        n_dropped=n_dropped, method="no computation: no complete pairs", reason=reason
    )


def _is_zero_spread(d: FloatArray) -> bool:
    """True when all differences are equal up to floating-point noise."""
    scale = max(1.0, float(np.max(np.abs(d))))
    return float(np.ptp(d)) <= 1e-12 * scale


def _hedges_j(df: int) -> float:
    """Exact small-sample correction J(df) of Hedges (1981)."""
    return float(np.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / np.sqrt(df / 2))


def _dz_interval(t_obs: float, n: int) -> tuple[float, float] | None:
    """95% CI for d_z: ncp bounds at which t_obs is the 97.5th / 2.5th percentile, / sqrt(n).

    scipy's inverse of the noncentral t cdf in the noncentrality (`nctdtrinc`) gives both
    bounds in one call, but only to about 1e-5 in probability (up to 0.05 in d_z for n = 2 and
    t = 300); a few secant steps on the cdf, both bounds at once, make them exact to 1e-12.
    None when |t| is beyond where scipy can evaluate the noncentral t (nctdtrinc loses accuracy
    past 1e4 and does not return at 1e6) or the bounds cannot be verified.
    """
    if not abs(t_obs) <= _MAX_T:
        return None
    df = n - 1
    alpha = 1 - _LEVEL
    targets = np.array([1 - alpha / 2, alpha / 2])
    with np.errstate(all="ignore"):
        ncp = _secant(df, targets, t_obs, special.nctdtrinc(df, targets, t_obs))
        excess = special.nctdtr(df, ncp, t_obs) - targets
    if not (np.all(np.isfinite(ncp)) and np.all(np.abs(excess) <= _CHECK_TOL)):
        return None
    low, high = ncp / np.sqrt(n)
    return (float(low), float(high))


def _secant(df: int, targets: FloatArray, t_obs: float, start: FloatArray) -> FloatArray:
    """Noncentralities where the cdf at t_obs equals `targets`, by secant steps from `start`."""
    x0, x1 = start, start + 1e-6 * (1.0 + np.abs(start))
    f0 = special.nctdtr(df, x0, t_obs) - targets
    f1 = special.nctdtr(df, x1, t_obs) - targets
    for _ in range(_SECANT_STEPS):
        done = np.abs(f1) <= _CDF_TOL
        if np.all(done):
            break
        slope = (f1 - f0) / (x1 - x0)
        x0, f0 = x1, f1
        x1 = np.where(done | (slope == 0), x1, x1 - f1 / slope)
        f1 = special.nctdtr(df, x1, t_obs) - targets
    return np.asarray(x1, dtype=np.float64)


def _wilcoxon(d: FloatArray) -> tuple[float | None, str, str | None]:
    """Two-sided Wilcoxon signed-rank p-value as in R's wilcox.test (see paired_change)."""
    nonzero = d[d != 0]
    m = int(nonzero.size)
    n_zero = int(d.size - m)
    if m == 0:
        return None, "no test", "all differences are zero: no Wilcoxon test"
    abs_d = np.abs(nonzero)
    ranks = stats.rankdata(abs_d)
    v = float(ranks[nonzero > 0].sum())
    _, tie_counts = np.unique(abs_d, return_counts=True)
    has_ties = bool(np.any(tie_counts > 1))
    zeros = f", {n_zero} zero difference(s) dropped" if n_zero else ""
    if m < 50 and not has_ties and n_zero == 0:
        return _signrank_exact_p(v, m), f"exact, {m} non-zero differences", None
    mu = m * (m + 1) / 4
    var = m * (m + 1) * (2 * m + 1) / 24 - float(np.sum(tie_counts**3 - tie_counts)) / 48
    z = v - mu
    z = (z - np.sign(z) * 0.5) / np.sqrt(var)
    p = float(min(1.0, 2 * stats.norm.sf(abs(z))))
    ties = ", ties in |d|" if has_ties else ""
    desc = f"normal approximation with continuity correction{ties}{zeros}"
    return p, desc, None


def _signrank_exact_p(v: float, m: int) -> float:
    """Exact two-sided p-value of the signed-rank statistic V for m untied non-zero differences."""
    top = m * (m + 1) // 2
    counts = np.zeros(top + 1)
    counts[0] = 1.0
    for k in range(1, m + 1):
        shifted = np.zeros_like(counts)
        shifted[k:] = counts[:-k]
        counts = counts + shifted
    cdf = np.cumsum(counts) / counts.sum()
    vi = round(v)
    # As R: the upper tail P(V >= v) when v is above the centre, else the lower tail P(V <= v).
    upper = 1.0 - (cdf[vi - 1] if vi >= 1 else 0.0)
    one_sided = upper if v > m * (m + 1) / 4 else cdf[vi]
    return float(min(1.0, 2 * one_sided))
