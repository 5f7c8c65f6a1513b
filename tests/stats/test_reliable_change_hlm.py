"""HLM reliable change (del_tool.stats.reliable_change_hlm)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from del_tool.stats import reliable_change, reliable_change_hlm

DATA = Path(__file__).parent / "data"
KEYS3 = ("improved", "unchanged", "deteriorated")
KEYS5 = ("recovered", "improved", "unchanged", "deteriorated", "harmed")


def _claus() -> pd.DataFrame:
    return pd.read_csv(DATA / "cs_claus_2020.csv")


def _counts(res, keys):
    return tuple(res.counts[k] for k in keys)


def test_claus_hamd_hlm_snapshot_relative_to_average():
    # clinicalsignificance 3.0.0, tests/testthat/_snaps/cs_distribution.md:
    # cs_distribution(claus_2020, id, time, hamd, ..., rci_method = "HLM"): Improved 11,
    # Unchanged 20, Deteriorated 9 (of 40). The package classifies the EB deviation from the
    # average slope (lme4 ranef / condsd), which relative_to="average" reproduces.
    res = reliable_change_hlm(
        _claus(),
        time="time",
        score="hamd",
        group="id",
        higher_is_better=False,
        relative_to="average",
    )
    assert res.n == 40
    assert res.n_dropped == 3
    assert _counts(res, KEYS3) == (11, 20, 9)


def test_claus_hamd_hlm_combined_snapshot():
    # _snaps/cs_combined.md: cs_combined(claus_2020, id, time, hamd, m_functional = 8,
    # sd_functional = 8, cutoff_type = "c", rci_method = "HLM"): Recovered 10, Improved 1,
    # Unchanged 20, Deteriorated 9, Harmed 0.
    res = reliable_change_hlm(
        _claus(),
        time="time",
        score="hamd",
        group="id",
        higher_is_better=False,
        relative_to="average",
        cutoff="c",
        functional_mean=8,
        functional_sd=8,
    )
    assert _counts(res, KEYS5) == (10, 1, 20, 9, 0)


def test_default_judges_own_slope_against_zero():
    # The person's own EB slope b1 + u1 against 0 (the vignette's wording; Speer & Greenbaum
    # 1995): HAMD falls by 3.24 points per time point on average (fixed slope), and most people
    # improve reliably, in line with JT on the first and last scores (29/10/1).
    frame = _claus()
    res = reliable_change_hlm(frame, time="time", score="hamd", group="id", higher_is_better=False)
    assert res.fixed_slope == pytest.approx(-3.24, abs=1e-3)
    assert _counts(res, KEYS3) == (33, 7, 0)
    assert np.all(res.slope_se > 0)
    wide = frame.pivot(index="id", columns="time", values="hamd")
    jt = reliable_change(wide[1.0], wide[4.0], reliability=0.8, higher_is_better=False)
    assert _counts(jt, KEYS3) == (29, 10, 1)


def test_slope_se_includes_fixed_effect_uncertainty():
    frame = _claus()
    own = reliable_change_hlm(frame, time="time", score="hamd", group="id", higher_is_better=False)
    dev = reliable_change_hlm(
        frame,
        time="time",
        score="hamd",
        group="id",
        higher_is_better=False,
        relative_to="average",
    )
    assert np.all(own.slope_se > dev.slope_se)
    np.testing.assert_allclose(own.slope - dev.slope, own.fixed_slope)


def test_reversed_scale_mirrors_categories():
    frame = _claus()
    down = reliable_change_hlm(frame, time="time", score="hamd", group="id", higher_is_better=False)
    up = reliable_change_hlm(
        frame.assign(hamd=-frame["hamd"]),
        time="time",
        score="hamd",
        group="id",
        higher_is_better=True,
    )
    assert list(up.category) == list(down.category)


def test_too_few_people_and_bad_options():
    frame = pd.DataFrame({"id": [1, 1, 1, 2, 2], "t": [0, 1, 2, 0, 1], "y": [3, 2, 1, 4, 4]})
    res = reliable_change_hlm(frame, time="t", score="y", group="id", higher_is_better=False)
    assert res.n == 1
    assert res.n_dropped == 1
    assert "fewer than 3 people" in res.reason
    assert list(res.category) == [""]
    with pytest.raises(ValueError, match="relative_to"):
        reliable_change_hlm(
            frame, time="t", score="y", group="id", higher_is_better=True, relative_to="x"
        )
