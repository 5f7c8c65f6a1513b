"""Reading tables from the spreadsheets people really have (issue #18 item 2).

XLSX is read with openpyxl in read-only mode; with defusedxml installed (a dependency) openpyxl
parses every part of the file through it, so a workbook with XML entity tricks (billion
laughs, external entities) is refused rather than expanded. openpyxl rather than
python-calamine because DEL already writes its spreadsheets with openpyxl (reports, the import
template's drop-down lists), and because only it shows a formula cell *without* a cached value
as such: calamine reads it as an empty cell, which an import would take for a blank field.

The sheet is streamed (`_XlsxSheet`): rows are taken as they are parsed, a run of
`IMPORT_MAX_EMPTY_ROWS` empty rows ends the table (a sheet formatted down to row 1,048,576 is
read in a second or two), and merged ranges, which the file lists after the rows, give every
cell of a range the value of its top-left cell. CSV is UTF-8 (with or without BOM) or
Windows-1252, `;` or `,` between fields, whichever the first lines use.

Every failure to read a file is a `ReadError` with one translated line naming the file.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l

#: A row of the file with its row number (1 is the first line or spreadsheet row).
NumberedRow = tuple[int, list[Any]]
#: Default limits (config IMPORT_MAX_BYTES and IMPORT_MAX_EMPTY_ROWS override them).
MAX_BYTES = 50 * 1024 * 1024
MAX_EMPTY_ROWS = 1000
#: The header is looked for in this many rows at the top (a title and notes above it).
HEADER_SEARCH_ROWS = 30
#: Words a totals row under a table starts with (normalised).
TOTALS_WORDS = ("ialt", "total", "sum", "samlet")
#: Excel's day 0 (the 1900 date system; openpyxl converts cells with a date format itself).
EXCEL_EPOCH = date(1899, 12, 30)
#: Serial numbers read as dates when a date is expected: 1 January 1901 to 31 December 2099.
SERIAL_RANGE = (367, 73050)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_DATE_PATTERNS = (
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
)
#: Text that is mostly UTF-8 read as Windows-1252 ("Ã¸" for "ø"): a file of mixed encodings.
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u0152-\u02dc\u2013-\u203a\u20ac\u2122]")


class ReadError(ValueError):
    """The file cannot be read at all; `message` is one translated line."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True, slots=True)
class CellProblem:
    """A cell whose value cannot be taken: a formula without a cached value, an error value."""

    reason: Any


#: What an XLSX cell holds when its formula was never calculated (saved by a program that does
#: not calculate, or with calculation off): refused with a reason, never read as empty.
FORMULA_WITHOUT_VALUE = CellProblem(
    _l(
        "Cellen indeholder en formel uden gemt resultat. Åbn filen i Excel, lad den beregne, "
        "og gem igen (eller indsæt værdierne)."
    )
)


@dataclass(slots=True)
class Sheet:
    """The rows of one sheet (or CSV file), each with its number; empty rows are left out."""

    name: str
    rows: list[NumberedRow]
    hidden: bool = False


@dataclass(slots=True)
class Table:
    """A sheet's header (found below any title) and the rows under it."""

    name: str
    header: list[str]
    header_row: int
    rows: list[NumberedRow] = field(default_factory=list)


def normalise(text: Any) -> str:
    """Lower case, Danish letters and accents folded (ø -> o, å -> a, æ -> ae), letters and
    digits only: "Tilbuds-ID" -> "tilbudsid", "Målgruppe" -> "malgruppe"."""
    if isinstance(text, str):
        return _normalised(text)  # a sheet repeats its choices: each is folded once
    return _normalised(str(text or ""))


@lru_cache(maxsize=16384)
def _normalised(text: str) -> str:
    value = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    value = unicodedata.normalize("NFKD", value)
    return "".join(c for c in value if c.isalnum() and not unicodedata.combining(c))


def header_key(text: Any) -> str:
    """A header cell `normalise`d; a header that is only "§" means the legal section."""
    key = normalise(text)
    if not key and "§" in str(text or ""):
        return "paragraf"
    return key


def is_empty(value: Any) -> bool:
    """Whether a cell holds nothing (None, or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


# -- files -----------------------------------------------------------------------------------


def read_file(
    data: bytes,
    file_name: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_empty_rows: int = MAX_EMPTY_ROWS,
    sheets: Iterable[str] | None = None,
) -> list[Sheet]:
    """The sheets of an XLSX workbook (hidden ones only when named in `sheets`; with `sheets`,
    only those) or the one table of a CSV file, recognised by content, not by name.

    Raises ReadError for a file over `max_bytes`, an empty file, a password-protected or old
    (.xls) workbook, a file that is not a spreadsheet, or a named sheet the workbook lacks.
    """
    if len(data) > max_bytes:
        raise ReadError(
            _l(
                "%(name)s: filen er for stor (%(size)s MB; højst %(limit)s MB).",
                name=file_name,
                size=_megabytes(len(data)),
                limit=_megabytes(max_bytes),
            )
        )
    if not data.strip():
        raise ReadError(_l("%(name)s: filen er tom.", name=file_name))
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTION_INFO in data:
            raise ReadError(
                _l(
                    "%(name)s: regnearket er beskyttet med adgangskode. Gem det uden "
                    "adgangskode, og prøv igen.",
                    name=file_name,
                )
            )
        raise ReadError(
            _l(
                "%(name)s: et gammelt Excel-format (.xls). Gem filen som .xlsx eller CSV.",
                name=file_name,
            )
        )
    if data.startswith(_ZIP_MAGIC):
        return read_xlsx(data, file_name, sheets=sheets, max_empty_rows=max_empty_rows)
    if b"\x00" in data[:4096] or data.startswith(b"%PDF"):
        raise ReadError(not_a_spreadsheet(file_name))
    return [Sheet(name=file_name, rows=_numbered(read_csv(data, file_name), max_empty_rows))]


def not_a_spreadsheet(file_name: str) -> Any:
    """The message for a file DEL cannot read as a table."""
    return _l(
        "%(name)s: ikke et regneark. DEL læser XLSX- og CSV-filer.",
        name=file_name,
    )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def read_csv(data: bytes, file_name: str) -> list[list[Any]]:
    """The rows of a CSV file: UTF-8 (BOM or not) or Windows-1252, `;` or `,` between fields.

    Raises ReadError when the lines mix the two encodings (part of the file saved from another
    program): guessing would turn "ø" into "Ã¸" in some rows and not in others.
    """
    text = _decode(data, file_name)
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _decode(data: bytes, file_name: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        return text
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ReadError(
            _l(
                "%(name)s: tegnsættet kendes ikke. Gem filen som CSV (UTF-8).",
                name=file_name,
            )
        ) from error
    for number, line in enumerate(text.splitlines(), start=1):
        if _MOJIBAKE.search(line):
            raise ReadError(
                _l(
                    "%(name)s: filen blander tegnsættene UTF-8 og Windows-1252 (fx linje "
                    "%(line)s). Gem hele filen som CSV (UTF-8).",
                    name=file_name,
                    line=number,
                )
            )
    return text


def _numbered(rows: Iterable[list[Any]], max_empty_rows: int) -> list[NumberedRow]:
    """Non-empty rows with their numbers; a run of `max_empty_rows` empty rows ends the table."""
    out: list[NumberedRow] = []
    empty = 0
    for number, row in enumerate(rows, start=1):
        if all(is_empty(c) for c in row):
            empty += 1
            if empty >= max_empty_rows:
                break
            continue
        empty = 0
        out.append((number, row))
    return out


# -- XLSX ------------------------------------------------------------------------------------


def read_xlsx(
    data: bytes,
    file_name: str,
    *,
    sheets: Iterable[str] | None = None,
    max_empty_rows: int = MAX_EMPTY_ROWS,
) -> list[Sheet]:
    """The sheets of a workbook; see `read_file`."""
    from openpyxl import load_workbook

    if not _is_workbook_zip(data):
        raise ReadError(not_a_spreadsheet(file_name))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of error for a damaged file
        raise ReadError(
            _l("%(name)s: regnearket kan ikke læses (det er måske beskadiget).", name=file_name)
        ) from error
    try:
        wanted = list(sheets) if sheets is not None else None
        if wanted is not None:
            missing = [s for s in wanted if s not in workbook.sheetnames]
            if missing:
                raise ReadError(
                    _l(
                        "%(name)s: der er intet ark med navnet %(sheet)s.",
                        name=file_name,
                        sheet=missing[0],
                    )
                )
        out = []
        for worksheet in workbook.worksheets:
            hidden = worksheet.sheet_state != "visible"
            if wanted is not None and worksheet.title not in wanted:
                continue
            if wanted is None and hidden:
                continue
            rows = _XlsxSheet(workbook, worksheet).rows(max_empty_rows)
            out.append(Sheet(name=worksheet.title, rows=rows, hidden=hidden))
        return out
    finally:
        workbook.close()


def _is_workbook_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


class _XlsxSheet:
    """One worksheet streamed with openpyxl's own cell parser (`WorkSheetParser.parse_row`),
    so dates, shared strings and numbers are read as openpyxl reads them, while the loop here
    notices formulas without a cached value, stops at a run of empty rows, keeps no parsed
    element in memory, and picks up the merged ranges listed after the rows."""

    def __init__(self, workbook: Any, worksheet: Any) -> None:
        self.workbook, self.worksheet = workbook, worksheet

    def rows(self, max_empty_rows: int) -> list[NumberedRow]:
        """The non-empty rows, merged ranges filled from their top-left cells."""
        from openpyxl.worksheet._reader import (
            FORMULA_TAG,
            ROW_TAG,
            WorkSheetParser,
        )
        from openpyxl.xml.constants import SHEET_MAIN_NS
        from openpyxl.xml.functions import iterparse

        merge_tag, data_tag = f"{{{SHEET_MAIN_NS}}}mergeCell", f"{{{SHEET_MAIN_NS}}}sheetData"
        source = self.workbook._archive.open(self.worksheet._worksheet_path)
        parser = WorkSheetParser(
            source,
            self.worksheet._shared_strings,
            data_only=True,
            epoch=self.workbook.epoch,
            date_formats=self.workbook._date_formats,
            timedelta_formats=self.workbook._timedelta_formats,
        )
        out: list[NumberedRow] = []
        merges: list[str] = []
        empty, collecting = 0, True
        sheet_data = None
        try:
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start":
                    if element.tag == data_tag:
                        sheet_data = element
                    continue
                if element.tag == ROW_TAG:
                    if collecting:
                        number, cells = parser.parse_row(element)
                        row = self._values(cells, element, FORMULA_TAG)
                        if row is None:
                            empty += 1
                            collecting = empty < max_empty_rows
                        else:
                            empty = 0
                            out.append((number, row))
                    if sheet_data is not None:
                        sheet_data.clear()  # parsed rows are not kept
                elif element.tag == merge_tag:
                    merges.append(str(element.get("ref", "")))
        finally:
            source.close()
        return _fill_merged(out, merges)

    @staticmethod
    def _values(cells: list[dict[str, Any]], element: Any, formula_tag: str) -> list[Any] | None:
        """The row's values by column (None when the row is empty)."""
        if not cells:
            return None
        formulas = {c.get("r") for c in element if c.find(formula_tag) is not None and c.get("r")}
        width = max(c["column"] for c in cells)
        row: list[Any] = [None] * width
        found = False
        for cell in cells:
            value = cell["value"]
            if value is None and formulas and _coordinate(cell) in formulas:
                value = FORMULA_WITHOUT_VALUE
            elif cell["data_type"] == "e":
                value = CellProblem(
                    _l("Cellen viser en fejl (%(error)s) i stedet for en værdi.", error=value)
                )
            row[cell["column"] - 1] = value
            found = found or not is_empty(value)
        return row if found else None


def _coordinate(cell: dict[str, Any]) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(cell['column'])}{cell['row']}"


def _fill_merged(rows: list[NumberedRow], merges: list[str]) -> list[NumberedRow]:
    """Every cell of a merged range takes the value of the range's top-left cell."""
    if not merges:
        return rows
    from openpyxl.utils import range_boundaries

    by_number = dict(rows)
    for ref in merges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        top = by_number.get(min_row)
        if top is None or min_col is None or len(top) < min_col:
            continue
        value = top[min_col - 1]
        for number in range(min_row, (max_row or min_row) + 1):
            row = by_number.get(number)
            if row is None:
                continue  # an empty row in the range stays out (it was not read)
            for column in range(min_col, (max_col or min_col) + 1):
                while len(row) < column:
                    row.append(None)
                if is_empty(row[column - 1]):
                    row[column - 1] = value
    return rows


# -- the table in a sheet ----------------------------------------------------------------------


def find_table(sheet: Sheet, is_header: Any) -> Table | None:
    """The table of a sheet: the header is the first of the top rows for which `is_header`
    (a callable taking the normalised cell texts) is true; the rows under it, less any totals
    rows at the end. None when no row qualifies."""
    for index, (number, row) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        if is_header([header_key(c) for c in row]):
            header = ["" if c is None else str(c).strip() for c in row]
            body = strip_totals(sheet.rows[index + 1 :])
            return Table(name=sheet.name, header=header, header_row=number, rows=body)
    return None


def strip_totals(rows: list[NumberedRow]) -> list[NumberedRow]:
    """`rows` without the totals rows ("I alt", "Total", "Sum ...") at the end."""
    end = len(rows)
    while end and is_totals_row(rows[end - 1][1]):
        end -= 1
    return rows[:end]


def is_totals_row(row: list[Any]) -> bool:
    """Whether the first text of a row says it sums up the rows above."""
    for cell in row:
        if isinstance(cell, str) and cell.strip():
            return normalise(cell).startswith(TOTALS_WORDS)
    return False


# -- values ------------------------------------------------------------------------------------


def parse_date(value: Any) -> date | None:
    """A date from a cell: a date or datetime, an Excel serial number, or text as dd.mm.yyyy,
    dd-mm-yyyy, dd/mm/yyyy or ISO yyyy-mm-dd (a time after it is ignored). None when empty;
    ValueError when it is not a date."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _serial_date(float(value))
    text = str(value).strip()
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _serial_date(float(text))
    text = re.split(r"[ T]", text, maxsplit=1)[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
    raise ValueError(f"not a date: {text[:20]!r}")


def _serial_date(serial: float) -> date:
    if serial != int(serial) or not SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
        raise ValueError(f"not a date serial: {serial}")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def parse_decimal(value: Any) -> Decimal | None:
    """A number from a cell: a number, or text with a decimal comma ("2,5", "1.234,50") or a
    decimal point ("1234.50"). None when empty; ValueError when it is not a number."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")  # "1.234" is one thousand two hundred and thirty-four
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError("not a number") from error
    if not number.is_finite():
        raise ValueError("not a number")
    return number


def parse_int(value: Any) -> int | None:
    """A whole number from a cell ("1984", 1984.0, "1.984" is not one). None when empty."""
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    return int(number)


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (an id typed as a number), dates as
    dd.mm.yyyy."""
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def iter_problems(row: list[Any]) -> Iterator[tuple[int, CellProblem]]:
    """The cells of a row that hold a problem instead of a value, by index."""
    for index, value in enumerate(row):
        if isinstance(value, CellProblem):
            yield index, value
