"""Tests for del_tool.stats.cost (stay costs).

No published worked example exists for this bookkeeping; the expected values are hand-counted
calendar days times the tariffs (stated in each test), an independent computation.
"""

import numpy as np
import pandas as pd
import pytest

from del_tool.stats import cost_summary, stay_costs

PERIOD = {"period_start": "2024-01-01", "period_end": "2024-03-31"}


@pytest.fixture
def tariffs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["U1", "U1", "U2"],
            "valid_from": ["2023-01-01", "2024-03-01", "2024-03-05"],
            "valid_to": ["2024-02-29", None, None],
            "daily_rate": [1000.0, 1100.0, 500.0],
        }
    )


def _stays(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_tariff_change_inside_period_and_open_stay(tariffs):
    # Open stay from 20 Feb 2024: 20-29 Feb = 10 days (leap year) at 1000, then 1-31 Mar =
    # 31 days at 1100: 10 000 + 34 100 = 44 100 DKK over 41 days.
    stays = _stays(unit=["U1"], start=["2024-02-20"], end=[None])
    res = stay_costs(stays, tariffs, **PERIOD)
    row = res.per_stay.iloc[0]
    assert row["days"] == 41
    assert row["cost"] == 44100.0
    assert list(res.segments["days"]) == [10, 31]
    assert list(res.segments["daily_rate"]) == [1000.0, 1100.0]
    assert res.total_cost == 44100.0
    assert res.reason is None


def test_inclusive_and_exclusive_day_count(tariffs):
    stays = _stays(unit=["U1"], start=["2024-01-01"], end=["2024-01-03"])
    inclusive = stay_costs(stays, tariffs, **PERIOD)
    exclusive = stay_costs(stays, tariffs, **PERIOD, day_count="exclusive_end")
    assert inclusive.per_stay["days"].iloc[0] == 3  # 1, 2 and 3 January
    assert exclusive.per_stay["days"].iloc[0] == 2  # the departure day is not charged
    assert exclusive.total_cost == 2000.0


def test_stay_clipped_to_period(tariffs):
    # 15 Dec 2023 - 10 Jan 2024: only 1-10 January fall in the period.
    stays = _stays(unit=["U1"], start=["2023-12-15"], end=["2024-01-10"])
    res = stay_costs(stays, tariffs, **PERIOD)
    assert res.per_stay["days"].iloc[0] == 10
    assert res.total_cost == 10000.0


def test_days_without_tariff_are_reported_not_zero(tariffs):
    # U2 is priced only from 5 March: 1-4 March (4 days) have no tariff; U3 has none at all.
    stays = _stays(
        unit=["U2", "U3"], start=["2024-03-01", "2024-01-10"], end=["2024-03-10", "2024-01-20"]
    )
    res = stay_costs(stays, tariffs, **PERIOD)
    first, second = res.per_stay.iloc[0], res.per_stay.iloc[1]
    assert (first["days"], first["days_without_tariff"], first["priced_cost"]) == (10, 4, 3000.0)
    assert np.isnan(first["cost"])
    assert "4 day(s) without a tariff" in first["reason"]
    assert second["days_without_tariff"] == 11
    assert np.isnan(second["cost"])
    assert res.days_without_tariff == 15
    assert res.total_cost == 3000.0
    assert "priced days only" in res.reason


def test_bad_stays_are_reported(tariffs):
    stays = _stays(unit=["U1", "U1"], start=[None, "2024-02-10"], end=["2024-02-01", "2024-02-01"])
    res = stay_costs(stays, tariffs, **PERIOD)
    assert list(res.per_stay["reason"]) == ["missing start date", "stay ends before it starts"]
    assert res.per_stay["cost"].isna().all()
    assert res.total_cost == 0.0


def test_overlapping_tariffs_make_cost_ambiguous():
    tariffs = pd.DataFrame(
        {
            "unit": ["U1", "U1"],
            "valid_from": ["2024-01-01", "2024-01-15"],
            "valid_to": [None, None],
            "daily_rate": [100.0, 200.0],
        }
    )
    stays = _stays(unit=["U1"], start=["2024-01-10"], end=["2024-01-20"])
    res = stay_costs(stays, tariffs, **PERIOD)
    assert np.isnan(res.per_stay["cost"].iloc[0])
    assert "overlapping" in res.per_stay["reason"].iloc[0]


def test_stay_outside_period_costs_nothing(tariffs):
    stays = _stays(unit=["U1"], start=["2023-06-01"], end=["2023-12-31"])
    res = stay_costs(stays, tariffs, **PERIOD)
    assert res.per_stay["days"].iloc[0] == 0
    assert res.n_stays == 0
    assert res.total_cost == 0.0


def test_cost_summary_per_unit_and_citizen_year(tariffs):
    stays = _stays(
        citizen=["a", "b", "c"],
        unit=["U1", "U1", "U2"],
        start=["2024-01-01", "2024-02-20", "2024-03-05"],
        end=["2024-01-31", None, "2024-03-10"],
    )
    res = stay_costs(stays, tariffs, **PERIOD)
    summary = cost_summary(res, stays, "unit")
    u1 = summary.loc["U1"]
    assert u1["cost"] == 31000.0 + 44100.0
    assert u1["days"] == 31 + 41
    assert u1["citizens"] == 2
    assert u1["cost_per_citizen_year"] == pytest.approx(75100.0 / (72 / 365.25))
    assert summary.loc["U2", "cost"] == 6 * 500.0


def test_bad_input_raises(tariffs):
    stays = _stays(unit=["U1"], start=["2024-01-01"], end=["2024-01-03"])
    with pytest.raises(ValueError, match="period_end"):
        stay_costs(stays, tariffs, period_start="2024-02-01", period_end="2024-01-01")
    with pytest.raises(ValueError, match="day_count"):
        stay_costs(stays, tariffs, **PERIOD, day_count="nights")
    bad = tariffs.assign(daily_rate=[-1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="daily_rate"):
        stay_costs(stays, bad, **PERIOD)
    with pytest.raises(ValueError, match="'end'"):
        stay_costs(stays.drop(columns="end"), tariffs, **PERIOD)


def test_open_tariff_starting_after_the_period_is_left_out(tariffs):
    # Next year's tariff (from 2025-01-01, open-ended) lies after the 2024 Q1 period: it must
    # neither raise nor price anything. Open stay from 20 Feb 2024 as in the first test.
    later = pd.DataFrame(
        {"unit": ["U1"], "valid_from": ["2025-01-01"], "valid_to": [None], "daily_rate": [9.0]}
    )
    stays = _stays(unit=["U1"], start=["2024-02-20"], end=[None])
    res = stay_costs(stays, pd.concat([tariffs, later], ignore_index=True), **PERIOD)
    assert res.per_stay.iloc[0]["cost"] == 44100.0
    assert list(res.segments["daily_rate"]) == [1000.0, 1100.0]
