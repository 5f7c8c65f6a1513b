"""Reliable change indices besides Jacobson-Truax: GLN, EN, HLL, NK and Hageman-Arrindell.

Every method compares an adjusted change with the error expected under measurement error alone
and puts each person in the categories of ``jacobson_truax.reliable_change`` (recovered,
improved, unchanged, deteriorated, harmed). With x = pre, y = post, M1/SD1 the mean/SD of the
pre scores (SD1 may be given from norms), M2/SD2 those of the post scores, r the reliability
(r_yy the post reliability for NK), SE = SD1 sqrt(1 - r) and SEp = SD1 sqrt(1 - r^2):

- GLN (Gulliksen 1950; Lord & Novick 1968): RC = [(y - M1) - r (x - M1)] / SEp; regression
  to the mean of the pre scores is removed before the change is judged.
- EN (Edwards et al. 1978; Speer 1992): the estimated true pre score T = r (x - M1) + M1;
  RC = (y - T) / SE.
- HLL (Hsu 1989, 1995): RC = [(y - M2) - r (x - M1)] / SEp; as GLN, with the post mean.
- NK (Nunnally & Kotsch 1983): RC = (y - T) / sqrt(r^2 SD1^2 (1 - r) + SD1^2 (1 - r_yy)),
  T as in EN; pre and post may have different reliabilities.
- HA (Hageman & Arrindell 1999): reliabilities of the pre and post scores in this sample,
  r_xx = (SD^2 - SE^2) / SD^2, the reliability of the differences
  r_dd = (SD1^2 r_xx1 + SD2^2 r_xx2 - 2 SD1 SD2 r12) / (SD1^2 + SD2^2 - 2 SD1 SD2 r12) (r12 the
  pre-post correlation) and RC_indiv = [(y - x) r_dd + (M2 - M1)(1 - r_dd)] / sqrt(2 r_dd SE^2).
  The paper judges RC_indiv (and CS_indiv) against 1.65, a one-sided 5 % test. With a cutoff,
  HA use "true" cutoffs built from true-score SDs (SD sqrt(r_xx)): a = M1 + s 2 SD1 sqrt(r_xx1),
  b = M_f - s 2 SD_f sqrt(r_xx_f), c = (SD1 sqrt(r_xx1) M_f + SD_f sqrt(r_xx_f) M1) /
  (SD1 sqrt(r_xx1) + SD_f sqrt(r_xx_f)), r_xx_f = (SD_f^2 - SE^2) / SD_f^2, s = +1 when higher
  is better; a numeric cutoff is used as given. CS_indiv = [M2 + (y - M2) r_xx2 - cutoff] /
  (sqrt(r_xx2) SE): a reliable improvement from the dysfunctional side is "recovered" when
  s CS_indiv > 1.65 (the true post score is reliably beyond the cutoff); a reliable
  deterioration from the functional side is "harmed" when s CS_indiv < -1.65. The group-level
  results (HA 1999, section on the group level) are the share whose true change lies in the
  better direction, 1 - Phi(-s M_d / (SD_d sqrt(r_dd))) with d = y - x, and the share whose true
  post score lies beyond the cutoff, 1 - Phi(s (cutoff - M2) / (SD2 sqrt(r_xx2))).

All other methods judge |RC| > 1.96 as ``jacobson_truax.reliable_change`` does. The cutoffs a, b
and c of GLN, EN, HLL and NK are Jacobson & Truax's. These formulas reproduce the published
results of the R package clinicalsignificance (Claus, Wager & Bonnet 2024) on its claus_2020
data (tests/stats/test_reliable_change_methods.py). Where the package's cutoff b uses the
clinical SD, DEL follows the papers (the functional SD), as ``jacobson_truax`` does.

References
----------
Gulliksen, H. (1950). Theory of mental tests. Wiley.
Lord, F. M., & Novick, M. R. (1968). Statistical theories of mental test scores. Addison-Wesley.
Edwards, D. W., Yarvis, R. M., Mueller, D. P., Zingale, H. C., & Wagman, W. J. (1978). Test-taking
and the stability of adjustment scales. Evaluation Quarterly, 2, 275-291.
Speer, D. C. (1992). Clinically significant change: Jacobson and Truax (1991) revisited. J Consult
Clin Psychol, 60, 402-408.
Hsu, L. M. (1989). Reliable changes in psychotherapy: taking into account regression toward the
mean. Behavioral Assessment, 11, 459-467; Hsu, L. M. (1995). Regression toward the mean
associated with measurement error and the identification of improvement and deterioration in
psychotherapy. J Consult Clin Psychol, 63, 141-144.
Nunnally, J. C., & Kotsch, W. E. (1983). Studies of individual subjects: logic and methods of
analysis. British Journal of Clinical Psychology, 22, 83-93.
Hageman, W. J. J. M., & Arrindell, W. A. (1999). Establishing clinically significant change:
increment of precision and the distinction between individual and group level of analysis.
Behaviour Research and Therapy, 37, 1169-1193.
Claus, B. B., Wager, J., & Bonnet, U. (2024). clinicalsignificance: Clinical significance
analyses of intervention studies in R. Journal of Statistical Software, 111(1), 1-39.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from del_tool.stats import jacobson_truax as jt
from del_tool.stats._results import BoolArray, FloatArray, join_reasons, paired_arrays

METHODS = ("JT", "GLN", "EN", "HLL", "NK", "HA")
HA_CRITICAL = 1.65  # Hageman & Arrindell (1999): one-sided 5 % (as printed in the paper)

_NAMES = {
    "GLN": "Gulliksen-Lord-Novick",
    "EN": "Edwards-Nunnally",
    "HLL": "Hsu-Linn-Lord",
    "NK": "Nunnally-Kotsch",
    "HA": "Hageman-Arrindell",
}


@dataclass(frozen=True, slots=True)
class GroupLevel:
    """Hageman & Arrindell's group-level results (shares 0-1), or None with a reason."""

    r_dd: float | None
    share_changed: float | None
    share_functional: float | None
    reason: str | None = None


def reliable_change_by_method(
    pre: Any,
    post: Any,
    *,
    method: str,
    reliability: float,
    reliability_post: float | None,
    higher_is_better: bool,
    sd_pre: float | None,
    cutoff: jt.CutoffChoice,
    functional_mean: float | None,
    functional_sd: float | None,
) -> jt.ReliableChange:
    """Reliable change by ``method`` (one of GLN, EN, HLL, NK, HA); see the module docstring.

    Called by ``jacobson_truax.reliable_change(method=...)``, which documents the arguments and
    the result. ``reliability_post`` is required for NK and refused for the others.
    """
    r = jt._check_reliability(reliability)
    r_post = _check_post_reliability(method, reliability_post)
    pre_arr, post_arr, complete = paired_arrays(pre, post)
    n = int(complete.sum())
    x, y = pre_arr[complete], post_arr[complete]
    sd = jt._pre_sd(x, sd_pre)
    sign = 1.0 if higher_is_better else -1.0
    critical = HA_CRITICAL if method == "HA" else jt.CRITICAL
    reason = jt._unusable_sd_reason(n, sd, r)
    if method != "HA":
        cut, cut_type = jt._cutoff(x, sd, sign, cutoff, functional_mean, functional_sd)
    else:
        jt._cutoff(x, sd, sign, cutoff, functional_mean, functional_sd)  # validates arguments
        cut, cut_type = None, None
    describe = _describe(method, r, r_post, critical, higher_is_better)
    if reason is None and sd is not None:
        if method == "HA":
            return _hageman_arrindell(
                pre_arr, post_arr, complete, r, sd, sign, cutoff, functional_mean, functional_sd
            )
        numerator, denominator = _index_parts(method, pre_arr, post_arr, x, y, r, r_post, sd)
        rc = _ratio(numerator, denominator, complete)
        category, counts = jt._classify(rc, pre_arr, post_arr, complete, sign, cut, critical)
        note = "S_diff is 0: every non-zero adjusted change counts as reliable"
        return jt.ReliableChange(
            n=n,
            n_dropped=int(pre_arr.size - n),
            sd_pre=sd,
            se_measurement=float(sd * np.sqrt(1.0 - r)),
            s_diff=float(denominator),
            rc=rc,
            cutoff=cut,
            cutoff_type=cut_type,
            category=category,
            counts=counts,
            method=describe(cut_type),
            reason=note if denominator == 0 else None,
            rci_method=method,
            critical=critical,
        )
    return _unclassified(pre_arr.size, n, sd, cut, cut_type, describe(cut_type), reason, method)


def _check_post_reliability(method: str, reliability_post: float | None) -> float | None:
    """NK needs the post reliability; the other methods have no use for it."""
    if method != "NK":
        if reliability_post is not None:
            raise ValueError(f"reliability_post is used by method 'NK' only, not {method!r}")
        return None
    if reliability_post is None:
        raise ValueError("method 'NK' needs reliability_post")
    return jt._check_reliability(reliability_post)


def _index_parts(
    method: str,
    pre: FloatArray,
    post: FloatArray,
    x: FloatArray,
    y: FloatArray,
    r: float,
    r_post: float | None,
    sd: float,
) -> tuple[FloatArray, float]:
    """Numerator (per person) and denominator of the index of GLN, EN, HLL or NK."""
    m1 = float(x.mean())
    if method == "GLN":
        return (post - m1) - r * (pre - m1), float(sd * np.sqrt(1.0 - r * r))
    if method == "HLL":
        m2 = float(y.mean())
        return (post - m2) - r * (pre - m1), float(sd * np.sqrt(1.0 - r * r))
    true_pre = r * (pre - m1) + m1
    if method == "EN":
        return post - true_pre, float(sd * np.sqrt(1.0 - r))
    if r_post is None:
        raise ValueError("method 'NK' needs reliability_post")
    var = r * r * sd * sd * (1.0 - r) + sd * sd * (1.0 - r_post)
    return post - true_pre, float(np.sqrt(var))


def _ratio(numerator: FloatArray, denominator: float, complete: BoolArray) -> FloatArray:
    """Index = numerator / denominator for complete pairs; a zero denominator gives +/-inf or 0."""
    rc = np.full(numerator.size, np.nan)
    if denominator > 0:
        rc[complete] = numerator[complete] / denominator
    else:
        d = numerator[complete]
        rc[complete] = np.where(d > 0, np.inf, np.where(d < 0, -np.inf, 0.0))
    return rc


def _hageman_arrindell(
    pre: FloatArray,
    post: FloatArray,
    complete: BoolArray,
    r: float,
    sd1: float,
    sign: float,
    cutoff: jt.CutoffChoice,
    functional_mean: float | None,
    functional_sd: float | None,
) -> jt.ReliableChange:
    """HA's individual RC, true cutoff, CS_indiv and group-level shares."""
    x, y = pre[complete], post[complete]
    n = int(x.size)
    describe = _describe("HA", r, None, HA_CRITICAL, sign > 0)
    se = float(sd1 * np.sqrt(1.0 - r))
    m1, m2 = (float(x.mean()), float(y.mean())) if n else (np.nan, np.nan)
    sd2 = float(y.std(ddof=1)) if n >= 2 else np.nan  # n < 3 is refused just below
    why = _ha_unusable(n, sd1, sd2, se, x, y)
    if why is not None:
        return _unclassified(pre.size, n, sd1, None, None, describe(None), why, "HA")
    r12 = float(np.corrcoef(x, y)[0, 1])
    r_xx1 = (sd1 * sd1 - se * se) / (sd1 * sd1)
    r_xx2 = (sd2 * sd2 - se * se) / (sd2 * sd2)
    spread = sd1 * sd1 + sd2 * sd2 - 2.0 * sd1 * sd2 * r12
    r_dd = (sd1 * sd1 * r_xx1 + sd2 * sd2 * r_xx2 - 2.0 * sd1 * sd2 * r12) / spread
    if not r_dd > 0:
        why = f"reliability of the differences r_dd = {r_dd:.3g} is not positive"
        return _unclassified(pre.size, n, sd1, None, None, describe(None), why, "HA")
    denominator = float(np.sqrt(r_dd) * np.sqrt(2.0 * se * se))
    rc = _ratio((post - pre) * r_dd + (m2 - m1) * (1.0 - r_dd), denominator, complete)
    cut, cut_type, cut_reason = _ha_cutoff(
        cutoff, m1, sd1, r_xx1, se, sign, functional_mean, functional_sd
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        cs = (m2 + (post - m2) * r_xx2 - (cut if cut is not None else np.nan)) / (
            np.sqrt(r_xx2) * se
        )
    category, counts = jt._classify(rc, pre, post, complete, sign, None, HA_CRITICAL)
    if cut is not None:
        category, counts = _ha_recovered(category, counts, pre, cs, complete, sign, cut)
    d = y - x
    changed = float(stats.norm.sf(-sign * d.mean() / (d.std(ddof=1) * np.sqrt(r_dd))))
    functional = None
    if cut is not None:
        functional = float(stats.norm.sf(sign * (cut - m2) / (sd2 * np.sqrt(r_xx2))))
    group = GroupLevel(
        r_dd=float(r_dd),
        share_changed=changed,
        share_functional=functional,
        reason=None if cut is not None else (cut_reason or "no cutoff: no share functional"),
    )
    return jt.ReliableChange(
        n=n,
        n_dropped=int(pre.size - n),
        sd_pre=sd1,
        se_measurement=se,
        s_diff=denominator,
        rc=rc,
        cutoff=cut,
        cutoff_type=cut_type,
        category=category,
        counts=counts,
        method=describe(cut_type),
        reason=join_reasons([cut_reason]),
        rci_method="HA",
        critical=HA_CRITICAL,
        group_level=group,
    )


def _ha_unusable(
    n: int, sd1: float, sd2: float, se: float, x: FloatArray, y: FloatArray
) -> str | None:
    """Why HA's sample reliabilities cannot be estimated, or None."""
    if n < 3:
        return "Hageman-Arrindell needs at least 3 complete pairs (pre-post correlation)"
    if sd1 == 0 or sd2 == 0 or x.std() == 0:
        return "SD of pre or post scores is 0: no pre-post correlation"
    if se >= sd2:
        return "SD of post scores is not above the standard error: post reliability not positive"
    if se == 0:
        return "reliability 1: Hageman-Arrindell's index is undefined (use JT)"
    return None


def _ha_cutoff(
    cutoff: jt.CutoffChoice,
    m1: float,
    sd1: float,
    r_xx1: float,
    se: float,
    sign: float,
    functional_mean: float | None,
    functional_sd: float | None,
) -> tuple[float | None, str | None, str | None]:
    """HA's true cutoff a, b or c (or a given number), its type, and a reason when unusable."""
    if cutoff is None:
        return None, None, None
    if not isinstance(cutoff, str):
        return float(cutoff), "value", None
    t1 = sd1 * np.sqrt(r_xx1)
    if cutoff == "a":
        return float(m1 + sign * 2.0 * t1), "a_true", None
    if functional_mean is None or functional_sd is None:
        raise ValueError(f"cutoff {cutoff!r} needs functional_mean and functional_sd")
    r_f = (functional_sd**2 - se * se) / functional_sd**2 if functional_sd > 0 else -1.0
    if r_f <= 0:
        return None, f"{cutoff}_true", "functional SD not above the standard error: no cutoff"
    t_f = functional_sd * np.sqrt(r_f)
    if cutoff == "b":
        return float(functional_mean - sign * 2.0 * t_f), "b_true", None
    return float((t1 * functional_mean + t_f * m1) / (t1 + t_f)), "c_true", None


def _ha_recovered(
    category: Any,
    counts: dict[str, int | None],
    pre: FloatArray,
    cs: FloatArray,
    complete: BoolArray,
    sign: float,
    cut: float,
) -> tuple[Any, dict[str, int | None]]:
    """Recovered/harmed by HA: reliable change whose true post score is reliably across."""
    functional_pre = sign * pre > sign * cut
    with np.errstate(invalid="ignore"):
        recovered = (category == "improved") & ~functional_pre & (sign * cs > HA_CRITICAL)
        harmed = (category == "deteriorated") & functional_pre & (sign * cs < -HA_CRITICAL)
    category = category.copy()
    category[recovered] = "recovered"
    category[harmed] = "harmed"
    out: dict[str, int | None] = {
        name: int((category[complete] == name).sum()) for name in jt.CATEGORIES
    }
    out["n"] = counts["n"]
    return category, out


def _unclassified(
    size: int,
    n: int,
    sd: float | None,
    cut: float | None,
    cut_type: str | None,
    method: str,
    reason: str | None,
    rci_method: str,
) -> jt.ReliableChange:
    """A result with nobody classified, and why."""
    return jt.ReliableChange(
        n=n,
        n_dropped=int(size - n),
        sd_pre=sd,
        se_measurement=None,
        s_diff=None,
        rc=np.full(size, np.nan),
        cutoff=cut,
        cutoff_type=cut_type,
        category=np.full(size, "", dtype="<U12"),
        counts=jt._empty_counts(cut),
        method=method,
        reason=reason,
        rci_method=rci_method,
        critical=HA_CRITICAL if rci_method == "HA" else jt.CRITICAL,
    )


def _describe(
    method: str, r: float, r_post: float | None, critical: float, higher_is_better: bool
) -> Any:
    """A function of the cutoff type giving the method's description for reports."""
    direction = "higher is better" if higher_is_better else "lower is better"
    rel = f"reliability {r:g}" + (f", post reliability {r_post:g}" if r_post is not None else "")

    def text(cut_type: str | None) -> str:
        cut = "no cutoff" if cut_type is None else f"cutoff {cut_type}"
        return (
            f"{_NAMES[method]} reliable change index ({method}), {rel}, |RC| > {critical:g}, "
            f"{direction}, {cut}"
        )

    return text
