"""Interval audit of a suppressed count table: can a reader pin down a hidden small count?

Equations alone are not the whole story. A reader of a published table also knows what the
markers say: a "<k" cell holds 1..k-1 (zeros are shown), an "x" cell is not small, so it holds
at least k. With those bounds, hidden cells that the row and column equations leave free can
still be forced to one value: two "<5" cells whose sum is 2 are both 1. This module finds such
cells by linear programming (Hundepool et al. 2012, section 7.3, "interval protection";
the equations of a two-way table with margins are totally unimodular, so the LP bounds are
whole numbers) and adds suppression until none is left, where that is possible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

IntArray = npt.NDArray[np.int64]
BoolMatrix = npt.NDArray[np.bool_]
Cell = tuple[int, int]
Completion = Callable[[IntArray, BoolMatrix], None]


def pinned_cells(values: IntArray, hidden: BoolMatrix, k: int) -> list[Cell]:
    """Hidden small cells (1..k-1) whose least and greatest feasible values coincide.

    ``values`` is the table extended with its row totals (last column), column totals (last
    row) and grand total; ``hidden`` marks the unpublished cells. The reader's bounds: a small
    hidden cell lies in [1, k-1], another hidden non-zero cell in [k, inf), a hidden zero in
    [0, inf).

    The true values are feasible, so a cell is pinned exactly when both its maximising and its
    minimising solution keep its true value. Every LP solution (a vertex, whole-numbered since the
    equations are totally unimodular) also frees each other small cell it moves, so most cells
    need no LP of their own.
    """
    cells = [(int(r), int(c)) for r, c in np.argwhere(hidden)]
    true = np.array([values[cell] for cell in cells], dtype=float)
    open_ = {i for i, value in enumerate(true) if 1 <= value < k}
    if not open_:
        return []
    a_eq, b_eq = _equations(values, hidden, cells)
    bounds = [_bounds(int(value), k) for value in true]
    found = []
    for i in sorted(open_):
        if i not in open_:
            continue
        for sign in (-1.0, 1.0):  # maximise first: most small cells can grow
            solution = _extreme(i, sign, len(cells), a_eq, b_eq, bounds)
            if solution is None:  # unbounded: the cell can be as large as you like
                open_.discard(i)
                break
            open_ -= {j for j in open_ if abs(solution[j] - true[j]) > 0.5}
            if i not in open_:
                break
        else:
            found.append(cells[i])
            open_.discard(i)
    return sorted(found)


def protect_intervals(
    values: IntArray, hidden: BoolMatrix, k: int, complete: Completion
) -> list[Cell]:
    """Hide more cells until no small cell is pinned, where possible; return those still pinned.

    For each pinned cell the visible non-zero cells of its row and column (then of the whole
    table) are tried in the order of complementary suppression - interior before totals,
    smallest first; the first whose hiding (followed by ``complete``, the margin rules) frees
    the cell is kept. A cell no single extra suppression frees is left pinned and returned, so
    that the caller publishes less (the council tables then mark no ranges). Sometimes the
    table's structure itself gives it away (four "<5" cells whose total is "<5" are all 1);
    sometimes two extra suppressions would have freed it, which this greedy search does not try.
    """
    stuck: set[Cell] = set()
    while True:
        pinned = [cell for cell in pinned_cells(values, hidden, k) if cell not in stuck]
        if not pinned:
            return sorted(set(pinned_cells(values, hidden, k)))
        cell = pinned[0]
        if not _free(values, hidden, k, cell, complete):
            stuck.add(cell)


def _free(values: IntArray, hidden: BoolMatrix, k: int, cell: Cell, complete: Completion) -> bool:
    """Hide the first candidate that frees `cell` (in place); False if none does."""
    for candidate in _candidates(values, hidden, cell):
        trial = hidden.copy()
        trial[candidate] = True
        complete(values, trial)
        if cell not in pinned_cells(values, trial, k):
            hidden[:] = trial
            return True
    return False


def _candidates(values: IntArray, hidden: BoolMatrix, cell: Cell) -> list[Cell]:
    """Visible non-zero cells, those in the cell's row and column first, then by preference."""
    last_row, last_col = values.shape[0] - 1, values.shape[1] - 1
    visible = [(int(r), int(c)) for r, c in np.argwhere(~hidden & (values > 0))]

    def order(other: Cell) -> tuple[bool, bool, int, Cell]:
        in_line = other[0] == cell[0] or other[1] == cell[1]
        is_total = other[0] == last_row or other[1] == last_col
        return (not in_line, is_total, int(values[other]), other)

    return sorted(visible, key=order)


def _equations(
    values: IntArray, hidden: BoolMatrix, cells: list[Cell]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Row and column sum equations in the hidden cells, published cells moved to the right."""
    n_rows, n_cols = values.shape
    index = {cell: i for i, cell in enumerate(cells)}
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    rows, rhs = [], []
    for line in lines:
        coefficients, right = np.zeros(len(cells)), 0.0
        for pos, cell in enumerate(line):
            sign = -1.0 if pos == len(line) - 1 else 1.0  # the last cell is the line's total
            if hidden[cell]:
                coefficients[index[cell]] += sign
            else:
                right -= sign * float(values[cell])
        if coefficients.any():
            rows.append(coefficients)
            rhs.append(right)
    return np.array(rows), np.array(rhs)


def _bounds(value: int, k: int) -> tuple[float, float | None]:
    """What the marker tells a reader about a hidden cell of this (true) value."""
    if 1 <= value < k:
        return (1.0, float(k - 1))
    return (float(k), None) if value > 0 else (0.0, None)


def _extreme(
    i: int,
    sign: float,
    n: int,
    a_eq: npt.NDArray[np.float64],
    b_eq: npt.NDArray[np.float64],
    bounds: list[tuple[float, float | None]],
) -> npt.NDArray[np.float64] | None:
    """A feasible solution minimising sign * x_i; None when x_i is unbounded that way."""
    objective = np.zeros(n)
    objective[i] = sign
    result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if result.status == 3:
        return None
    if result.status != 0:  # pragma: no cover - the true values are always feasible
        raise RuntimeError(f"interval audit failed: {result.message}")
    return np.asarray(result.x, dtype=float)
