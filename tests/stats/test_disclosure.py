"""Tests for del_tool.stats.disclosure (primary and complementary cell suppression).

Suppression patterns depend on the algorithm, so no published table can be reproduced cell for
cell; the tests check the defining rules (Hundepool et al. 2012, ch. 7): every count 1..k-1 is
hidden, no row or column of the table with its totals has exactly one hidden cell, and - the
property that matters - no hidden cell can be solved from the published cells and totals.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from del_tool.stats import may_show, suppress_small_cells


def derivable_cells(values: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells whose value the row and column equations of the extended table determine.

    Independent of the implementation: a hidden cell h is determined exactly when the unit vector
    e_h lies in the row space of the equations restricted to the hidden cells, i.e. adding e_h
    does not raise the rank.
    """
    n_rows, n_cols = values.shape
    equations = []
    for i in range(n_rows):  # each row: sum of interior cells - its total = 0
        eq = np.zeros((n_rows, n_cols))
        eq[i, :-1], eq[i, -1] = 1, -1
        equations.append(eq.ravel())
    for j in range(n_cols):  # each column likewise
        eq = np.zeros((n_rows, n_cols))
        eq[:-1, j], eq[-1, j] = 1, -1
        equations.append(eq.ravel())
    cells = np.flatnonzero(hidden.ravel())
    if cells.size == 0:
        return []
    system = np.array(equations)[:, cells]
    rank = np.linalg.matrix_rank(system)
    found = []
    for pos, cell in enumerate(cells):
        unit = np.zeros(cells.size)
        unit[pos] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.append(divmod(int(cell), n_cols))
    return found


def pinned_cells(values: np.ndarray, hidden: np.ndarray, k: int) -> list[tuple[int, int]]:
    """Small (primary) hidden cells whose exact value a reader can work out.

    A reader knows the published cells, that rows and columns add up to their totals, that a
    "<k" cell lies in 1..k-1 (zeros are shown) and that an "x" cell is not one of those, so it
    is 0 or at least k. With every "x" cell of a non-zero value bounded below by k (the
    strongest reading), a small cell is disclosed when its least and greatest feasible values
    coincide (linear programming; the table's equations are totally unimodular, so the LP
    bounds are whole numbers).
    """
    n_rows, n_cols = values.shape
    cells = [tuple(c) for c in np.argwhere(hidden)]
    index = {cell: i for i, cell in enumerate(cells)}
    a_eq, b_eq = [], []
    lines = [[(r, c) for c in range(n_cols - 1)] + [(r, n_cols - 1)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows - 1)] + [(n_rows - 1, c)] for c in range(n_cols)]
    for line in lines:
        row, rhs = np.zeros(len(cells)), 0.0
        for pos, cell in enumerate(line):
            sign = -1.0 if pos == len(line) - 1 else 1.0
            if cell in index:
                row[index[cell]] += sign
            else:
                rhs -= sign * values[cell]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    small = [(1 <= values[c] < k) for c in cells]
    bounds = [
        (1, k - 1) if s else ((k, None) if values[c] > 0 else (0, None))
        for c, s in zip(cells, small, strict=True)
    ]
    found = []
    for i, cell in enumerate(cells):
        if not small[i]:
            continue
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(cells))
            objective[i] = sign
            res = linprog(objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs")
            ends.append(np.inf if res.status == 3 else sign * res.fun)
        if ends[1] - ends[0] < 0.5:
            found.append(cell)
    return found


def test_small_cells_are_not_pinned_by_the_markers_and_totals():
    # The council summary of a municipality with 8 citizens (demo data, 2026Q3): one citizen
    # under § 85 and one under § 103, six under § 108 spread over four units. Hiding the two
    # column totals 1 and 1 on a cycle left the equations undetermined, yet their sum was
    # 8 - 6 = 2 and each "<5" is at least 1, so both were 1: the citizens were disclosed.
    table = pd.DataFrame(
        [[0, 0, 1], [0, 0, 1], [1, 0, 0], [0, 0, 2], [0, 0, 2], [0, 1, 0]],
        columns=["85", "103", "108"],
    )
    res = suppress_small_cells(table)
    values, hidden = res.values.to_numpy(), res.suppressed.to_numpy()
    assert derivable_cells(values, hidden) == []
    assert pinned_cells(values, hidden, 5) == []
    assert res.disclosed == ()
    assert res.suppressed.loc["Total", "108"]  # the § 108 total 6 is hidden too now


def test_cells_the_structure_gives_away_are_reported():
    # Four "<5" cells in a row whose total is "<5": each is 1 whatever else is hidden.
    res = suppress_small_cells(pd.DataFrame([[1, 1, 1, 1]]))
    assert res.suppressed.to_numpy().all()
    assert (0, 0) in res.disclosed and len(res.disclosed) == 10


def test_checker_detects_a_lone_hidden_cell():
    values = np.array([[3, 10, 13], [7, 8, 15], [10, 18, 28]])
    hidden = np.zeros_like(values, dtype=bool)
    hidden[0, 0] = True
    assert derivable_cells(values, hidden) == [(0, 0)]


def test_example_table():
    table = pd.DataFrame(
        [[12, 3, 20], [8, 15, 1], [30, 7, 9]], index=["A", "B", "C"], columns=["x", "y", "z"]
    )
    res = suppress_small_cells(table)
    assert list(res.values.index) == ["A", "B", "C", "Total"]
    assert res.values.loc["Total", "Total"] == 105
    assert res.primary.loc["A", "y"]
    assert res.primary.loc["B", "z"]
    assert (res.n_primary, res.n_complementary) == (2, 4)
    shown = res.render()
    assert shown.loc["A", "y"] == "<5"
    assert shown.loc["A", "x"] == "x"
    assert shown.loc["A", "z"] == "20"
    assert derivable_cells(res.values.to_numpy(), res.suppressed.to_numpy()) == []


def test_zeros_are_shown_and_totals_protected():
    res = suppress_small_cells(pd.DataFrame([[0, 2], [0, 30]]))
    assert not res.suppressed.iloc[0, 0]
    assert res.primary.iloc[0, 1]
    assert res.primary.iloc[0, 2]  # the row total 2 is itself a small count
    assert derivable_cells(res.values.to_numpy(), res.suppressed.to_numpy()) == []


def test_bridge_between_two_hidden_cycles_is_closed():
    # Two 2x2 blocks of small counts joined by one small count: every row and column has two
    # hidden cells, yet the joining cell follows from the margins until it is put on a cycle.
    counts = np.full((5, 5), 50)
    for cell in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]:
        counts[cell] = 2
    res = suppress_small_cells(pd.DataFrame(counts))
    assert res.n_complementary >= 1
    assert derivable_cells(res.values.to_numpy(), res.suppressed.to_numpy()) == []


def test_nothing_to_hide():
    res = suppress_small_cells(pd.DataFrame([[10, 0], [7, 22]]))
    assert not res.suppressed.to_numpy().any()
    assert res.render().iloc[0, 1] == "0"


def test_empty_and_single_cell_tables():
    empty = suppress_small_cells(pd.DataFrame())
    assert empty.values.shape == (1, 1)
    single = suppress_small_cells(pd.DataFrame([[3]]))
    assert single.suppressed.to_numpy().all()


def test_k_and_bad_input():
    res = suppress_small_cells(pd.DataFrame([[2, 9], [9, 9]]), k=3)
    assert res.render().iloc[0, 0] == "<3"
    with pytest.raises(ValueError, match="non-negative whole counts"):
        suppress_small_cells(pd.DataFrame([[1.5, 2]]))
    with pytest.raises(ValueError, match="non-negative whole counts"):
        suppress_small_cells(pd.DataFrame([[-1, 2]]))
    with pytest.raises(ValueError, match="k must be"):
        suppress_small_cells(pd.DataFrame([[1]]), k=0)


def test_may_show():
    assert may_show(5)
    assert not may_show(4)
    assert not may_show(0)
    assert may_show(3, k=3)
    with pytest.raises(ValueError, match="k must be"):
        may_show(3, k=0)


_tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(
                st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 15, 40]), min_size=cols, max_size=cols
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=120, deadline=None)
@given(_tables, st.sampled_from([3, 5]))
def test_no_hidden_cell_is_derivable(rows, k):
    res = suppress_small_cells(pd.DataFrame(rows), k=k)
    values = res.values.to_numpy()
    hidden = res.suppressed.to_numpy()
    assert derivable_cells(values, hidden) == []
    # Every small cell a reader can still pin down from margins and markers is reported, so
    # that the caller can drop the markers' ranges (the council tables do).
    pinned = pinned_cells(values, hidden, k)
    labels = [(res.values.index[r], res.values.columns[c]) for r, c in pinned]
    assert sorted(labels, key=str) == sorted(res.disclosed, key=str)
    small = (values >= 1) & (values < k)
    assert (hidden[small]).all()  # every small count, totals included, is hidden
    assert not res.primary.to_numpy()[values == 0].any()  # zeros are never primary
    assert not (hidden.sum(axis=0) == 1).any()
    assert not (hidden.sum(axis=1) == 1).any()


@settings(max_examples=80, deadline=None)
@given(_tables, st.sampled_from([3, 5]), st.randoms(use_true_random=False))
def test_the_audit_finds_exactly_the_cells_two_lps_per_cell_find(rows, k, rnd):
    # Any pattern of hidden cells, not only those suppression leaves: the audit's shortcut
    # (one LP solution frees every cell it moves) must agree with the plain min/max per cell.
    from del_tool.stats.disclosure import _extend
    from del_tool.stats.disclosure_audit import pinned_cells as audit_pinned

    values = _extend(np.array(rows, dtype=np.int64))
    hidden = np.array([[rnd.random() < 0.5 for _ in row] for row in values])
    hidden |= (values >= 1) & (values < k)
    assert audit_pinned(values, hidden, k) == sorted(pinned_cells(values, hidden, k))
