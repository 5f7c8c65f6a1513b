"""Server-side charts: matplotlib's Figure API (never pyplot), rendered to SVG data URIs.

Charts are embedded as `<img src="data:image/svg+xml;base64,...">` with alt text and a data
table beside them, so pages need no script, the Content-Security-Policy stays strict
(`img-src 'self' data:`), and WeasyPrint puts the same vector charts into PDFs.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cycler import cycler

if TYPE_CHECKING:  # matplotlib is imported where a chart is drawn, not when the app starts
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

#: Colours from Det Fælles Designsystem's palette (primary blue, then contrasting accents).
PALETTE = ("#004993", "#b51a00", "#358000", "#7d2e8e", "#a65e00", "#00667a", "#595959")
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # keep text as text: smaller files, searchable PDFs
    "font.family": ["IBM Plex Sans", "DejaVu Sans", "sans-serif"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": cycler(color=PALETTE),
    "svg.hashsalt": "del",  # deterministic element ids
}


@dataclass(frozen=True, slots=True)
class ChartTable:
    """The data behind a chart, shown as an accessible table next to it."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True, slots=True)
class Chart:
    """A rendered chart with what a screen-reader user and a PDF reader need."""

    data_uri: str
    alt: str
    title: str
    table: ChartTable | None = None
    notes: Sequence[str] = field(default_factory=tuple)
    #: A one-column variant for phones (small multiples stacked), or None.
    narrow_uri: str | None = None


def new_figure(width: float = 7.0, height: float = 3.6) -> Figure:
    """A blank figure in DEL's style (inches)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def localise_numbers(text: str, lang: str) -> str:
    """A tick label as `lang` writes numbers: "1,5" and "−0,5" in Danish; "0" never signed."""
    unsigned = text.lstrip("-\u2212")
    if unsigned != text and unsigned.strip("0.,") == "":
        text = unsigned  # "-0.0" is zero
    if lang == "da":
        text = text.translate(str.maketrans(".,", ",."))
    return text


def localise_ticks(figure: Figure, lang: str) -> None:
    """Number ticks in `lang` on every axis of `figure` that shows plain numbers."""
    from matplotlib.ticker import ScalarFormatter

    class LocalisedFormatter(ScalarFormatter):
        """matplotlib's number ticks (it writes 0.5 and 1,000), in the reader's language."""

        def __call__(self, x: float, pos: int | None = None) -> str:
            return localise_numbers(super().__call__(x, pos), lang)

    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(LocalisedFormatter())


def to_data_uri(figure: Figure) -> str:
    """Render `figure` as an SVG data URI, its number ticks in the reader's language."""
    from matplotlib import rc_context

    from del_tool.i18n import language

    localise_ticks(figure, language())
    buffer = io.BytesIO()
    with rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render(
    figure: Figure,
    *,
    title: str,
    alt: str,
    table: ChartTable | None = None,
    notes: Sequence[str] = (),
) -> Chart:
    """Render `figure` into a Chart with its title, alt text and data table."""
    return Chart(
        data_uri=to_data_uri(figure), alt=alt, title=title, table=table, notes=tuple(notes)
    )


def chart_to_json(chart: Chart) -> dict[str, Any]:
    """A drawn chart as JSON (for the shared store); table cells become the text shown."""
    table = None
    if chart.table is not None:
        table = {
            "headers": [str(h) for h in chart.table.headers],
            "rows": [[str(cell) for cell in row] for row in chart.table.rows],
        }
    return {
        "data_uri": chart.data_uri,
        "alt": chart.alt,
        "title": chart.title,
        "table": table,
        "notes": [str(n) for n in chart.notes],
        "narrow_uri": chart.narrow_uri,
    }


def chart_from_json(data: dict[str, Any]) -> Chart:
    """The chart `chart_to_json` stored."""
    table = data["table"]
    return Chart(
        data_uri=data["data_uri"],
        alt=data["alt"],
        title=data["title"],
        table=ChartTable(table["headers"], table["rows"]) if table else None,
        notes=tuple(data["notes"]),
        narrow_uri=data.get("narrow_uri"),
    )
