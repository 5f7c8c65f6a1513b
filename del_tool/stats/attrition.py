"""Who is missing from a change figure: attrition, how the missing differ, and bounds.

A change figure (the share reliably improved) is computed on the stays measured at baseline and
again later ("completers"). Stays with a baseline but no later measurement are missing from it.
``attrition`` counts them, compares their baseline with the completers' (Welch's t-test and the
Mann-Whitney U test, Hedges's g_s with its interval from ``two_group_effect``; missing minus
completers) and bounds the headline share without any assumption about the missing: had every
missing stay changed like the worst observed (not improved) the share would be
improved / (classified + missing), had every one changed like the best (improved) it would be
(improved + missing) / (classified + missing) (the worst-case / best-case bounds of Manski
1989; Horowitz & Manski 2000). The true share among all stays lies between them whatever the
reason for the missingness; a narrow range says completers cannot flatter the figure much.

References
----------
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
variances are involved. Biometrika, 34, 28-35.
Mann, H. B., & Whitney, D. R. (1947). Annals of Mathematical Statistics, 18, 50-60.
Manski, C. F. (1989). Anatomy of the selection problem. Journal of Human Resources, 24, 343-360.
Horowitz, J. L., & Manski, C. F. (2000). Nonparametric analysis of randomized experiments with
missing covariate and outcome data. JASA, 95, 77-84.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from del_tool.stats._results import as_float_array, captured_warnings, opt_float
from del_tool.stats.effect_sizes import TwoGroupEffect, two_group_effect


@dataclass(frozen=True, slots=True)
class Attrition:
    """Completers against the missing: counts, the baseline comparison and the bounds."""

    n_baseline: int
    n_completers: int
    n_missing: int
    share_missing: float | None
    mean_completers: float | None
    mean_missing: float | None
    welch_t: float | None
    welch_df: float | None
    welch_p: float | None
    mann_whitney_u: float | None
    mann_whitney_p: float | None
    effect: TwoGroupEffect | None  # missing minus completers: d_s, g_s with CIs
    share: float | None  # improved / classified among completers
    lower_bound: float | None  # every missing stay not improved
    upper_bound: float | None  # every missing stay improved
    method: str
    reason: str | None


def attrition(
    baseline: Any,
    measured_again: Any,
    *,
    improved: int | None = None,
    classified: int | None = None,
) -> Attrition:
    """Compare stays measured again with those missing after baseline, and bound the share.

    ``baseline`` holds each stay's baseline score, ``measured_again`` whether the stay has a
    later measurement (booleans of the same length; stays without a baseline are NaN and left
    out). ``improved`` of ``classified`` completers improved (the headline share); without
    them no bounds are given. Welch's t (df by Welch-Satterthwaite) and the two-sided
    Mann-Whitney U (exact for small samples without ties, else normal with continuity
    correction, as scipy's "auto") need two stays in each group.
    """
    y = as_float_array(baseline, "baseline")
    again = np.asarray(measured_again, dtype=bool)
    if again.shape != y.shape:
        raise ValueError("baseline and measured_again differ in length")
    ok = np.isfinite(y)
    done, missing = y[ok & again], y[ok & ~again]
    n_c, n_m = int(done.size), int(missing.size)
    n = n_c + n_m
    share = lower = upper = None
    reasons: list[str] = []
    if improved is not None and classified is not None:
        if not 0 <= improved <= classified:
            raise ValueError("need 0 <= improved <= classified")
        if classified > 0:
            share = improved / classified
            lower = improved / (classified + n_m)
            upper = (improved + n_m) / (classified + n_m)
        else:
            reasons.append("no completer classified: no share to bound")
    t = df = p_t = u = p_u = None
    effect = None
    if n_c >= 2 and n_m >= 2:
        if np.ptp(np.concatenate([done, missing])) > 0:
            with captured_warnings() as caught:
                welch = stats.ttest_ind(missing, done, equal_var=False)
                mw = stats.mannwhitneyu(missing, done, alternative="two-sided")
            t, p_t = opt_float(welch.statistic), opt_float(welch.pvalue)
            df = opt_float(welch.df)
            u, p_u = float(mw.statistic), opt_float(mw.pvalue)
            reasons.extend(caught)
        effect = two_group_effect(missing, done)
    else:
        reasons.append("fewer than 2 stays among the completers or the missing: no test")
    return Attrition(
        n_baseline=n,
        n_completers=n_c,
        n_missing=n_m,
        share_missing=n_m / n if n else None,
        mean_completers=float(done.mean()) if n_c else None,
        mean_missing=float(missing.mean()) if n_m else None,
        welch_t=t,
        welch_df=df,
        welch_p=p_t,
        mann_whitney_u=u,
        mann_whitney_p=p_u,
        effect=effect,
        share=share,
        lower_bound=lower,
        upper_bound=upper,
        method="baseline of the missing against the completers: Welch's t, Mann-Whitney U, "
        "Hedges's g_s; worst/best-case bounds on the share improved (Manski 1989)",
        reason="; ".join(reasons) or None,
    )
