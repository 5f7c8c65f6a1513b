"""Reliable change from all of each person's measurements: the HLM method.

A linear growth model y_ti = b0 + b1 t + u0_i + u1_i t + e_ti (random intercept and slope,
unstructured G, fitted by REML with ``del_tool.stats.reml``) gives every person an empirical
Bayes (EB) estimate of their slope; the slope divided by its standard error is the person's
index, judged against 1.96 as the reliable change index (Raudenbush & Bryk 2002, ch. 6; Speer &
Greenbaum 1995, "HLM" among their five methods). With per-person sums A_i = X_i'X_i
(X_i = [1, t]), v_i = X_i'y_i and K_i = (A_i + sigma^2 G^-1)^-1 (computed as Lambda (Lambda' A_i
Lambda + I)^-1 Lambda', G = sigma^2 Lambda Lambda', so a singular G is allowed):

- the EB deviation u_i = K_i (v_i - A_i b), with conditional variance sigma^2 K_i (what lme4's
  ``ranef(condVar = TRUE)`` reports);
- the person's slope b1 + u1_i, whose prediction error variance (Henderson 1975, the inverse of
  the mixed-model equations) is sigma^2 [(I - K_i A_i) P^-1 (I - K_i A_i)' + K_i]_slope with
  P = sum_i (A_i - A_i K_i A_i), so the uncertainty of the fixed slope is included.

``relative_to="zero"`` (the default) asks whether the person's own slope differs reliably from
no change, the question of the other reliable change methods. ``relative_to="average"`` asks
whether it differs from the average slope (u1_i / its conditional SD): this is what the R package
clinicalsignificance computes for ``rci_method = "HLM"`` (version 3.0.0, ``calc_rci.cs_hlm``), and
it reproduces that package's published results; its vignette describes the method as a slope
"significantly different from zero", which is the default here.

As in that package, only people with at least ``min_measurements`` (3) measurements are used, and
with a cutoff (a, b, c or a number, as ``reliable_change``) a person's first and last scores
decide the dysfunctional and functional sides, with the first scores standing in for the
clinical population.

References
----------
Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical linear models (2nd ed.). Sage.
Speer, D. C., & Greenbaum, P. E. (1995). Five methods for computing significant individual
client change and improvement rates. J Consult Clin Psychol, 63, 1044-1048.
Henderson, C. R. (1975). Best linear unbiased estimation and prediction under a selection model.
Biometrics, 31, 423-447.
Claus, B. B., Wager, J., & Bonnet, U. (2024). clinicalsignificance: Clinical significance
analyses of intervention studies in R. Journal of Statistical Software, 111(1), 1-39.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from del_tool.stats import jacobson_truax as jt
from del_tool.stats._results import FloatArray, StrArray, check_choice
from del_tool.stats.reml import fit_growth_reml

_MIN_PEOPLE = 3


@dataclass(frozen=True, slots=True)
class HlmReliableChange:
    """Per person (in ``groups`` order): EB slope, its SE, index and category; counts."""

    n: int
    n_dropped: int
    groups: list[Any]
    slope: FloatArray
    slope_se: FloatArray
    rc: FloatArray
    category: StrArray
    counts: dict[str, int | None]
    fixed_slope: float | None
    cutoff: float | None
    cutoff_type: str | None
    method: str
    reason: str | None


def reliable_change_hlm(
    frame: pd.DataFrame,
    *,
    time: str,
    score: str,
    group: str,
    higher_is_better: bool,
    relative_to: Literal["zero", "average"] = "zero",
    min_measurements: int = 3,
    cutoff: jt.CutoffChoice = None,
    functional_mean: float | None = None,
    functional_sd: float | None = None,
) -> HlmReliableChange:
    """Classify each person's change over all their measurements; see the module docstring.

    ``frame`` is long (a row per measurement); rows with a missing time or score are dropped,
    people with fewer than ``min_measurements`` are counted in ``n_dropped``. Fewer than 3
    people, no variation in time, or a fit that does not converge give nobody classified and a
    reason. Unknown options raise ValueError.
    """
    check_choice(relative_to, "relative_to", ("zero", "average"))
    if min_measurements < 2:
        raise ValueError(f"min_measurements must be at least 2, got {min_measurements!r}")
    data = frame[[group, time, score]].dropna()
    data = data.astype({time: float, score: float}).sort_values([group, time], kind="stable")
    sizes = data.groupby(group, sort=True)[score].transform("size")
    used = data[sizes >= min_measurements]
    people = list(pd.unique(used[group])) if len(used) else []
    n_dropped = int(frame[group].nunique() - len(people))
    sign = 1.0 if higher_is_better else -1.0
    first = used.groupby(group, sort=True)[score].first().to_numpy(dtype=float)
    last = used.groupby(group, sort=True)[score].last().to_numpy(dtype=float)
    sd_first = float(first.std(ddof=1)) if first.size >= 2 else None
    cut, cut_type = jt._cutoff(first, sd_first, sign, cutoff, functional_mean, functional_sd)
    method = _describe(relative_to, min_measurements, higher_is_better, cut_type)
    empty = _Empty(len(people), n_dropped, sorted(people), cut, cut_type, method)
    if len(people) < _MIN_PEOPLE:
        return empty.result(f"fewer than {_MIN_PEOPLE} people with {min_measurements} measurements")
    if used[time].nunique() < 2:
        return empty.result("time does not vary")
    t, y, g = used[time].to_numpy(), used[score].to_numpy(), used[group].to_numpy()
    fit = fit_growth_reml(t, y, g, random_slope=True)
    if fit is None:
        return empty.result("the growth model did not converge")
    groups, slope, se = _eb_slopes(used, time, score, group, fit, relative_to)
    rc = np.where(se > 0, slope / np.where(se > 0, se, 1.0), np.nan)
    complete = np.isfinite(rc)
    category, counts = jt._classify(rc, first, last, complete, sign, cut)
    return HlmReliableChange(
        n=len(groups),
        n_dropped=n_dropped,
        groups=groups,
        slope=slope,
        slope_se=se,
        rc=rc,
        category=category,
        counts=counts,
        fixed_slope=float(fit.beta[1]),
        cutoff=cut,
        cutoff_type=cut_type,
        method=method,
        reason=None if complete.all() else "some slopes have no standard error",
    )


def _eb_slopes(
    used: pd.DataFrame, time: str, score: str, group: str, fit: Any, relative_to: str
) -> tuple[list[Any], FloatArray, FloatArray]:
    """Per person (sorted by group): the EB slope (deviation or own slope) and its SE."""
    t = used[time].to_numpy(dtype=float)
    y = used[score].to_numpy(dtype=float)
    sums = (
        pd.DataFrame(
            {"g": used[group].to_numpy(), "n": 1.0, "t": t, "tt": t * t, "y": y, "ty": t * y}
        )
        .groupby("g", sort=True)
        .sum()
    )
    a = np.zeros((len(sums), 2, 2))
    a[:, 0, 0], a[:, 0, 1], a[:, 1, 0], a[:, 1, 1] = sums["n"], sums["t"], sums["t"], sums["tt"]
    v = np.stack([sums["y"].to_numpy(), sums["ty"].to_numpy()], axis=1)
    s2 = fit.sigma2
    values, vectors = np.linalg.eigh(fit.cov_re / s2)
    lam = vectors * np.sqrt(np.clip(values, 0.0, None))
    inner = np.einsum("ji,gjk,kl->gil", lam, a, lam) + np.eye(2)
    k = np.einsum("ij,gjk,lk->gil", lam, np.linalg.inv(inner), lam)
    u = np.einsum("gij,gj->gi", k, v - a @ fit.beta)
    if relative_to == "average":
        return list(sums.index), u[:, 1], np.sqrt(s2 * k[:, 1, 1])
    p_inv = np.linalg.inv((a - a @ k @ a).sum(axis=0))
    resid = np.eye(2) - k @ a
    pev = s2 * (resid @ p_inv @ np.transpose(resid, (0, 2, 1)) + k)
    return list(sums.index), fit.beta[1] + u[:, 1], np.sqrt(np.clip(pev[:, 1, 1], 0.0, None))


@dataclass(frozen=True, slots=True)
class _Empty:
    """What a result with nobody classified carries."""

    n: int
    n_dropped: int
    groups: list[Any]
    cutoff: float | None
    cutoff_type: str | None
    method: str

    def result(self, reason: str) -> HlmReliableChange:
        size = len(self.groups)
        return HlmReliableChange(
            n=self.n,
            n_dropped=self.n_dropped,
            groups=self.groups,
            slope=np.full(size, np.nan),
            slope_se=np.full(size, np.nan),
            rc=np.full(size, np.nan),
            category=np.full(size, "", dtype="<U12"),
            counts=jt._empty_counts(self.cutoff),
            fixed_slope=None,
            cutoff=self.cutoff,
            cutoff_type=self.cutoff_type,
            method=self.method,
            reason=reason,
        )


def _describe(relative_to: str, k: int, higher_is_better: bool, cut_type: str | None) -> str:
    against = "zero" if relative_to == "zero" else "the average slope"
    direction = "higher is better" if higher_is_better else "lower is better"
    cut = "no cutoff" if cut_type is None else f"cutoff {cut_type}"
    return (
        f"HLM reliable change: empirical Bayes slope against {against}, |z| > 1.96, people with "
        f">= {k} measurements, REML growth model, {direction}, {cut}"
    )
