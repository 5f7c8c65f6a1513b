"""The caseload: citizens in a stay today, when their next follow-up is due, and name search.

Due dates: the next follow-up of a stay is due `followup_interval_days` (of the stay's unit)
after its last follow-up; a stay without any follow-up needs a baseline, due from the stay's
start. A goal is due for review from `REVIEW_WINDOW` before its review date until a follow-up
in that window reviews it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from del_tool.citizens.access import (
    Actor,
    citizen_in_scope_clause,
    ident,
    stay_in_scope_clause,
)
from del_tool.citizens.contacts import contact_names
from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.models import FollowUp, FollowUpKind, GoalReview
from del_tool.goals.models import Goal, GoalStatus
from del_tool.organisation.models import Unit

REVIEW_WINDOW = timedelta(days=30)
SEARCH_LIMIT = 50


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One citizen in a stay today, with what is due."""

    citizen_id: int
    name: str
    birth_year: int
    stay_id: int
    stay_start: date
    last_followup: date | None
    due: date
    due_kind: FollowUpKind
    days_overdue: int
    goals_due: int
    unit_id: int = 0
    contact_user_id: int | None = None
    contact_name: str | None = None
    #: What tells namesakes apart (#15 item 2), beside the name and birth year.
    case_reference: str | None = None

    @property
    def overdue(self) -> bool:
        """Whether the next follow-up is past its due date."""
        return self.days_overdue > 0


@dataclass(frozen=True, slots=True)
class UnitCaseload:
    """The caseload of one unit: overdue citizens first, then by due date."""

    unit_id: int
    unit_name: str
    interval_days: int
    rows: list[CaseloadRow]

    @property
    def overdue_count(self) -> int:
        """How many citizens of the unit are overdue."""
        return sum(row.overdue for row in self.rows)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A citizen found by name, with their latest stay's unit and dates."""

    citizen_id: int
    name: str
    birth_year: int
    unit_name: str
    start_date: date
    end_date: date | None
    #: What tells namesakes apart (#15 item 2), beside the name and birth year.
    case_reference: str | None = None


def caseload(*, session: Session, actor: Actor, today: date) -> list[UnitCaseload]:
    """The actor's units with the citizens in a stay on `today`, overdue first."""
    last = (
        select(FollowUp.stay_id, func.max(FollowUp.followup_date).label("last"))
        .group_by(col(FollowUp.stay_id))
        .subquery()
    )
    rows = session.exec(
        select(Stay, Citizen, Unit, last.c.last)
        .join(Citizen, col(Citizen.id) == Stay.citizen_id)
        .join(Unit, col(Unit.id) == Stay.unit_id)
        .outerjoin(last, last.c.stay_id == Stay.id)
        .where(
            stay_in_scope_clause(actor),
            col(Stay.start_date) <= today,
            (col(Stay.end_date).is_(None)) | (col(Stay.end_date) >= today),
        )
    ).all()
    goals_due = _goals_due_for_review(session, [ident(stay.id) for stay, *_ in rows], today)
    contacts = contact_names(session, [stay.contact_user_id for stay, *_ in rows])
    units: dict[int, UnitCaseload] = {}
    for stay, citizen, unit, last_date in rows:
        if last_date is None:
            due, kind = stay.start_date, FollowUpKind.BASELINE
        else:
            due = last_date + timedelta(days=unit.followup_interval_days)
            kind = FollowUpKind.FOLLOW_UP
        entry = units.setdefault(
            ident(unit.id), UnitCaseload(ident(unit.id), unit.name, unit.followup_interval_days, [])
        )
        entry.rows.append(
            CaseloadRow(
                citizen_id=stay.citizen_id,
                name=citizen.name,
                birth_year=citizen.birth_year,
                stay_id=ident(stay.id),
                stay_start=stay.start_date,
                last_followup=last_date,
                due=due,
                due_kind=kind,
                days_overdue=max(0, (today - due).days),
                goals_due=goals_due.get(ident(stay.id), 0),
                unit_id=ident(unit.id),
                contact_user_id=stay.contact_user_id,
                contact_name=contacts.get(stay.contact_user_id or 0),
                case_reference=citizen.case_reference,
            )
        )
    for entry in units.values():
        entry.rows.sort(key=lambda r: (not r.overdue, r.due, r.name))
    return sorted(units.values(), key=lambda u: u.unit_name)


def _goals_due_for_review(session: Session, stay_ids: list[int], today: date) -> dict[int, int]:
    """Per stay: active goals whose review window has begun and that were not reviewed in it."""
    if not stay_ids:
        return {}
    goals = session.exec(
        select(col(Goal.id), col(Goal.stay_id), col(Goal.review_date)).where(
            col(Goal.stay_id).in_(stay_ids),
            col(Goal.status) == GoalStatus.ACTIVE,
            col(Goal.review_date).is_not(None),
            col(Goal.review_date) <= today + REVIEW_WINDOW,
        )
    ).all()
    if not goals:
        return {}
    reviewed = session.exec(
        select(col(GoalReview.goal_id), func.max(FollowUp.followup_date))
        .join(FollowUp, col(FollowUp.id) == GoalReview.follow_up_id)
        .where(col(GoalReview.goal_id).in_([g[0] for g in goals]))
        .group_by(col(GoalReview.goal_id))
    ).all()
    last_review = dict(reviewed)
    counts: dict[int, int] = {}
    for goal_id, stay_id, review_date in goals:
        latest = last_review.get(ident(goal_id))
        if review_date is not None and (latest is None or latest < review_date - REVIEW_WINDOW):
            counts[ident(stay_id)] = counts.get(ident(stay_id), 0) + 1
    return counts


def search_citizens(*, session: Session, actor: Actor, query: str) -> list[SearchHit]:
    """Citizens in scope whose name contains `query`, latest in-scope stay shown.

    Matching is done in Python with `casefold`, because SQLite's LOWER() only folds ASCII and
    Danish names have Æ, Ø and Å; a scope holds at most a few thousand citizens.
    """
    needle = query.casefold()
    names = session.exec(
        select(Citizen.id, Citizen.name).where(citizen_in_scope_clause(actor))
    ).all()
    ids = sorted(ident(cid) for cid, name in names if needle in name.casefold())
    if not ids:
        return []
    latest = (
        select(Stay.citizen_id, func.max(Stay.start_date).label("start"))
        .where(stay_in_scope_clause(actor), col(Stay.citizen_id).in_(ids))
        .group_by(col(Stay.citizen_id))
        .subquery()
    )
    rows = session.exec(
        select(Citizen, Stay, Unit.name)
        .join(latest, latest.c.citizen_id == Citizen.id)
        .join(
            Stay,
            (col(Stay.citizen_id) == Citizen.id) & (col(Stay.start_date) == latest.c.start),
        )
        .join(Unit, col(Unit.id) == Stay.unit_id)
        .order_by(col(Citizen.name), col(Citizen.id))
        .limit(SEARCH_LIMIT)
    ).all()
    return [
        SearchHit(
            citizen_id=citizen.id,  # type: ignore[arg-type]
            name=citizen.name,
            birth_year=citizen.birth_year,
            unit_name=unit_name,
            case_reference=citizen.case_reference,
            start_date=stay.start_date,
            end_date=stay.end_date,
        )
        for citizen, stay, unit_name in rows
    ]
