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


#: Offsets (in points, from the point to the label's lower left corner) tried in turn; `w` is
#: the label's width. Right of the point first, where the eye looks for it.
_OFFSETS = (
    (4.0, 2.0, 0.0),
    (4.0, -9.0, 0.0),
    (-4.0, 2.0, -1.0),
    (-4.0, -9.0, -1.0),
    (0.0, 6.0, -0.5),
    (0.0, -14.0, -0.5),
)


def place_labels(
    figure: Figure, ax: Any, xs: Sequence[float], ys: Sequence[float], texts: Sequence[str]
) -> None:
    """Write each text beside its point where it covers no label placed before it, no other
    point and nothing outside the axes (a PDF with text over text cannot be read).

    The figure's layout is settled first, so that the positions tested are the drawn ones;
    widths are estimated from the font size. A label with no free place goes ever further
    out above its point.
    """
    figure.draw_without_rendering()
    scale = figure.dpi / 72.0
    frame = ax.get_window_extent()
    points = ax.transData.transform(np.column_stack([xs, ys]))
    taken = [(x - 3 * scale, y - 3 * scale, x + 3 * scale, y + 3 * scale) for x, y in points]
    height = LABEL_SIZE * 1.1 * scale
    for (x, y), text in zip(points, texts, strict=True):
        width = (0.62 * LABEL_SIZE * len(text) + 1.0) * scale
        candidates = [(dx * scale + f * width, dy * scale) for dx, dy, f in _OFFSETS]
        candidates += [(4.0 * scale, (2.0 + 9.0 * i) * scale) for i in range(1, 12)]
        chosen = candidates[0]
        for dx, dy in candidates:
            box = (x + dx, y + dy, x + dx + width, y + dy + height)
            inside = frame.x0 <= box[0] and box[2] <= frame.x1 and frame.y0 <= box[1]
            if inside and box[3] <= frame.y1 and not any(_overlap(box, t) for t in taken):
                chosen = (dx, dy)
                break
        dx, dy = chosen
        taken.append((x + dx, y + dy, x + dx + width, y + dy + height))
        ax.annotate(
            text,
            ax.transData.inverted().transform((x, y)),
            xytext=(dx / scale, dy / scale),
            textcoords="offset points",
            fontsize=LABEL_SIZE,
            va="bottom",
            ha="left",
        )


#: Font size of the labels beside points.
LABEL_SIZE = 7.0


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
