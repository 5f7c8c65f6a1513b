"""Reliable change by GLN, EN, HLL, NK and HA (del_tool.stats.reliable_change_methods).

Published values: the R package clinicalsignificance (Claus, Wager & Bonnet 2024, J Stat Softw
111(1)), test snapshots tests/testthat/_snaps/cs_distribution.md and cs_combined.md (version
3.0.0), and its vignette distribution-based-approach.Rmd, all on the claus_2020 data
(tests/stats/data/cs_claus_2020.csv).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from del_tool.stats import reliable_change

DATA = Path(__file__).parent / "data"
KEYS3 = ("improved", "unchanged", "deteriorated")
KEYS5 = ("recovered", "improved", "unchanged", "deteriorated", "harmed")


def _claus(outcome: str) -> tuple[pd.Series, pd.Series]:
    """Pre (time 1) and post (time 4) scores of the Claus et al. (2020) data, one row per id."""
    wide = pd.read_csv(DATA / "cs_claus_2020.csv").pivot(index="id", columns="time", values=outcome)
    return wide[1.0], wide[4.0]


def _counts(res, keys):
    return tuple(res.counts[k] for k in keys)


# cs_distribution(claus_2020, id, time, hamd, pre = 1, post = 4, reliability = 0.80,
# rci_method = ...) in _snaps/cs_distribution.md: Improved / Unchanged / Deteriorated of 40.
DISTRIBUTION = {
    "JT": (29, 10, 1),
    "GLN": (29, 10, 1),
    "EN": (32, 5, 3),
    "HLL": (12, 16, 12),
    "NK": (28, 11, 1),  # reliability_post = 0.50
    "HA": (32, 7, 1),
}

# cs_combined(..., hamd, reliability = 0.80, m_functional = 8, sd_functional = 8,
# cutoff_type = "c", rci_method = ...) in _snaps/cs_combined.md: Recovered / Improved /
# Unchanged / Deteriorated / Harmed.
COMBINED = {
    "JT": (26, 3, 10, 1, 0),
    "GLN": (26, 3, 10, 1, 0),
    "EN": (26, 6, 5, 3, 0),
    "HLL": (12, 0, 16, 11, 1),
    "NK": (26, 2, 11, 1, 0),
    "HA": (23, 9, 7, 1, 0),
}


def _post_reliability(method: str) -> float | None:
    return 0.5 if method == "NK" else None


@pytest.mark.parametrize("method", list(DISTRIBUTION))
def test_claus_hamd_distribution_snapshot(method):
    pre, post = _claus("hamd")
    res = reliable_change(
        pre,
        post,
        reliability=0.8,
        higher_is_better=False,
        method=method,
        reliability_post=_post_reliability(method),
    )
    assert res.n == 40
    assert res.rci_method == method
    assert _counts(res, KEYS3) == DISTRIBUTION[method]
    assert res.counts["recovered"] is None


@pytest.mark.parametrize("method", list(COMBINED))
def test_claus_hamd_combined_snapshot(method):
    pre, post = _claus("hamd")
    res = reliable_change(
        pre,
        post,
        reliability=0.8,
        higher_is_better=False,
        cutoff="c",
        functional_mean=8,
        functional_sd=8,
        method=method,
        reliability_post=_post_reliability(method),
    )
    assert _counts(res, KEYS5) == COMBINED[method]
    assert sum(_counts(res, KEYS5)) == 40


def test_ha_group_level_snapshot():
    # _snaps/cs_combined.md, HA: "Group Level Summary": Changed 90.31 %, Functional 75.55 %.
    pre, post = _claus("hamd")
    res = reliable_change(
        pre,
        post,
        reliability=0.8,
        higher_is_better=False,
        cutoff="c",
        functional_mean=8,
        functional_sd=8,
        method="HA",
    )
    assert res.critical == 1.65
    assert res.cutoff_type == "c_true"
    assert res.group_level is not None
    assert round(res.group_level.share_changed, 4) == 0.9031
    assert round(res.group_level.share_functional, 4) == 0.7555


def test_claus_bdi_vignette_ha_vs_jt():
    # Vignette distribution-based-approach.Rmd: BDI-II, reliability 0.801: HA classifies 62.5 %
    # as reliably improved, JT 45 % (of 40).
    pre, post = _claus("bdi")
    jt = reliable_change(pre, post, reliability=0.801, higher_is_better=False)
    ha = reliable_change(pre, post, reliability=0.801, higher_is_better=False, method="HA")
    assert jt.counts["improved"] / jt.n == 0.45
    assert ha.counts["improved"] / ha.n == 0.625
    assert ha.group_level.share_functional is None
    assert "no cutoff" in ha.group_level.reason


def test_gln_formula_by_hand():
    # GLN: RC = [(y - M1) - r (x - M1)] / (SD1 sqrt(1 - r^2)); with x = (10, 20, 30), M1 = 20,
    # SD1 = 10, r = 0.75: SEp = 10 * sqrt(0.4375) = 6.6144; for x = 30, y = 40:
    # (40 - 20) - 0.75 * 10 = 12.5, RC = 1.8898.
    res = reliable_change(
        [10, 20, 30], [10, 20, 40], reliability=0.75, higher_is_better=True, method="GLN"
    )
    assert res.s_diff == pytest.approx(10 * np.sqrt(1 - 0.75**2))
    assert res.rc[2] == pytest.approx(12.5 / (10 * np.sqrt(0.4375)))
    # x = 10, y = 10: (10 - 20) - 0.75 * (-10) = -2.5: regression to the mean is removed.
    assert res.rc[0] == pytest.approx(-2.5 / (10 * np.sqrt(0.4375)))


def test_methods_agree_on_direction_under_reversed_scale():
    pre, post = _claus("hamd")
    for method in ("GLN", "EN", "HLL", "NK", "HA"):
        kw = {"reliability": 0.8, "method": method, "reliability_post": _post_reliability(method)}
        down = reliable_change(pre, post, higher_is_better=False, cutoff="a", **kw)
        up = reliable_change(-pre, -post, higher_is_better=True, cutoff="a", **kw)
        assert list(up.category) == list(down.category), method
        assert up.cutoff == pytest.approx(-down.cutoff)


def test_nk_needs_post_reliability_and_others_refuse_it():
    with pytest.raises(ValueError, match="reliability_post"):
        reliable_change([1, 2, 3], [2, 3, 5], reliability=0.8, higher_is_better=True, method="NK")
    with pytest.raises(ValueError, match="reliability_post"):
        reliable_change(
            [1, 2, 3], [2, 3, 5], reliability=0.8, higher_is_better=True, reliability_post=0.7
        )
    with pytest.raises(ValueError, match="reliability"):
        reliable_change(
            [1, 2, 3],
            [2, 3, 5],
            reliability=0.8,
            higher_is_better=True,
            method="NK",
            reliability_post=1.5,
        )
    with pytest.raises(ValueError, match="method"):
        reliable_change([1, 2, 3], [2, 3, 5], reliability=0.8, higher_is_better=True, method="X")


def test_ha_small_or_degenerate_samples_give_reasons():
    two = reliable_change([10, 20], [12, 25], reliability=0.8, higher_is_better=True, method="HA")
    assert two.s_diff is None
    assert "3 complete pairs" in two.reason
    assert list(two.category) == ["", ""]
    flat = reliable_change(
        [10, 20, 30], [15, 15, 15], reliability=0.8, higher_is_better=True, method="HA"
    )
    assert "SD of pre or post" in flat.reason
    one = reliable_change(
        [10, 20, 30], [11, 19, 31], reliability=1.0, higher_is_better=True, method="HA"
    )
    assert "reliability 1" in one.reason


def test_reliability_one_gives_infinite_index():
    res = reliable_change(
        [10, 20, 30], [10, 25, 30], reliability=1.0, higher_is_better=True, method="EN"
    )
    assert res.s_diff == 0.0
    assert list(res.rc) == [0.0, np.inf, 0.0]
    assert list(res.category) == ["unchanged", "improved", "unchanged"]


def test_missing_pairs_and_too_few():
    res = reliable_change(
        [10, None, 20, 30],
        [12, 5, None, 50],
        reliability=0.8,
        higher_is_better=True,
        method="GLN",
    )
    assert res.n == 2
    assert res.n_dropped == 2
    assert list(res.category[[1, 2]]) == ["", ""]
    none = reliable_change([], [], reliability=0.8, higher_is_better=True, method="HLL")
    assert none.reason == "no complete pairs"


@pytest.mark.parametrize("n", [0, 1, 2])
def test_hageman_arrindell_with_fewer_than_three_pairs_says_why_without_warning(n):
    res = reliable_change(
        [10.0, 12.0][:n],
        [14.0, 15.0][:n],
        reliability=0.8,
        higher_is_better=True,
        sd_pre=5.0,  # the reports' fixed reference SD: HA's own checks are reached
        method="HA",
    )
    assert res.s_diff is None and res.reason is not None
