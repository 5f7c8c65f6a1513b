"""Empty results say so once (issue #16, item 9): no empty charts, no header-only tables.

A report whose scope, period and filters match no stay becomes one clear message (in the page,
the PDF and the spreadsheet alike, since they are all made from the same model); in a report
with data, a table without rows or a chart without points is replaced by a sentence saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from del_tool.reports.common.context import ReportContext, scope_text
from del_tool.reports.common.labels import Text
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Report, ReportKind, Section

TITLES = {
    "effect": _l("Effektrapport"),
    "documentation": _l("Dokumentationsrapport"),
    "learning": _l("Læringsrapport"),
    "economy": _l("Økonomirapport"),
    "supervision": _l("Dokumentation til Socialtilsynet"),
}


def emptied(kind: str, ctx: ReportContext) -> Report:
    """The report of a selection without stays: one message, nothing to draw or tabulate."""
    labels = ctx.filter_labels()
    filters = Text(lambda: ", ".join(str(label) for label in labels))
    message = (
        _l(
            "Ingen borgere var i ophold i perioden med de valgte filtre (%(filters)s). Vælg en "
            "anden periode, et andet omfang eller færre filtre.",
            filters=filters,
        )
        if labels
        else _l(
            "Ingen borgere var i ophold i perioden. Vælg en anden periode eller et andet omfang."
        )
    )
    report_kind: ReportKind = kind  # type: ignore[assignment]
    return Report(
        kind=report_kind,
        title=TITLES.get(kind, kind),
        scope_label=scope_text(ctx),
        period=ctx.period,
        filters=ctx.filters,
        filter_labels=labels,
        generated_at=ctx.generated_at,
        sections=[Section("summary", _l("Kort fortalt"), messages=[message])],
    )


def without_empty_parts(report: Report) -> Report:
    """Tables without rows and charts without data replaced by one sentence each."""
    for section in report.sections:
        kept_tables = []
        for table in section.tables:
            if table.rows:
                kept_tables.append(table)
            else:
                section.messages.append(_l("%(title)s: ingen data i perioden.", title=table.title))
        section.tables = kept_tables
        kept_charts = []
        for chart in section.charts:
            if has_data(chart):
                kept_charts.append(chart)
            else:
                section.messages.append(_l("%(title)s: ingen data i perioden.", title=chart.title))
        section.charts = kept_charts
    return report


def has_data(chart: ChartSpec) -> bool:
    """Whether a chart has anything to draw: some list in its data is not empty."""
    sequences = [v for v in chart.data.values() if _is_sequence(v)]
    if not sequences:
        return True  # a chart of single values (drawn from scalars) is never "empty"
    return any(len(v) > 0 for v in sequences)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)
