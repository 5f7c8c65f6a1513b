"""The report queries read what is stored: dates as numbers, long id lists in chunks."""

from __future__ import annotations

import pandas as pd

from del_tool.reports.common import queries, score_queries
from del_tool.reports.common.queries import StaySelection
from tests.reports import expect
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


def test_baseline_answers_are_taken_out_of_the_json_by_the_database(session, world):
    items = ["q1", "q2", "q3", "q4", "q5", "not_an_item"]
    end = TODAY
    frame = score_queries.baseline_answers(
        session, StaySelection(None, TODAY.replace(year=2000), end), "who5", items
    )
    expected = expect.baseline_items(world.stays, "who5", items, end)
    assert list(frame.columns) == items
    assert frame["not_an_item"].isna().all() and len(frame) == len(expected) > 0

    def ordered(f):
        return f.sort_values(items).reset_index(drop=True)

    pd.testing.assert_frame_equal(ordered(frame), ordered(expected), check_dtype=False)
