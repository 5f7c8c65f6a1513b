"""Administration services for the organisation: units (interval, questionnaires) and tariffs.

Same contract as `del_tool.admin.services`: session and acting user passed in, flush but never
commit, history written in the caller's transaction, permission checked here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, delete, or_, select

from del_tool.admin.rules import (
    LEVEL_MAX,
    amount_problem,
    basis_problem,
    interval_problem,
    period_problem,
)
from del_tool.admin.services import ensure_version, require_permission, touch
from del_tool.audit.services import diff, record_change, record_create, record_update, snapshot
from del_tool.auth.access import NotFoundError
from del_tool.auth.models import User
from del_tool.auth.permissions import Permission
from del_tool.errors import RuleError
from del_tool.i18n import format_day
from del_tool.organisation.models import (
    Centre,
    LegalSection,
    Municipality,
    OfferKind,
    Tariff,
    Unit,
    UnitQuestionnaire,
)

UNIT_HISTORY_FIELDS = ("followup_interval_days", "active", "offer_kind")
TARIFF_FIELDS = (
    "unit_id",
    "legal_section",
    "level",
    "valid_from",
    "valid_to",
    "daily_amount",
    "occupancy_basis",
)


@dataclass(frozen=True, slots=True)
class CentreUnits:
    """A centre with its units and, per unit, the questionnaires it uses."""

    centre: Centre
    units: list[Unit]
    questionnaires: dict[int, list[str]]


@dataclass(frozen=True, slots=True)
class TariffValues:
    """What a tariff form gives: unit, section, period, DKK per day, the tariff level ("" for
    the offer's only tariff) and the occupancy in per cent the tariff was calculated on."""

    unit_id: int
    legal_section: LegalSection
    valid_from: date
    valid_to: date | None
    daily_amount: Decimal
    level: str = ""
    occupancy_basis: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TariffRow:
    """A tariff with its unit and centre, as the tariff list shows it."""

    tariff: Tariff
    unit: Unit
    centre: Centre


def operator_condition(actor: Any) -> Any:
    """SQL condition on Centre: the centres of the operator `actor` works for (an
    administrator's own; the region for everyone else who manages tariffs)."""
    code = getattr(actor, "operator_code", None)
    return col(Centre.operator_code).is_(None) if code is None else Centre.operator_code == code


def manages_unit(session: Session, actor: Any, unit_id: int) -> bool:
    """Whether `actor` manages the unit: it belongs to a centre of the actor's operator."""
    unit = session.get(Unit, unit_id)
    centre = session.get(Centre, unit.centre_id) if unit is not None else None
    return centre is not None and centre.operator_code == getattr(actor, "operator_code", None)


def ensure_manages_unit(session: Session, actor: Any, unit_id: int, field: str = "unit") -> None:
    """RuleError beside `field` for a unit of another operator (or none)."""
    if not manages_unit(session, actor, unit_id):
        raise RuleError(field, _l("Tilbuddet drives af en anden driftsherre."))


def get_unit(*, session: Session, unit_id: int, actor: Any = None) -> Unit:
    """The unit with this id, or NotFoundError (also, with `actor`, for another operator's)."""
    unit = session.get(Unit, unit_id)
    if unit is None or (actor is not None and not manages_unit(session, actor, unit_id)):
        raise NotFoundError(f"unit {unit_id}")
    return unit


def unit_questionnaire_ids(*, session: Session, unit_id: int) -> list[str]:
    """The ids of the questionnaires a unit uses, sorted."""
    query = select(UnitQuestionnaire.questionnaire_id).where(UnitQuestionnaire.unit_id == unit_id)
    return sorted(session.exec(query).all())


def units_by_centre(*, session: Session, actor: Any = None) -> list[CentreUnits]:
    """Every centre (by name; with `actor`, of the actor's operator) with its units (by name)
    and their questionnaires."""
    query = select(Centre).order_by(col(Centre.name))
    if actor is not None:
        query = query.where(operator_condition(actor))
    centres = session.exec(query).all()
    units = session.exec(select(Unit).order_by(col(Unit.name))).all()
    used: dict[int, list[str]] = {}
    for unit_id, qid in session.exec(
        select(UnitQuestionnaire.unit_id, UnitQuestionnaire.questionnaire_id).order_by(
            col(UnitQuestionnaire.questionnaire_id)
        )
    ).all():
        used.setdefault(unit_id, []).append(qid)
    return [
        CentreUnits(
            centre=centre,
            units=[u for u in units if u.centre_id == centre.id],
            questionnaires=used,
        )
        for centre in centres
    ]


def unit_choices(*, session: Session, actor: Any = None) -> list[tuple[str, list[tuple[int, str]]]]:
    """Units grouped by centre name, for select fields and checkboxes; closed units say so."""
    return [
        (
            group.centre.name,
            [
                (unit.id, unit.name if unit.active else _("%(name)s (lukket)", name=unit.name))
                for unit in group.units
                if unit.id is not None
            ],
        )
        for group in units_by_centre(session=session, actor=actor)
    ]


def centre_choices(*, session: Session) -> list[tuple[int, str]]:
    """(id, name) of every centre, by name."""
    centres = session.exec(select(Centre).order_by(col(Centre.name))).all()
    return [(c.id, c.name) for c in centres if c.id is not None]


def municipality_choices(*, session: Session) -> list[tuple[str, str]]:
    """(code, name) of every municipality, by name."""
    rows = session.exec(select(Municipality).order_by(col(Municipality.name))).all()
    return [(m.code, m.name) for m in rows]


def update_unit(
    *,
    session: Session,
    actor: User,
    unit_id: int,
    version: int | None,
    followup_interval_days: int,
    active: bool,
    questionnaire_ids: Collection[str],
    available_questionnaires: Collection[str],
    offer_kind: OfferKind | Literal["keep"] | None = "keep",
) -> Unit:
    """Change a unit's follow-up interval, active flag, kind of offer and questionnaires.

    `available_questionnaires` are the ids of the registry's current definitions; the unit
    may use only those. Raises ConflictError when the form was loaded from an older version.
    """
    require_permission(actor, Permission.MANAGE_ORGANISATION)
    unit = get_unit(session=session, unit_id=unit_id, actor=actor)
    ensure_version(unit, version)
    problem = interval_problem(followup_interval_days)
    if problem is not None:
        raise RuleError("followup_interval_days", problem)
    wanted = sorted(set(questionnaire_ids))
    if not set(wanted) <= set(available_questionnaires):
        raise RuleError("questionnaires", _l("Vælg en af de viste muligheder."))
    before = snapshot(unit, UNIT_HISTORY_FIELDS)
    before["questionnaires"] = unit_questionnaire_ids(session=session, unit_id=unit_id)
    unit.followup_interval_days = followup_interval_days
    unit.active = active
    if offer_kind != "keep":
        unit.offer_kind = offer_kind
    changes = diff(before, {**snapshot(unit, UNIT_HISTORY_FIELDS), "questionnaires": wanted})
    if changes:
        # UPDATE the unit row first: one version bump, and its row lock serialises racing edits.
        touch(unit)
        session.add(unit)
        session.flush()
        if wanted != before["questionnaires"]:
            session.execute(
                delete(UnitQuestionnaire).where(col(UnitQuestionnaire.unit_id) == unit_id)
            )
            session.add_all(UnitQuestionnaire(unit_id=unit_id, questionnaire_id=q) for q in wanted)
            session.flush()
        record_change(
            session=session,
            user_id=actor.id,
            action="update",
            entity="units",
            entity_id=unit.id,
            citizen_id=None,
            changes=changes,
        )
    return unit


def list_tariffs(*, session: Session, actor: User, unit_id: int | None = None) -> list[TariffRow]:
    """Tariffs by centre, unit, section, level and start date; one unit's when `unit_id` is
    given."""
    require_permission(actor, Permission.MANAGE_TARIFFS)
    query = (
        select(Tariff, Unit, Centre)
        .join(Unit, col(Unit.id) == Tariff.unit_id)
        .join(Centre, col(Centre.id) == Unit.centre_id)
        .order_by(
            col(Centre.name),
            col(Unit.name),
            col(Tariff.legal_section),
            col(Tariff.level),
            col(Tariff.valid_from),
        )
    )
    if unit_id is not None:
        query = query.where(Tariff.unit_id == unit_id)
    query = query.where(operator_condition(actor))
    return [TariffRow(t, u, c) for t, u, c in session.exec(query).all()]


def get_tariff(*, session: Session, tariff_id: int, actor: Any = None) -> Tariff:
    """The tariff with this id, or NotFoundError (also, with `actor`, another operator's)."""
    tariff = session.get(Tariff, tariff_id)
    if tariff is None or (actor is not None and not manages_unit(session, actor, tariff.unit_id)):
        raise NotFoundError(f"tariff {tariff_id}")
    return tariff


def _check_tariff(session: Session, values: TariffValues, *, exclude_id: int | None) -> None:
    """Raise RuleError for an unknown unit, a bad amount or period, or an overlap."""
    unit = session.exec(select(Unit).where(Unit.id == values.unit_id).with_for_update()).first()
    if unit is None:
        raise RuleError("unit", _l("Tilbuddet findes ikke."))
    problem = amount_problem(values.daily_amount)
    if problem is not None:
        raise RuleError("daily_amount", problem)
    if len(values.level) > LEVEL_MAX or values.level != values.level.strip():
        raise RuleError("level", _l("Højst %(max)s tegn.", max=LEVEL_MAX))
    basis = basis_problem(values.occupancy_basis)
    if basis is not None:
        raise RuleError("occupancy_basis", basis)
    period = period_problem(values.valid_from, values.valid_to)
    if period is not None:
        raise RuleError(*period)
    other = overlapping_tariff(session=session, values=values, exclude_id=exclude_id)
    if other is not None:
        end = format_day(other.valid_to) if other.valid_to else _l("indtil videre")
        raise RuleError(
            "valid_from",
            _l(
                "Perioden overlapper en anden takst for samme tilbud, paragraf og takstniveau "
                "(%(start)s – %(end)s).",
                start=format_day(other.valid_from),
                end=end,
            ),
        )


def overlapping_tariff(
    *, session: Session, values: TariffValues, exclude_id: int | None = None
) -> Tariff | None:
    """A tariff of the same unit, section and level whose period overlaps `values`', if any."""
    query = select(Tariff).where(
        Tariff.unit_id == values.unit_id,
        Tariff.legal_section == values.legal_section,
        Tariff.level == values.level,
        or_(col(Tariff.valid_to).is_(None), col(Tariff.valid_to) >= values.valid_from),
    )
    if values.valid_to is not None:
        query = query.where(Tariff.valid_from <= values.valid_to)
    if exclude_id is not None:
        query = query.where(Tariff.id != exclude_id)
    return session.exec(query.order_by(col(Tariff.valid_from)).limit(1)).first()


def create_tariff(*, session: Session, actor: User, values: TariffValues) -> Tariff:
    """Add a tariff; refuses an unknown unit, a bad amount or period and overlapping periods."""
    require_permission(actor, Permission.MANAGE_TARIFFS)
    ensure_manages_unit(session, actor, values.unit_id)
    _check_tariff(session, values, exclude_id=None)
    tariff = Tariff(**_tariff_fields(values))
    session.add(tariff)
    session.flush()
    record_create(session=session, user_id=actor.id, obj=tariff, citizen_id=None)
    return tariff


def update_tariff(
    *, session: Session, actor: User, tariff_id: int, version: int | None, values: TariffValues
) -> Tariff:
    """Change a tariff (the same checks as creating one); ConflictError when stale."""
    require_permission(actor, Permission.MANAGE_TARIFFS)
    tariff = get_tariff(session=session, tariff_id=tariff_id, actor=actor)
    ensure_manages_unit(session, actor, values.unit_id)
    ensure_version(tariff, version)
    _check_tariff(session, values, exclude_id=tariff.id)
    before = snapshot(tariff, TARIFF_FIELDS)
    for name, value in _tariff_fields(values).items():
        setattr(tariff, name, value)
    session.add(tariff)
    session.flush()
    record_update(session=session, user_id=actor.id, obj=tariff, before=before, citizen_id=None)
    return tariff


def end_tariff(
    *, session: Session, actor: User, tariff_id: int, version: int | None, valid_to: date
) -> Tariff:
    """Set a tariff's last valid day (checked like any other change of its period)."""
    tariff = get_tariff(session=session, tariff_id=tariff_id, actor=actor)
    values = TariffValues(
        unit_id=tariff.unit_id,
        legal_section=tariff.legal_section,
        valid_from=tariff.valid_from,
        valid_to=valid_to,
        daily_amount=tariff.daily_amount,
        level=tariff.level,
        occupancy_basis=tariff.occupancy_basis,
    )
    return update_tariff(
        session=session, actor=actor, tariff_id=tariff_id, version=version, values=values
    )


def _tariff_fields(values: TariffValues) -> dict[str, Any]:
    """Column values; the amount in whole øre so history shows no change for 100.5 -> 100.50."""
    fields = {name: getattr(values, name) for name in TARIFF_FIELDS}
    fields["daily_amount"] = values.daily_amount.quantize(Decimal("0.01"))
    if values.occupancy_basis is not None:
        fields["occupancy_basis"] = values.occupancy_basis.quantize(Decimal("0.01"))
    return fields
