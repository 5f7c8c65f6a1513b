"""Column widths of the PDF's tables, measured from their texts, and when a table needs a
landscape page.

WeasyPrint lays tables out fastest with `table-layout: fixed`, which trusts the widths it is
given. So the widths come from here: every column gets at least its longest header word (headers
wrap between words, never inside one), its longest number or interval (kept on one line) and its
longest word of text; what is left of the line goes to the columns of text that would like more,
in proportion. A table whose narrowest columns do not fit a portrait page goes on a
landscape page; one that fits neither is set in a smaller type.

Widths are measured with DejaVu Sans, the widest of the PDF's fonts (the one WeasyPrint uses when
IBM Plex Sans is not installed), so the plan holds with either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from del_tool.reports.rendering.display import DisplayTable

if TYPE_CHECKING:
    from matplotlib.ft2font import FT2Font

MM = 72 / 25.4
#: Text width of an A4 page with pdf.html's 16 mm side margins, portrait and landscape (points).
PORTRAIT, LANDSCAPE = (210 - 32) * MM, (297 - 32) * MM
#: Type size of table cells (pdf.html) and the smallest a table is set in to fit (points).
SIZE, SMALLEST = 7.0, 5.5
#: A cell's left plus right padding (pdf.html: 1 mm each side) and a safety margin per column.
PADDING, SLACK = 2 * MM, 1.5
#: How wide a column of text may grow before its text wraps (points).
MAX_TEXT = 62 * MM
#: Tables of at most this many rows are kept on one page (longer ones break between rows, never
#: leaving a single row alone: pdf.html).
KEEP_ROWS = 12


@dataclass(frozen=True, slots=True)
class TablePlan:
    """How the PDF sets one table: column widths (% of the line), page, type size, and whether
    it is short enough to keep on one page."""

    widths: list[float]
    landscape: bool = False
    size: float = SIZE
    keep: bool = True


@cache
def _font(bold: bool) -> FT2Font:
    from matplotlib import font_manager  # matplotlib is loaded anyway when a PDF is drawn
    from matplotlib.ft2font import FT2Font

    weight = "bold" if bold else "normal"
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight=weight))
    font = FT2Font(path)
    font.set_size(1000, 72)
    return font


@cache
def _advance(char: str, bold: bool) -> float:
    """The advance width of `char` at 1 pt."""
    from matplotlib.ft2font import LoadFlags

    glyph = _font(bold).load_char(ord(char), flags=LoadFlags.NO_HINTING)
    return float(glyph.linearHoriAdvance) / 65536 / 1000


def text_width(text: str, size: float = SIZE, *, bold: bool = False) -> float:
    """The width of `text` on one line in points."""
    return size * sum(_advance(char, bold) for char in text)


def _widest_word(texts: Sequence[str], *, bold: bool) -> float:
    return max((text_width(word, bold=bold) for t in texts for word in t.split()), default=0.0)


def _widest_line(texts: Sequence[str], *, bold: bool) -> float:
    return max((text_width(t, bold=bold) for t in texts), default=0.0)


def _needs(table: DisplayTable) -> tuple[list[float], list[float]]:
    """Each column's narrowest and wished-for width at the standard type size."""
    narrowest, wished = [], []
    for index, (label, numeric) in enumerate(table.headers):
        cells = [row[index] for row in table.rows]
        bold = index == 0  # row labels are header cells
        header = _widest_word([label], bold=True)
        if numeric:
            least = max(header, _widest_line(cells, bold=bold))
            wish = least
        else:
            least = max(header, _widest_word(cells, bold=bold))
            wish = max(least, min(_widest_line(cells, bold=bold), MAX_TEXT))
        narrowest.append(least + PADDING + SLACK)
        wished.append(wish + PADDING + SLACK)
    return narrowest, wished


def plan_table(table: DisplayTable) -> TablePlan:
    """Column widths, page orientation and type size for `table` in the PDF."""
    if not table.headers:
        return TablePlan([])
    narrowest, wished = _needs(table)
    total = sum(narrowest)
    landscape = total > PORTRAIT
    line = LANDSCAPE if landscape else PORTRAIT
    size = SIZE
    if total > line:  # even landscape is too narrow: smaller type, same proportions
        size = max(SMALLEST, SIZE * line / total)
        narrowest = [w * line / total for w in narrowest]
        wished = list(narrowest)
    widths = _spread(narrowest, wished, line)
    percent = [100 * w / sum(widths) for w in widths]
    return TablePlan(percent, landscape, round(size, 2), len(table.rows) <= KEEP_ROWS)


def _spread(narrowest: list[float], wished: list[float], line: float) -> list[float]:
    """Widths from the narrowest: the rest of the line first to columns wishing for more (in
    proportion to their wish), then what is still left to all in proportion."""
    widths = list(narrowest)
    spare = line - sum(widths)
    wants = [w - n for n, w in zip(narrowest, wished, strict=True)]
    wanted = sum(wants)
    if wanted > 0:
        share = min(1.0, spare / wanted)
        widths = [w + want * share for w, want in zip(widths, wants, strict=True)]
        spare = line - sum(widths)
    if spare > 0:
        widths = [w * line / sum(widths) for w in widths]
    return widths
