"""Tests for del_tool.stats.tariff_growth (tariffs year on year against the price index).

The expected growth is computed by hand in each test: (tariff 1 January / tariff 1 January the
year before - 1) x 100, compared at two decimals with the index.
"""

import pandas as pd
import pytest

from del_tool.stats.tariff_growth import tariff_growth


def _tariffs(rows):
    return pd.DataFrame(
        rows, columns=["unit", "section", "level", "valid_from", "valid_to", "daily_rate"]
    )


INDEX = pd.DataFrame({"year": [2025, 2026], "percent": [2.3, 2.0]})


def test_growth_beside_the_index_and_the_flag():
    tariffs = _tariffs(
        [
            # 2000 -> 2046 is exactly 2.3 % (the 2025 index): within.
            # 2046 -> 2100 is 2.6393 %, above the 2026 index of 2.0 %.
            (1, "107", "", "2024-01-01", "2024-12-31", 2000.0),
            (1, "107", "", "2025-01-01", "2025-12-31", 2046.0),
            (1, "107", "", "2026-01-01", None, 2100.0),
            # A level of its own: 1234.56 x 1.023 = 1262.955, charged 1262.96 (2.3004 %, which
            # is 2.30 at two decimals): rounding to whole øre is not a rise above the index.
            (1, "107", "høj", "2024-01-01", "2024-12-31", 1234.56),
            (1, "107", "høj", "2025-01-01", None, 1262.96),
        ]
    )
    result = tariff_growth(tariffs, INDEX, [2025, 2026])
    table = result.table.set_index(["level", "year"])
    assert table.loc[("", 2025), "growth"] == pytest.approx(2.3)
    assert not table.loc[("", 2025), "above"]
    assert table.loc[("", 2026), "growth"] == pytest.approx((2100 / 2046 - 1) * 100)
    assert table.loc[("", 2026), "above"] and table.loc[("", 2026), "index"] == 2.0
    assert table.loc[("høj", 2025), "growth"] == pytest.approx(2.30040, abs=1e-4)
    assert not table.loc[("høj", 2025), "above"]
    # The open 2025 tariff of level "høj" still holds on 1 January 2026: 0 % growth.
    assert table.loc[("høj", 2026), "growth"] == 0.0
    assert result.n_above == 1


def test_years_without_a_comparison_say_why():
    tariffs = _tariffs(
        [
            (2, "85", "", "2026-01-01", None, 500.0),  # new in 2026: nothing the year before
            (3, "85", "", "2026-01-01", "2026-12-31", 400.0),
            (3, "85", "", "2027-01-01", None, 440.0),  # 2027 has no index
        ]
    )
    result = tariff_growth(tariffs, INDEX, [2026, 2027])
    table = result.table.set_index(["unit", "year"])
    assert table.loc[(2, 2026), "reason"] == "no tariff on 1 January of the year before"
    assert pd.isna(table.loc[(2, 2026), "growth"]) and not table.loc[(2, 2026), "above"]
    assert table.loc[(3, 2027), "growth"] == pytest.approx(10.0)
    assert table.loc[(3, 2027), "reason"] == "no price index for the year"
    assert not table.loc[(3, 2027), "above"]
    assert result.n_above == 0


def test_a_tariff_changed_during_the_year_is_read_on_1_january():
    # The tariff raised in July 2025 (1000 -> 1100) counts from 1 January 2026: 2026's growth
    # is 1100 / 1000 - 1 = 10 %; 2025 compares 1000 with 1000 (0 %).
    tariffs = _tariffs(
        [
            (4, "104", "", "2024-01-01", "2025-06-30", 1000.0),
            (4, "104", "", "2025-07-01", None, 1100.0),
        ]
    )
    table = tariff_growth(tariffs, INDEX, [2025, 2026]).table.set_index("year")
    assert table.loc[2025, "growth"] == 0.0
    assert table.loc[2026, "growth"] == pytest.approx(10.0) and table.loc[2026, "above"]
