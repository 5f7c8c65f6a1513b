"""Tests for del_tool.stats.occupancy (occupied days over place-days).

No published worked example exists for this bookkeeping (the sector's definition is occupied days
/ (places x days)); the expected values are hand-counted calendar days, written out in each test.
"""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from del_tool.stats.occupancy import occupancy, spans


@pytest.fixture
def places() -> pd.DataFrame:
    # 10 places from 1 January 2026, 12 from 16 March 2026.
    return pd.DataFrame(
        {"unit": [1, 1], "valid_from": ["2026-01-01", "2026-03-16"], "places": [10, 12]}
    )


@pytest.fixture
def stays() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": [1, 1, 1, 1],
            "citizen": ["a", "b", "c", "a"],
            "start": ["2026-02-20", "2026-03-01", "2026-03-31", "2026-03-05"],
            "end": ["2026-03-10", None, None, "2026-03-12"],
        }
    )


def test_a_change_of_places_in_the_middle_of_a_month(places, stays):
    # March 2026: 1-15 March at 10 places (15 x 10 = 150) + 16-31 March at 12 (16 x 12 = 192)
    # = 342 place-days. Occupied: citizen a has two overlapping stays, 20 Feb - 10 Mar and
    # 5-12 Mar, so 1-12 March = 12 days (counted once); b 1-31 March = 31 (open stay);
    # c only 31 March = 1 (first day counts). 12 + 31 + 1 = 44 occupied days.
    # Occupancy 44 / 342 = 12.87 %; vacant places (342 - 44) / 31 = 9.613; places 342 / 31.
    result = occupancy(stays, places, spans(date(2026, 2, 1), date(2026, 3, 31), "month"))
    march = result.table.loc[(1, "2026-03")]
    assert march["days"] == 31
    assert march["place_days"] == 342
    assert march["occupied_days"] == 44
    assert march["occupancy"] == pytest.approx(44 / 342)
    assert march["vacant"] == pytest.approx(298 / 31)
    assert march["places"] == pytest.approx(342 / 31)
    # February: 28 days x 10 places = 280; a from 20 to 28 February = 9 days.
    february = result.table.loc[(1, "2026-02")]
    assert (february["place_days"], february["occupied_days"]) == (280, 9)
    assert february["occupancy"] == pytest.approx(9 / 280)
    assert february["reason"] == ""


def test_quarters_and_days_without_recorded_places(places, stays):
    # Q1 2026: 1 January - 15 March = 31 + 28 + 15 = 74 days at 10 places (740) + 16-31 March
    # at 12 (192) = 932 place-days; occupied 9 (February) + 44 (March) = 53.
    # December 2025 lies before the first places record: no occupancy, and the reason says so.
    result = occupancy(stays, places, spans(date(2025, 12, 1), date(2026, 3, 31), "quarter"))
    q1 = result.table.loc[(1, "2026Q1")]
    assert (q1["place_days"], q1["occupied_days"]) == (932, 53)
    assert q1["occupancy"] == pytest.approx(53 / 932)
    q4 = result.table.loc[(1, "2025Q4")]
    assert q4["days"] == 31  # the span is clipped to the period (1-31 December)
    assert np.isnan(q4["occupancy"]) and np.isnan(q4["places"])
    assert q4["reason"] == "places not recorded for every day of the span"


def test_a_closed_unit_and_a_unit_without_stays():
    places = pd.DataFrame(
        {"unit": [1, 2], "valid_from": ["2026-01-01", "2026-01-01"], "places": [0, 4]}
    )
    stays = pd.DataFrame({"unit": [], "citizen": [], "start": [], "end": []})
    result = occupancy(stays, places, spans(date(2026, 1, 1), date(2026, 1, 31), "whole"))
    closed, empty = result.table.loc[(1, "all")], result.table.loc[(2, "all")]
    assert np.isnan(closed["occupancy"]) and closed["reason"] == "no places in the span"
    # 4 places x 31 days = 124 place-days, none occupied: 0 %, 4 vacant places.
    assert (empty["place_days"], empty["occupied_days"], empty["occupancy"]) == (124, 0, 0.0)
    assert empty["vacant"] == 4.0


def test_more_citizens_than_places_gives_negative_vacancy():
    # 1 place, two citizens all of 1-10 January: 20 occupied days of 10 place-days = 200 %,
    # vacant (10 - 20) / 10 = -1 place.
    places = pd.DataFrame({"unit": [1], "valid_from": ["2026-01-01"], "places": [1]})
    stays = pd.DataFrame(
        {"unit": [1, 1], "citizen": [1, 2], "start": ["2026-01-01"] * 2, "end": ["2026-01-10"] * 2}
    )
    row = occupancy(stays, places, spans(date(2026, 1, 1), date(2026, 1, 10), "whole")).table
    assert row.loc[(1, "all"), "occupancy"] == 2.0
    assert row.loc[(1, "all"), "vacant"] == -1.0


def test_spans_are_labelled_and_clipped():
    frame = spans(date(2026, 2, 15), date(2026, 4, 2), "month")
    assert list(frame["span"]) == ["2026-02", "2026-03", "2026-04"]
    assert list(frame["days"]) == [14, 31, 2]
    years = spans(date(2025, 7, 1), date(2026, 6, 30), "year")
    assert list(years["span"]) == ["2025", "2026"] and list(years["days"]) == [184, 181]


def test_bad_places_raise():
    stays = pd.DataFrame({"unit": [], "citizen": [], "start": [], "end": []})
    window = spans(date(2026, 1, 1), date(2026, 1, 31), "whole")
    negative = pd.DataFrame({"unit": [1], "valid_from": ["2026-01-01"], "places": [-1]})
    with pytest.raises(ValueError, match="negative"):
        occupancy(stays, negative, window)
    twice = pd.DataFrame(
        {"unit": [1, 1], "valid_from": ["2026-01-01", "2026-01-01"], "places": [1, 2]}
    )
    with pytest.raises(ValueError, match="same day"):
        occupancy(stays, twice, window)
