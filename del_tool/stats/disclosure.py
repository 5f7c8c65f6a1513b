"""Statistical disclosure control for count tables: primary and complementary cell suppression.

References
----------
Hundepool, A., et al. (2012). Statistical Disclosure Control. Wiley, chapter 7 (cell suppression
in magnitude and frequency tables; the "no single suppressed cell in a row or column" rule).
Cox, L. H. (1980). Suppression methodology and statistical disclosure control. JASA, 75, 377-385.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from del_tool.stats.disclosure_audit import protect_intervals

IntArray = npt.NDArray[np.int64]
BoolMatrix = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class SuppressedTable:
    """A count table with its totals and which cells are hidden (primary or complementary)."""

    values: pd.DataFrame
    primary: pd.DataFrame
    suppressed: pd.DataFrame
    k: int
    n_primary: int
    n_complementary: int
    method: str
    disclosed: tuple[tuple[Any, Any], ...] = ()

    def render(
        self, primary_marker: str | None = None, complementary_marker: str = "x"
    ) -> pd.DataFrame:
        """The table as strings, hidden cells replaced by markers (default "<k" and "x")."""
        marker = f"<{self.k}" if primary_marker is None else primary_marker
        shown = self.values.astype(str)
        shown = shown.mask(self.suppressed & ~self.primary, complementary_marker)
        return shown.mask(self.primary, marker)


def may_show(n: int, k: int = 5) -> bool:
    """Whether a statistic computed over n citizens may be shown (n >= k)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return n >= k


def suppress_small_cells(
    table: pd.DataFrame, k: int = 5, total_label: str = "Total"
) -> SuppressedTable:
    """Hide counts that could identify citizens, so that no hidden count can be worked out.

    The table of non-negative integer counts is extended with row totals, column totals and the
    grand total (labelled ``total_label``); the totals are published and protected like any cell.

    Primary suppression: every count from 1 to k-1 (totals included). Zeros are shown: a zero
    reveals nothing about any citizen, and hiding it would be noise.

    Complementary suppression, repeated until nothing changes: (1) a row or column of the extended
    table with exactly one hidden cell gets a second one, its smallest visible non-zero cell
    (a zero only if no non-zero cell is left), preferring interior cells over totals; (2) a hidden
    cell whose value still follows from the published margins - in graph terms a bridge in the
    graph whose nodes are rows and columns and whose edges are hidden cells - gets a partner:
    the smallest visible cell that closes a cycle through it. When the loop ends every hidden
    cell lies on a cycle of hidden cells, which is exactly the condition under which the row and
    column equations leave it undetermined.

    (3) Interval protection (`disclosure_audit`): the "<k" marker tells a reader that a hidden
    cell holds 1..k-1 and "x" that it holds at least k, and with those bounds cells the margins
    leave free can still be forced to one value (two "<5" cells adding up to 2 are both 1).
    Such cells get further suppression until they are free; the few that no single further
    suppression frees (often the structure gives them away, e.g. four "<5" cells whose total is
    "<5") are listed in ``disclosed`` (row and column labels) so that the caller can publish
    less, for example by marking every hidden cell "x" without the "<k" range.

    Hidden cells are marked in ``suppressed`` (``primary`` for the small counts) and rendered by
    ``SuppressedTable.render``; values keep the true counts for internal use. The protection is
    of exact values: a reader may still narrow a hidden count to a range within 1..k-1.
    Negative, fractional or missing counts raise ValueError.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    counts = _validated_counts(table)
    extended = _extend(counts)
    primary = (extended >= 1) & (extended < k)
    hidden = primary.copy()
    _complete_suppression(extended, hidden)
    pinned = protect_intervals(extended, hidden, k, _complete_suppression)
    values = _frame(extended, table, total_label)
    return SuppressedTable(
        values=values,
        primary=pd.DataFrame(primary, index=values.index, columns=values.columns),
        suppressed=pd.DataFrame(hidden, index=values.index, columns=values.columns),
        k=k,
        n_primary=int(primary.sum()),
        n_complementary=int((hidden & ~primary).sum()),
        method=f"primary suppression of counts 1..{k - 1}; complementary suppression on rows, "
        "columns and totals until no hidden cell follows from the margins, nor any small cell "
        "from the margins and the markers' bounds",
        disclosed=tuple((values.index[r], values.columns[c]) for r, c in pinned),
    )


def _validated_counts(table: pd.DataFrame) -> IntArray:
    """The interior counts as an integer matrix (programmer error if not counts)."""
    frame = pd.DataFrame(table)
    try:
        raw = frame.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("table must contain numeric counts") from exc
    if np.any(~np.isfinite(raw)) or np.any(raw < 0) or np.any(raw != np.round(raw)):
        raise ValueError("table must contain non-negative whole counts without missing values")
    return raw.astype(np.int64)


def _extend(counts: IntArray) -> IntArray:
    """Append row totals, column totals and the grand total."""
    with_rows = np.column_stack([counts, counts.sum(axis=1)])
    return np.vstack([with_rows, with_rows.sum(axis=0)])


def _frame(extended: IntArray, table: pd.DataFrame, total_label: str) -> pd.DataFrame:
    """The extended matrix with the original labels plus the total labels."""
    frame = pd.DataFrame(table)
    index = [*list(frame.index), total_label]
    columns = [*list(frame.columns), total_label]
    return pd.DataFrame(extended, index=index, columns=columns)


def _complete_suppression(values: IntArray, hidden: BoolMatrix) -> None:
    """Add complementary suppressions in place until no hidden cell is determined."""
    while True:
        changed = _fix_single_hidden(values, hidden)
        if not changed:
            bridge = _find_bridge(hidden)
            if bridge is None:
                return
            _fix_bridge(values, hidden, bridge)


def _fix_single_hidden(values: IntArray, hidden: BoolMatrix) -> bool:
    """Rule (1): give every row/column with exactly one hidden cell a second one."""
    changed = False
    for axis in (0, 1):
        lines = hidden if axis == 0 else hidden.T
        for line in np.flatnonzero(lines.sum(axis=1) == 1):
            cell = _smallest_visible_in_line(values, hidden, axis, int(line))
            if cell is not None:
                hidden[cell] = True
                changed = True
    return changed


def _smallest_visible_in_line(
    values: IntArray, hidden: BoolMatrix, axis: int, line: int
) -> tuple[int, int] | None:
    """The cell to hide in row (axis 0) or column (axis 1) ``line``."""
    n_other = hidden.shape[1 - axis]
    candidates = [(line, j) if axis == 0 else (j, line) for j in range(n_other)]
    return _pick(values, hidden, candidates)


def _pick(
    values: IntArray, hidden: BoolMatrix, candidates: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """Smallest visible candidate: non-zero before zero, interior before totals, then value."""
    last_row, last_col = values.shape[0] - 1, values.shape[1] - 1
    visible = [c for c in candidates if not hidden[c]]
    if not visible:
        return None

    def order(cell: tuple[int, int]) -> tuple[bool, bool, int, tuple[int, int]]:
        is_total = cell[0] == last_row or cell[1] == last_col
        return (values[cell] == 0, is_total, int(values[cell]), cell)

    return min(visible, key=order)


def _find_bridge(hidden: BoolMatrix) -> tuple[int, int] | None:
    """A hidden cell (an edge row-column) that lies on no cycle of hidden cells, if any."""
    rows, cols = np.nonzero(hidden)
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        hidden[r, c] = False
        _, reachable_cols = _component(hidden, ("row", r))
        hidden[r, c] = True
        if c not in reachable_cols:
            return (r, c)
    return None


def _fix_bridge(values: IntArray, hidden: BoolMatrix, bridge: tuple[int, int]) -> None:
    """Rule (2): hide the smallest visible cell joining the two sides of the bridge.

    Without the bridge, row r's side and column c's side fall apart; a hidden cell from a row on
    c's side to a column on r's side closes a cycle through the bridge. Both sides have such
    nodes because rule (1) has already given every row and column two or more hidden cells.
    """
    r, c = bridge
    hidden[r, c] = False
    _, r_side_cols = _component(hidden, ("row", r))
    c_side_rows, _ = _component(hidden, ("col", c))
    hidden[r, c] = True
    candidates = [(i, j) for i in sorted(c_side_rows) for j in sorted(r_side_cols)]
    cell = _pick(values, hidden, candidates)
    if cell is None:  # pragma: no cover - impossible after rule (1), kept as a guard
        raise RuntimeError("complementary suppression found no cell to hide")
    hidden[cell] = True


def _component(hidden: BoolMatrix, start: tuple[str, int]) -> tuple[set[int], set[int]]:
    """Rows and columns reachable from ``start`` ("row" or "col", index) via hidden cells."""
    rows: set[int] = {start[1]} if start[0] == "row" else set()
    cols: set[int] = {start[1]} if start[0] == "col" else set()
    frontier = [start]
    while frontier:
        kind, idx = frontier.pop()
        neighbours = np.flatnonzero(hidden[idx] if kind == "row" else hidden[:, idx]).tolist()
        found, next_kind = (cols, "col") if kind == "row" else (rows, "row")
        for other in neighbours:
            if other not in found:
                found.add(other)
                frontier.append((next_kind, other))
    return rows, cols
