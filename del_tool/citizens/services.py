"""Citizens and stays: create, edit, end and move, with scope checks and change history.

Every function takes the session and the acting user (`Actor`) as keyword arguments, checks the
object scope (see `del_tool.citizens.access`), writes the change history in the same
transaction, flushes and never commits. Input that breaks a rule raises `RuleError` naming the
form field; a stale version raises `ConflictError`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from del_tool.audit.services import record_create, to_jsonable
from del_tool.citizens import history
from del_tool.citizens.access import (
    Actor,
    get_citizen,
    get_stay,
    get_unit_in_scope,
    require_citizen_access,
)
from del_tool.citizens.contacts import may_be_contact
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.errors import ConflictError, RuleError
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal, GoalStatus
from del_tool.i18n import format_day
from del_tool.modelbase import local_today
from del_tool.organisation.models import (
    LegalSection,
    Municipality,
    TargetGroup,
    Unit,
    section_fits,
)
from del_tool.text import is_blank


@dataclass(frozen=True, slots=True)
class CitizenData:
    """What a user enters about a citizen."""

    name: str
    birth_year: int
    sex: Sex
    target_group: TargetGroup
    case_reference: str | None = None


@dataclass(frozen=True, slots=True)
class StayData:
    """What a user enters about a stay."""

    unit_id: int
    municipality_code: str
    legal_section: LegalSection
    start_date: date
    end_date: date | None = None
    contact_user_id: int | None = None


def check_version(obj: Any, expected: int | None, values: dict[str, Any]) -> bool:
    """Whether to write: False when the form repeats what is stored (a double submit).

    Raises ConflictError when `expected` is not the stored version and the form would change
    something: someone else saved in between, and their work must not be overwritten.
    """
    unchanged = all(to_jsonable(getattr(obj, k)) == to_jsonable(v) for k, v in values.items())
    if unchanged:
        return False
    if expected is None or expected != obj.version:
        raise ConflictError(f"{obj.__tablename__} {obj.id}: form version {expected}")
    return True


def create_citizen(
    *, session: Session, actor: Actor, citizen: CitizenData, stay: StayData
) -> Citizen:
    """A new citizen with their first stay (in a unit of the actor's scope)."""
    require_citizen_access(actor)
    _check_citizen(citizen)
    _check_stay(session, actor, stay, citizen_id=None, stay_id=None)
    row = Citizen(**asdict(citizen))
    session.add(row)
    session.flush()
    assert row.id is not None  # noqa: S101 - set by the flush above
    # Not history.insert: the citizen's own id, known only now, marks the entry as theirs.
    record_create(session=session, user_id=actor.user_id, obj=row, citizen_id=row.id)
    _insert_stay(session, actor, row.id, stay)
    return row


def update_citizen(
    *, session: Session, actor: Actor, citizen_id: int, data: CitizenData, version: int | None
) -> Citizen:
    """Change a citizen's details (optimistic locking on `version`)."""
    row = get_citizen(session, actor, citizen_id)
    _check_citizen(data)
    values = asdict(data)
    if not check_version(row, version, values):
        return row
    return history.update(session, actor, row, values, citizen_id=row.id)


def _check_citizen(data: CitizenData) -> None:
    """The form's rules for callers other than the form: a name that is not only spaces."""
    if is_blank(data.name):
        raise RuleError("name", _l("Skriv borgerens navn."))


def add_stay(*, session: Session, actor: Actor, citizen_id: int, stay: StayData) -> Stay:
    """A new stay for a citizen in scope, in a unit of the actor's scope, overlapping no other."""
    get_citizen(session, actor, citizen_id)
    _check_stay(session, actor, stay, citizen_id=citizen_id, stay_id=None)
    return _insert_stay(session, actor, citizen_id, stay)


def update_stay(
    *, session: Session, actor: Actor, stay_id: int, data: StayData, version: int | None
) -> Stay:
    """Correct a stay; its goals and follow-ups must still lie within it."""
    row = get_stay(session, actor, stay_id)
    values = asdict(data)
    if not check_version(row, version, values):
        return row
    _check_stay(session, actor, data, citizen_id=row.citizen_id, stay_id=row.id)
    _check_records_inside(session, row, data.start_date, data.end_date)
    return _write_stay(session, actor, row, values)


def end_stay(
    *, session: Session, actor: Actor, stay_id: int, end_date: date, version: int | None
) -> Stay:
    """End a stay on `end_date` (not before its start or its last follow-up)."""
    row = get_stay(session, actor, stay_id)
    values = {"end_date": end_date}
    if not check_version(row, version, values):
        return row
    if end_date < row.start_date:
        raise RuleError("end_date", _l("Slutdatoen må ikke være før opholdets start."))
    _check_overlap(session, row.citizen_id, row.start_date, end_date, exclude=row.id)
    _check_records_inside(session, row, row.start_date, end_date, field="end_date")
    _write_stay(session, actor, row, values)
    _end_active_goals(session, actor, row, end_date)
    return row


def move_stay(
    *, session: Session, actor: Actor, stay_id: int, new_stay: StayData, version: int | None
) -> Stay:
    """Move the citizen: end the stay the day before `new_stay.start_date`, start the new one."""
    row = get_stay(session, actor, stay_id)
    if version is None or version != row.version:
        raise ConflictError(f"stays {row.id}: form version {version}")
    if new_stay.start_date <= row.start_date:
        raise RuleError("start_date", _l("Flyttedatoen skal ligge efter opholdets start."))
    if row.end_date is not None and row.end_date < new_stay.start_date - timedelta(days=1):
        raise RuleError("start_date", _l("Opholdet er allerede slut før flyttedatoen."))
    last_day = new_stay.start_date - timedelta(days=1)
    _check_stay(session, actor, new_stay, citizen_id=None, stay_id=None)
    _check_records_inside(session, row, row.start_date, last_day, field="start_date")
    _write_stay(session, actor, row, {"end_date": last_day})
    _end_active_goals(session, actor, row, last_day)
    _check_overlap(session, row.citizen_id, new_stay.start_date, new_stay.end_date, exclude=None)
    return _insert_stay(session, actor, row.citizen_id, new_stay)


def _write_stay(session: Session, actor: Actor, row: Stay, values: dict[str, Any]) -> Stay:
    return history.update(session, actor, row, values, citizen_id=row.citizen_id)


def _end_active_goals(session: Session, actor: Actor, stay: Stay, end_date: date) -> None:
    """Goals still active when a stay ends (today or earlier) end with it."""
    if end_date > local_today():
        return
    goals = session.exec(
        select(Goal).where(col(Goal.stay_id) == stay.id, col(Goal.status) == GoalStatus.ACTIVE)
    ).all()
    for goal in goals:
        values = {"status": GoalStatus.ENDED, "closed_on": max(end_date, goal.start_date)}
        history.update(session, actor, goal, values, citizen_id=stay.citizen_id)


def _insert_stay(session: Session, actor: Actor, citizen_id: int, stay: StayData) -> Stay:
    return history.insert(
        session, actor, Stay(citizen_id=citizen_id, **asdict(stay)), citizen_id=citizen_id
    )


def _check_stay(
    session: Session, actor: Actor, stay: StayData, *, citizen_id: int | None, stay_id: int | None
) -> None:
    """Unit in scope and active, a known payer, dates in order, and (with a citizen) no overlap."""
    unit = get_unit_in_scope(session, actor, stay.unit_id)
    if unit is None:
        raise RuleError("unit_id", _l("Vælg et af dine tilbud."))
    if stay_id is None and not unit.active:
        raise RuleError("unit_id", _l("Tilbuddet er lukket for nye ophold."))
    _check_section(unit, stay.legal_section)
    if stay.contact_user_id is not None and not may_be_contact(session, stay.contact_user_id, unit):
        raise RuleError(
            "contact_user_id", _l("Vælg en kontaktperson, der arbejder i det valgte tilbud.")
        )
    if session.get(Municipality, stay.municipality_code) is None:
        raise RuleError("municipality_code", _l("Vælg en kommune fra listen."))
    if stay.end_date is not None and stay.end_date < stay.start_date:
        raise RuleError("end_date", _l("Slutdatoen må ikke være før startdatoen."))
    if citizen_id is not None:
        _check_overlap(session, citizen_id, stay.start_date, stay.end_date, exclude=stay_id)


def _check_section(unit: Unit, section: LegalSection) -> None:
    """RuleError when `section` does not fit the unit's kind of offer (a § 103 stay in a
    botilbud) and the deployment refuses such stays; with STAY_SECTION_MISMATCH = "warn" the
    stay is stored and its profile says it does not fit."""
    if section_fits(unit.offer_kind, section):
        return
    if current_app.config["STAY_SECTION_MISMATCH"] == "warn":
        return
    raise RuleError(
        "legal_section",
        _l(
            "%(section)s passer ikke til tilbuddets type (%(kind)s). Vælg en anden paragraf, "
            "eller bed en administrator rette tilbudstypen.",
            section=section.label,
            kind=unit.offer_kind.label if unit.offer_kind else "",
        ),
    )


def _check_overlap(
    session: Session, citizen_id: int, start: date, end: date | None, *, exclude: int | None
) -> None:
    """RuleError when [start, end] (inclusive; open end = ongoing) meets another stay."""
    query = select(Stay).where(col(Stay.citizen_id) == citizen_id)
    if exclude is not None:
        query = query.where(col(Stay.id) != exclude)
    if end is not None:
        query = query.where(col(Stay.start_date) <= end)
    query = query.where((col(Stay.end_date).is_(None)) | (col(Stay.end_date) >= start))
    other = session.exec(query.limit(1)).first()
    if other is not None:
        until = format_day(other.end_date) if other.end_date else _l("nu")
        raise RuleError(
            "start_date",
            _l(
                "Opholdet overlapper et andet ophold (%(start)s til %(end)s). "
                "Afslut det andet ophold først, eller brug Flyt.",
                start=format_day(other.start_date),
                end=until,
            ),
        )


def _check_records_inside(
    session: Session,
    stay: Stay,
    start: date,
    end: date | None,
    *,
    field: str = "start_date",
) -> None:
    """RuleError when a follow-up or goal of `stay` would fall outside [start, end]."""
    first, last = session.exec(
        select(func.min(FollowUp.followup_date), func.max(FollowUp.followup_date)).where(
            col(FollowUp.stay_id) == stay.id
        )
    ).one()
    first_goal, last_goal = session.exec(
        select(func.min(Goal.start_date), func.max(Goal.start_date)).where(
            col(Goal.stay_id) == stay.id
        )
    ).one()
    starts = [d for d in (first, first_goal) if d is not None]
    if starts and start > min(starts):
        raise RuleError(
            "start_date",
            _l(
                "Opholdet har mål eller opfølgninger fra %(date)s; "
                "startdatoen må ikke være senere.",
                date=format_day(min(starts)),
            ),
        )
    ends = [d for d in (last, last_goal) if d is not None]
    if end is not None and ends and end < max(ends):
        raise RuleError(
            field,
            _l(
                "Opholdet har mål eller opfølgninger til og med %(date)s; det kan ikke slutte før.",
                date=format_day(max(ends)),
            ),
        )
