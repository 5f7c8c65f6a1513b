"""Trajectories over all follow-ups: a linear mixed model with random intercept and slope.

References
----------
Laird, N. M., & Ware, J. H. (1982). Random-effects models for longitudinal data. Biometrics, 38,
963-974.
Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models
using lme4. Journal of Statistical Software, 67(1), 1-48 (the sleepstudy example).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLM

from del_tool.stats._results import FloatArray, as_float_array, captured_warnings
from del_tool.stats.reml import fit_growth_reml

#: "reml" is DEL's own profiled REML fit, vectorised over groups (del_tool.stats.reml): the same
#: model and criterion as lme4, in milliseconds for thousands of groups. The others are
#: statsmodels MixedLM optimizers, tried in turn if it does not converge.
OPTIMIZERS = ("reml", "lbfgs", "bfgs", "cg", "powell")
MIN_GROUPS = 3
#: Seed of the random sample of groups given to statsmodels (reproducible reports).
SAMPLE_SEED = 2026
_ESTIMATE_FIELDS = (
    "intercept",
    "intercept_se",
    "intercept_ci",
    "slope",
    "slope_se",
    "slope_ci",
    "var_intercept",
    "var_slope",
    "cov_intercept_slope",
    "corr_intercept_slope",
    "var_residual",
)


@dataclass(frozen=True, slots=True)
class Trajectory:
    """Average level and change per time unit from a mixed model, with variance components.

    The counts describe the rows the reported fit used: all complete rows, or a random sample
    of groups (then ``sampled_from`` is the number of groups it was drawn from).
    """

    intercept: float | None
    intercept_se: float | None
    intercept_ci: tuple[float, float] | None
    slope: float | None
    slope_se: float | None
    slope_ci: tuple[float, float] | None
    var_intercept: float | None
    var_slope: float | None
    cov_intercept_slope: float | None
    corr_intercept_slope: float | None
    var_residual: float | None
    n_groups: int
    n_rows: int
    n_dropped: int
    n_single_obs_groups: int
    random_slope: bool
    converged: bool
    optimizer: str | None
    warnings: tuple[str, ...]
    method: str
    reason: str | None
    sampled_from: int | None = None


@dataclass(frozen=True, slots=True)
class _Data:
    """Complete rows as arrays; groups as codes 0 .. n_groups - 1."""

    t: FloatArray
    y: FloatArray
    codes: npt.NDArray[np.intp]
    n_groups: int

    def counts(self, n_dropped: int) -> dict[str, Any]:
        """The count fields of a Trajectory for these rows."""
        sizes = np.bincount(self.codes, minlength=self.n_groups)
        return {
            "n_groups": self.n_groups,
            "n_rows": len(self.t),
            "n_dropped": n_dropped,
            "n_single_obs_groups": int((sizes == 1).sum()),
        }

    def groups_with_two_times(self) -> int:
        """How many groups have two or more distinct times."""
        order = np.lexsort((self.t, self.codes))
        codes, t = self.codes[order], self.t[order]
        first = np.ones(len(t), dtype=bool)
        first[1:] = (codes[1:] != codes[:-1]) | (t[1:] != t[:-1])
        return int((np.bincount(codes[first], minlength=self.n_groups) >= 2).sum())

    def sample(self, max_groups: int | None, seed: int = SAMPLE_SEED) -> _Data | None:
        """The rows of `max_groups` groups drawn at random (reproducibly); None if no more."""
        if max_groups is None or self.n_groups <= max_groups:
            return None
        chosen = np.zeros(self.n_groups, dtype=bool)
        chosen[np.random.default_rng(seed).choice(self.n_groups, max_groups, replace=False)] = True
        rows = chosen[self.codes]
        codes = np.cumsum(chosen)[self.codes[rows]] - 1
        return _Data(self.t[rows], self.y[rows], codes, max_groups)


def trajectory(
    frame: pd.DataFrame,
    *,
    time: str,
    score: str,
    group: str,
    optimizers: Sequence[str] = OPTIMIZERS,
    maxiter: int | None = None,
    fallback_max_groups: int | None = None,
    random_slope: bool = True,
) -> Trajectory:
    """Fit score = b0 + b1*time + u0_g + u1_g*time + e by REML (del_tool.stats.reml first).

    (u0, u1) per group ~ N(0, G) with unstructured 2x2 G, e ~ N(0, sigma^2) (Laird & Ware 1982).
    Reports the fixed intercept b0 and slope b1 (change per unit of ``time``: pass time in years
    for change per year) with SE and Wald 95% CI (estimate +/- 1.96 SE, as lme4's
    ``confint(method = "Wald")``), G's variances, covariance and correlation, and sigma^2.

    All rows with score, time and group present are used, not only completers; groups with a
    single observation are kept (they inform the intercept and the residual variance) and counted
    in ``n_single_obs_groups``.

    Fallbacks, each stated in ``method``: the optimizers in ``optimizers`` are tried in turn
    until one converges with finite standard errors; if none does, or fewer than 3 groups have
    two or more distinct times, a random-intercept-only model is fitted the same way. With fewer
    than 3 groups, no variation in time, or no converging fit, the estimates are None, the
    ``reason`` says why and ``converged`` is False. Library warnings are recorded in ``warnings``.
    DEL's own fit ("reml") always uses every group; statsmodels' optimizers, which loop over
    groups in Python, are given a reproducible random sample of ``fallback_max_groups`` groups
    when there are more (stated in ``method`` and ``sampled_from``). ``random_slope=False`` fits
    the random intercept only (as chosen by ``compare_trajectory_models``).
    """
    data, n_dropped = _prepare(frame, time, score, group)
    problem = _data_problem(data)
    if problem is not None:
        return _failed(data.counts(n_dropped), [], "no model fitted", problem)
    sample = data.sample(fallback_max_groups)
    slope_ok = random_slope and data.groups_with_two_times() >= MIN_GROUPS
    tried: list[str] = []
    caught: list[str] = []
    for with_slope in (True, False) if slope_ok else (False,):
        for name in optimizers:
            used = data if name == "reml" or sample is None else sample
            tried.append(f"{'slope' if with_slope else 'intercept'}/{name}")
            fit, messages = _fit(used, with_slope, name, maxiter)
            caught.extend(messages)
            if fit is not None:
                sampled_from = None if used is data else data.n_groups
                return Trajectory(
                    **fit,
                    **used.counts(n_dropped),
                    optimizer=name,
                    warnings=tuple(caught),
                    method=_method(with_slope, name, tried, sampled_from, used.n_groups),
                    reason=None if with_slope else _intercept_reason(slope_ok, random_slope),
                    sampled_from=sampled_from,
                )
    method = f"no converging fit (tried {', '.join(tried)})"
    reason = "the mixed model did not converge with any optimizer"
    return _failed(data.counts(n_dropped), caught, method, reason)


def _prepare(frame: pd.DataFrame, time: str, score: str, group: str) -> tuple[_Data, int]:
    """The complete rows; the number of rows dropped for missing values."""
    for column in (time, score, group):
        if column not in frame:
            raise ValueError(f"column {column!r} not in frame")
    t = as_float_array(frame[time], time)
    y = as_float_array(frame[score], score)
    groups = frame[group].to_numpy()
    complete = np.isfinite(t) & np.isfinite(y) & pd.notna(groups)
    codes, uniques = pd.factorize(groups[complete], sort=False)
    data = _Data(t[complete], y[complete], codes.astype(np.intp), len(uniques))
    return data, int((~complete).sum())


def _data_problem(data: _Data) -> str | None:
    """Why no model can be fitted, if so."""
    n_rows, n_groups = len(data.t), data.n_groups
    if n_groups < MIN_GROUPS:
        return f"too few groups ({n_groups}; at least {MIN_GROUPS} needed)"
    if n_rows < n_groups + 2:
        return f"too few rows ({n_rows}) for {n_groups} groups"
    if float(np.ptp(data.t)) == 0:
        return "time does not vary: no slope can be estimated"
    return None


def _fit(
    data: _Data, random_slope: bool, optimizer: str, maxiter: int | None
) -> tuple[dict[str, Any] | None, list[str]]:
    """Fit one model; return the estimate fields if it converged with finite SEs."""
    if optimizer == "reml":
        return _fit_reml(data, random_slope, maxiter), []
    exog = np.column_stack([np.ones(len(data.t)), data.t])
    exog_re = exog if random_slope else exog[:, :1]
    kwargs = {} if maxiter is None else {"maxiter": maxiter}
    failure: list[str] = []
    fields = None
    with captured_warnings() as messages:
        try:
            model = MixedLM(data.y, exog, groups=data.codes, exog_re=exog_re)
            result = model.fit(reml=True, method=[optimizer], **kwargs)
            fields = _estimates(result, random_slope) if result.converged else None
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            failure.append(f"{type(exc).__name__}: {exc}")
    return fields, messages + failure


def _fit_reml(data: _Data, random_slope: bool, maxiter: int | None) -> dict[str, Any] | None:
    """Fit with del_tool.stats.reml; the estimate fields, or None if it did not converge."""
    fit = fit_growth_reml(data.t, data.y, data.codes, random_slope=random_slope, maxiter=maxiter)
    if fit is None:
        return None
    return _fields(fit.beta, np.sqrt(np.diag(fit.cov_beta)), fit.cov_re, fit.sigma2, random_slope)


def _estimates(result: Any, random_slope: bool) -> dict[str, Any] | None:
    """Extract the reported quantities; None if any SE or variance is not finite."""
    beta = np.asarray(result.fe_params, dtype=float)
    se = np.asarray(result.bse_fe, dtype=float)
    cov = np.asarray(result.cov_re, dtype=float)
    scale = float(result.scale)
    if not (np.all(np.isfinite(se)) and np.all(np.isfinite(cov)) and np.isfinite(scale)):
        return None
    return _fields(beta, se, cov, scale, random_slope)


def _fields(beta: Any, se: Any, cov: Any, scale: float, random_slope: bool) -> dict[str, Any]:
    """The reported quantities from estimates, SEs, G and the residual variance."""
    z = float(stats.norm.ppf(0.975))
    fields: dict[str, Any] = {
        "intercept": float(beta[0]),
        "intercept_se": float(se[0]),
        "intercept_ci": (float(beta[0] - z * se[0]), float(beta[0] + z * se[0])),
        "slope": float(beta[1]),
        "slope_se": float(se[1]),
        "slope_ci": (float(beta[1] - z * se[1]), float(beta[1] + z * se[1])),
        "var_intercept": float(cov[0, 0]),
        "var_residual": scale,
        "var_slope": None,
        "cov_intercept_slope": None,
        "corr_intercept_slope": None,
        "random_slope": random_slope,
        "converged": True,
    }
    if random_slope:
        denom = np.sqrt(cov[0, 0] * cov[1, 1])
        fields["var_slope"] = float(cov[1, 1])
        fields["cov_intercept_slope"] = float(cov[0, 1])
        fields["corr_intercept_slope"] = float(cov[0, 1] / denom) if denom > 0 else None
    return fields


def _failed(base: dict[str, Any], caught: list[str], method: str, reason: str) -> Trajectory:
    """Result without estimates."""
    empty: dict[str, Any] = dict.fromkeys(_ESTIMATE_FIELDS)
    return Trajectory(
        **empty,
        **base,
        random_slope=False,
        converged=False,
        optimizer=None,
        warnings=tuple(caught),
        method=method,
        reason=reason,
    )


def _intercept_reason(slope_ok: bool, requested: bool) -> str:
    """Why the random-slope model was not used."""
    if not requested:
        return "random intercept only, as requested"
    if not slope_ok:
        return f"fewer than {MIN_GROUPS} groups with 2+ time points: random intercept only"
    return "random intercept and slope model did not converge: random intercept only"


def _method(
    random_slope: bool, optimizer: str, tried: list[str], sampled_from: int | None, n_groups: int
) -> str:
    """Describe the fit actually used."""
    effects = "random intercept and slope" if random_slope else "random intercept only"
    fallback = "" if len(tried) == 1 else f" after trying {', '.join(tried[:-1])}"
    fitter = (
        "profiled REML as lme4, vectorised over groups (L-BFGS-B, analytic gradient)"
        if optimizer == "reml"
        else f"statsmodels MixedLM, optimizer {optimizer}"
    )
    if sampled_from is not None:
        fitter += f", on a random sample of {n_groups} of {sampled_from} groups"
    return f"linear mixed model ({effects}) by REML, {fitter}{fallback}; Wald 95% CIs"
