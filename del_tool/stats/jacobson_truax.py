"""Reliable and clinically significant change (Jacobson & Truax 1991).

Reference
---------
Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach to defining
meaningful change in psychotherapy research. J Consult Clin Psychol, 59(1), 12-19.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from del_tool.stats._results import (
    BoolArray,
    FloatArray,
    StrArray,
    check_choice,
    join_reasons,
    paired_arrays,
)

if TYPE_CHECKING:
    from del_tool.stats.reliable_change_methods import GroupLevel

CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated", "harmed")
CRITICAL = 1.96  # |RC| > 1.96: change unlikely (p < .05) under measurement error alone (JT 1991)

CutoffChoice = Literal["a", "b", "c"] | float | None


@dataclass(frozen=True, slots=True)
class ReliableChange:
    """Per-person reliable change index and category, with counts per category.

    ``rci_method`` is the index used (JT, GLN, EN, HLL, NK or HA), ``critical`` its critical
    value and ``s_diff`` its denominator (S_diff for JT; see ``reliable_change_methods``).
    ``group_level`` holds Hageman & Arrindell's group-level shares (method HA only).
    """

    n: int
    n_dropped: int
    sd_pre: float | None
    se_measurement: float | None
    s_diff: float | None
    rc: FloatArray
    cutoff: float | None
    cutoff_type: str | None
    category: StrArray
    counts: dict[str, int | None]
    method: str
    reason: str | None
    rci_method: str = "JT"
    critical: float = CRITICAL
    group_level: GroupLevel | None = None


def reliable_change(
    pre: Any,
    post: Any,
    *,
    reliability: float,
    higher_is_better: bool,
    sd_pre: float | None = None,
    cutoff: CutoffChoice = None,
    functional_mean: float | None = None,
    functional_sd: float | None = None,
    method: str = "JT",
    reliability_post: float | None = None,
) -> ReliableChange:
    """Classify each person's pre-post change as reliable or not, and optionally as recovered.

    ``method`` chooses the reliable change index: "JT" (this docstring, the default), or "GLN",
    "EN", "HLL", "NK" (which needs ``reliability_post``) and "HA" (Hageman & Arrindell 1999,
    with its true cutoffs, critical value 1.65 and group-level shares), whose formulas and
    references are in ``del_tool.stats.reliable_change_methods``. Categories, cutoffs and the
    handling of missing pairs are the same for every method.

    Jacobson & Truax (1991): SE = SD_pre * sqrt(1 - r), S_diff = sqrt(2) * SE and
    RC = (post - pre) / S_diff. A change is reliable when |RC| > 1.96; it is an improvement when
    it goes in the better direction (``higher_is_better``). ``sd_pre`` defaults to the SD of the
    pre scores of the complete pairs, which also stand in for the dysfunctional population.

    ``cutoff`` is None (reliable change only), "a", "b", "c" as in the paper, or a number
    (e.g. a published clinical cut-off of the scale). With M/SD of the pre scores (dysfunctional)
    and ``functional_mean``/``functional_sd`` (required for b and c), and s = +1 when higher is
    better, else -1: a = M_dys + s*2*SD_dys; b = M_fun - s*2*SD_fun; c = (SD_dys*M_fun +
    SD_fun*M_dys) / (SD_dys + SD_fun). A score is on the functional side when it lies strictly
    beyond the cutoff in the better direction (a score equal to the cutoff is not functional).

    Categories (as the R package clinicalsignificance): "recovered" = reliable improvement from
    the dysfunctional to the functional side; "harmed" = reliable deterioration from the
    functional to the dysfunctional side; "improved"/"deteriorated" = other reliable changes;
    "unchanged" = |RC| <= 1.96. Without a cutoff nobody is recovered or harmed and those counts
    are None. Incomplete pairs get rc NaN and category "".

    Reliability 1 gives S_diff = 0: every non-zero change is reliable (rc = +/-inf), no change is
    unchanged (rc 0). Reliability 0 is valid (S_diff = sqrt(2) * SD_pre). If the SD of the pre
    scores cannot be estimated (fewer than 2 pairs) or is 0 while r < 1, nobody is classified and
    ``reason`` says why. Reliability outside [0, 1] raises ValueError.
    """
    check_choice(method, "method", ("JT", "GLN", "EN", "HLL", "NK", "HA"))
    if method != "JT":
        from del_tool.stats.reliable_change_methods import reliable_change_by_method

        return reliable_change_by_method(
            pre,
            post,
            method=method,
            reliability=reliability,
            reliability_post=reliability_post,
            higher_is_better=higher_is_better,
            sd_pre=sd_pre,
            cutoff=cutoff,
            functional_mean=functional_mean,
            functional_sd=functional_sd,
        )
    if reliability_post is not None:
        raise ValueError("reliability_post is used by method 'NK' only, not 'JT'")
    r = _check_reliability(reliability)
    pre_arr, post_arr, complete = paired_arrays(pre, post)
    n = int(complete.sum())
    x = pre_arr[complete]
    sd = _pre_sd(x, sd_pre)
    sign = 1.0 if higher_is_better else -1.0
    cut, cut_type = _cutoff(x, sd, sign, cutoff, functional_mean, functional_sd)
    method = _method(r, cut_type, higher_is_better)
    reason = _unusable_sd_reason(n, sd, r)
    if reason is not None or sd is None:
        return ReliableChange(
            n=n,
            n_dropped=int(pre_arr.size - n),
            sd_pre=sd,
            se_measurement=None,
            s_diff=None,
            rc=np.full(pre_arr.size, np.nan),
            cutoff=cut,
            cutoff_type=cut_type,
            category=np.full(pre_arr.size, "", dtype="<U12"),
            counts=_empty_counts(cut),
            method=method,
            reason=reason,
        )
    se = sd * np.sqrt(1.0 - r)
    s_diff = float(np.sqrt(2.0) * se)
    rc = _rc(post_arr - pre_arr, s_diff, complete)
    category, counts = _classify(rc, pre_arr, post_arr, complete, sign, cut)
    note = (
        "reliability 1: S_diff is 0, every non-zero change counts as reliable" if r == 1 else None
    )
    return ReliableChange(
        n=n,
        n_dropped=int(pre_arr.size - n),
        sd_pre=sd,
        se_measurement=float(se),
        s_diff=s_diff,
        rc=rc,
        cutoff=cut,
        cutoff_type=cut_type,
        category=category,
        counts=counts,
        method=method,
        reason=join_reasons([note]),
    )


def jacobson_truax_cutoff(
    kind: Literal["a", "b", "c"],
    *,
    dysfunctional_mean: float,
    dysfunctional_sd: float,
    higher_is_better: bool,
    functional_mean: float | None = None,
    functional_sd: float | None = None,
) -> float:
    """Cutoff a, b or c of Jacobson & Truax (1991); see ``reliable_change`` for the formulas."""
    check_choice(kind, "cutoff", ("a", "b", "c"))
    sign = 1.0 if higher_is_better else -1.0
    if kind == "a":
        return float(dysfunctional_mean + sign * 2 * dysfunctional_sd)
    if functional_mean is None or functional_sd is None:
        raise ValueError(f"cutoff {kind!r} needs functional_mean and functional_sd")
    if kind == "b":
        return float(functional_mean - sign * 2 * functional_sd)
    weight = dysfunctional_sd + functional_sd
    if weight <= 0:
        raise ValueError("cutoff 'c' needs a positive dysfunctional_sd + functional_sd")
    return float((dysfunctional_sd * functional_mean + functional_sd * dysfunctional_mean) / weight)


def _check_reliability(reliability: float) -> float:
    """Validate the reliability coefficient (programmer error when outside [0, 1])."""
    if reliability is None or not np.isfinite(reliability) or not 0.0 <= reliability <= 1.0:
        raise ValueError(f"reliability must be a number in [0, 1], got {reliability!r}")
    return float(reliability)


def _pre_sd(x: FloatArray, sd_pre: float | None) -> float | None:
    """The SD used for SE and cutoff a: given, or the SD of the complete pre scores (n >= 2)."""
    if sd_pre is not None:
        if not np.isfinite(sd_pre) or sd_pre < 0:
            raise ValueError(f"sd_pre must be a non-negative number, got {sd_pre!r}")
        return float(sd_pre)
    return float(x.std(ddof=1)) if x.size >= 2 else None


def _unusable_sd_reason(n: int, sd: float | None, r: float) -> str | None:
    """Why no one can be classified, or None when classification is possible."""
    if n == 0:
        return "no complete pairs"
    if sd is None:
        return "fewer than 2 complete pairs and no sd_pre given: SD of pre scores unknown"
    if sd == 0 and r < 1:
        return "SD of pre scores is 0: S_diff cannot be estimated (pass sd_pre from norms)"
    return None


def _cutoff(
    x: FloatArray,
    sd: float | None,
    sign: float,
    cutoff: CutoffChoice,
    functional_mean: float | None,
    functional_sd: float | None,
) -> tuple[float | None, str | None]:
    """Resolve the ``cutoff`` argument to a value and its type."""
    if cutoff is None:
        return None, None
    if not isinstance(cutoff, str):
        value = float(cutoff)
        if not np.isfinite(value):
            raise ValueError(f"cutoff must be finite, got {cutoff!r}")
        return value, "value"
    check_choice(cutoff, "cutoff", ("a", "b", "c"))
    if cutoff in ("b", "c") and (functional_mean is None or functional_sd is None):
        raise ValueError(f"cutoff {cutoff!r} needs functional_mean and functional_sd")
    if cutoff == "b" and functional_mean is not None and functional_sd is not None:
        return float(functional_mean - sign * 2 * functional_sd), "b"
    if sd is None or x.size == 0:
        return None, cutoff
    value = jacobson_truax_cutoff(
        cutoff,
        dysfunctional_mean=float(x.mean()),
        dysfunctional_sd=sd,
        higher_is_better=sign > 0,
        functional_mean=functional_mean,
        functional_sd=functional_sd,
    )
    return value, cutoff


def _rc(diff: FloatArray, s_diff: float, complete: BoolArray) -> FloatArray:
    """RC = diff / S_diff for complete pairs; S_diff 0 gives +/-inf (or 0 for no change)."""
    rc = np.full(diff.size, np.nan)
    if s_diff > 0:
        rc[complete] = diff[complete] / s_diff
    else:
        d = diff[complete]
        rc[complete] = np.where(d > 0, np.inf, np.where(d < 0, -np.inf, 0.0))
    return rc


def _classify(
    rc: FloatArray,
    pre: FloatArray,
    post: FloatArray,
    complete: BoolArray,
    sign: float,
    cut: float | None,
    critical: float = CRITICAL,
) -> tuple[StrArray, dict[str, int | None]]:
    """Assign categories (vectorised) and count them; |rc| > critical is a reliable change."""
    with np.errstate(invalid="ignore"):
        better = complete & (sign * rc > critical)
        worse = complete & (sign * rc < -critical)
    recovered = np.zeros(rc.size, dtype=bool)
    harmed = np.zeros(rc.size, dtype=bool)
    if cut is not None:
        functional_pre = sign * pre > sign * cut
        functional_post = sign * post > sign * cut
        recovered = better & ~functional_pre & functional_post
        harmed = worse & functional_pre & ~functional_post
    unchanged = complete & ~better & ~worse
    conditions = [recovered, better & ~recovered, unchanged, worse & ~harmed, harmed]
    category = np.select(conditions, list(CATEGORIES), default="").astype("<U12")
    counts: dict[str, int | None] = {
        name: int(mask.sum()) for name, mask in zip(CATEGORIES, conditions, strict=True)
    }
    if cut is None:
        counts["recovered"] = counts["harmed"] = None
    counts["n"] = int(complete.sum())
    return category, counts


def _empty_counts(cut: float | None) -> dict[str, int | None]:
    """Counts when nobody could be classified."""
    counts: dict[str, int | None] = dict.fromkeys(CATEGORIES, 0)
    if cut is None:
        counts["recovered"] = counts["harmed"] = None
    counts["n"] = 0
    return counts


def _method(r: float, cut_type: str | None, higher_is_better: bool) -> str:
    """Describe the computation for reports."""
    direction = "higher is better" if higher_is_better else "lower is better"
    cut = "no cutoff" if cut_type is None else f"cutoff {cut_type}"
    return (
        f"Jacobson-Truax reliable change index, reliability {r:g}, |RC| > 1.96, {direction}, {cut}"
    )
