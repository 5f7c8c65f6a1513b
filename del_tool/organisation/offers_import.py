"""Offers, places, ownership and target groups from a Tilbudsportalen list (issue #17 item 1).

Tilbudsportalen, the national register of social offers, lists each offer (tilbud) with its
departments (afdelinger), each with an id, its type of offer under the Social Services Act, its
places, its target groups and who owns it. A deployment exports the offers it covers to a
spreadsheet and reads them into DEL with `del-tool organisation import-offers FILE`: an offer
becomes a centre, a department a unit, keyed by Tilbudsportalen's ids (`Unit.offer_id` is
"<tilbud id>-<afdeling id>", or the offer id alone for an offer without departments), so a
second import updates what the first created and the "offer type" reports group by is the
national one.

The columns are recognised by their names (case, accents and punctuation ignored; the synonyms
below). Every row is checked before anything is written: a refused row names its row number,
column and reason, and then nothing is written. A dry run is the default; `--commit` writes,
in one transaction, with every change in the history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError, field_validator
from sqlmodel import Session, col, select

from del_tool.audit.services import record_create, record_update, snapshot
from del_tool.forms import text_problem
from del_tool.imports.reading import (
    MAX_BYTES,
    NumberedRow,
    ReadError,
    find_table,
    normalise,
    read_file,
)
from del_tool.organisation.models import (
    Centre,
    LegalSection,
    Municipality,
    Region,
    TargetGroup,
    Unit,
    UnitPlaces,
    offer_kind_for,
)

#: Column -> the header names it goes by (normalised: lower case, letters and digits only).
COLUMNS: dict[str, tuple[str, ...]] = {
    "offer_id": ("tilbudsid", "tilbudid", "tilbudsnummer", "offerid"),
    "department_id": ("afdelingsid", "afdelingid", "afdelingsnummer", "departmentid"),
    "offer_name": ("tilbudsnavn", "tilbud", "offername"),
    "department_name": ("afdelingsnavn", "afdeling", "departmentname"),
    "offer_type": ("tilbudstype", "tilbudstyper", "paragraf", "paragraffer", "offertype"),
    "target_group": ("malgruppe", "malgrupper", "maalgruppe", "maalgrupper", "targetgroup"),
    "places": ("pladser", "antalpladser", "pladsantal", "places"),
    "ownership": ("ejerforhold", "ejerform", "ownership"),
    "operator": ("driftskommune", "kommune", "kommunekode", "driftsherre", "operator"),
}
REQUIRED = ("offer_id", "offer_name", "offer_type", "target_group", "ownership")
#: Column -> the header a missing column is named by (the template's Danish names).
HEADERS: dict[str, Any] = {
    "offer_id": _l("Tilbuds-ID"),
    "department_id": _l("Afdelings-ID"),
    "offer_name": _l("Tilbudsnavn"),
    "department_name": _l("Afdelingsnavn"),
    "offer_type": _l("Tilbudstype"),
    "target_group": _l("Målgrupper"),
    "places": _l("Antal pladser"),
    "ownership": _l("Ejerforhold"),
    "operator": _l("Driftskommune"),
}
#: Centre.name and Unit.name are String(150).
NAME_MAX = 150

#: Words in Tilbudsportalen's target group texts -> DEL's target group; of several, the one
#: the text names first (the offer's main target group comes first).
TARGET_WORDS: tuple[tuple[str, TargetGroup], ...] = (
    ("dovblind", TargetGroup.DEAFBLINDNESS),
    ("autis", TargetGroup.AUTISM),
    ("hjerneskade", TargetGroup.BRAIN_INJURY),
    ("udviklingshaem", TargetGroup.DEVELOPMENTAL_DISABILITY),
    ("misbrug", TargetGroup.SUBSTANCE_ABUSE),
    ("rusmiddel", TargetGroup.SUBSTANCE_ABUSE),
    ("horehaem", TargetGroup.COMMUNICATION),
    ("horetab", TargetGroup.COMMUNICATION),
    ("kommunikation", TargetGroup.COMMUNICATION),
    ("sindsli", TargetGroup.MENTAL_ILLNESS),
    ("psykisk", TargetGroup.MENTAL_ILLNESS),
    ("psykiatri", TargetGroup.MENTAL_ILLNESS),
    ("born", TargetGroup.CHILDREN_YOUTH),
    ("unge", TargetGroup.CHILDREN_YOUTH),
)


class OfferFileError(ValueError):
    """The file cannot be read at all (format, encoding, no header); one translated line."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class OfferRow(BaseModel):
    """One department (or offer) as the file gives it, checked."""

    row: int
    offer_id: str
    department_id: str | None = None
    offer_name: str
    department_name: str | None = None
    sections: frozenset[LegalSection]
    target_group: TargetGroup
    places: int | None = None
    operator: str | None = None  # None: the region; else a municipality's code

    @field_validator("offer_id", "department_id", mode="before")
    @classmethod
    def _identifier(cls, value: Any) -> Any:
        if value is None or str(value).strip() == "":
            return None
        text = str(value).strip().removesuffix(".0")
        if not re.fullmatch(r"\d{1,9}", text):
            raise ValueError("not an id of Tilbudsportalen (digits, at most 9)")
        return text

    @property
    def key(self) -> str:
        """The unit's `offer_id`."""
        return f"{self.offer_id}-{self.department_id}" if self.department_id else self.offer_id

    @property
    def unit_name(self) -> str:
        return self.department_name or self.offer_name


@dataclass(slots=True)
class RowProblem:
    """A refused row: where (row 0: the header) and why (translated when shown)."""

    row: int
    column: str
    reason: Any


@dataclass(slots=True)
class ImportResult:
    """What an import did (or, dry, would do)."""

    rows: list[OfferRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    centres_created: int = 0
    units_created: int = 0
    units_updated: int = 0
    unchanged: int = 0
    places_set: int = 0


def read_table(path: Path, *, sheet: str | None = None) -> tuple[list[str], list[NumberedRow]]:
    """Header and rows of the file at `path` (see `read_upload`); XLSX and CSV files only."""
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise OfferFileError(_l("%(name)s: kun XLSX- og CSV-filer kan læses.", name=path.name))
    return read_upload(path.read_bytes(), path.name, sheet=sheet)


def read_upload(
    data: bytes, file_name: str, *, sheet: str | None = None, max_bytes: int = MAX_BYTES
) -> tuple[list[str], list[NumberedRow]]:
    """Header and rows, each with its row number in the file, of an XLSX sheet (the first, or
    `sheet`) or a CSV file (`del_tool.imports.reading`: UTF-8 or Windows-1252, `;` or `,`).
    The header is the first row that names an offer id, so a title above it is skipped; empty
    rows and a totals row at the end are dropped. OfferFileError when it cannot be read."""
    try:
        sheets = read_file(data, file_name, sheets=[sheet] if sheet else None, max_bytes=max_bytes)
    except ReadError as error:
        raise OfferFileError(error.message) from error

    def names_offer_id(names: list[str]) -> bool:
        return bool(set(names) & set(COLUMNS["offer_id"]))

    table = find_table(sheets[0], names_offer_id) if sheets else None
    if table is None:
        raise OfferFileError(
            _l(
                "%(name)s: ingen overskriftsrække med en kolonne for tilbuddets id (Tilbuds-ID).",
                name=file_name,
            )
        )
    return table.header, table.rows


def check_offers(session: Session, header: list[str], rows: Iterable[NumberedRow]) -> ImportResult:
    """Every check of the command line and the web: each row (`parse_rows`), then against
    DEL's data (`check_against_database`)."""
    result = parse_rows(header, rows, session=session)
    check_against_database(session, result)
    return result


def column_names(header: list[str]) -> dict[str, str]:
    """Column -> its header as the file writes it (for the refusals shown on the web)."""
    return {column: header[index] for column, index in _map_header(header).items()}


def parse_rows(header: list[str], rows: Iterable[NumberedRow], *, session: Session) -> ImportResult:
    """Check every row; the refused ones are in `problems` with their reasons."""
    result = ImportResult()
    columns = _map_header(header)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        for column in missing:
            result.problems.append(
                RowProblem(0, column, _l("Ingen kolonne %(name)s.", name=HEADERS[column]))
            )
        return result
    municipalities = _municipality_lookup(session)
    seen: dict[str, int] = {}
    for offset, raw in rows:
        values = {name: raw[i] if i < len(raw) else None for name, i in columns.items()}
        if normalise(values.get("offer_name")).startswith(("ialt", "total", "sum")):
            continue  # a totals row under the table
        row = _check_row(offset, values, municipalities, result)
        if row is None:
            continue
        if row.key in seen:
            result.problems.append(
                RowProblem(
                    offset, "offer_id", _l("Samme tilbud som række %(row)s.", row=seen[row.key])
                )
            )
            continue
        seen[row.key] = offset
        result.rows.append(row)
    return result


def _map_header(header: list[str]) -> dict[str, int]:
    names = [normalise(h) for h in header]
    found: dict[str, int] = {}
    for column, synonyms in COLUMNS.items():
        for index, name in enumerate(names):
            if name in synonyms and column not in found:
                found[column] = index
    return found


def _municipality_lookup(session: Session) -> dict[str, str]:
    """Normalised code or name ("odense", "odensekommune", "461") -> code."""
    lookup = {}
    for municipality in session.exec(select(Municipality)).all():
        lookup[municipality.code] = municipality.code
        lookup[normalise(municipality.name)] = municipality.code
        lookup[normalise(municipality.name) + "kommune"] = municipality.code
    return lookup


def _check_row(
    row: int, values: dict[str, Any], municipalities: dict[str, str], result: ImportResult
) -> OfferRow | None:
    problems = _identity_problems(row, values)
    sections = frozenset(
        LegalSection(s)
        for s in re.findall(r"\d+", str(values.get("offer_type") or ""))
        if s in {m.value for m in LegalSection}
    )
    if not sections:
        problems.append(
            RowProblem(
                row, "offer_type", _l("Ingen paragraf, DEL kender (§§ 85, 103, 104, 107, 108).")
            )
        )
    target = _target_group(values.get("target_group"))
    if target is None:
        problems.append(RowProblem(row, "target_group", _l("Ingen målgruppe, DEL kender.")))
    operator: str | None = None
    ownership = normalise(values.get("ownership"))
    if ownership.startswith("region"):
        operator = None
    elif ownership.startswith("kommun"):
        found = municipalities.get(normalise(values.get("operator")))
        if found is None:
            problems.append(
                RowProblem(
                    row,
                    "operator",
                    _l("Et kommunalt tilbud skal have sin driftskommune (navn eller kode)."),
                )
            )
        operator = found
    else:
        problems.append(
            RowProblem(row, "ownership", _l("DEL dækker kun regionale og kommunale tilbud."))
        )
    places = _places(values.get("places"))
    if places == -1:
        problems.append(
            RowProblem(row, "places", _l("Skriv et helt antal pladser, 0 eller flere."))
        )
    if problems:
        result.problems.extend(problems)
        return None
    try:
        return OfferRow(
            row=row,
            offer_id=values.get("offer_id"),
            department_id=values.get("department_id"),
            offer_name=str(values.get("offer_name") or "").strip(),
            department_name=str(values.get("department_name") or "").strip() or None,
            sections=sections,
            target_group=target,
            places=places,
            operator=operator,
        )
    except ValidationError as error:
        for item in error.errors():
            column = str(item["loc"][0]) if item["loc"] else "offer_id"
            result.problems.append(RowProblem(row, column, str(item["msg"])))
        return None


_ID = re.compile(r"\d{1,9}")


def _identity_problems(row: int, values: dict[str, Any]) -> list[RowProblem]:
    """The ids and names of a row: the offer's id and name given, ids of digits, names no
    longer than DEL keeps (and, as all free text, without CPR-shaped numbers)."""
    problems = []
    for column in ("offer_id", "department_id"):
        text = str(values.get(column) or "").strip().removesuffix(".0")
        if not text and column == "offer_id":
            problems.append(RowProblem(row, column, _l("Skriv tilbuddets id fra Tilbudsportalen.")))
        elif text and not _ID.fullmatch(text):
            problems.append(
                RowProblem(row, column, _l("Ikke et id fra Tilbudsportalen (cifre, højst 9)."))
            )
    for column in ("offer_name", "department_name"):
        name = str(values.get(column) or "").strip()
        if not name and column == "offer_name":
            problems.append(RowProblem(row, column, _l("Skriv tilbuddets navn.")))
        elif name and (problem := text_problem(name, max_chars=NAME_MAX)) is not None:
            problems.append(RowProblem(row, column, problem))
    return problems


def _target_group(value: Any) -> TargetGroup | None:
    text = normalise(value)
    found = [(text.find(word), group) for word, group in TARGET_WORDS if word in text]
    return min(found, key=lambda hit: hit[0])[1] if found else None


def _places(value: Any) -> int | None:
    """Places as a whole number, None when empty, -1 when not a number of places."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().replace(".", "").replace(",", ".")
    try:
        number = float(text) if not isinstance(value, int | float) else float(value)
    except ValueError:
        return -1
    return int(number) if number >= 0 and number == int(number) else -1


def check_against_database(session: Session, result: ImportResult) -> None:
    """Refuse rows that would hand an offer to another operator: a centre DEL has under the
    name with another operator (the controller of its data does not change by an import)."""
    centres = {c.name: c for c in session.exec(select(Centre)).all()}
    for row in result.rows:
        centre = centres.get(row.offer_name)
        if centre is not None and centre.operator_code != row.operator:
            result.problems.append(
                RowProblem(row.row, "ownership", _l("DEL har tilbuddet med en anden driftsherre."))
            )


def apply_rows(
    session: Session, result: ImportResult, *, places_from: date, user_id: int | None = None
) -> None:
    """Create or update the centres and units of the checked rows (no problems allowed);
    flushes, never commits."""
    if result.problems:
        raise ValueError("refused rows: nothing is written")
    region = session.exec(select(Region).order_by(col(Region.id))).first()
    if region is None:
        raise OfferFileError(_l("DEL har ingen region: kør del-tool seed (eller setup) først."))
    all_units = session.exec(select(Unit)).all()
    units = {u.offer_id: u for u in all_units if u.offer_id}
    by_name: dict[tuple[int | None, str], Unit] = {(u.centre_id, u.name): u for u in all_units}
    centres = {c.name: c for c in session.exec(select(Centre)).all()}
    for row in result.rows:
        centre = centres.get(row.offer_name)
        if centre is None:
            centre = Centre(
                region_id=region.id,  # type: ignore[arg-type]
                name=row.offer_name,
                target_group=row.target_group,
                operator_code=row.operator,
            )
            session.add(centre)
            session.flush()
            record_create(session=session, user_id=user_id, obj=centre, citizen_id=None)
            centres[centre.name] = centre
            result.centres_created += 1
        # A unit DEL already has under the same name gets the offer id (the first import).
        unit = units.get(row.key) or by_name.get((centre.id, row.unit_name))
        kind = offer_kind_for(row.sections)
        if unit is None:
            unit = Unit(
                centre_id=centre.id,  # type: ignore[arg-type]
                name=row.unit_name,
                target_group=row.target_group,
                offer_kind=kind,
                offer_id=row.key,
            )
            session.add(unit)
            session.flush()
            record_create(session=session, user_id=user_id, obj=unit, citizen_id=None)
            result.units_created += 1
        else:
            before = snapshot(unit)
            unit.name, unit.target_group, unit.offer_kind = row.unit_name, row.target_group, kind
            unit.centre_id = centre.id  # type: ignore[assignment]
            unit.offer_id = row.key
            if snapshot(unit) != before:
                session.add(unit)
                session.flush()
                record_update(
                    session=session, user_id=user_id, obj=unit, before=before, citizen_id=None
                )
                result.units_updated += 1
            else:
                result.unchanged += 1
        units[row.key] = by_name[(unit.centre_id, unit.name)] = unit
        if row.places is not None and _set_places(session, unit, row.places, places_from, user_id):
            result.places_set += 1
    session.flush()


def _set_places(session: Session, unit: Unit, places: int, day: date, user_id: int | None) -> bool:
    """Places from `day` on, unless the unit already has that many on that day."""
    current = session.exec(
        select(UnitPlaces)
        .where(UnitPlaces.unit_id == unit.id, col(UnitPlaces.valid_from) <= day)
        .order_by(col(UnitPlaces.valid_from).desc())
    ).first()
    if current is not None and current.places == places:
        return False
    existing = session.get(UnitPlaces, (unit.id, day))
    if existing is not None:
        before = snapshot(existing)
        existing.places = places
        session.add(existing)
        session.flush()
        record_update(
            session=session, user_id=user_id, obj=existing, before=before, citizen_id=None
        )
    else:
        row = UnitPlaces(unit_id=unit.id, valid_from=day, places=places)  # type: ignore[arg-type]
        session.add(row)
        session.flush()
        record_create(session=session, user_id=user_id, obj=row, citizen_id=None)
    return True
