"""Goal attainment: the Kiresuk-Sherman GAS T-score and the share of goals met by direction.

References
----------
Kiresuk, T. J., & Sherman, R. E. (1968). Goal attainment scaling: a general method for evaluating
comprehensive community mental health programs. Community Mental Health Journal, 4(6), 443-453.
Turner-Stokes, L. (2009). Goal attainment scaling (GAS) in rehabilitation: a practical guide.
Clinical Rehabilitation, 23(4), 362-370 (with the erratum correcting its formulas).
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
JASA, 22, 209-212. Newcombe, R. G. (1998). Two-sided confidence intervals for the single
proportion: comparison of seven methods. Statistics in Medicine, 17, 857-872.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from del_tool.stats._results import as_float_array, check_choice

DIRECTIONS = ("develop", "maintain", "limit_loss")
_LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class GasTScore:
    """One person's aggregated goal attainment T-score (mean 50, SD 10 under the GAS model)."""

    t_score: float | None
    n_goals: int
    n_missing: int
    weighted: bool
    rho: float
    method: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class GoalShare:
    """Share of goals met among n assessed goals, with a Wilson 95% CI."""

    n: int
    met: int
    share: float | None
    ci_low: float | None
    ci_high: float | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class GoalAttainment:
    """Share of goals met overall and per direction (develop, maintain, limit_loss)."""

    overall: GoalShare
    by_direction: dict[str, GoalShare]
    n: int
    n_missing: int
    method: str


def gas_t_score(scores: Any, weights: Any = None, rho: float = 0.3) -> GasTScore:
    """Kiresuk & Sherman (1968) T-score of one person's goals.

    T = 50 + 10 * sum(w_i x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum w_i)^2), where x_i is
    the attainment of goal i on the -2..+2 scale (0 = expected level), w_i its weight (default 1;
    Turner-Stokes 2009 uses importance x difficulty) and rho the assumed correlation between goal
    scores (0.3 by convention). Goals with a missing score are left out and counted.

    ValueError for scores outside [-2, 2], negative or missing weights of scored goals, weights
    summing to 0, rho outside [0, 1] or mismatched lengths. No scored goal gives None + reason.
    """
    if not 0.0 <= rho <= 1.0:
        raise ValueError(f"rho must be in [0, 1], got {rho!r}")
    x = as_float_array(scores, "scores")
    w = np.ones_like(x) if weights is None else as_float_array(weights, "weights")
    if w.shape != x.shape:
        raise ValueError(f"scores and weights differ in length ({x.size} vs {w.size})")
    scored = np.isfinite(x)
    x, w = x[scored], w[scored]
    if np.any(np.abs(x) > 2):
        raise ValueError("GAS scores must lie in [-2, 2] (0 = expected outcome)")
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights of scored goals must be non-negative numbers")
    method = f"Kiresuk-Sherman GAS T-score, rho = {rho:g}, " + (
        "unweighted" if weights is None else "weighted"
    )
    n_missing = int(scored.size - x.size)
    if x.size == 0:
        return GasTScore(None, 0, n_missing, weights is not None, rho, method, "no scored goals")
    if w.sum() <= 0:
        raise ValueError("weights of scored goals sum to 0")
    denominator = np.sqrt((1 - rho) * np.sum(w**2) + rho * np.sum(w) ** 2)
    t = 50.0 + 10.0 * float(np.sum(w * x)) / float(denominator)
    return GasTScore(t, int(x.size), n_missing, weights is not None, rho, method, None)


def gas_t_scores(scores: Any, weights: Any, groups: Any, rho: float = 0.3) -> pd.Series:
    """`gas_t_score` of many people at once: the weighted T-score of each group's goals.

    Same formula, checks and missing-value rule as `gas_t_score` with weights, computed from
    per-group sums (sum w x, sum w^2, sum w) instead of one call per person. The result is
    indexed by group (sorted) and holds the groups with at least one scored goal.
    """
    if not 0.0 <= rho <= 1.0:
        raise ValueError(f"rho must be in [0, 1], got {rho!r}")
    x = as_float_array(scores, "scores")
    w = as_float_array(weights, "weights")
    g = pd.Series(groups).to_numpy()
    if not x.size == w.size == g.size:
        raise ValueError(
            f"scores, weights and groups differ in length ({x.size}, {w.size}, {g.size})"
        )
    scored = np.isfinite(x)
    x, w, g = x[scored], w[scored], g[scored]
    if np.any(np.abs(x) > 2):
        raise ValueError("GAS scores must lie in [-2, 2] (0 = expected outcome)")
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights of scored goals must be non-negative numbers")
    sums = pd.DataFrame({"wx": w * x, "w2": w**2, "w": w}).groupby(g, sort=True).sum()
    if (sums["w"] <= 0).any():
        raise ValueError("weights of scored goals sum to 0")
    denominator = np.sqrt((1 - rho) * sums["w2"] + rho * sums["w"] ** 2)
    return (50.0 + 10.0 * sums["wx"] / denominator).rename(None)


def wilson_interval(successes: int, n: int, level: float = _LEVEL) -> tuple[float, float] | None:
    """Wilson (1927) score interval for a proportion (Newcombe 1998, method 3); None when n = 0.

    (p + z^2/(2n) +/- z * sqrt(p(1-p)/n + z^2/(4n^2))) / (1 + z^2/n), z = Phi^-1(1 - alpha/2).
    At p = 0 the lower limit is exactly 0 and at p = 1 the upper limit exactly 1 (the formula's
    limits there; in floating point it can land a hair inside, e.g. 1 - 1e-16 for 10 of 10).
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return None
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    centre = p + z**2 / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    scale = 1 + z**2 / n
    low = 0.0 if successes == 0 else max(0.0, float((centre - half) / scale))
    high = 1.0 if successes == n else min(1.0, float((centre + half) / scale))
    return (low, high)


def goal_attainment(
    goals: pd.DataFrame | None = None,
    /,
    *,
    level: Any = None,
    target: Any = None,
    direction: Any = None,
) -> GoalAttainment:
    """Share of goals met, overall and per direction, each with n and a Wilson 95% CI.

    Pass either a frame with columns ``level``, ``target`` and (optionally) ``direction``, or the
    three arrays as keywords. Levels run 0-4 with 0 best; a goal is met when its current level is
    at or better than its target (level <= target). Directions are "develop", "maintain" and
    "limit_loss"; a goal with a missing direction counts only in the overall share. Every
    direction appears in ``by_direction`` (with n = 0 and a reason when it has no goals). Goals
    with a missing level or target are not assessable: they are left out of the shares and
    counted in ``n_missing``. Unknown directions or mixing a frame with arrays raise ValueError.
    """
    lev, tgt, dirs = _goal_columns(goals, level, target, direction)
    assessable, met = goal_met(lev, tgt)
    by_direction = {}
    for name in DIRECTIONS:
        in_dir = dirs == name
        by_direction[name] = _share(int((met & in_dir).sum()), int((assessable & in_dir).sum()))
    return GoalAttainment(
        overall=_share(int(met.sum()), int(assessable.sum())),
        by_direction=by_direction,
        n=int(assessable.sum()),
        n_missing=int((~assessable).sum()),
        method="share of goals with level <= target (0 = best), Wilson 95% CI",
    )


def goal_met(level: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per goal: (assessable, met), the rule of `goal_attainment` for many goals at once.

    A goal is assessable when level and target are both present, and met when it is assessable
    and level <= target (levels 0-4, 0 best), whatever its direction.
    """
    lev = as_float_array(level, "level")
    tgt = as_float_array(target, "target")
    if lev.shape != tgt.shape:
        raise ValueError(f"level and target differ in length ({lev.size} vs {tgt.size})")
    assessable = np.isfinite(lev) & np.isfinite(tgt)
    return assessable, assessable & (lev <= tgt)


def _goal_columns(
    goals: pd.DataFrame | None, level: Any, target: Any, direction: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read level, target and direction from a frame or from arrays, validated."""
    if goals is not None:
        if level is not None or target is not None or direction is not None:
            raise ValueError("pass either a goals frame or level/target/direction arrays")
        level, target = goals["level"], goals["target"]
        direction = goals.get("direction")
    if level is None or target is None:
        raise ValueError("level and target are required")
    lev = as_float_array(level, "level")
    tgt = as_float_array(target, "target")
    if lev.shape != tgt.shape:
        raise ValueError(f"level and target differ in length ({lev.size} vs {tgt.size})")
    if direction is None:
        dirs = np.full(lev.size, "", dtype=object)
    else:
        dirs = np.array(pd.Series(direction, dtype=object).to_numpy(), dtype=object, copy=True)
        if dirs.shape != lev.shape:
            raise ValueError("direction differs in length from level")
        dirs[pd.isna(dirs)] = ""  # a goal without direction counts only in the overall share
        for value in set(dirs.tolist()) - {""}:
            check_choice(value, "direction", DIRECTIONS)
    return lev, tgt, dirs


def _share(met: int, n: int) -> GoalShare:
    """Share met with its Wilson interval, or a reason when there are no goals."""
    interval = wilson_interval(met, n)
    if interval is None:
        return GoalShare(0, 0, None, None, None, "no assessable goals")
    return GoalShare(n, met, met / n, interval[0], interval[1], None)
