"""The organisation import's web side without the request: the checked upload kept server-side
until it is confirmed, the columns each kind of file reads, and the tariff template.

The dry run keeps the uploaded file in the shared store (`del_tool.store`, as the questionnaire
wording's preview keeps its upload) under its SHA-256, the kind and the uploader: the
confirmation names that hash, gets exactly the bytes that were checked (the hash is checked
again), and only the user who uploaded them can confirm them. Nothing is written to the
database before the confirmation; an unconfirmed upload expires.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.admin.organisation import operator_condition
from del_tool.organisation import offers_import, tariffs_import
from del_tool.organisation.models import Centre, Unit
from del_tool.organisation.org_import import OrgKind
from del_tool.store import get_store

#: An organisation file is hundreds of rows; a larger one is not an organisation file.
MAX_BYTES = 2 * 1024 * 1024
#: Seconds a checked upload waits for its confirmation.
PENDING_SECONDS = 3600
_PREFIX = "org-import:"


@dataclass(frozen=True, slots=True)
class Pending:
    """A checked upload waiting for its confirmation."""

    data: bytes
    file_name: str
    places_from: date | None


def _key(kind: OrgKind, user_id: int, digest: str) -> str:
    return f"{_PREFIX}{kind.value}:{user_id}:{digest}"


def keep_upload(
    kind: OrgKind, *, user_id: int, data: bytes, file_name: str, places_from: date | None
) -> str:
    """Keep a checked upload for its confirmation; returns its SHA-256 (the key)."""
    digest = hashlib.sha256(data).hexdigest()
    store = get_store()
    key = _key(kind, user_id, digest)
    store.put_file(key, data, ttl=PENDING_SECONDS)
    about = {"file_name": file_name, "places_from": places_from.isoformat() if places_from else ""}
    store.put_json(key + ":about", about, ttl=PENDING_SECONDS)
    return digest


def take_upload(kind: OrgKind, *, user_id: int, digest: str) -> Pending | None:
    """The upload `user_id` kept under `digest`, if it is still there and is what was checked."""
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        return None
    store = get_store()
    key = _key(kind, user_id, digest)
    data, about = store.get_file(key), store.get_json(key + ":about")
    if data is None or not isinstance(about, dict) or hashlib.sha256(data).hexdigest() != digest:
        return None
    day = str(about.get("places_from") or "")
    try:
        places_from = date.fromisoformat(day) if day else None
    except ValueError:
        return None
    return Pending(
        data=data, file_name=str(about.get("file_name") or "fil"), places_from=places_from
    )


def forget_upload(kind: OrgKind, *, user_id: int, digest: str) -> None:
    """Drop a kept upload (once it is written)."""
    store = get_store()
    key = _key(kind, user_id, digest)
    store.delete(key)
    store.delete(key + ":about")


@dataclass(frozen=True, slots=True)
class ColumnHelp:
    """A column as the upload page explains it."""

    header: Any
    required: bool
    help: Any


TARIFF_HELP: dict[str, Any] = {
    "offer_id": _l("Tilbuddets id fra Tilbudsportalen, som under Tilbud. Eller brug Tilbud."),
    "centre": _l("Centrets navn; kun nødvendigt, hvis to centre har et tilbud med samme navn."),
    "unit": _l("Tilbuddets navn, som det står under Tilbud. Eller brug Tilbuds-ID."),
    "legal_section": _l("85, 103, 104, 107 eller 108 (også »§ 107« eller »SEL § 107«)."),
    "level": _l("Takstniveauet, f.eks. »Niveau 2«. Tom, hvis tilbuddet har én takst."),
    "valid_from": _l("Første dag, taksten gælder, f.eks. 01.01.2026."),
    "valid_to": _l("Sidste dag, taksten gælder. Tom: indtil videre."),
    "daily_amount": _l("Kroner pr. døgn med højst to decimaler, f.eks. 2.450,75."),
    "occupancy_basis": _l("Den belægning i procent, taksten er beregnet ud fra, f.eks. 95."),
}
OFFER_HELP: dict[str, Any] = {
    "offer_id": _l("Tilbuddets id på Tilbudsportalen (kun cifre)."),
    "department_id": _l("Afdelingens id; tilbuddet bliver ét tilbud i DEL pr. afdeling."),
    "offer_name": _l("Tilbuddets navn; det bliver centrets navn i DEL."),
    "department_name": _l("Afdelingens navn; det bliver tilbuddets navn i DEL."),
    "offer_type": _l("Paragrafferne, f.eks. »Længerevarende botilbud (SEL § 108)«."),
    "target_group": _l("Målgrupperne; den første, DEL kender, bruges."),
    "places": _l("Antal pladser fra den dato, du vælger ovenfor."),
    "ownership": _l("Regional eller Kommunal."),
    "operator": _l("Kommunen, der driver et kommunalt tilbud (navn eller kode)."),
}


def columns(kind: OrgKind) -> list[ColumnHelp]:
    """The columns a file of `kind` reads, in the template's order."""
    required: tuple[str, ...]
    if kind is OrgKind.OFFERS:
        headers, required, helps = offers_import.HEADERS, offers_import.REQUIRED, OFFER_HELP
    else:
        headers, required, helps = tariffs_import.HEADERS, tariffs_import.REQUIRED, TARIFF_HELP
    return [ColumnHelp(headers[c], c in required, helps[c]) for c in headers]


def _example_row(session: Session, actor: Any) -> list[Any]:
    """A filled-in tariff row for one of the actor's open units (a made-up unit without)."""
    query = (
        select(Unit, Centre)
        .join(Centre, col(Centre.id) == Unit.centre_id)
        .where(col(Unit.active).is_(True), operator_condition(actor))
        .order_by(col(Centre.name), col(Unit.name))
    )
    found = session.exec(query).first()
    offer_id, centre, unit = (
        (found[0].offer_id or "", found[1].name, found[0].name)
        if found
        else ("", "", "Bostedet Eksempel")
    )
    return [
        offer_id,
        centre,
        unit,
        "108",
        "",
        date(2026, 1, 1),
        None,
        Decimal("2450.75"),
        Decimal(95),
    ]


def _csv_cell(value: Any) -> str:
    """A template cell as Danish CSV text: 01.01.2026, 2450,75."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value).replace(".", ",") if isinstance(value, Decimal) else str(value)


def write_tariff_template(session: Session, actor: Any, *, fmt: str) -> bytes:
    """The tariff template: the headers and one example row, as XLSX or CSV (UTF-8, `;`)."""
    from del_tool.reports.rendering.spreadsheet import neutralise  # openpyxl: not at start

    headers = [str(h) for h in tariffs_import.HEADERS.values()]
    example = [neutralise(v) if isinstance(v, str) else v for v in _example_row(session, actor)]
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerow([_csv_cell(v) for v in example])
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    from openpyxl import Workbook  # only the template needs it: not at app start
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = str(_l("Takster"))[:31]
    sheet.append(headers)
    sheet.append([float(v) if isinstance(v, Decimal) else v for v in example])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet["F2"].number_format = sheet["G2"].number_format = "dd.mm.yyyy"
    sheet["H2"].number_format = "#,##0.00"
    for letter in "ABCDEFGHI":
        sheet.column_dimensions[letter].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
