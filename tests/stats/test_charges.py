"""Tests for del_tool.stats.charges (special services per day; settlements per whole year).

No published worked example exists; the expected values are hand-counted calendar days times
the daily amounts, written out in each test.
"""

from datetime import date

import pandas as pd
import pytest

from del_tool.stats.charges import service_costs, settlements_in_period, whole_years

PERIOD = {"period_start": "2024-01-01", "period_end": "2024-03-31"}


def test_services_are_clipped_to_their_stay_and_the_period():
    stays = pd.DataFrame(
        {"start": ["2024-02-20", "2023-06-01"], "end": [None, "2024-01-15"]}, index=[10, 11]
    )
    services = pd.DataFrame(
        {
            "stay": [10, 10, 11, 99],
            "valid_from": ["2024-03-01", "2023-01-01", "2024-01-10", "2024-01-01"],
            "valid_to": ["2024-03-10", None, "2024-02-28", None],
            "daily_amount": [500.0, 100.0, 1000.0, 7.0],
        }
    )
    result = service_costs(services, stays, **PERIOD)
    # Stay 10 (open from 20 Feb): 1-10 March = 10 days x 500 = 5 000; the open service from
    # 2023 runs from the stay's start, 20 Feb - 31 Mar = 10 + 31 = 41 days x 100 = 4 100.
    # Stay 11 ends 15 Jan: its service 10-15 January = 6 days x 1 000 = 6 000.
    # The service of stay 99 (not among the stays) is left out.
    assert list(result.per_service["days"]) == [10, 41, 6]
    assert result.per_stay[10] == 9100.0
    assert result.per_stay[11] == 6000.0
    assert result.total_cost == 15100.0


def test_a_service_outside_the_period_costs_nothing_and_bad_input_raises():
    stays = pd.DataFrame({"start": ["2024-01-01"], "end": [None]}, index=[1])
    later = pd.DataFrame(
        {"stay": [1], "valid_from": ["2024-05-01"], "valid_to": [None], "daily_amount": [9.0]}
    )
    assert service_costs(later, stays, **PERIOD).total_cost == 0.0
    with pytest.raises(ValueError, match="daily_amount"):
        service_costs(later.assign(daily_amount=[-1.0]), stays, **PERIOD)
    with pytest.raises(ValueError, match="ends before"):
        service_costs(later.assign(valid_to=["2024-04-01"]), stays, **PERIOD)


def test_settlements_count_only_in_periods_covering_their_whole_year():
    assert whole_years(date(2024, 1, 1), date(2025, 12, 31)) == [2024, 2025]
    assert whole_years(date(2024, 1, 2), date(2025, 12, 31)) == [2025]
    assert whole_years(date(2025, 10, 1), date(2026, 9, 30)) == []
    settlements = pd.DataFrame(
        {
            "unit": [1, 1, 1],
            "municipality": ["461"] * 3,
            "year": [2024, 2025, 2026],
            "amount": [-5000.0, 12000.0, 800.0],
        }
    )
    added, left_out = settlements_in_period(settlements, date(2025, 1, 1), date(2026, 6, 30))
    assert list(added["year"]) == [2025]  # 2025 is wholly in the period
    assert list(left_out["year"]) == [2026]  # 2026 only in part: left out, and reported
