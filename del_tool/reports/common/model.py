"""Report data: what builders produce and renderers show (HTML, PDF, XLSX, CSV).

Builders fill these objects with numbers and lazily translated labels; nothing here renders or
computes. Labels are `flask_babel.lazy_gettext` strings, so a report built once can be rendered
in the reader's language, and building needs no request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from del_tool.reports.common.period import Period
from del_tool.reports.common.selection import Filters

#: How a value is shown: count, decimal number, share (0-1 shown as %), DKK, text.
#: "p" is a p-value: shown with three decimals, and as "< 0,001" below that (never "0,000").
ValueKind = Literal["int", "float", "signed", "pct", "dkk", "text", "date", "p"]
ReportKind = Literal["documentation", "effect", "learning", "economy", "supervision", "council"]


@dataclass(frozen=True, slots=True)
class Hidden:
    """A suppressed cell or figure: shown as its marker ("<5" primary, "x" complementary)."""

    marker: str

    def __str__(self) -> str:
        """The marker."""
        return self.marker


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: key, label, how values are shown and with how many decimals."""

    key: str
    label: Any
    kind: ValueKind = "text"
    decimals: int = 0


@dataclass(frozen=True, slots=True)
class Table:
    """An aggregate table (or, when `personal`, a list of named citizens not exported)."""

    key: str
    title: Any
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    note: Any = None
    personal: bool = False

    def column(self, key: str) -> list[Any]:
        """The values of one column, top to bottom."""
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def row(self, first: Any) -> Sequence[Any]:
        """The row whose first cell is `first` (KeyError if none)."""
        for row in self.rows:
            if row[0] == first:
                return row
        raise KeyError(first)


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """One headline number with its n and method, or the reason it cannot be given."""

    key: str
    label: Any
    value: Any
    kind: ValueKind = "int"
    decimals: int = 0
    note: Any = None
    reason: Any = None
    benchmark: Any = None
    benchmark_label: Any = None


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """What to draw (kind + data); `reports.charts` turns it into a rendered chart."""

    key: str
    kind: str
    title: Any
    data: dict[str, Any]
    notes: Sequence[Any] = ()


@dataclass(slots=True)
class Section:
    """A part of a report answering one question, with figures, charts, tables and messages."""

    key: str
    title: Any
    question: Any = None
    intro: Any = None
    figures: list[KeyFigure] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    messages: list[Any] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Report:
    """A built report: what it covers, its sections and how it was computed."""

    kind: ReportKind
    title: Any
    scope_label: Any
    period: Period
    filters: Filters
    filter_labels: list[Any]
    generated_at: datetime
    sections: list[Section]
    methods: list[Any] = field(default_factory=list)
    listed_citizens: list[int] = field(default_factory=list)
    audience: Any = None

    def section(self, key: str) -> Section:
        """The section with this key (KeyError if none)."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def table(self, key: str) -> Table:
        """The table with this key in any section (KeyError if none)."""
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise KeyError(key)

    def figure(self, key: str) -> KeyFigure:
        """The key figure with this key in any section (KeyError if none)."""
        for section in self.sections:
            for figure in section.figures:
                if figure.key == key:
                    return figure
        raise KeyError(key)

    def tables(self, *, include_personal: bool = False) -> list[Table]:
        """Every table, in order; named lists only when asked for."""
        return [t for s in self.sections for t in s.tables if include_personal or not t.personal]
