"""Small helpers shared by the report charts: colours, number formats, rendering."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from del_tool.charts import PALETTE, Chart, ChartTable, render
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.labels import number
from del_tool.reports.common.model import ChartSpec

BLUE, RED, GREEN, PURPLE, ORANGE, TEAL, GREY = PALETTE


def pct(value: float | None) -> str:
    """A share (0-1) as a percentage in the reader's language."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{number(100 * value, 0)} %"


def num(value: float | None, decimals: int = 2) -> str:
    """A number in the reader's language, a dash when missing."""
    if value is None or not np.isfinite(value):
        return "–"
    return number(value, decimals)


def finish(
    figure: Figure,
    spec: ChartSpec,
    alt: str,
    headers: Sequence[Any],
    rows: Sequence[Sequence[Any]],
) -> Chart:
    """Render the figure with the spec's title and notes, the alt text and the data table."""
    table = ChartTable([str(h) for h in headers], [[str(c) for c in row] for row in rows])
    return render(
        figure,
        title=str(spec.title),
        alt=alt,
        table=table,
        notes=[str(note) for note in spec.notes],
    )


def set_better_up(
    ax: Any, span: Sequence[float], higher_is_better: bool, *, both: bool = False
) -> None:
    """Limit the score axis to the scale's range with the better end up (and, with `both`, the
    x axis with the better end right): a lower-is-better scale is drawn upside down."""
    low, high = span
    ends = (low, high) if higher_is_better else (high, low)
    ax.set_ylim(*ends)
    if both:
        ax.set_xlim(*ends)


def best_end(span: Sequence[float], higher_is_better: bool) -> str:
    """Where the raw scale's best end is, for an axis label: "0 er bedst"."""
    best = span[1] if higher_is_better else span[0]
    return str(_l("%(best)s er bedst", best=num(best, 0)))
