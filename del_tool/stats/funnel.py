"""Funnel plots for comparing units: control limits at 95% and 99.8%, with overdispersion.

References
----------
Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance. Statistics in
Medicine, 24, 1185-1202.
Spiegelhalter, D. J. (2005). Handling over-dispersion of performance indicators. Quality and
Safety in Health Care, 14, 347-351.
PHEindicatormethods (UK Health Security Agency), ``phe_funnels`` / ``phe_funnel_significance``:
the same normal-approximation limits for proportions, used here as the reference implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from del_tool.stats._results import (
    BoolArray,
    FloatArray,
    StrArray,
    as_float_array,
    check_choice,
    join_reasons,
)
from del_tool.stats.funnel_limits import (
    Z95,
    Z998,
    FunnelLimits,
    estimate_overdispersion,
    exact_proportion_limits,
    inflate,
    normal_limits,
)

Overdispersion = Literal["multiplicative", "additive"] | None


@dataclass(frozen=True, slots=True)
class FunnelResult:
    """Per-unit value, z-score, control limits and flags against a target."""

    value: FloatArray
    n: FloatArray
    z: FloatArray
    limits: FunnelLimits
    flag: StrArray
    flag95: StrArray
    target: float | None
    overdispersion: str | None
    phi: float | None
    tau2: float | None
    n_units: int
    method: str
    reason: str | None
    sd: float | None = field(default=None)

    def to_frame(self) -> pd.DataFrame:
        """One row per unit, for reports and plots."""
        return pd.DataFrame(
            {
                "value": self.value,
                "n": self.n,
                "z": self.z,
                "lower95": self.limits.lower95,
                "upper95": self.limits.upper95,
                "lower998": self.limits.lower998,
                "upper998": self.limits.upper998,
                "flag": self.flag,
                "flag95": self.flag95,
            }
        )


def funnel_proportions(
    numerators: Any,
    denominators: Any,
    *,
    target: float | None = None,
    overdispersion: Overdispersion = None,
    limits: Literal["normal", "exact"] = "normal",
) -> FunnelResult:
    """Compare units' proportions y_i = r_i / n_i with a target theta0 (Spiegelhalter 2005).

    theta0 defaults to the pooled proportion sum(r) / sum(n). Under the null the standard error is
    s_i = sqrt(theta0 (1 - theta0) / n_i), z_i = (y_i - theta0) / s_i and the limits are
    theta0 +/- z_p * s_i with z_p = 1.96 (95%) and 3.09 (99.8%), cut to [0, 1]. This is the normal
    approximation of PHEindicatormethods ``phe_funnels``, whose test data it reproduces.

    Overdispersion (Spiegelhalter 2005, section 3): z-scores are Winsorised at their 10th and 90th
    percentiles and phi = mean(z_w^2). "multiplicative" uses s_i * sqrt(phi) (phi applied only when
    above 1); "additive" uses sqrt(s_i^2 + tau^2) with tau^2 = max(0, (k phi - (k - 1)) /
    (sum w - sum w^2 / sum w)), w = 1 / s_i^2, k units. z is then computed with the inflated SE.

    Flags: ``flag`` is "above"/"below" when a unit lies beyond the 99.8% limits (|z| > 3.09),
    ``flag95`` the same at 95%; "within" otherwise; "" for units without data (denominator 0).
    A unit with 1 case gets limits and flags like any other (its limits are wide and usually cut
    at 0 and 1). Negative counts or numerators above denominators raise ValueError.

    ``limits="exact"`` is better for units with few citizens: the limits are the exact binomial
    limits with interpolation (Spiegelhalter 2005, appendix; ``exact_proportion_limits``), for
    drawing, and the flags come from exact binomial tails, "above" when P(R >= r) < 0.001
    (0.025 for flag95) under Bin(n, theta0) and "below" when P(R <= r) is; so 1 of 1 against a
    target of 0.3 is not flagged (P = 0.3), even if its point lies past the interpolated curve.
    z stays the normal-approximation score; overdispersion cannot be combined (ValueError).
    """
    check_choice(overdispersion, "overdispersion", (None, "multiplicative", "additive"))
    check_choice(limits, "limits", ("normal", "exact"))
    if limits == "exact" and overdispersion is not None:
        raise ValueError("exact limits cannot be combined with an overdispersion adjustment")
    r = as_float_array(numerators, "numerators")
    n = as_float_array(denominators, "denominators")
    if r.shape != n.shape:
        raise ValueError(f"numerators and denominators differ in length ({r.size} vs {n.size})")
    if np.any(r < 0) or np.any(n < 0) or np.any(r > n):
        raise ValueError("need 0 <= numerator <= denominator for every unit")
    valid = np.isfinite(r) & np.isfinite(n) & (n > 0)
    value = np.full(r.size, np.nan)
    value[valid] = r[valid] / n[valid]
    theta = _proportion_target(r, n, valid, target)
    if theta is None:
        return _no_target(value, n, overdispersion, "no units with a positive denominator")
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(valid, np.sqrt(theta * (1 - theta) / n), np.nan)
    if limits == "exact":
        return _exact_assess(value, n, se, valid, theta)
    method = "proportions, normal approximation (Spiegelhalter 2005; as PHEindicatormethods)"
    return _assess(value, n, se, valid, theta, overdispersion, (0.0, 1.0), method)


def funnel_means(
    means: Any,
    sds: Any,
    ns: Any,
    *,
    target: float | None = None,
    overdispersion: Overdispersion = None,
) -> FunnelResult:
    """Compare units' mean scores with a target on a funnel plot (Spiegelhalter 2005).

    theta0 defaults to the pooled mean sum(n_i m_i) / sum(n_i). All units share the pooled
    within-unit SD, sigma = sqrt(sum((n_i - 1) sd_i^2) / sum(n_i - 1)) over units with n_i >= 2
    (reported as ``sd``), so s_i = sigma / sqrt(n_i) and the limits form a funnel; units with one
    citizen (no SD of their own) are compared like any other. z, limits, overdispersion and flags
    are as in ``funnel_proportions`` (no cutting of the limits). Units with n = 0 or a missing
    mean get "" flags; without any unit of 2+ citizens sigma is unknown and nothing is flagged.
    """
    check_choice(overdispersion, "overdispersion", (None, "multiplicative", "additive"))
    m = as_float_array(means, "means")
    s = as_float_array(sds, "sds")
    n = as_float_array(ns, "ns")
    if not m.shape == s.shape == n.shape:
        raise ValueError("means, sds and ns differ in length")
    if np.any(n < 0) or np.any(s < 0):
        raise ValueError("ns and sds must be non-negative")
    valid = np.isfinite(m) & np.isfinite(n) & (n > 0)
    value = np.where(valid, m, np.nan)
    has_sd = valid & (n >= 2) & np.isfinite(s)
    if not has_sd.any():
        return _no_target(
            value, n, overdispersion, "no unit with 2+ citizens: within-unit SD unknown"
        )
    sigma = float(np.sqrt(np.sum((n[has_sd] - 1) * s[has_sd] ** 2) / np.sum(n[has_sd] - 1)))
    theta = float(np.sum(n[valid] * m[valid]) / np.sum(n[valid])) if target is None else target
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(valid, sigma / np.sqrt(n), np.nan)
    method = "means, normal approximation with pooled within-unit SD (Spiegelhalter 2005)"
    result = _assess(value, n, se, valid, float(theta), overdispersion, None, method)
    return replace(result, sd=sigma)


def _proportion_target(
    r: FloatArray, n: FloatArray, valid: BoolArray, target: float | None
) -> float | None:
    """Given target (validated) or the pooled proportion; None when there is no data."""
    if target is not None:
        if not 0.0 <= target <= 1.0:
            raise ValueError(f"target must be a proportion in [0, 1], got {target!r}")
        return float(target)
    total = float(n[valid].sum())
    return float(r[valid].sum() / total) if total > 0 else None


def _assess(
    value: FloatArray,
    n: FloatArray,
    se: FloatArray,
    valid: BoolArray,
    target: float,
    overdispersion: Overdispersion,
    bounds: tuple[float, float] | None,
    method: str,
) -> FunnelResult:
    """z-scores, overdispersion, limits and flags."""
    z_raw = _z(value, target, se, valid)
    phi = tau2 = None
    reasons: list[str | None] = []
    if overdispersion is not None:
        phi, tau2, why = estimate_overdispersion(z_raw, se, valid)
        reasons.append(why)
        if overdispersion == "multiplicative":
            tau2 = None
    scale = inflate(se, phi if overdispersion == "multiplicative" else None, tau2)
    z = _z(value, target, scale, valid)
    limits = normal_limits(target, scale, bounds)
    if overdispersion is not None and phi is not None:
        method += f"; {overdispersion} overdispersion, Winsorised at 10%/90%"
    return FunnelResult(
        value=value,
        n=n,
        z=z,
        limits=limits,
        flag=_flags(z, valid, Z998),
        flag95=_flags(z, valid, Z95),
        target=target,
        overdispersion=overdispersion,
        phi=phi,
        tau2=tau2,
        n_units=int(valid.sum()),
        method=method,
        reason=join_reasons(reasons),
    )


def _exact_assess(
    value: FloatArray, n: FloatArray, se: FloatArray, valid: BoolArray, target: float
) -> FunnelResult:
    """Exact binomial tails for flags, interpolated exact limits for drawing."""
    size = np.where(valid, n, 0.0)
    r = np.where(valid, np.round(value * size), 0.0)
    p_high = stats.binom.sf(r - 1, size, target)  # P(R >= r)
    p_low = stats.binom.cdf(r, size, target)  # P(R <= r)
    return FunnelResult(
        value=value,
        n=n,
        z=_z(value, target, se, valid),
        limits=exact_proportion_limits(target, size),
        flag=_tail_flags(valid, p_low, p_high, 0.001),
        flag95=_tail_flags(valid, p_low, p_high, 0.025),
        target=target,
        overdispersion=None,
        phi=None,
        tau2=None,
        n_units=int(valid.sum()),
        method="proportions, exact binomial tails; limits exact with interpolation "
        "(Spiegelhalter 2005)",
        reason=None,
    )


def _tail_flags(valid: BoolArray, p_low: FloatArray, p_high: FloatArray, tail: float) -> StrArray:
    """ "above" when P(R >= r) < tail, "below" when P(R <= r) < tail, "" without data."""
    flags = np.full(valid.size, "", dtype="<U6")
    flags[valid] = "within"
    flags[valid & (p_high < tail)] = "above"
    flags[valid & (p_low < tail)] = "below"
    return flags


def _z(value: FloatArray, target: float, se: FloatArray, valid: BoolArray) -> FloatArray:
    """(value - target) / se; with se = 0: 0 at the target, +/-inf away from it."""
    diff = value - target
    z = np.full(value.size, np.nan)
    positive = valid & (se > 0)
    z[positive] = diff[positive] / se[positive]
    zero = valid & (se == 0)
    z[zero] = np.where(diff[zero] > 0, np.inf, np.where(diff[zero] < 0, -np.inf, 0.0))
    return z


def _flags(z: FloatArray, valid: BoolArray, critical: float) -> StrArray:
    """ "above"/"below" beyond +/-critical, "within" otherwise, "" without data."""
    flags = np.full(z.size, "", dtype="<U6")
    flags[valid] = "within"
    with np.errstate(invalid="ignore"):
        flags[valid & (z > critical)] = "above"
        flags[valid & (z < -critical)] = "below"
    return flags


def _no_target(
    value: FloatArray, n: FloatArray, overdispersion: Overdispersion, reason: str
) -> FunnelResult:
    """Result when no comparison is possible."""
    nan = np.full(value.size, np.nan)
    return FunnelResult(
        value=value,
        n=n,
        z=nan,
        limits=FunnelLimits(nan, nan, nan, nan),
        flag=np.full(value.size, "", dtype="<U6"),
        flag95=np.full(value.size, "", dtype="<U6"),
        target=None,
        overdispersion=overdispersion,
        phi=None,
        tau2=None,
        n_units=0,
        method="no comparison",
        reason=reason,
    )
