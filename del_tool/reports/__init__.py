"""Reports: documentation, effect, learning, economy, and council summaries for municipalities.

The flow is queries -> builders -> renderers:

- ``queries``: narrow SQL into pandas frames (one query per need, filtering and joins in SQL).
- builders turn frames into report data (``data.Report``) with every statistic from
  ``del_tool.stats``: ``documentation``, ``effect``, ``learning``, ``economy``, ``council``.
- ``charts`` draws a report's charts (``del_tool.charts``); ``render`` gives the web page and
  the PDF (WeasyPrint); ``export`` the XLSX workbook and the CSV archive.
- ``views`` (blueprint ``reports``), ``cli`` (``del-tool reports council``), ``services``.

The entry points, also used by the benchmark (no request needed; rendering uses the app's
default language outside a request):

``build_effect_report(*, session, scope, period, filters=None, viewer=None, today=None)``
    The effect report's data without rendering. ``scope`` comes from
    ``selection.resolve_scope("region" | "centre:ID" | "unit:ID", session=...)``, ``period`` from
    ``period.parse_period("2026Q3")``. ``build_documentation_report``, ``build_learning_report``
    and ``build_economy_report`` take the same arguments; ``viewer`` (a user's ``Scope``) makes
    the builder refuse scopes outside it (``AccessDeniedError``) and decides whether names show.
``build_council_summary(*, session, municipality_code, period, viewer=None, benchmark=None)``
    The council summary's data; ``benchmark`` (``council.region_benchmark``) can be shared.
``render_report_html(report)``, ``render_report_pdf(report)``, ``render_report_xlsx(report)``,
``render_report_csv(report)``
    A page (str), a PDF, an XLSX workbook, a ZIP of CSV files (bytes).
``build_council_pack(*, session, municipality_code, period, benchmark=None) -> (pdf, xlsx)``
    One municipality's pack for a customer-council meeting.
"""

from __future__ import annotations

from del_tool.reports.council import build_council_summary, region_benchmark
from del_tool.reports.documentation import build_documentation_report
from del_tool.reports.economy import build_economy_report
from del_tool.reports.effect import build_effect_report
from del_tool.reports.export import render_report_csv, render_report_xlsx
from del_tool.reports.learning import build_learning_report
from del_tool.reports.period import Period, PeriodError, parse_period
from del_tool.reports.render import render_report_html, render_report_pdf
from del_tool.reports.selection import Filters, ReportScope, resolve_scope
from del_tool.reports.services import build_council_pack

__all__ = [
    "Filters",
    "Period",
    "PeriodError",
    "ReportScope",
    "build_council_pack",
    "build_council_summary",
    "build_documentation_report",
    "build_economy_report",
    "build_effect_report",
    "build_learning_report",
    "parse_period",
    "region_benchmark",
    "render_report_csv",
    "render_report_html",
    "render_report_pdf",
    "render_report_xlsx",
    "resolve_scope",
]
