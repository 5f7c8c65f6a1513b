"""Names a reader sees outside the page: download files, XLSX sheets and the CSVs in a ZIP,
in the reader's language (issue #16, item 10), never ids such as "effect_admission".

File names keep the letters æ, ø and å (sent as RFC 6266 `filename*`, UTF-8) with a plain
ASCII fallback for old clients; sheet names obey Excel's rules (at most 31 characters, none of
``[]:*?/\\``, unique in the workbook).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from del_tool.reports.common.labels import language
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Report, Table

KIND_NAMES = {
    "effect": _l("Effektrapport"),
    "documentation": _l("Dokumentationsrapport"),
    "learning": _l("Læringsrapport"),
    "economy": _l("Økonomirapport"),
    "supervision": _l("Dokumentation til Socialtilsynet"),
    "council": _l("Kommunerapport"),
}
_FILE_UNSAFE = re.compile(r"[^\w.-]+")
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]+")
_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
SHEET_MAX = 31


def period_name(report: Report) -> str:
    """The period as a file name part: 2026K3 (2026Q3 in English), 01.10.2025-30.09.2026."""
    period = report.period
    if period.kind == "custom":
        return f"{period.start:%d.%m.%Y}-{period.end:%d.%m.%Y}"
    return period.key.replace("Q", "K") if language() == "da" else period.key


def download_name(report: Report, extension: str) -> str:
    """ "DEL-Effektrapport-Tilbud-Botilbuddet-Strandhuse-2026K3.pdf": the kind, what the
    report covers (the municipality, for a council summary) and the period."""
    kind = str(KIND_NAMES.get(report.kind, report.kind))
    covers = report.audience if report.kind == "council" else report.scope_label
    parts = ["DEL", kind, str(covers or ""), period_name(report)]
    stem = _FILE_UNSAFE.sub("-", " ".join(p for p in parts if p)).strip("-.")
    return f"{stem[:150]}.{extension}"


def content_disposition(name: str) -> str:
    """An attachment header carrying the UTF-8 name with an ASCII fallback (RFC 6266)."""
    fallback = _ascii(name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return "".join(c for c in plain if c.isascii() and c not in '"\\').strip() or "DEL"


def about_sheet_name() -> str:
    """The first sheet, about the report."""
    return str(_l("Om rapporten"))


def sheet_name(table: Table, used: set[str]) -> str:
    """The table's title as a unique Excel sheet name."""
    return _unique(_SHEET_UNSAFE.sub(" ", str(table.title)).strip("' ") or table.key, used)


def csv_name(table: Table, used: set[str]) -> str:
    """The table's title as a unique CSV file name in the ZIP."""
    stem = _FILE_UNSAFE.sub("-", str(table.title)).strip("-.") or table.key
    return _unique(stem, used, 80) + ".csv"


def _unique(name: str, used: set[str], limit: int = SHEET_MAX) -> str:
    candidate = name[:limit].rstrip()
    counter = 2
    while candidate.lower() in {u.lower() for u in used}:
        suffix = f" ({counter})"
        candidate = name[: limit - len(suffix)].rstrip() + suffix
        counter += 1
    used.add(candidate)
    return candidate
