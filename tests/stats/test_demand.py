"""Tests for del_tool.stats.demand: waiting time, waiting list, outcomes and days per period."""

import numpy as np
import pandas as pd
import pytest

from del_tool.stats.demand import (
    days_per_period,
    in_period,
    outcomes_by_period,
    pending_on,
    quartiles,
    waiting_list,
    waiting_time,
)

D = pd.Timestamp


def referrals() -> pd.DataFrame:
    """Seven referrals to one unit (hand-made; the comments give the waiting times)."""
    rows = [
        # referred,    outcome,     decided,       admitted (stay start)
        ("2026-01-05", "admitted", "2026-02-01", "2026-02-04"),  # waited 30 days
        ("2026-01-10", "admitted", "2026-03-01", "2026-03-01"),  # waited 50 days
        ("2026-02-01", "admitted", "2026-03-20", "2026-04-02"),  # waited 60 days
        ("2026-02-15", "withdrawn", "2026-03-10", None),  # no admission
        ("2026-03-01", "declined", "2026-03-05", None),  # no admission
        ("2026-03-10", "pending", None, None),  # waiting
        ("2025-12-01", "admitted", "2026-04-10", "2026-05-01"),  # decided after Q1
    ]
    frame = pd.DataFrame(rows, columns=["referred", "outcome", "decided", "admitted"])
    for column in ("referred", "decided", "admitted"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_waiting_time_of_a_quarter_counts_admissions_only_and_the_rest_beside():
    # Q1 2026 decisions: admitted 30, 50 and 60 days; one withdrawn and one declined (not
    # admissions, counted beside); decided in April: not in Q1. Median of 30, 50, 60 = 50;
    # quartiles (definition 7): position 1 + 0.25 * 2 = 1.5 -> 30 + 0.5 * 20 = 40, position
    # 1 + 0.75 * 2 = 2.5 -> 50 + 0.5 * 10 = 55. Pending on 31 March: the referral of 10 March
    # and the one of 1 December (decided 10 April) = 2.
    result = waiting_time(referrals(), "2026-01-01", "2026-03-31")
    assert (result.admitted, result.declined, result.withdrawn) == (3, 1, 1)
    assert result.days.n == 3 and result.days.median == 50.0
    assert (result.days.q1, result.days.q3) == (40.0, 55.0)
    assert result.pending_at_end == 2
    assert result.members == (0, 1, 2)


def test_a_withdrawn_referral_is_not_an_admission():
    frame = referrals().iloc[[0, 3]]  # one admission (30 days), one withdrawn after 23 days
    result = waiting_time(frame, "2026-01-01", "2026-03-31")
    assert result.days.n == 1 and result.days.median == 30.0
    assert result.withdrawn == 1 and result.admitted == 1


def test_an_admission_day_before_the_referral_counts_as_zero_days():
    frame = referrals().iloc[[0]].assign(admitted=D("2026-01-01"))  # coarsened to the month
    assert waiting_time(frame, "2026-01-01", "2026-03-31").days.median == 0.0


def test_waiting_list_on_a_day_with_days_waited():
    # On 15 February: referred by then and not decided by then: 10 January (decided 1 March),
    # 1 February (decided 20 March), 15 February (withdrawn 10 March) and 1 December 2025
    # (decided 10 April); 5 January was decided on 1 February. Waited: 1 Dec -> 76 days,
    # 10 Jan -> 36, 1 Feb -> 14, 15 Feb -> 0.
    listed = waiting_list(referrals(), "2026-02-15")
    assert list(listed["waited"]) == [76, 36, 14, 0]
    assert list(listed.index) == [6, 1, 2, 3]
    assert pending_on(referrals(), "2026-02-15").sum() == 4


def test_outcomes_per_quarter():
    # Q4 2025: one new referral (1 Dec), no decisions, 1 pending at its end.
    # Q1 2026: six new; admitted 3 (1 Feb, 1 Mar, 20 Mar), declined 1, withdrawn 1; pending at
    # the end 2. Q2 2026: none new; admitted 1 (10 April); pending at the end 1 (10 March).
    table = outcomes_by_period(
        referrals(),
        ["2025-10-01", "2026-01-01", "2026-04-01"],
        ["2025-12-31", "2026-03-31", "2026-06-30"],
        ["2025Q4", "2026Q1", "2026Q2"],
    )
    assert table.loc["2025Q4"].tolist() == [1, 0, 0, 0, 1]
    assert table.loc["2026Q1"].tolist() == [6, 3, 1, 1, 2]
    assert table.loc["2026Q2"].tolist() == [0, 1, 0, 0, 1]
    assert list(table.columns) == ["referred", "admitted", "declined", "withdrawn", "pending_end"]


def test_referrals_in_a_period_are_those_pending_at_some_time_in_it():
    # Q2 2026: the one of 10 March (pending) and the one of 1 December (decided 10 April).
    assert list(referrals()[in_period(referrals(), "2026-04-01", "2026-06-30")].index) == [5, 6]


def test_quartiles_by_hand():
    # 2, 4, 6, 8: median 5; q1 at position 1 + 0.25 * 3 = 1.75 -> 2 + 0.75 * 2 = 3.5;
    # q3 at 1 + 0.75 * 3 = 3.25 -> 6 + 0.25 * 2 = 6.5.
    result = quartiles([8, 2, 6, 4])
    assert (result.n, result.median, result.q1, result.q3) == (4, 5.0, 3.5, 6.5)
    assert quartiles([]).median is None and quartiles([]).n == 0


def test_days_per_period_count_first_and_last_day():
    # Q1 2026 has 90 days, Q2 91. Stay A 15 Feb - 10 Apr: Feb 15-28 = 14 + March 31 = 45 in
    # Q1, April 1-10 = 10 in Q2. Stay B open from 30 June: 0 in Q1, 1 in Q2. Stay C 1-1
    # January: 1 day. Stay D ends before it starts: 0.
    days = days_per_period(
        ["2026-02-15", "2026-06-30", "2026-01-01", "2026-03-05"],
        ["2026-04-10", None, "2026-01-01", "2026-03-01"],
        ["2026-01-01", "2026-04-01"],
        ["2026-03-31", "2026-06-30"],
    )
    np.testing.assert_array_equal(days, [[45, 10], [0, 1], [1, 0], [0, 0]])


def test_days_per_period_needs_a_start():
    with pytest.raises(ValueError, match="start day"):
        days_per_period([None], [None], ["2026-01-01"], ["2026-03-31"])
