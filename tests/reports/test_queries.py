"""The report queries read what is stored: dates as numbers, long id lists in chunks."""

from __future__ import annotations

import pandas as pd

from del_tool.reports.common import queries
from del_tool.reports.common.queries import StaySelection
from tests.reports.world import TODAY

#: More ids than one statement can bind (psycopg: 65,535 parameters; SQLite: 32,766).
MANY = 70_000


def test_citizen_names_takes_more_ids_than_a_statement_binds(session, world):
    real = {stay.citizen_id: stay.name for stay in world.stays}
    ids = set(range(10**6, 10**6 + MANY)) | set(real)
    assert queries.citizen_names(session, ids) == real


def test_dates_are_read_as_days_and_open_ends_as_nat(session, world):
    frame = queries.stays(session, StaySelection(None, TODAY.replace(year=2000), TODAY))
    by_id = frame.set_index("stay")
    assert str(frame["start"].dtype).startswith("datetime64")
    for stay in world.stays:
        row = by_id.loc[stay.stay_id]
        assert row["start"] == pd.Timestamp(stay.start)
        assert (pd.isna(row["end"]) and stay.end is None) or row["end"] == pd.Timestamp(stay.end)
