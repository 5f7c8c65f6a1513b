"""Rendering built reports: the web page's body, the PDF (WeasyPrint) and downloads' names.

Rendering needs a request context for the reader's language; commands and the benchmark get one
from `labels.rendering_context`, which uses the app's default language (Danish).
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from del_tool.charts import Chart
from del_tool.reports.common.labels import language, period_heading, period_label, rendering_context
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Report
from del_tool.reports.rendering.display import display_table
from del_tool.reports.rendering.formatting import benchmark_text, format_value


def template_values(
    report: Report, *, pdf: bool = False, charts: dict[str, Chart] | None = None
) -> dict[str, Any]:
    """What the report templates need: the report, its charts and the formatters."""
    from del_tool.reports.rendering.charts.draw import draw_all  # matplotlib: only when drawing
    from del_tool.reports.rendering.pdf_tables import plan_table

    return {
        "report": report,
        "charts": draw_all(report) if charts is None else charts,
        "fmt": format_value,
        "bench": benchmark_text,
        "show": display_table,
        "plan": plan_table,
        "period_text": period_label(report.period),
        "period_heading": period_heading(report.period),
        "language": language(),
        "pdf": pdf,
    }


def render_report_html(
    report: Report, *, charts: dict[str, Chart] | None = None, **page: Any
) -> str:
    """The report as a full web page (`page` adds the view's form and links; `charts` may be
    charts drawn earlier for the same report and language)."""
    with rendering_context():
        values = template_values(report, charts=charts)
        return render_template("reports/page.html", **values, **page)


def report_pdf_html(
    report: Report, *, locale: str | None = None, charts: dict[str, Chart] | None = None
) -> str:
    """The HTML WeasyPrint turns into the report's PDF (tests check the PDF against it)."""
    with rendering_context(locale):
        return render_template(
            "reports/pdf.html",
            **template_values(report, pdf=True, charts=charts),
            page_word=str(_l("Side")),
            generated_word=str(_l("Dannet")),
        )


def render_report_pdf(
    report: Report, *, locale: str | None = None, charts: dict[str, Chart] | None = None
) -> bytes:
    """The report as a PDF with the page's charts (drawn now unless given), page numbers,
    period, scope and time."""
    return pdf_from_html(report_pdf_html(report, locale=locale, charts=charts))


def pdf_from_html(html: str) -> bytes:
    """A PDF from `report_pdf_html`'s HTML."""
    from weasyprint import HTML  # 0.6 s to import: only when a PDF is made

    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf
