"""Reading the files people really have (#18 item 2) and the bad inputs that cannot be read."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from del_tool.imports.reading import (
    FORMULA_WITHOUT_VALUE,
    ReadError,
    find_table,
    parse_date,
    parse_decimal,
    parse_int,
    read_file,
)
from del_tool.imports.sheets import SHEETS, Kind
from tests.imports.conftest import fixture


def read(name: str, **options):
    """`read_file` of a committed fixture."""
    file_name, data = fixture(name)
    return read_file(data, file_name, **options)


def test_cp1252_with_semicolons_a_title_and_a_totals_row():
    [sheet] = read("borgere_cp1252.csv")
    table = find_table(sheet, SHEETS[Kind.CITIZENS].is_header)
    assert table is not None and table.header_row == 3
    assert table.header[1:3] == ["Navn", "Fødselsår"]
    numbers = [n for n, _row in table.rows]
    assert numbers == [4, 5, 6, 7, 8]  # the empty line 9 and the totals line 10 are gone
    assert table.rows[1][1][1] == "Bo Ærø"  # Windows-1252 decoded


def test_utf8_with_bom_and_commas():
    [sheet] = read("ophold.csv")
    assert sheet.rows[0][1][0] == "Ophold-ID"  # no BOM left on the first header
    assert sheet.rows[1][1][2] == "Bostedet Engtoften"


def test_workbook_title_merged_cells_formula_hidden_sheet():
    sheets = {s.name: s for s in read("messy.xlsx")}
    assert set(sheets) == {"Borgere", "Ophold", "Noter"}  # the hidden sheet is not read
    citizens = find_table(sheets["Borgere"], SHEETS[Kind.CITIZENS].is_header)
    assert citizens is not None and citizens.header_row == 3  # under the merged title
    assert [n for n, _r in citizens.rows] == [4, 5, 6]  # "I alt" dropped
    assert citizens.rows[1][1][2] is FORMULA_WITHOUT_VALUE
    stays = sheets["Ophold"].rows
    # C2:C3 merged: row 3 takes the unit of the top-left cell; F2 is a serial without format.
    assert stays[2][1][2] == "Bostedet Engtoften" and stays[1][1][5] == 45658
    named = read("messy.xlsx", sheets=["Gammelt"])
    assert [s.name for s in named] == ["Gammelt"] and named[0].hidden


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("encrypted.xlsx", "beskyttet med adgangskode"),
        ("not_a_spreadsheet.xlsx", "ikke et regneark"),
        ("empty.csv", "filen er tom"),
        ("mixed_encoding.csv", "blander tegnsættene UTF-8 og Windows-1252 (fx linje 1)"),
    ],
)
def test_files_that_cannot_be_read_get_one_clear_line(app, name, message):
    with app.app_context(), pytest.raises(ReadError) as error:
        read(name)
    assert message in str(error.value) and name in str(error.value)
    assert "\n" not in str(error.value)


def test_a_file_over_the_limit(app):
    with app.app_context(), pytest.raises(ReadError, match=r"for stor \(0,0 MB; højst 0,0 MB\)"):
        read_file(b"x" * 2000, "stor.csv", max_bytes=1000)
    assert app.config["IMPORT_MAX_BYTES"] == 50 * 1024 * 1024


def test_a_named_sheet_that_is_not_there(app):
    with app.app_context(), pytest.raises(ReadError, match="intet ark med navnet Foo"):
        read("messy.xlsx", sheets=["Foo"])


def _million_empty_rows() -> bytes:
    """A workbook whose sheet has a header, 1,000,000 empty (formatted) rows and then a value:
    the XML written directly (openpyxl would take minutes to write it)."""
    book = Workbook()
    book.active.append(["Navn"])
    plain = io.BytesIO()
    book.save(plain)
    rows = "".join(f'<row r="{i}" s="1" customFormat="1"/>' for i in range(2, 1_000_002))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main"><dimension ref="A1:A1000002"/><sheetData><row r="1"><c '
        'r="A1" t="inlineStr"><is><t>Navn</t></is></c></row>' + rows + '<row r="1000002"><c '
        'r="A1000002" t="inlineStr"><is><t>Langt nede</t></is></c></row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in source.namelist():
            z.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else source.read(name))
    return out.getvalue()


def test_a_million_empty_rows_end_the_table():
    """The run of empty rows ends the sheet: the value under them is not read, and nothing of
    the million rows is kept (`IMPORT_MAX_EMPTY_ROWS`, default 1000)."""
    [sheet] = read_file(_million_empty_rows(), "tom.xlsx", max_empty_rows=1000)
    assert sheet.rows == [(1, ["Navn"])]


def test_values_as_people_write_them():
    assert parse_date("31.12.2025") == date(2025, 12, 31)
    assert parse_date("1-2-2025") == date(2025, 2, 1)
    assert parse_date("2025-02-01 00:00:00") == date(2025, 2, 1)
    # Excel's serial 45658 is 1 January 2025: 45658 days after 30 December 1899.
    assert parse_date(45658) == date(2025, 1, 1) == parse_date("45658")
    assert parse_date(None) is None
    for bad in ("31.02.2025", "i går", 45658.5, 12):
        with pytest.raises(ValueError, match=r"."):
            parse_date(bad)
    assert parse_decimal("1.234,50") == Decimal("1234.50")
    assert parse_decimal("2,5") == Decimal("2.5") == parse_decimal(2.5)
    assert parse_decimal("1.234") == Decimal(1234)
    assert parse_int("1990,0") == 1990 == parse_int(1990.0)
    with pytest.raises(ValueError, match="whole"):
        parse_int("19,5")
