"""The council's unit x section tables: markers that never give a small count away."""

from __future__ import annotations

import pandas as pd

from del_tool.reports.common.model import Hidden
from del_tool.reports.council.disclosure import cell_tables, published, suppression_note


def _per_stay(cells: list[tuple[int, str, int]]) -> pd.DataFrame:
    """Per-stay rows: `count` citizens in (unit, section), each with 30 days at 1,000 kr."""
    rows, citizen = [], 0
    for unit, section, count in cells:
        for _ in range(count):
            citizen += 1
            rows.append((unit, section, citizen, 30, 30_000.0))
    return pd.DataFrame(rows, columns=["unit_id", "section", "citizen", "days", "cost"])


def _markers(frame: pd.DataFrame) -> set[str]:
    return {v.marker for v in frame.to_numpy().ravel() if isinstance(v, Hidden)}


def test_small_counts_are_marked_with_their_range_when_that_is_safe():
    cells = cell_tables(_per_stay([(1, "107", 2), (1, "108", 9), (2, "107", 9), (2, "108", 9)]), 5)
    assert cells.ranges_shown
    counts = published(cells.citizens.values, cells, 5)
    assert counts.at[1, "107"] == Hidden("<5")
    assert _markers(counts) == {"<5", "x"}


def test_a_shape_that_pins_small_counts_hides_every_range():
    # Four units with one citizen each under § 108: the column total 4 is "<5" too, and four
    # cells of at least 1 adding up to at most 4 are all 1, whatever else is hidden.
    cells = cell_tables(_per_stay([(u, "108", 1) for u in (1, 2, 3, 4)]), 5)
    assert not cells.ranges_shown
    counts = published(cells.citizens.values, cells, 5)
    assert _markers(counts) == {"x"}
    assert _markers(published(cells.days, cells, 5, counts=False)) == {"x"}
    assert "<5" not in str(suppression_note(5, ranges_shown=False))
