"""Control limits for funnel plots and the overdispersion estimate (Spiegelhalter 2005).

References
----------
Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance. Statistics in
Medicine, 24, 1185-1202 (limits, exact binomial limits with interpolation, appendix A.1.1).
Spiegelhalter, D. J. (2005). Handling over-dispersion of performance indicators. Quality and
Safety in Health Care, 14, 347-351 (Winsorised phi, additive tau^2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from del_tool.stats._results import BoolArray, FloatArray, as_float_array

Z95 = float(stats.norm.ppf(0.975))
Z998 = float(stats.norm.ppf(0.999))
WINSOR = 0.10
MIN_UNITS_OVERDISPERSION = 3


@dataclass(frozen=True, slots=True)
class FunnelLimits:
    """Lower and upper control limits at 95% and 99.8% around a target, per precision."""

    lower95: FloatArray
    upper95: FloatArray
    lower998: FloatArray
    upper998: FloatArray


def proportion_limits(
    target: float,
    denominators: Any,
    *,
    phi: float | None = None,
    tau2: float | None = None,
) -> FunnelLimits:
    """Control limits around a target proportion for given denominators (e.g. to draw a funnel).

    theta0 +/- z_p * s(n), s(n) = sqrt(theta0 (1 - theta0) / n), optionally times sqrt(phi) or
    with tau2 added to s^2, cut to [0, 1]; NaN for n <= 0.
    """
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target must be a proportion in [0, 1], got {target!r}")
    n = as_float_array(denominators, "denominators")
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(n > 0, np.sqrt(target * (1 - target) / n), np.nan)
    return normal_limits(target, inflate(se, phi, tau2), (0.0, 1.0))


def exact_proportion_limits(target: float, denominators: Any) -> FunnelLimits:
    """Exact binomial control limits with interpolation (Spiegelhalter 2005, appendix A.1.1).

    For probability p, r_p is the smallest r with P(R <= r) >= p under R ~ Bin(n, theta0);
    alpha = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1)) and the limit is
    (r_p - alpha) / n, cut to [0, 1]. Better than the normal approximation for small n;
    NaN for n <= 0.
    """
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target must be a proportion in [0, 1], got {target!r}")
    n = as_float_array(denominators, "denominators")
    ok = np.isfinite(n) & (n > 0)
    bounds = []
    for p in (0.025, 0.975, 0.001, 0.999):
        limit = np.full(n.size, np.nan)
        size = n[ok]
        r_p = stats.binom.ppf(p, size, target)
        upper = stats.binom.cdf(r_p, size, target)
        below = stats.binom.cdf(r_p - 1, size, target)
        mass = upper - below
        alpha = np.divide(upper - p, mass, out=np.zeros_like(mass), where=mass > 0)
        limit[ok] = np.clip((r_p - alpha) / size, 0.0, 1.0)
        bounds.append(limit)
    return FunnelLimits(bounds[0], bounds[1], bounds[2], bounds[3])


def estimate_overdispersion(
    z: FloatArray, se: FloatArray, valid: BoolArray
) -> tuple[float | None, float | None, str | None]:
    """phi from Winsorised z-scores and the additive tau^2 (Spiegelhalter 2005)."""
    usable = valid & np.isfinite(z) & (se > 0)
    k = int(usable.sum())
    if k < MIN_UNITS_OVERDISPERSION:
        return None, None, f"too few units ({k}) to estimate overdispersion: none applied"
    zu = z[usable]
    low, high = np.quantile(zu, [WINSOR, 1 - WINSOR])
    phi = float(np.mean(np.clip(zu, low, high) ** 2))
    w = 1 / se[usable] ** 2
    denominator = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (k * phi - (k - 1)) / denominator) if denominator > 0 else 0.0
    return phi, tau2, None


def inflate(se: FloatArray, phi: float | None, tau2: float | None) -> FloatArray:
    """Standard errors under the overdispersion model (phi used only above 1)."""
    if phi is not None:
        return se * np.sqrt(max(phi, 1.0))
    if tau2 is not None:
        return np.sqrt(se**2 + tau2)
    return se


def normal_limits(
    target: float, scale: FloatArray, bounds: tuple[float, float] | None
) -> FunnelLimits:
    """target +/- z_p * scale, cut to bounds when given."""
    out = []
    for z_p in (Z95, Z998):
        lower, upper = target - z_p * scale, target + z_p * scale
        if bounds is not None:
            lower, upper = np.clip(lower, *bounds), np.clip(upper, *bounds)
        out.append((lower, upper))
    return FunnelLimits(out[0][0], out[0][1], out[1][0], out[1][1])
