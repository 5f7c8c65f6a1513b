"""Tariffs from a spreadsheet (issue #18 item 3): the web's organisation import and
`del-tool organisation import-tariffs FILE`.

One row per tariff: the unit (its Tilbudsportalen id, `Unit.offer_id`, or its name as the
administration pages show it, with its centre when two centres have a unit of that name), the
legal section, the tariff level (empty: the offer's only tariff), valid from, valid to (empty:
until further notice), DKK per day (decimal comma or point) and the occupancy basis in per cent.
A row is matched to a stored tariff by unit, section, level and start: the tariff is updated
when a value differs, left alone when none does, created when there is none.

Every row gets the checks of the tariff form (`del_tool.admin.rules`): amount, level, occupancy
basis and period; and no two periods of a unit, section and level may overlap once the file is
written (stored tariffs with the file's changes, and the file's new ones), so a file may end an
open tariff and start the next. A refused row names its row number, column and reason; then
nothing is written. `tariff_plan` matches the rows to the stored tariffs and writes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.admin.organisation import TariffValues
from del_tool.admin.rules import LEVEL_MAX, amount_problem, basis_problem, period_problem
from del_tool.forms import text_problem
from del_tool.imports.lookups import legal_section
from del_tool.imports.reading import (
    MAX_BYTES,
    NumberedRow,
    ReadError,
    cell_text,
    find_table,
    is_empty,
    normalise,
    parse_date,
    parse_decimal,
    read_file,
)
from del_tool.organisation.models import Centre, Unit
from del_tool.organisation.offers_import import OfferFileError, RowProblem
from del_tool.organisation.tariff_plan import PlannedTariff, TariffImport, plan_against_stored
from del_tool.text import clean_text

#: Column -> the header names it goes by (normalised), Danish and English.
COLUMNS: dict[str, tuple[str, ...]] = {
    "offer_id": ("tilbudsid", "tilbudid", "offerid"),
    "centre": ("center", "centernavn", "centre", "centrename"),
    "unit": ("tilbud", "tilbudsnavn", "afdeling", "afdelingsnavn", "unit", "unitname", "offer"),
    "legal_section": ("paragraf", "sel", "lovgrundlag", "legalsection", "section"),
    "level": ("takstniveau", "niveau", "tarifflevel", "level"),
    "valid_from": ("gaelderfra", "fra", "fradato", "startdato", "validfrom", "from"),
    "valid_to": ("gaeldertilogmed", "gaeldertil", "tilogmed", "slutdato", "validto", "to"),
    "daily_amount": (
        "takstprdagkr",
        "takstprdag",
        "takstprdogn",
        "takst",
        "krprdag",
        "dkkperday",
        "dailyamount",
        "amount",
    ),
    "occupancy_basis": (
        "belaegningsprocent",
        "belaegningsgrundlag",
        "belaegning",
        "occupancybasis",
        "occupancy",
    ),
}
#: The headers the template writes (and a missing column is named by), in this order.
HEADERS: dict[str, Any] = {
    "offer_id": _l("Tilbuds-ID"),
    "centre": _l("Center"),
    "unit": _l("Tilbud"),
    "legal_section": _l("Paragraf"),
    "level": _l("Takstniveau"),
    "valid_from": _l("Gælder fra"),
    "valid_to": _l("Gælder til og med"),
    "daily_amount": _l("Takst pr. dag (kr.)"),
    "occupancy_basis": _l("Belægningsprocent"),
}
REQUIRED = ("legal_section", "valid_from", "daily_amount")
#: `check_tariffs`' operator for an importer who manages every unit (the command line).
ANY_OPERATOR = "*"


def read_upload(
    data: bytes, file_name: str, *, max_bytes: int = MAX_BYTES
) -> tuple[list[str], list[NumberedRow]]:
    """Header and rows of a tariff file's first sheet (or CSV file); the header is the first
    row naming a start date and an amount. OfferFileError when it cannot be read."""
    try:
        sheets = read_file(data, file_name, max_bytes=max_bytes)
    except ReadError as error:
        raise OfferFileError(error.message) from error

    def is_header(names: list[str]) -> bool:
        found = _map_header(names)
        return "valid_from" in found and "daily_amount" in found

    table = find_table(sheets[0], is_header) if sheets else None
    if table is None:
        raise OfferFileError(
            _l(
                "%(name)s: ingen overskriftsrække med kolonnerne %(from)s og %(amount)s.",
                name=file_name,
                **{"from": HEADERS["valid_from"], "amount": HEADERS["daily_amount"]},
            )
        )
    return table.header, table.rows


def _map_header(header: list[str]) -> dict[str, int]:
    names = [normalise(h) for h in header]
    found: dict[str, int] = {}
    for column, synonyms in COLUMNS.items():
        for index, name in enumerate(names):
            if name in synonyms and column not in found and index not in found.values():
                found[column] = index
    return found


def column_names(header: list[str]) -> dict[str, str]:
    """Column -> its header as the file writes it."""
    return {column: header[index] for column, index in _map_header(header).items()}


def check_tariffs(
    session: Session,
    header: list[str],
    rows: Iterable[NumberedRow],
    *,
    operator: str | None = ANY_OPERATOR,
    lock: bool = False,
) -> TariffImport:
    """Check every row and plan it against the stored tariffs.

    `operator`: the operator whose units the importer manages (an administrator's
    `operator_code`, None for the region); ANY_OPERATOR (the command line) for every unit. `lock`
    takes the units' rows for update first (the commit), so a tariff saved meanwhile on a form
    cannot slip between this check and the write.
    """
    result = TariffImport()
    columns = _map_header(header)
    missing = [c for c in REQUIRED if c not in columns]
    if "offer_id" not in columns and "unit" not in columns:
        missing.insert(0, "unit")
    if missing:
        for column in missing:
            reason = _l("Ingen kolonne %(name)s.", name=HEADERS[column])
            result.problems.append(RowProblem(0, column, reason))
        return result
    units = _Units(session, operator)
    for number, raw in rows:
        values = {name: raw[i] if i < len(raw) else None for name, i in columns.items()}
        planned = _check_row(number, values, units, result)
        if planned is not None:
            result.rows.append(planned)
    unit_ids = sorted({r.values.unit_id for r in result.rows})
    if lock and unit_ids:
        session.exec(select(Unit.id).where(col(Unit.id).in_(unit_ids)).with_for_update()).all()
    plan_against_stored(session, result, unit_ids)
    return result


class _Units:
    """The units a row may name: by Tilbudsportalen id, by name, by centre and name."""

    def __init__(self, session: Session, operator: str | None) -> None:
        centres = {c.id: c for c in session.exec(select(Centre)).all()}
        self.operator = operator
        self.operators: dict[int, str | None] = {}
        self.by_offer_id: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        self.by_centre: dict[tuple[str, str], int] = {}
        for unit in session.exec(select(Unit).order_by(col(Unit.id))).all():
            assert unit.id is not None  # noqa: S101 - a stored row
            centre = centres[unit.centre_id]
            self.operators[unit.id] = centre.operator_code
            if unit.offer_id:
                self.by_offer_id[unit.offer_id] = unit.id
            self.by_name.setdefault(normalise(unit.name), []).append(unit.id)
            self.by_centre[(normalise(centre.name), normalise(unit.name))] = unit.id

    def find(self, values: dict[str, Any]) -> tuple[int | None, str, Any]:
        """(unit id, column, reason): the id and None, or None, the column and the reason."""
        offer_id = cell_text(values.get("offer_id")).strip()
        name, centre = normalise(values.get("unit")), normalise(values.get("centre"))
        if offer_id:
            found = self.by_offer_id.get(offer_id)
            if found is None:
                return None, "offer_id", _l("DEL har intet tilbud med dette Tilbuds-ID.")
        elif not name:
            return None, "unit", _l("Skriv tilbuddets Tilbuds-ID eller navn.")
        elif centre:
            found = self.by_centre.get((centre, name))
            if found is None:
                return None, "unit", _l("DEL har intet tilbud med dette navn i det center.")
        else:
            ids = self.by_name.get(name, [])
            managed = [
                i
                for i in ids
                if self.operator == ANY_OPERATOR or self.operators[i] == self.operator
            ]
            ids = managed or ids  # of several, the importer's own; else "another operator"
            if len(ids) > 1:
                reason = _l(
                    "Flere centre har et tilbud med dette navn. Skriv centret i kolonnen Center."
                )
                return None, "unit", reason
            if not ids:
                return None, "unit", _l("DEL har intet tilbud med dette navn.")
            found = ids[0]
        if self.operator != ANY_OPERATOR and self.operators[found] != self.operator:
            return (
                None,
                "offer_id" if offer_id else "unit",
                _l("Tilbuddet drives af en anden driftsherre."),
            )
        return found, "", None


def _check_row(
    row: int, values: dict[str, Any], units: _Units, result: TariffImport
) -> PlannedTariff | None:
    """The row as a planned tariff, or None with its problems added to `result`."""
    problems: list[RowProblem] = []

    def refuse(column: str, reason: Any) -> None:
        problems.append(RowProblem(row, column, reason))

    unit_id, column, reason = units.find(values)
    if unit_id is None:
        refuse(column, reason)
    section = legal_section(values.get("legal_section"))
    if section is None:
        refuse("legal_section", _l("Ukendt paragraf. Skriv 85, 103, 104, 107 eller 108."))
    level = clean_text(cell_text(values.get("level")))
    if (problem := text_problem(level, max_chars=LEVEL_MAX)) is not None:
        refuse("level", problem)
    valid_from = _date(values, "valid_from", refuse, empty=_l("Skriv en startdato."))
    valid_to = _date(values, "valid_to", refuse)
    amount = _number(
        values,
        "daily_amount",
        refuse,
        bad=_l("Skriv et beløb i kroner, f.eks. 1234,50."),
        empty=_l("Skriv taksten pr. dag."),
    )
    if amount is not None and (problem := amount_problem(amount)) is not None:
        refuse("daily_amount", problem)
    basis = _number(
        values, "occupancy_basis", refuse, bad=_l("Skriv en procent, f.eks. 95 eller 92,5.")
    )
    if basis is not None and Decimal(0) < basis < 1:
        # A spreadsheet cell formatted as 95 % holds 0.95: a basis under one per cent is that.
        refuse("occupancy_basis", _l("Skriv procenten som et tal, f.eks. 95 (ikke 0,95)."))
    elif (problem := basis_problem(basis)) is not None:
        refuse("occupancy_basis", problem)
    if valid_from is not None and (period := period_problem(valid_from, valid_to)) is not None:
        refuse(*period)
    if problems or unit_id is None or section is None or valid_from is None or amount is None:
        result.problems.extend(problems)
        return None
    return PlannedTariff(
        row=row,
        values=TariffValues(
            unit_id=unit_id,
            legal_section=section,
            valid_from=valid_from,
            valid_to=valid_to,
            daily_amount=amount.quantize(Decimal("0.01")),
            level=level,
            occupancy_basis=basis.quantize(Decimal("0.01")) if basis is not None else None,
        ),
    )


def _date(values: dict[str, Any], column: str, refuse: Any, *, empty: Any = None) -> date | None:
    """The column's date; refused when it is no date, or empty and `empty` says why."""
    value = values.get(column)
    if is_empty(value):
        if empty is not None:
            refuse(column, empty)
        return None
    try:
        return parse_date(value)
    except ValueError:
        refuse(column, _l("Ikke en dato. Skriv fx 31.12.2025."))
        return None


def _number(
    values: dict[str, Any], column: str, refuse: Any, *, bad: Any, empty: Any = None
) -> Decimal | None:
    """The column's number ("2.450,75", "2450.75", "95 %", "1.234 kr."); refused with `bad`
    when it is no number, with `empty` when it is empty and must not be."""
    value = values.get(column)
    if isinstance(value, str):
        value = re.sub(r"\s*(%|kr\.?|dkk)\s*$", "", value.strip(), flags=re.IGNORECASE)
    if is_empty(value):
        if empty is not None:
            refuse(column, empty)
        return None
    try:
        return parse_decimal(value)
    except ValueError:
        refuse(column, bad)
        return None
