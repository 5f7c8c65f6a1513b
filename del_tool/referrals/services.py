"""Recording referrals and their decisions, with the change history, scope checks and rules.

Every function takes the session and a `ReferralActor` as keyword arguments, checks the scope
(`del_tool.referrals.access`), writes the change history in the same transaction (no citizen:
a referral names no one), flushes and never commits. Input that breaks a rule raises
`RuleError` naming the form field; a stale version raises `ConflictError`.

Rules: the referral day and a decision day are not in the future, and a decision is not made
before the referral; an admission links one stay of the referral's unit that began on or after
the referral day and that no other referral has; a referral that is not admitted has no stay.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.citizens import history
from del_tool.citizens.access import get_by_id
from del_tool.citizens.models import Citizen, Stay
from del_tool.citizens.services import check_version
from del_tool.errors import RuleError
from del_tool.i18n import format_day
from del_tool.modelbase import local_today
from del_tool.organisation.models import (
    LegalSection,
    Municipality,
    Referral,
    ReferralOutcome,
)
from del_tool.referrals.access import ReferralActor, ensure_records, get_referral, get_unit


@dataclass(frozen=True, slots=True)
class ReferralData:
    """What a leader enters about a referral."""

    municipality_code: str
    legal_section: LegalSection | None
    referred_on: date


@dataclass(frozen=True, slots=True)
class Decision:
    """What became of a referral: the outcome, its day and (admitted) the stay."""

    outcome: ReferralOutcome
    decided_on: date | None
    stay_id: int | None = None


def create_referral(
    *, session: Session, actor: ReferralActor, unit_id: int, data: ReferralData
) -> Referral:
    """A new pending referral to a unit in the actor's centre."""
    ensure_records(actor)
    unit = get_unit(session, actor, unit_id)
    if not unit.active:
        raise RuleError("municipality_code", _l("Tilbuddet er lukket for nye henvendelser."))
    _check_data(session, data)
    row = Referral(unit_id=unit_id, outcome=ReferralOutcome.PENDING, **asdict(data))
    return history.insert(session, actor.actor, row, citizen_id=None)


def update_referral(
    *,
    session: Session,
    actor: ReferralActor,
    referral_id: int,
    data: ReferralData,
    version: int | None,
) -> Referral:
    """Correct a referral's payer, section or day (optimistic locking on `version`)."""
    row = get_referral(session, actor, referral_id, write=True)
    values = asdict(data)
    if not check_version(row, version, values):
        return row
    _check_data(session, data)
    if row.decided_on is not None and data.referred_on > row.decided_on:
        raise RuleError(
            "referred_on",
            _l(
                "Henvendelsen er afgjort %(day)s og kan ikke være senere.",
                day=format_day(row.decided_on),
            ),
        )
    stay = get_by_id(session, Stay, row.stay_id) if row.stay_id is not None else None
    if stay is not None and data.referred_on > stay.start_date:
        raise RuleError(
            "referred_on",
            _l(
                "Borgeren blev indskrevet %(day)s; henvendelsen kan ikke være senere.",
                day=format_day(stay.start_date),
            ),
        )
    return history.update(session, actor.actor, row, values, citizen_id=None)


def decide_referral(
    *,
    session: Session,
    actor: ReferralActor,
    referral_id: int,
    decision: Decision,
    version: int | None,
) -> Referral:
    """Record (or correct) what became of a referral; "pending" takes a decision back."""
    row = get_referral(session, actor, referral_id, write=True)
    values = asdict(decision)
    if decision.outcome is ReferralOutcome.PENDING:
        values.update(decided_on=None, stay_id=None)
    elif decision.outcome is not ReferralOutcome.ADMITTED:
        values["stay_id"] = None
    if not check_version(row, version, values):
        return row
    if decision.outcome is not ReferralOutcome.PENDING:
        _check_decision_day(row, decision.decided_on)
    if decision.outcome is ReferralOutcome.ADMITTED:
        _check_stay(session, row, decision.stay_id)
    return history.update(session, actor.actor, row, values, citizen_id=None)


def admit_with_stay(
    *, session: Session, actor: ReferralActor, referral_id: int, stay: Stay
) -> Referral:
    """Mark a pending referral admitted with a stay just created from it (the new-citizen form):
    decided on the stay's first day, or today when the stay begins later."""
    row = get_referral(session, actor, referral_id, write=True)
    if row.outcome is not ReferralOutcome.PENDING:
        raise RuleError("unit_id", _l("Henvendelsen er allerede afgjort."))
    decision = Decision(ReferralOutcome.ADMITTED, min(stay.start_date, local_today()), stay.id)
    return decide_referral(
        session=session,
        actor=actor,
        referral_id=referral_id,
        decision=decision,
        version=row.version,
    )


def stay_candidates(session: Session, referral: Referral) -> list[tuple[Stay, Citizen]]:
    """The stays an admission may link: the unit's stays that began on or after the referral
    day and that no other referral has, earliest first."""
    linked = select(col(Referral.stay_id)).where(
        col(Referral.stay_id).is_not(None), col(Referral.id) != referral.id
    )
    rows = session.exec(
        select(Stay, Citizen)
        .join(Citizen, col(Citizen.id) == col(Stay.citizen_id))
        .where(
            col(Stay.unit_id) == referral.unit_id,
            col(Stay.start_date) >= referral.referred_on,
            col(Stay.id).not_in(linked),
            col(Citizen.merged_into_id).is_(None),
        )
        .order_by(col(Stay.start_date), col(Stay.id))
    ).all()
    return [(stay, citizen) for stay, citizen in rows]


def _check_data(session: Session, data: ReferralData) -> None:
    if session.get(Municipality, data.municipality_code) is None:
        raise RuleError("municipality_code", _l("Vælg en kommune fra listen."))
    if data.referred_on > local_today():
        raise RuleError("referred_on", _l("Datoen må ikke ligge i fremtiden."))


def _check_decision_day(row: Referral, day: date | None) -> None:
    if day is None:
        raise RuleError("decided_on", _l("Skriv datoen for afgørelsen."))
    if day > local_today():
        raise RuleError("decided_on", _l("Datoen må ikke ligge i fremtiden."))
    if day < row.referred_on:
        raise RuleError(
            "decided_on",
            _l(
                "Afgørelsen kan ikke være før henvendelsen (%(day)s).",
                day=format_day(row.referred_on),
            ),
        )


def _check_stay(session: Session, row: Referral, stay_id: int | None) -> None:
    """The admission's stay: of the referral's unit, from the referral day on, linked once."""
    if stay_id is None:
        raise RuleError("stay_id", _l("Vælg opholdet, borgeren blev indskrevet i."))
    stay = get_by_id(session, Stay, stay_id)
    if stay is None or stay.unit_id != row.unit_id:
        raise RuleError("stay_id", _l("Vælg et ophold i henvendelsens tilbud."))
    if stay.start_date < row.referred_on:
        raise RuleError(
            "stay_id",
            _l(
                "Opholdet begyndte %(start)s, før henvendelsen (%(day)s).",
                start=format_day(stay.start_date),
                day=format_day(row.referred_on),
            ),
        )
    other = session.exec(
        select(Referral.id).where(col(Referral.stay_id) == stay_id, col(Referral.id) != row.id)
    ).first()
    if other is not None:
        raise RuleError("stay_id", _l("Opholdet hører allerede til en anden henvendelse."))
