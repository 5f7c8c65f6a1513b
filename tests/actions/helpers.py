"""A small built report to record actions from (the builders are tested elsewhere)."""

from __future__ import annotations

from datetime import UTC, datetime

from del_tool.reports.common.model import Column, Hidden, KeyFigure, Report, Section, Table
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import Filters


def learning_report(period: str = "2025-Q1", *, share: float = 0.4, n: int = 12) -> Report:
    """A learning report with a key figure, a hidden figure and a table of themes."""
    section = Section(
        key="units",
        title="Tilbud side om side",
        figures=[
            KeyFigure(
                key="reliable_share",
                label="Andel pålideligt forbedret",
                value=share,
                kind="pct",
                decimals=0,
                note=f"n = {n}; 95 %-interval 20-60 %",
            ),
            KeyFigure(key="few", label="Få borgere", value=Hidden("<5"), kind="int"),
        ],
        tables=[
            Table(
                key="themes",
                title="Temaer",
                columns=[
                    Column("theme", "Tema"),
                    Column("n", "Antal", "int"),
                    Column("change", "Ændring", "signed", 1),
                ],
                rows=[["Egenomsorg", n, 0.5], ["Relationer", 8, -0.2]],
            )
        ],
    )
    return Report(
        kind="learning",
        title="Læring",
        scope_label="Tilbud",
        period=parse_period(period),
        filters=Filters(),
        filter_labels=[],
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        sections=[section],
    )
