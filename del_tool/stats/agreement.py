"""Agreement between two ratings of the same thing: weighted kappa and Bland-Altman limits.

References
----------
Cohen, J. (1968). Weighted kappa. Psychological Bulletin, 70, 213-220.
Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of kappa and
weighted kappa. Psychological Bulletin, 72, 323-327 (the standard errors used here, as SAS
PROC FREQ's ASE).
Cicchetti, D. V., & Allison, T. (1971) and Fleiss & Cohen (1973): linear and quadratic
agreement weights.
Bland, J. M., & Altman, D. G. (1986). Statistical methods for assessing agreement between two
methods of clinical measurement. Lancet, i, 307-310 (limits of agreement, their CIs).
Bland, J. M., & Altman, D. G. (1999). Measuring agreement in method comparison studies.
Statistical Methods in Medical Research, 8, 135-160 (the SE of a limit, s^2 (1/n + z^2 /
(2 (n - 1)))).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from del_tool.stats._results import check_choice, opt_float, paired_arrays


@dataclass(frozen=True, slots=True)
class WeightedKappa:
    """Weighted kappa with its large-sample SE, Wald CI and the test of kappa = 0."""

    kappa: float | None
    se: float | None
    ci: tuple[float, float] | None
    se_null: float | None
    z: float | None
    p_value: float | None
    observed: float | None  # weighted observed agreement P_o
    expected: float | None  # weighted chance agreement P_e
    n: int
    categories: tuple[float, ...]
    weights: str
    method: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class LimitsOfAgreement:
    """Bland-Altman bias and limits of agreement (b - a), each with a CI."""

    n: int
    bias: float | None
    sd: float | None
    lower: float | None
    upper: float | None
    bias_ci: tuple[float, float] | None
    lower_ci: tuple[float, float] | None
    upper_ci: tuple[float, float] | None
    multiplier: float
    method: str
    reason: str | None


def weighted_kappa(
    a: Any,
    b: Any,
    *,
    weights: Literal["linear", "quadratic", "none"] = "linear",
    categories: Any = None,
    confidence: float = 0.95,
) -> WeightedKappa:
    """Cohen's (1968) weighted kappa of two ratings on an ordered scale, with an interval.

    With proportions p_ij of pairs in categories (i, j), margins p_i. and p_.j, k categories and
    agreement weights w_ij = 1 - |i - j| / (k - 1) (linear, Cicchetti-Allison) or
    1 - (i - j)^2 / (k - 1)^2 (quadratic, Fleiss-Cohen), "none" = identity (Cohen's kappa):
    P_o = sum w_ij p_ij, P_e = sum w_ij p_i. p_.j, kappa = (P_o - P_e) / (1 - P_e).
    SE (Fleiss, Cohen & Everitt 1969), with wbar_i. = sum_j p_.j w_ij, wbar_.j = sum_i p_i. w_ij:
    var = [sum p_ij (w_ij - (wbar_i. + wbar_.j)(1 - kappa))^2 - (kappa - P_e (1 - kappa))^2]
    / (n (1 - P_e)^2); under kappa = 0, var0 = [sum p_i. p_.j (w_ij - (wbar_i. + wbar_.j))^2
    - P_e^2] / (n (1 - P_e)^2), z = kappa / SE0. CI = kappa +/- z_(1-alpha/2) SE, cut to
    [-1, 1] (SAS PROC FREQ's ASE and limits). ``categories`` (the scale's levels, in order)
    fixes k; by default the values observed in either rating (as R's irr::kappa2). Pairs with a
    missing rating are dropped; a rating outside ``categories`` raises ValueError.
    """
    check_choice(weights, "weights", ("linear", "quadratic", "none"))
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    x, y, complete = paired_arrays(a, b)
    x, y = x[complete], y[complete]
    cats = np.unique(np.concatenate([x, y])) if categories is None else _levels(categories)
    if np.any(~np.isin(x, cats)) or np.any(~np.isin(y, cats)):
        raise ValueError("a rating lies outside the given categories")
    n, k = len(x), len(cats)
    label = {"linear": "linear", "quadratic": "quadratic", "none": "unweighted"}[weights]
    method = f"Cohen's weighted kappa ({label} weights), SE of Fleiss, Cohen & Everitt (1969)"
    levels = tuple(float(c) for c in cats)
    if n < 2 or k < 2:
        return _no_kappa(n, levels, weights, method, "fewer than 2 pairs or only one category")
    table = np.zeros((k, k))
    np.add.at(table, (np.searchsorted(cats, x), np.searchsorted(cats, y)), 1.0)
    p = table / n
    w = _weights(k, weights)
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_o = float((w * p).sum())
    p_e = float((w * np.outer(rows, cols)).sum())
    if p_e >= 1:
        return _no_kappa(n, levels, weights, method, "chance agreement is 1 (all ratings equal)")
    kappa = (p_o - p_e) / (1 - p_e)
    wbar = (w @ cols)[:, None] + (rows @ w)[None, :]
    var = ((p * (w - wbar * (1 - kappa)) ** 2).sum() - (kappa - p_e * (1 - kappa)) ** 2) / (
        n * (1 - p_e) ** 2
    )
    var0 = ((np.outer(rows, cols) * (w - wbar) ** 2).sum() - p_e**2) / (n * (1 - p_e) ** 2)
    se = math.sqrt(max(float(var), 0.0))
    se0 = math.sqrt(max(float(var0), 0.0))
    z_crit = float(stats.norm.ppf(0.5 + confidence / 2))
    ci = (max(-1.0, kappa - z_crit * se), min(1.0, kappa + z_crit * se))
    z = kappa / se0 if se0 > 0 else None
    return WeightedKappa(
        kappa=float(kappa),
        se=se,
        ci=ci,
        se_null=se0,
        z=opt_float(z),
        p_value=None if z is None else float(2 * stats.norm.sf(abs(z))),
        observed=p_o,
        expected=p_e,
        n=n,
        categories=levels,
        weights=weights,
        method=method,
        reason=None,
    )


def limits_of_agreement(
    a: Any,
    b: Any,
    *,
    multiplier: float = 1.96,
    confidence: float = 0.95,
    se_method: Literal["1999", "1986"] = "1999",
) -> LimitsOfAgreement:
    """Bland-Altman bias and limits of agreement of b - a, with CIs.

    d_i = b_i - a_i, bias = mean(d), s = SD(d) (n - 1), limits bias -/+ multiplier * s.
    CI of the bias: bias +/- t_(n-1) s / sqrt(n). CI of a limit: limit +/- t_(n-1) SE with
    SE = s sqrt(1/n + multiplier^2 / (2 (n - 1))) (Bland & Altman 1999, section 2.2.2), or
    s sqrt(3 / n) with ``se_method="1986"`` (Bland & Altman 1986, the approximation for a
    multiplier of 2, which their PEFR example uses). Needs 3 or more complete pairs.
    """
    check_choice(se_method, "se_method", ("1999", "1986"))
    if not (multiplier > 0 and 0 < confidence < 1):
        raise ValueError("multiplier must be positive and confidence in (0, 1)")
    x, y, complete = paired_arrays(a, b)
    d = (y - x)[complete]
    n = len(d)
    method = (
        f"Bland-Altman limits of agreement, bias -/+ {multiplier:g} SD; CIs with t({n - 1}) and "
        f"the SE of Bland & Altman {se_method}"
    )
    if n < 3:
        nothing = (None,) * 7
        why = f"too few pairs ({n}; at least 3 needed)"
        return LimitsOfAgreement(n, *nothing, multiplier, method, why)
    bias = float(d.mean())
    sd = float(d.std(ddof=1))
    t = float(stats.t.ppf(0.5 + confidence / 2, n - 1))
    se_bias = sd / math.sqrt(n)
    if se_method == "1986":
        se_limit = sd * math.sqrt(3 / n)
    else:
        se_limit = sd * math.sqrt(1 / n + multiplier**2 / (2 * (n - 1)))
    lower, upper = bias - multiplier * sd, bias + multiplier * sd
    return LimitsOfAgreement(
        n=n,
        bias=bias,
        sd=sd,
        lower=lower,
        upper=upper,
        bias_ci=(bias - t * se_bias, bias + t * se_bias),
        lower_ci=(lower - t * se_limit, lower + t * se_limit),
        upper_ci=(upper - t * se_limit, upper + t * se_limit),
        multiplier=multiplier,
        method=method,
        reason=None,
    )


def _levels(categories: Any) -> np.ndarray:
    """The given categories as a sorted float array without duplicates."""
    cats = np.asarray(list(categories), dtype=float)
    if cats.ndim != 1 or not np.all(np.isfinite(cats)) or len(np.unique(cats)) != len(cats):
        raise ValueError("categories must be distinct finite numbers")
    return np.sort(cats)


def _weights(k: int, kind: str) -> np.ndarray:
    """Agreement weights for k ordered categories."""
    i, j = np.indices((k, k))
    if kind == "none":
        return (i == j).astype(float)
    distance = np.abs(i - j) / (k - 1)
    return 1 - distance if kind == "linear" else 1 - distance**2


def _no_kappa(
    n: int, levels: tuple[float, ...], weights: str, method: str, reason: str
) -> WeightedKappa:
    """A result without a kappa."""
    nothing = (None,) * 8
    return WeightedKappa(*nothing, n, levels, weights, method, reason)
