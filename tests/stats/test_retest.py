"""Intraclass correlation and test-retest reliability (del_tool.stats.retest)."""

from __future__ import annotations

import pandas as pd
import pytest

from del_tool.stats import intraclass_correlation, retest_reliability
from del_tool.stats.retest import retest_pairs

#: Shrout & Fleiss (1979), Table 2: six targets rated by four judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def test_the_six_iccs_of_shrout_and_fleiss_table_2():
    """Shrout & Fleiss (1979), p. 423: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44,
    ICC(2,4) .62, ICC(3,4) .91. The 95 % limits are those psych::ICC prints for the same data
    (its documentation's example, `ICC(sf)`): -0.13 to 0.72, 0.019 to 0.76, 0.34 to 0.95."""
    r = intraclass_correlation(SHROUT_FLEISS)
    assert [round(v, 2) for v in (r.icc1, r.icc2, r.icc3, r.icc1k, r.icc2k, r.icc3k)] == [
        0.17,
        0.29,
        0.71,
        0.44,
        0.62,
        0.91,
    ]
    assert [round(v, 2) for v in r.icc1_ci] == [-0.13, 0.72]
    assert [round(v, 3) for v in r.icc2_ci] == [0.019, 0.761]
    assert [round(v, 2) for v in r.icc3_ci] == [0.34, 0.95]
    # The paper's Table 3 (analysis of variance): BMS 11.24, JMS 32.49, EMS 1.02, WMS 6.26.
    assert {k: round(v, 2) for k, v in r.mean_squares.items()} == {
        "BMS": 11.24,
        "JMS": 32.49,
        "EMS": 1.02,
        "WMS": 6.26,
    }


@pytest.mark.parametrize("bad", [[[1, 2]], [[1], [2]], [[1, 2], [3, float("nan")]]])
def test_an_incomplete_or_too_small_matrix_is_refused(bad):
    with pytest.raises(ValueError, match="ratings must"):
        intraclass_correlation(bad)


def _scores(rows):
    return pd.DataFrame(rows, columns=["stay", "date", "value"]).assign(
        date=lambda f: pd.to_datetime(f["date"])
    )


def test_a_stays_first_two_measurements_close_in_time_are_its_pair():
    scores = _scores(
        [
            (1, "2026-01-01", 2.0),
            (1, "2026-03-01", 3.0),  # 59 days: too far
            (1, "2026-03-10", 3.0),  # 9 days after the last: this pair
            (1, "2026-03-12", 1.0),  # a later close pair of the same stay is not used
            (2, "2026-01-05", 1.0),
            (2, "2026-01-05", 2.0),  # the same day counts (0 days)
            (3, "2026-02-01", 4.0),
        ]
    )
    pairs = retest_pairs(scores, max_days=30)
    assert pairs.to_dict("records") == [
        {"stay": 1, "first": 3.0, "second": 3.0, "days": 9},
        {"stay": 2, "first": 1.0, "second": 2.0, "days": 0},
    ]


def test_the_reliability_is_icc_2_1_of_the_pairs_and_says_why_when_there_are_too_few():
    rows = []
    for stay, (a, b) in enumerate(zip([1, 2, 3, 4, 2, 3], [2, 2, 3, 3, 1, 4], strict=True)):
        rows += [(stay, "2026-01-01", float(a)), (stay, "2026-01-08", float(b))]
    found = retest_reliability(_scores(rows), max_days=30, min_pairs=6)
    expected = intraclass_correlation([[1, 2], [2, 2], [3, 3], [4, 3], [2, 1], [3, 4]]).icc2
    assert found.value == pytest.approx(expected) and found.source == "test_retest"
    assert found.n == 6 and "ICC(2,1)" in found.method
    few = retest_reliability(_scores(rows), max_days=30, min_pairs=7)
    assert few.value is None and "too few" in (few.reason or "") and few.n == 6
