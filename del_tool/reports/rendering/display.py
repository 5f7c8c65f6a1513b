"""Tables as the page and the PDF show them: intervals in one cell, remarks as footnotes.

The spreadsheet keeps every number in its own column; people read "−0,22 til −0,10" more easily
than two columns, and a remark under the table more easily than a narrow column of prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Table
from del_tool.reports.rendering.formatting import format_value

NOTE_KEYS = ("note",)
LOW, HIGH = "_low", "_high"
RANGE_SUFFIXES = (", nedre", ", lower")


@dataclass(frozen=True, slots=True)
class DisplayTable:
    """Headers (label, numeric?), rows of display strings, and numbered remarks."""

    key: str
    title: Any
    headers: list[tuple[str, bool]]
    rows: list[list[str]]
    remarks: list[tuple[int, str]] = field(default_factory=list)
    note: Any = None


def _plan(columns: list[Column]) -> list[tuple[int, ...]]:
    """Groups of column indexes shown as one: pairs of *_low/*_high, else single columns."""
    groups: list[tuple[int, ...]] = []
    i = 0
    while i < len(columns):
        key = columns[i].key
        if (
            i + 1 < len(columns)
            and key.endswith(LOW)
            and columns[i + 1].key == key[: -len(LOW)] + HIGH
        ):
            groups.append((i, i + 1))
            i += 2
            continue
        if key not in NOTE_KEYS:
            groups.append((i,))
        i += 1
    return groups


def _header(columns: list[Column], group: tuple[int, ...]) -> tuple[str, bool]:
    column = columns[group[0]]
    label = str(column.label)
    if len(group) == 2:
        for suffix in RANGE_SUFFIXES:
            label = label.removesuffix(suffix)
    return label, column.kind != "text"


def _cell(row: Any, columns: list[Column], group: tuple[int, ...]) -> str:
    first = columns[group[0]]
    text = format_value(row[group[0]], first.kind, first.decimals)
    if len(group) == 1:
        return text
    second = columns[group[1]]
    high = format_value(row[group[1]], second.kind, second.decimals)
    if text == "–" and high == "–":
        return "–"
    return str(_l("%(low)s til %(high)s", low=text, high=high))


def display_table(table: Table) -> DisplayTable:
    """The table ready for HTML or PDF."""
    columns = list(table.columns)
    groups = _plan(columns)
    note_index = next((i for i, c in enumerate(columns) if c.key in NOTE_KEYS), None)
    remarks: dict[str, int] = {}
    rows = []
    for row in table.rows:
        cells = [_cell(row, columns, group) for group in groups]
        remark = row[note_index] if note_index is not None else None
        if remark is not None and str(remark):
            number = remarks.setdefault(str(remark), len(remarks) + 1)
            cells[0] = f"{cells[0]} ({number})"
        rows.append(cells)
    return DisplayTable(
        key=table.key,
        title=table.title,
        headers=[_header(columns, group) for group in groups],
        rows=rows,
        remarks=[(n, text) for text, n in remarks.items()],
        note=table.note,
    )
