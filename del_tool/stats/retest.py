"""Intraclass correlation and test-retest reliability of single items and short scales.

A scale whose definition gives no published reliability gets Cronbach's alpha of the
deployment's baseline answers (`reliability`), but alpha needs two items: a single-item scale
(each domain of DEL's functioning profile) has none. Its reliability can instead be estimated
from repeated measurements close in time, where the person is unlikely to have changed: the
first two measurements of a stay no more than `max_days` apart, as a test-retest intraclass
correlation.

References
----------
Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
reliability. Psychological Bulletin, 86(2), 420-428.
McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
coefficients. Psychological Methods, 1(1), 30-46.
Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass correlation
coefficients for reliability research. J Chiropr Med, 15(2), 155-163.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from del_tool.stats.reliability import ScaleReliability

_LEVEL = 0.95
#: Pairs needed before a test-retest reliability is used (as REFERENCE_MIN_BASELINES).
MIN_PAIRS = 30


@dataclass(frozen=True, slots=True)
class IntraclassCorrelation:
    """Shrout & Fleiss's six ICCs of n targets rated by k judges (or measured k times), with
    95 % CIs for the single-measure forms."""

    n: int
    k: int
    icc1: float
    icc2: float
    icc3: float
    icc1k: float
    icc2k: float
    icc3k: float
    icc1_ci: tuple[float, float]
    icc2_ci: tuple[float, float]
    icc3_ci: tuple[float, float]
    mean_squares: dict[str, float]


def intraclass_correlation(ratings: Any) -> IntraclassCorrelation:
    """The ICCs of an n x k matrix (rows: targets, columns: judges or occasions; complete rows).

    Two-way ANOVA mean squares: BMS between targets, JMS between judges, EMS residual, WMS
    within targets. Single measures (Shrout & Fleiss 1979, Table 1):
    ICC(1,1) = (BMS - WMS) / (BMS + (k-1) WMS);
    ICC(2,1) = (BMS - EMS) / (BMS + (k-1) EMS + k (JMS - EMS) / n), absolute agreement with
    random judges (McGraw & Wong's ICC(A,1));
    ICC(3,1) = (BMS - EMS) / (BMS + (k-1) EMS), consistency (ICC(C,1)).
    Averages of k: (BMS - WMS) / BMS, (BMS - EMS) / (BMS + (JMS - EMS) / n), (BMS - EMS) / BMS.
    CIs: F intervals for ICC(1,1) and ICC(3,1), Satterthwaite's for ICC(2,1) (Shrout & Fleiss
    1979, eq. 6-8; McGraw & Wong 1996, Table 7). ValueError for fewer than 2 rows or columns,
    or a missing value.
    """
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise ValueError("ratings must be an n x k matrix with n >= 2 and k >= 2")
    if not np.isfinite(x).all():
        raise ValueError("ratings must be complete (no missing values)")
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((x - grand) ** 2).sum()
    bms = ss_rows / (n - 1)
    jms = ss_cols / (k - 1)
    ems = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    wms = (ss_total - ss_rows) / (n * (k - 1))
    icc1 = (bms - wms) / (bms + (k - 1) * wms)
    icc2 = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)
    icc3 = (bms - ems) / (bms + (k - 1) * ems)
    return IntraclassCorrelation(
        n=n,
        k=k,
        icc1=float(icc1),
        icc2=float(icc2),
        icc3=float(icc3),
        icc1k=float((bms - wms) / bms),
        icc2k=float((bms - ems) / (bms + (jms - ems) / n)),
        icc3k=float((bms - ems) / bms),
        icc1_ci=_f_interval(bms / wms, n - 1, n * (k - 1), k),
        icc2_ci=_satterthwaite_interval(float(icc2), bms, jms, ems, n, k),
        icc3_ci=_f_interval(bms / ems, n - 1, (n - 1) * (k - 1), k),
        mean_squares={"BMS": float(bms), "JMS": float(jms), "EMS": float(ems), "WMS": float(wms)},
    )


def _f_interval(f0: float, df1: float, df2: float, k: int) -> tuple[float, float]:
    upper_q = float(stats.f.ppf(0.5 + _LEVEL / 2, df1, df2))
    upper_q_swapped = float(stats.f.ppf(0.5 + _LEVEL / 2, df2, df1))
    fl, fu = f0 / upper_q, f0 * upper_q_swapped
    return float((fl - 1) / (fl + k - 1)), float((fu - 1) / (fu + k - 1))


def _satterthwaite_interval(
    icc: float, bms: float, jms: float, ems: float, n: int, k: int
) -> tuple[float, float]:
    a = k * icc / (n * (1 - icc))
    b = 1 + k * icc * (n - 1) / (n * (1 - icc))
    v = (a * jms + b * ems) ** 2 / ((a * jms) ** 2 / (k - 1) + (b * ems) ** 2 / ((n - 1) * (k - 1)))
    fs = float(stats.f.ppf(0.5 + _LEVEL / 2, n - 1, v))
    fs_swapped = float(stats.f.ppf(0.5 + _LEVEL / 2, v, n - 1))
    spread = k * jms + (k * n - k - n) * ems
    lower = n * (bms - fs * ems) / (fs * spread + n * bms)
    upper = n * (fs_swapped * bms - ems) / (spread + n * fs_swapped * bms)
    return float(lower), float(upper)


def retest_pairs(scores: pd.DataFrame, *, max_days: int) -> pd.DataFrame:
    """Per stay, its first two measurements at most `max_days` apart (columns stay, first,
    second, days). `scores` has columns stay, date (datetime) and value."""
    ordered = scores.dropna(subset=["value"]).sort_values(["stay", "date"], kind="stable")
    nxt = ordered.groupby("stay").shift(-1)
    days = (nxt["date"] - ordered["date"]).dt.days
    close = ordered.assign(second=nxt["value"], days=days)[(days >= 0) & (days <= max_days)]
    first = close.drop_duplicates("stay")
    return pd.DataFrame(
        {
            "stay": first["stay"].to_numpy(),
            "first": first["value"].astype(float).to_numpy(),
            "second": first["second"].astype(float).to_numpy(),
            "days": first["days"].to_numpy(),
        }
    )


def retest_reliability(
    scores: pd.DataFrame, *, max_days: int, min_pairs: int = MIN_PAIRS
) -> ScaleReliability:
    """ICC(2,1), absolute agreement of two occasions (Koo & Li 2016's choice for test-retest),
    over the stays' first two measurements at most `max_days` apart; no value with a reason
    below `min_pairs` pairs, when the ICC is not positive, or without variance."""
    pairs = retest_pairs(scores, max_days=max_days)
    method = (
        f"test-retest ICC(2,1) (absolute agreement, Shrout & Fleiss 1979) of the first two "
        f"measurements of each stay at most {max_days} days apart"
    )
    n = len(pairs)
    if n < min_pairs:
        why = f"too few repeated measurements within {max_days} days ({n}; {min_pairs} needed)"
        return ScaleReliability(None, None, n, None, method, why)
    matrix = pairs[["first", "second"]].to_numpy()
    if np.ptp(matrix) == 0:
        return ScaleReliability(None, None, n, None, method, "no variance in the measurements")
    result = intraclass_correlation(matrix)
    if not result.icc2 > 0:
        why = f"the test-retest ICC is not positive ({result.icc2:.3f}): not usable"
        return ScaleReliability(None, None, n, None, method, why)
    return ScaleReliability(result.icc2, "test_retest", n, None, method, None)
