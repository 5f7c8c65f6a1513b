"""The report queries read what is stored: dates as numbers."""

from __future__ import annotations

import pandas as pd

from del_tool.reports.common import queries
from del_tool.reports.common.queries import StaySelection
from tests.reports.world import TODAY


def test_dates_are_read_as_days_and_open_ends_as_nat(session, world):
    frame = queries.stays(session, StaySelection(None, TODAY.replace(year=2000), TODAY))
    by_id = frame.set_index("stay")
    assert str(frame["start"].dtype).startswith("datetime64")
    for stay in world.stays:
        row = by_id.loc[stay.stay_id]
        assert row["start"] == pd.Timestamp(stay.start)
        assert (pd.isna(row["end"]) and stay.end is None) or row["end"] == pd.Timestamp(stay.end)
