"""A subscriber's weekly digest: per unit, how many follow-ups are overdue and how many fall
due this week, by the caseload's own rule (`citizens.caseload`), and the same for the stays the
subscriber is contact person of. Counts only: no citizen is named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from del_tool.auth.models import User
from del_tool.auth.permissions import ROLE_PERMISSIONS, Permission
from del_tool.citizens.access import Actor
from del_tool.citizens.caseload import caseload
from del_tool.citizens.caseload_filters import DueStatus, due_status


def receives_reminders(user: User) -> bool:
    """Whether `user`'s role has a caseload, and so a digest to receive (staff, leaders)."""
    return Permission.RECEIVE_REMINDERS in ROLE_PERMISSIONS.get(user.role, frozenset())


@dataclass(frozen=True, slots=True)
class UnitDue:
    """One unit's counts."""

    unit_id: int
    unit_name: str
    overdue: int
    this_week: int


@dataclass(frozen=True, slots=True)
class Digest:
    """What one subscriber's mail says: their units' counts and their own stays' counts."""

    user_id: int
    week: str
    units: list[UnitDue]
    mine_overdue: int
    mine_this_week: int

    @property
    def overdue(self) -> int:
        """Overdue follow-ups in every unit of the digest."""
        return sum(unit.overdue for unit in self.units)

    @property
    def this_week(self) -> int:
        """Follow-ups due this week in every unit of the digest."""
        return sum(unit.this_week for unit in self.units)


def iso_week(day: date) -> str:
    """ "2026-W49": the ISO week of `day`."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_for(session: Session, user: User, today: date) -> Digest:
    """The digest of `user` (staff or leader) on `today`, within the user's scope."""
    actor = Actor.of(user, session=session)
    units = []
    mine = {DueStatus.OVERDUE: 0, DueStatus.WEEK: 0}
    for unit in caseload(session=session, actor=actor, today=today):
        counts = {DueStatus.OVERDUE: 0, DueStatus.WEEK: 0}
        for row in unit.rows:
            status = due_status(row, today)
            if status in counts:
                counts[status] += 1
                if row.contact_user_id == user.id:
                    mine[status] += 1
        units.append(
            UnitDue(unit.unit_id, unit.unit_name, counts[DueStatus.OVERDUE], counts[DueStatus.WEEK])
        )
    return Digest(
        user_id=int(user.id or 0),
        week=iso_week(today),
        units=units,
        mine_overdue=mine[DueStatus.OVERDUE],
        mine_this_week=mine[DueStatus.WEEK],
    )
