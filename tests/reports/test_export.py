"""PDF, XLSX and CSV hold the page's numbers; spreadsheet cells cannot smuggle formulas."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from del_tool.organisation.models import Unit
from del_tool.reports.common.labels import rendering_context
from del_tool.reports.common.model import Column, Report, Section, Table
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import NO_FILTERS, resolve_scope
from del_tool.reports.effect.report import build_effect_report
from del_tool.reports.rendering.formatting import format_value
from del_tool.reports.rendering.names import content_disposition, download_name
from del_tool.reports.rendering.pages import render_report_html, render_report_pdf
from del_tool.reports.rendering.spreadsheet import (
    cell_value,
    neutralise,
    render_report_csv,
    render_report_xlsx,
)
from tests.reports.world import TODAY

PERIOD = parse_period("2025-07-01..2026-09-30")


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_text_that_looks_like_a_formula_is_neutralised(text):
    assert neutralise(text) == "'" + text
    assert cell_value(text, Column("label", "x")) == "'" + text


def test_numbers_stay_numbers_even_when_negative():
    assert cell_value(-0.1234, Column("d", "d", "signed", 2)) == -0.12
    assert cell_value(0.5837, Column("s", "s", "pct", 1)) == 0.584
    assert cell_value(1234567.8, Column("c", "c", "dkk")) == 1234568
    assert neutralise("Bostedet") == "Bostedet"


def _hostile_report():
    table = Table(
        "hostile",
        "=cmd|' /C calc'!A0",
        [Column("unit", "@Tilbud"), Column("change", "Ændring", "signed", 2)],
        [['=HYPERLINK("http://x")', -1.25], ["-Bosted", 2.0]],
    )
    section = Section("s", "Afsnit", tables=[table])
    generated = datetime(2026, 10, 1, tzinfo=UTC)
    return Report("effect", "Rapport", "Omfang", PERIOD, NO_FILTERS, [], generated, [section])


def test_xlsx_and_csv_neutralise_hostile_labels_and_keep_numbers(app):
    report = _hostile_report()
    sheet = load_workbook(io.BytesIO(render_report_xlsx(report))).worksheets[1]
    assert sheet["A1"].value.startswith("'=") and sheet["A4"].value == "'@Tilbud"
    assert sheet["A5"].value.startswith("'=HYPERLINK") and sheet["A5"].data_type == "s"
    assert sheet["B5"].value == -1.25 and sheet["A6"].value == "'-Bosted"
    archive = zipfile.ZipFile(io.BytesIO(render_report_csv(report)))
    (name,) = archive.namelist()
    rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert rows[0] == ["'@Tilbud", "Ændring"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "-1.25"] and rows[2] == ["'-Bosted", "2.0"]


def test_pdf_and_xlsx_hold_the_numbers_of_the_page(session, world):
    scope = resolve_scope(f"centre:{world.centres['X']}", session=session)
    report = build_effect_report(session=session, scope=scope, period=PERIOD, today=TODAY)
    html = render_report_html(report)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=render_report_pdf(report),
        capture_output=True,
        check=True,
    ).stdout.decode()
    workbook = load_workbook(io.BytesIO(render_report_xlsx(report)))
    about = {
        row[0]: row[1]
        for row in workbook["Om rapporten"].iter_rows(values_only=True)
        if row and row[0]
    }
    for figure in report.section("summary").figures:
        shown = format_value(figure.value, figure.kind, figure.decimals)
        assert shown in html and shown.replace(" ", "") in text.replace(" ", "")
        assert format_value(about[str(figure.label)], figure.kind, figure.decimals) == shown
    assert "Side 1" in text and scope.name in text and PERIOD.start.strftime("%d.%m.%Y") in text
    table = report.table("effect_admission")
    sheet = workbook[str(table.title)[:31]]
    for row, sheet_row in zip(
        table.rows, sheet.iter_rows(min_row=5, values_only=True), strict=True
    ):
        for value, cell, column in zip(row, sheet_row, table.columns, strict=True):
            if column.kind in ("signed", "float", "int") and value is not None:
                shown = format_value(value, column.kind, column.decimals)
                assert format_value(cell, column.kind, column.decimals) == shown
                assert shown in html


def test_csv_archive_has_one_file_per_aggregate_table(session, world):
    scope = resolve_scope(f"unit:{world.units['A']}", session=session)
    report = build_effect_report(session=session, scope=scope, period=PERIOD, today=TODAY)
    archive = zipfile.ZipFile(io.BytesIO(render_report_csv(report)))
    titles = [str(t.title) for t in report.tables()]
    names = archive.namelist()
    assert len(names) == len(set(names)) == len(titles)  # one file per table, named by its title
    assert "Siden-indskrivning.csv" in names
    name = session.get(Unit, world.units["A"]).name
    assert all(name not in archive.read(file).decode() for file in names)


def test_exports_are_named_in_the_readers_language(session, world):
    scope = resolve_scope(f"unit:{world.units['A']}", session=session)
    report = build_effect_report(session=session, scope=scope, period=PERIOD, today=TODAY)
    with rendering_context("en"):
        assert download_name(report, "pdf").startswith("DEL-Effect-report-Unit-")
        sheets = load_workbook(io.BytesIO(render_report_xlsx(report))).sheetnames
        csvs = zipfile.ZipFile(io.BytesIO(render_report_csv(report))).namelist()
    assert sheets[0] == "About the report" and "Since admission" in sheets
    assert "Since-admission.csv" in csvs
    assert all(len(name) <= 31 for name in sheets) and len(set(sheets)) == len(sheets)
    header = content_disposition("DEL-Økonomirapport-Åløkken-2026K3.pdf")
    assert header.startswith('attachment; filename="DEL-Oekonomirapport-Aaloekken-2026K3.pdf"')
    assert "filename*=UTF-8''DEL-%C3%98konomirapport-%C3%85l%C3%B8kken-2026K3.pdf" in header
