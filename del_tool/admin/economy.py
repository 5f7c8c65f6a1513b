"""Administration services for the economy: the price and wage index, a unit's places over
time, and year-end settlements.

Same contract as `del_tool.admin.organisation`: session and acting user passed in, permission
checked here, rules applied again (RuleError beside the field), flush but never commit, every
change written to the change history in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.admin.organisation import (
    ensure_manages_unit,
    get_unit,
    manages_unit,
    operator_condition,
)
from del_tool.admin.rules import (
    date_problem,
    percent_problem,
    places_problem,
    settlement_problem,
    year_problem,
)
from del_tool.admin.services import ensure_version, require_permission
from del_tool.audit.services import record_create, record_update, snapshot
from del_tool.auth.access import NotFoundError
from del_tool.auth.models import User
from del_tool.auth.permissions import Permission
from del_tool.errors import RuleError
from del_tool.i18n import format_day
from del_tool.organisation.models import (
    Centre,
    Municipality,
    PriceIndex,
    Settlement,
    Unit,
    UnitPlaces,
)

INDEX_FIELDS = ("year", "percent", "note")
SETTLEMENT_FIELDS = ("unit_id", "municipality_code", "year", "amount", "note")
NOTE_MAX = 200


# -- The price and wage index ---------------------------------------------------------------


def list_index(*, session: Session, actor: User) -> list[PriceIndex]:
    """Every year's index, newest first."""
    require_permission(actor, Permission.MANAGE_TARIFFS)
    return list(session.exec(select(PriceIndex).order_by(col(PriceIndex.year).desc())).all())


def get_index(*, session: Session, year: int) -> PriceIndex:
    """The index of `year`, or NotFoundError."""
    row = session.get(PriceIndex, year)
    if row is None:
        raise NotFoundError(f"price index {year}")
    return row


def _check_index(session: Session, year: int, percent: Decimal, *, current: int | None) -> None:
    problem = year_problem(year)
    if problem is not None:
        raise RuleError("year", problem)
    problem = percent_problem(percent)
    if problem is not None:
        raise RuleError("percent", problem)
    if year != current and session.get(PriceIndex, year) is not None:
        raise RuleError("year", _l("Der er allerede et indeks for %(year)s.", year=year))


def create_index(
    *, session: Session, actor: User, year: int, percent: Decimal, note: str | None
) -> PriceIndex:
    """Add a year's index; refuses a year outside 2000-2100, a bad percent, a year twice."""
    require_permission(actor, Permission.MANAGE_TARIFFS)
    _check_index(session, year, percent, current=None)
    row = PriceIndex(year=year, percent=percent.quantize(Decimal("0.01")), note=note or None)
    session.add(row)
    session.flush()
    record_create(
        session=session,
        user_id=actor.id,
        obj=row,
        citizen_id=None,
        fields=INDEX_FIELDS,
        entity_id=year,
    )
    return row


def update_index(
    *,
    session: Session,
    actor: User,
    year: int,
    version: int | None,
    new_year: int,
    percent: Decimal,
    note: str | None,
) -> PriceIndex:
    """Change a year's index (its year too); ConflictError when the form is stale."""
    require_permission(actor, Permission.MANAGE_TARIFFS)
    row = get_index(session=session, year=year)
    ensure_version(row, version)
    _check_index(session, new_year, percent, current=year)
    before = snapshot(row, INDEX_FIELDS)
    row.year, row.percent, row.note = new_year, percent.quantize(Decimal("0.01")), note or None
    session.add(row)
    session.flush()
    record_update(
        session=session, user_id=actor.id, obj=row, before=before, citizen_id=None, entity_id=year
    )
    return row


# -- Places over time -----------------------------------------------------------------------


def unit_places(*, session: Session, unit_id: int) -> list[UnitPlaces]:
    """A unit's changes of places, oldest first."""
    query = select(UnitPlaces).where(UnitPlaces.unit_id == unit_id)
    return list(session.exec(query.order_by(col(UnitPlaces.valid_from))).all())


def add_places(
    *, session: Session, actor: User, unit_id: int, valid_from: date, places: int
) -> UnitPlaces:
    """A change of a unit's places from `valid_from` on; refuses negative places and a second
    change on the same day."""
    require_permission(actor, Permission.MANAGE_ORGANISATION)
    # The unit's row lock serialises two admins adding a change on the same day.
    session.exec(select(Unit).where(Unit.id == unit_id).with_for_update()).first()
    get_unit(session=session, unit_id=unit_id, actor=actor)  # NotFoundError
    problem = date_problem(valid_from)
    if problem is not None:
        raise RuleError("valid_from", problem)
    problem = places_problem(places)
    if problem is not None:
        raise RuleError("places", problem)
    if session.get(UnitPlaces, (unit_id, valid_from)) is not None:
        raise RuleError(
            "valid_from",
            _l(
                "Der er allerede en ændring af pladserne %(day)s. Vælg en anden dato.",
                day=format_day(valid_from),
            ),
        )
    row = UnitPlaces(unit_id=unit_id, valid_from=valid_from, places=places)
    session.add(row)
    session.flush()
    record_create(
        session=session,
        user_id=actor.id,
        obj=row,
        citizen_id=None,
        entity_id=f"{unit_id}:{valid_from.isoformat()}",
    )
    return row


# -- Year-end settlements -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SettlementValues:
    """What a settlement form gives."""

    unit_id: int
    municipality_code: str
    year: int
    amount: Decimal
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SettlementRow:
    """A settlement with its unit, centre and municipality, as the list shows it."""

    settlement: Settlement
    unit: Unit
    centre: Centre
    municipality: Municipality


def list_settlements(
    *, session: Session, actor: User, unit_id: int | None = None
) -> list[SettlementRow]:
    """Settlements by year (newest first), centre, unit and municipality; one unit's when
    `unit_id` is given."""
    require_permission(actor, Permission.MANAGE_TARIFFS)
    query: Any = (
        select(Settlement, Unit, Centre, Municipality)
        .join(Unit, col(Unit.id) == Settlement.unit_id)
        .join(Centre, col(Centre.id) == Unit.centre_id)
        .join(Municipality, col(Municipality.code) == Settlement.municipality_code)
        .order_by(
            col(Settlement.year).desc(), col(Centre.name), col(Unit.name), col(Municipality.name)
        )
    )
    if unit_id is not None:
        query = query.where(Settlement.unit_id == unit_id)
    query = query.where(operator_condition(actor))
    return [SettlementRow(s, u, c, m) for s, u, c, m in session.exec(query).all()]


def get_settlement(*, session: Session, settlement_id: int, actor: Any = None) -> Settlement:
    """The settlement with this id, or NotFoundError (also, with `actor`, another operator's)."""
    row = session.get(Settlement, settlement_id)
    if row is None or (actor is not None and not manages_unit(session, actor, row.unit_id)):
        raise NotFoundError(f"settlement {settlement_id}")
    return row


def _check_settlement(
    session: Session, values: SettlementValues, *, exclude_id: int | None
) -> None:
    """RuleError for an unknown unit or municipality, a bad year or amount, or a second
    settlement of the same unit, municipality and year."""
    if session.get(Unit, values.unit_id) is None:
        raise RuleError("unit", _l("Tilbuddet findes ikke."))
    if session.get(Municipality, values.municipality_code) is None:
        raise RuleError("municipality", _l("Kommunen findes ikke."))
    problem = year_problem(values.year)
    if problem is not None:
        raise RuleError("year", problem)
    problem = settlement_problem(values.amount)
    if problem is not None:
        raise RuleError("amount", problem)
    if values.note is not None and len(values.note) > NOTE_MAX:
        raise RuleError("note", _l("Højst %(max)s tegn.", max=NOTE_MAX))
    query = select(Settlement.id).where(
        Settlement.unit_id == values.unit_id,
        Settlement.municipality_code == values.municipality_code,
        Settlement.year == values.year,
    )
    if exclude_id is not None:
        query = query.where(Settlement.id != exclude_id)
    if session.exec(query).first() is not None:
        raise RuleError(
            "year",
            _l(
                "Der er allerede en efterregulering for tilbuddet og kommunen i %(year)s.",
                year=values.year,
            ),
        )


def _settlement_fields(values: SettlementValues) -> dict[str, Any]:
    return {
        "unit_id": values.unit_id,
        "municipality_code": values.municipality_code,
        "year": values.year,
        "amount": values.amount.quantize(Decimal("0.01")),
        "note": values.note or None,
    }


def create_settlement(*, session: Session, actor: User, values: SettlementValues) -> Settlement:
    """Add a year-end settlement (negative: money back to the municipality)."""
    require_permission(actor, Permission.MANAGE_TARIFFS)
    ensure_manages_unit(session, actor, values.unit_id)
    _check_settlement(session, values, exclude_id=None)
    row = Settlement(**_settlement_fields(values))
    session.add(row)
    session.flush()
    record_create(
        session=session, user_id=actor.id, obj=row, citizen_id=None, fields=SETTLEMENT_FIELDS
    )
    return row


def update_settlement(
    *,
    session: Session,
    actor: User,
    settlement_id: int,
    version: int | None,
    values: SettlementValues,
) -> Settlement:
    """Change a settlement (the same checks as adding one); ConflictError when stale."""
    require_permission(actor, Permission.MANAGE_TARIFFS)
    row = get_settlement(session=session, settlement_id=settlement_id, actor=actor)
    ensure_manages_unit(session, actor, values.unit_id)
    ensure_version(row, version)
    _check_settlement(session, values, exclude_id=row.id)
    before = snapshot(row, SETTLEMENT_FIELDS)
    for name, value in _settlement_fields(values).items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    record_update(session=session, user_id=actor.id, obj=row, before=before, citizen_id=None)
    return row
