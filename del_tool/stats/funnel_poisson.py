"""Funnel plots for Poisson data: standardised ratios (observed / expected) and rates (counts).

A standardised ratio compares a unit's observed count O_i with the count E_i expected from a
reference (an SMR, or DEL's observed / expected events after case-mix adjustment); a rate compares
a count with its exposure T_i (events per stay-day, per 1,000 stay-days with ``multiplier``).
Under the null both counts are Poisson: O_i ~ Poisson(theta0 * E_i) for a ratio (theta0 = 1 by
default) and O_i ~ Poisson(theta0 * T_i) for a rate (theta0 = sum(O) / sum(T) by default).

References
----------
Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance. Statistics in
Medicine, 24, 1185-1202 (Table I: the standardised ratio with rho = E and the rate with rho = T,
both with g(theta0) = theta0, so s_i = sqrt(theta0 / rho_i); the appendix's exact limits with
interpolation).
Spiegelhalter, D. J. (2005). Handling over-dispersion of performance indicators. Quality and
Safety in Health Care, 14, 347-351 (Winsorised phi, additive tau^2).
PHEindicatormethods (UK Health Security Agency), ``phe_funnels(statistic = "ratio" | "rate")``
and ``phe_funnel_significance``: exact Poisson limits from the chi-square relation, whose test
data (ratio significance of 300 areas, crude rate significance of 40 areas, and the funnels'
limit tables) this module reproduces.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from del_tool.stats._results import FloatArray, as_float_array, check_choice
from del_tool.stats.funnel import (
    FunnelResult,
    Overdispersion,
    _assess,
    _no_target,
    _tail_flags,
    _z,
)
from del_tool.stats.funnel_limits import FunnelLimits

Limits = Literal["exact", "normal"] | None
_TAILS = {"lower95": 0.025, "upper95": 0.025, "lower998": 0.001, "upper998": 0.001}


def funnel_ratios(
    observed: Any,
    expected: Any,
    *,
    target: float = 1.0,
    overdispersion: Overdispersion = None,
    limits: Limits = None,
) -> FunnelResult:
    """Compare units' standardised ratios y_i = O_i / E_i with a target theta0 (default 1).

    ``n`` in the result holds E_i, the precision axis of the funnel. Exact (the default without
    overdispersion): a unit is "above" when P(O >= o_i) < 0.001 under Poisson(theta0 E_i) and
    "below" when P(O <= o_i) < 0.001 (0.025 for ``flag95``), which is PHEindicatormethods'
    test of whether the exact 99.8% (95%) interval of O_i / E_i, from the chi-square relation
    (Byar's approximation above 10 events there), excludes the target; the limits drawn are
    ``exact_poisson_limits``. Normal (``limits="normal"``, and always with overdispersion):
    s_i = sqrt(theta0 / E_i), z_i = (y_i - theta0) / s_i, limits theta0 +/- z_p s_i cut at 0,
    and the multiplicative (phi) or additive (tau^2) overdispersion of ``funnel_proportions``.
    Units with E_i = 0 or missing values get "" flags; negative counts, negative expected
    counts and (for exact limits) non-integer observed counts raise ValueError.
    """
    if not (np.isfinite(target) and target > 0):
        raise ValueError(f"target must be a positive ratio, got {target!r}")
    o, e = _counts(observed, expected, "observed", "expected")
    method = "standardised ratios O/E"
    return _poisson_funnel(o, e, float(target), overdispersion, limits, method)


def funnel_rates(
    events: Any,
    exposure: Any,
    *,
    target: float | None = None,
    multiplier: float = 1.0,
    overdispersion: Overdispersion = None,
    limits: Limits = None,
) -> FunnelResult:
    """Compare units' event rates y_i = O_i / T_i (times ``multiplier``) with a target rate.

    theta0 defaults to the pooled rate sum(O) / sum(T); a given ``target`` is on the same scale
    as the result (per ``multiplier``). The flags, limits and overdispersion are those of
    ``funnel_ratios`` with E_i = theta0 T_i, i.e. O_i ~ Poisson(theta0 T_i) (Spiegelhalter 2005,
    Table I, rates); ``value``, ``target`` and the limits are per ``multiplier`` (e.g. 1000 for
    events per 1,000 stay-days) and ``n`` holds T_i. PHEindicatormethods' crude-rate
    significance (weighted average = pooled rate) is reproduced.
    """
    if not (np.isfinite(multiplier) and multiplier > 0):
        raise ValueError(f"multiplier must be positive, got {multiplier!r}")
    o, t = _counts(events, exposure, "events", "exposure")
    valid = np.isfinite(o) & np.isfinite(t) & (t > 0)
    rate = np.full(o.size, np.nan)
    rate[valid] = o[valid] / t[valid] * multiplier
    if target is None:
        total = float(t[valid].sum())
        if total <= 0:
            return _no_target(rate, t, overdispersion, "no units with a positive exposure")
        theta = float(o[valid].sum()) / total
    else:
        if not (np.isfinite(target) and target >= 0):
            raise ValueError(f"target must be a non-negative rate, got {target!r}")
        theta = float(target) / multiplier
    if theta == 0:
        return _no_target(rate, t, overdispersion, "the target rate is 0: no Poisson comparison")
    method = f"rates per {multiplier:g}"
    result = _poisson_funnel(o, theta * t, 1.0, overdispersion, limits, method)
    limits_ = result.limits
    scaled = FunnelLimits(
        *(getattr(limits_, name) * theta * multiplier for name in _TAILS),
    )
    return FunnelResult(
        value=rate,
        n=t,
        z=result.z,
        limits=scaled,
        flag=result.flag,
        flag95=result.flag95,
        target=theta * multiplier,
        overdispersion=result.overdispersion,
        phi=result.phi,
        tau2=result.tau2,
        n_units=result.n_units,
        method=result.method,
        reason=result.reason,
    )


def exact_poisson_limits(target: float, expected: Any) -> FunnelLimits:
    """Exact Poisson control limits for a ratio with interpolation (Spiegelhalter 2005, appendix).

    For probability p, r_p is the smallest r with P(R <= r) >= p under R ~ Poisson(theta0 E);
    alpha = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1)) and the limit on the ratio scale
    is (r_p - alpha) / E (the binomial case of ``exact_proportion_limits`` with a Poisson count).
    NaN for E <= 0. For a rate funnel pass E = T and a target rate theta0.
    """
    if not (np.isfinite(target) and target > 0):
        raise ValueError(f"target must be positive, got {target!r}")
    e = as_float_array(expected, "expected")
    ok = np.isfinite(e) & (e > 0)
    bounds = []
    for p in (0.025, 0.975, 0.001, 0.999):
        limit = np.full(e.size, np.nan)
        mu = target * e[ok]
        r_p = stats.poisson.ppf(p, mu)
        upper = stats.poisson.cdf(r_p, mu)
        below = stats.poisson.cdf(r_p - 1, mu)
        mass = upper - below
        alpha = np.divide(upper - p, mass, out=np.zeros_like(mass), where=mass > 0)
        limit[ok] = np.maximum((r_p - alpha) / e[ok], 0.0)
        bounds.append(limit)
    return FunnelLimits(bounds[0], bounds[1], bounds[2], bounds[3])


def poisson_funnel_points(observed: Any, *, target: float = 1.0) -> pd.DataFrame:
    """Points on exact Poisson funnel limits, one row per observed count O >= 1 (for drawing).

    For each O the expected count E at which O lies exactly on a limit: on the upper limit with
    tail p when P(X >= O) = p under Poisson(E), E = chi2_{p}(2 O) / 2; on the lower limit when
    P(X <= O) = p, E = chi2_{1-p}(2 O + 2) / 2 (the chi-square-Poisson relation; Ulm 1990).
    ``exposure_<limit>`` is E / theta0 (E itself for a ratio with target 1) and ``<limit>`` the
    value there, O / exposure, as PHEindicatormethods' ``phe_funnels`` tabulates them
    (``lower_2s_exp_events`` and ``lower_2s_limit`` + 1 for ``ratio_type = "count"``; population
    and rate / multiplier for rates). Non-positive or non-integer counts raise ValueError.
    """
    if not (np.isfinite(target) and target > 0):
        raise ValueError(f"target must be positive, got {target!r}")
    o = as_float_array(observed, "observed")
    if np.any(~np.isfinite(o)) or np.any(o < 1) or np.any(o != np.round(o)):
        raise ValueError("observed counts must be whole numbers of at least 1")
    out: dict[str, FloatArray] = {"observed": o}
    for name, p in _TAILS.items():
        if name.startswith("upper"):
            mu = stats.chi2.ppf(p, 2 * o) / 2
        else:
            mu = stats.chi2.ppf(1 - p, 2 * o + 2) / 2
        exposure = mu / target
        out[f"exposure_{name}"] = exposure
        out[name] = o / exposure
    return pd.DataFrame(out)


def _counts(
    observed: Any, expected: Any, o_name: str, e_name: str
) -> tuple[FloatArray, FloatArray]:
    """Validated count and expectation arrays of equal length."""
    o = as_float_array(observed, o_name)
    e = as_float_array(expected, e_name)
    if o.shape != e.shape:
        raise ValueError(f"{o_name} and {e_name} differ in length ({o.size} vs {e.size})")
    if np.any(o < 0) or np.any(e < 0):
        raise ValueError(f"{o_name} and {e_name} must be non-negative")
    return o, e


def _poisson_funnel(
    o: FloatArray,
    e: FloatArray,
    target: float,
    overdispersion: Overdispersion,
    limits: Limits,
    method: str,
) -> FunnelResult:
    """Ratios o / e against target, exact or normal (with overdispersion)."""
    check_choice(overdispersion, "overdispersion", (None, "multiplicative", "additive"))
    check_choice(limits, "limits", (None, "exact", "normal"))
    if limits == "exact" and overdispersion is not None:
        raise ValueError("exact limits cannot be combined with an overdispersion adjustment")
    kind = limits or ("normal" if overdispersion is not None else "exact")
    valid = np.isfinite(o) & np.isfinite(e) & (e > 0)
    value = np.full(o.size, np.nan)
    value[valid] = o[valid] / e[valid]
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(valid, np.sqrt(target / e), np.nan)
    if kind == "normal":
        method += ", normal approximation (Spiegelhalter 2005)"
        return _assess(value, e, se, valid, target, overdispersion, (0.0, np.inf), method)
    whole = o[valid]
    if np.any(whole != np.round(whole)):
        raise ValueError("exact Poisson limits need whole-number observed counts")
    count = np.where(valid, o, 0.0)
    mu = np.where(valid, target * e, 0.0)
    p_low = stats.poisson.cdf(count, mu)  # P(O <= o)
    p_high = stats.poisson.sf(count - 1, mu)  # P(O >= o)
    return FunnelResult(
        value=value,
        n=e,
        z=_z(value, target, se, valid),
        limits=exact_poisson_limits(target, e),
        flag=_tail_flags(valid, p_low, p_high, 0.001),
        flag95=_tail_flags(valid, p_low, p_high, 0.025),
        target=target,
        overdispersion=None,
        phi=None,
        tau2=None,
        n_units=int(valid.sum()),
        method=method + ", exact Poisson tails; limits exact with interpolation "
        "(Spiegelhalter 2005)",
        reason=None,
    )
