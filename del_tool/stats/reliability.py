"""Internal-consistency reliability (Cronbach's alpha) and the choice of reliability for a scale.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika, 16,
297-334.
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient alpha.
Applied Psychological Measurement, 11(1), 93-103.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from del_tool.stats._results import join_reasons

_LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class CronbachAlpha:
    """Cronbach's alpha of a set of items with Feldt's 95% CI; ``source`` is "cronbach_alpha"."""

    alpha: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_items: int
    n_dropped: int
    source: str
    method: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class ScaleReliability:
    """The reliability to use for a scale and where it came from ("definition" or alpha)."""

    value: float | None
    source: Literal["definition", "cronbach_alpha", "test_retest"] | None
    n: int | None
    alpha: CronbachAlpha | None
    method: str
    reason: str | None


def cronbach_alpha(items_frame: pd.DataFrame) -> CronbachAlpha:
    """Cronbach's alpha of the item columns of ``items_frame`` (one row per person).

    alpha = k / (k - 1) * (1 - sum of item variances / variance of the total score), over the
    n rows with every item answered (listwise deletion, as ``psych::alpha(use="complete.obs")``;
    rows dropped are counted in ``n_dropped``). The 95% CI is Feldt et al. (1987):
    [1 - (1 - alpha) * F(0.975; n-1, (n-1)(k-1)), 1 - (1 - alpha) * F(0.025; n-1, (n-1)(k-1))].

    None with a reason when there are fewer than 2 items, fewer than 2 complete rows, or the total
    score has zero variance. Non-numeric columns raise ValueError.
    """
    frame = pd.DataFrame(items_frame)
    try:
        numeric = frame.apply(pd.to_numeric, errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError("items_frame must contain only numeric item columns") from exc
    complete = numeric.dropna(axis=0, how="any")
    n, k = complete.shape
    dropped = int(len(numeric) - n)
    method = "Cronbach's alpha, listwise deletion, Feldt 95% CI"
    reason = _alpha_problem(n, k)
    if reason is None:
        values = complete.to_numpy(dtype=float)
        total_var = float(values.sum(axis=1).var(ddof=1))
        if total_var <= 0:
            reason = "zero variance of the total score: alpha undefined"
    if reason is not None:
        return CronbachAlpha(None, None, None, n, k, dropped, "cronbach_alpha", method, reason)
    item_var = float(values.var(axis=0, ddof=1).sum())
    alpha = k / (k - 1) * (1 - item_var / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    ci_low = 1 - (1 - alpha) * float(stats.f.ppf(0.5 + _LEVEL / 2, df1, df2))
    ci_high = 1 - (1 - alpha) * float(stats.f.ppf(0.5 - _LEVEL / 2, df1, df2))
    return CronbachAlpha(alpha, ci_low, ci_high, n, k, dropped, "cronbach_alpha", method, None)


def scale_reliability(
    definition_reliability: float | None,
    baseline_items: pd.DataFrame | None,
) -> ScaleReliability:
    """Pick the reliability for reliable-change analysis of one scale, and say where it came from.

    The scale definition's reliability (e.g. a published test-retest or alpha from the manual)
    wins when given (source "definition"). Otherwise Cronbach's alpha of the baseline item
    responses is used (source "cronbach_alpha"), provided it can be computed and lies in [0, 1]
    (a negative alpha is no usable reliability). Otherwise value and source are None and
    ``reason`` explains. A definition reliability outside [0, 1] raises ValueError.
    """
    if definition_reliability is not None:
        value = float(definition_reliability)
        if not np.isfinite(value) or not 0.0 <= value <= 1.0:
            raise ValueError(f"definition_reliability must be in [0, 1], got {value!r}")
        return ScaleReliability(
            value, "definition", None, None, "reliability from definition", None
        )
    if baseline_items is None:
        missing = "no reliability in the scale definition and no baseline item responses"
        return ScaleReliability(None, None, None, None, "no reliability", missing)
    alpha = cronbach_alpha(baseline_items)
    method = "Cronbach's alpha of baseline items (no reliability in the definition)"
    if alpha.alpha is None:
        why = join_reasons(["no reliability in the scale definition", alpha.reason])
        return ScaleReliability(None, None, alpha.n, alpha, method, why)
    if alpha.alpha < 0:
        negative = f"Cronbach's alpha of baseline items is negative ({alpha.alpha:.3f}): not usable"
        return ScaleReliability(None, None, alpha.n, alpha, method, negative)
    return ScaleReliability(alpha.alpha, "cronbach_alpha", alpha.n, alpha, method, None)


def _alpha_problem(n: int, k: int) -> str | None:
    """Why alpha cannot be computed from n complete rows and k items, if it cannot."""
    if k < 2:
        return f"fewer than 2 items ({k}): alpha undefined"
    if n < 2:
        return f"fewer than 2 complete rows ({n}): alpha undefined"
    return None
