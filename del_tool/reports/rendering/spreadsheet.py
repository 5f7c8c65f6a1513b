"""Spreadsheet exports of a report's aggregate tables: XLSX (openpyxl) and CSV (zipped).

Only aggregate tables are exported; lists of named citizens never are. Text cells that a
spreadsheet could take for a formula (starting with = + - @, tab or carriage return) are
neutralised with a leading apostrophe; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.labels import period_heading, rendering_context
from del_tool.reports.common.model import Column, Hidden, Report, Table
from del_tool.reports.rendering.formatting import benchmark_text, is_missing, rounded
from del_tool.reports.rendering.names import about_sheet_name, csv_name, sheet_name

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {"int": "#,##0", "dkk": "#,##0", "date": "dd.mm.yyyy"}


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would read as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell_value(value: Any, column: Column) -> Any:
    """What goes into a spreadsheet cell: rounded numbers, dates, markers or safe text."""
    if isinstance(value, Hidden):
        return value.marker
    if is_missing(value):
        return None
    shown = rounded(value, column.kind, column.decimals)
    if isinstance(shown, int | float | date) and not isinstance(shown, bool):
        return shown
    return neutralise(str(shown))


def _number_format(column: Column) -> str | None:
    if column.kind == "pct":
        return "0" + ("." + "0" * column.decimals if column.decimals else "") + "%"
    if column.kind in ("float", "signed"):
        return "0" + ("." + "0" * column.decimals if column.decimals else "")
    if column.kind == "p":
        return "0.000"
    return NUMBER_FORMATS.get(column.kind)


def _write_table(sheet: Worksheet, table: Table) -> None:
    """Title in A1, note in A2, headers in row 4, values from row 5."""
    sheet["A1"] = neutralise(str(table.title))
    sheet["A1"].font = Font(bold=True, size=12)
    if table.note is not None:
        sheet["A2"] = neutralise(str(table.note))
    for j, column in enumerate(table.columns, start=1):
        header = sheet.cell(row=4, column=j, value=neutralise(str(column.label)))
        header.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(j)].width = 14 if j > 1 else 42
    for i, row in enumerate(table.rows, start=5):
        for j, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            cell = sheet.cell(row=i, column=j, value=cell_value(value, column))
            number_format = _number_format(column)
            if number_format and not isinstance(cell.value, str):
                cell.number_format = number_format


def _write_about(sheet: Worksheet, report: Report) -> None:
    """The report's scope, period, time, key figures and methods."""
    lines: list[list[Any]] = [
        [str(report.title)],
        [str(_l("Omfang")), str(report.scope_label)],
        [str(_l("Periode")), str(period_heading(report.period)), report.period.key],
        [str(_l("Dannet")), report.generated_at.strftime("%d.%m.%Y %H:%M")],
    ]
    lines.extend([str(_l("Filter")), str(f)] for f in report.filter_labels)
    lines.append([])
    lines.append([str(_l("Nøgletal")), str(_l("Værdi")), str(_l("Sammenligning")), str(_l("Note"))])
    for section in report.sections:
        for figure in section.figures:
            column = Column(figure.key, figure.label, figure.kind, figure.decimals)
            note = figure.reason if figure.reason is not None else figure.note
            lines.append(
                [
                    str(figure.label),
                    cell_value(figure.value, column),
                    benchmark_text(figure),
                    None if note is None else str(note),
                ]
            )
    lines.append([])
    lines.extend([str(_l("Metode")), str(m)] for m in report.methods)
    for line in lines:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in line])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 60
    sheet.column_dimensions["B"].width = 22


def render_report_xlsx(report: Report) -> bytes:
    """The report's aggregate tables as an XLSX workbook (one sheet per table)."""
    with rendering_context():
        return _xlsx(report)


def _xlsx(report: Report) -> bytes:
    workbook = Workbook()
    about = workbook.worksheets[0]
    about.title = about_sheet_name()
    _write_about(about, report)
    used = {about.title}
    for table in report.tables():
        _write_table(workbook.create_sheet(sheet_name(table, used)), table)
    workbook.properties.creator = "DEL"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_cell(value: Any, column: Column) -> Any:
    if isinstance(value, Hidden):
        return value.marker
    if is_missing(value):
        return ""
    if column.kind == "pct":
        return round(100 * float(value), column.decimals)
    if column.kind == "date":
        return value.isoformat()
    if column.kind == "text":
        return neutralise(str(value))
    return rounded(value, column.kind, column.decimals)


def table_csv(table: Table) -> str:
    """One table as CSV text (shares in percent; header marks them with %)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [neutralise(str(c.label)) + (" (%)" if c.kind == "pct" else "") for c in table.columns]
    )
    for row in table.rows:
        writer.writerow([_csv_cell(v, c) for v, c in zip(row, table.columns, strict=True)])
    return buffer.getvalue()


def render_report_csv(report: Report) -> bytes:
    """A ZIP with one UTF-8 CSV per aggregate table (named by the table's title)."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with (
        rendering_context(),
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for table in report.tables():
            archive.writestr(csv_name(table, used), "\ufeff" + table_csv(table))
    return buffer.getvalue()
