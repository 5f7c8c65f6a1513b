"""Suppressed unit x section tables for council summaries (counts, days and cost alike).

The citizen counts are suppressed with `del_tool.stats.suppress_small_cells` (primary below k,
complementary until no hidden cell follows from the margins). Days and cost are published in
the same layout with the same hidden cells: their tables have the same row and column sums, so the
same pattern leaves their hidden cells undetermined too. Where even that suppression leaves a
small count that the "<k" markers' bounds pin down (the table's shape gives it away), every
hidden count is shown as "x", so that the markers carry no bounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from del_tool.organisation.models import LegalSection
from del_tool.reports.common.labels import Text, section_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Hidden, Table
from del_tool.stats import SuppressedTable, suppress_small_cells

TOTAL = "__total__"


@dataclass(frozen=True, slots=True)
class CellTables:
    """Citizens, days and cost by unit and section with their totals and the hidden cells."""

    citizens: SuppressedTable
    days: pd.DataFrame
    cost: pd.DataFrame
    #: One row per (unit_id, section, citizen) behind the counts, for the union audit.
    placements: pd.DataFrame

    @property
    def hidden(self) -> pd.DataFrame:
        """True where a cell (totals included) is not published."""
        return self.citizens.suppressed

    @property
    def ranges_shown(self) -> bool:
        """Whether small counts may be marked "<k": not if the marker's bounds pin one down."""
        return not self.citizens.disclosed

    def grand_total_shown(self) -> bool:
        """Whether the grand totals may be published."""
        return not bool(self.hidden.at[TOTAL, TOTAL])


def cell_tables(per_stay: pd.DataFrame, k: int) -> CellTables:
    """Build the three tables from per-stay rows (unit_id, section, citizen, days, cost)."""
    sections = [s.value for s in LegalSection if s.value in set(per_stay["section"])]
    citizens = (
        per_stay.groupby(["unit_id", "section"])["citizen"].nunique().unstack(fill_value=0)
    ).reindex(columns=sections, fill_value=0)
    suppressed = suppress_small_cells(citizens, k=k, total_label=TOTAL)
    return CellTables(
        suppressed,
        _extended(per_stay, "days", citizens),
        _extended(per_stay, "cost", citizens),
        per_stay[["unit_id", "section", "citizen"]].drop_duplicates(),
    )


def _extended(per_stay: pd.DataFrame, value: str, layout: pd.DataFrame) -> pd.DataFrame:
    """Sums of `value` in the layout of the counts, with row, column and grand totals."""
    table = per_stay.groupby(["unit_id", "section"])[value].sum().unstack(fill_value=0)
    table = table.reindex(index=layout.index, columns=layout.columns, fill_value=0)
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    return table


def published(
    values: pd.DataFrame, cells: CellTables, k: int, *, counts: bool = True
) -> pd.DataFrame:
    """`values` with hidden cells replaced by markers.

    Counts show "<k" where the count itself is small and "x" where a cell is hidden to protect
    another; days and cost show "x" in every hidden cell (they are not small numbers). When
    the "<k" bounds would disclose a count (`CellTables.ranges_shown`), counts show "x" too.
    """
    out = values.astype(object).copy()
    primary, hidden = cells.citizens.primary, cells.hidden
    for row in out.index:
        for column in out.columns:
            if hidden.at[row, column]:
                small = counts and cells.ranges_shown and bool(primary.at[row, column])
                out.at[row, column] = Hidden(f"<{k}" if small else "x")
    return out


def as_table(
    key: str,
    title: Any,
    frame: pd.DataFrame,
    unit_names: Mapping[Any, Any],
    kind: str,
    note: Any = None,
) -> Table:
    """A published unit x section frame as a report table."""
    columns = [Column("unit", _l("Tilbud"))]
    columns.extend(
        Column(str(c), f"§ {c}" if c != TOTAL else _l("I alt"), kind)  # type: ignore[arg-type]
        for c in frame.columns
    )
    rows = []
    for index in row_order(frame, unit_names):
        label = _l("I alt") if index == TOTAL else unit_names.get(index, str(index))
        rows.append([label, *(_plain(v) for v in frame.loc[index])])
    return Table(key, title, columns, rows, note=note)


def row_order(frame: pd.DataFrame, unit_names: Mapping[Any, Any]) -> list[Any]:
    """The frame's index in the order of the published table: units by name, total last."""
    return sorted(
        frame.index, key=lambda i: (i == TOTAL, str(unit_names.get(i, i)) if i != TOTAL else "")
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Hidden):
        return value
    return float(value) if isinstance(value, float) else int(value)


def section_legend(frame: pd.DataFrame) -> Any:
    """What the section numbers in the columns stand for."""
    labels = [section_label(c) for c in frame.columns if c != TOTAL]
    return Text(lambda: "; ".join(str(label) for label in labels))


def suppression_note(k: int, ranges_shown: bool = True) -> Any:
    """How to read the markers."""
    if not ranges_shown:
        return _l(
            "x: skjult, fordi færre end %(k)s borgere står bag, eller så de små tal ikke kan "
            "regnes ud fra summerne.",
            k=k,
        )
    return _l(
        "<%(k)s: færre end %(k)s borgere, skjult. x: skjult, så de små tal ikke kan regnes ud "
        "fra summerne.",
        k=k,
    )
