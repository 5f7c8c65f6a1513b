"""Object-level scope: which units and municipality a user's data access covers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from del_tool.auth.models import Role, User, UserUnit
from del_tool.organisation.models import Unit


@dataclass(frozen=True, slots=True)
class Scope:
    """What part of the region a user sees: units (None = all), or one municipality's aggregates."""

    unit_ids: frozenset[int] | None
    municipality_code: str | None = None
    sees_names: bool = True

    @property
    def all_units(self) -> bool:
        """Whether the scope covers every unit."""
        return self.unit_ids is None

    def allows_unit(self, unit_id: int) -> bool:
        """Whether row-level data of `unit_id` is in scope."""
        return self.unit_ids is None or unit_id in self.unit_ids


NO_UNITS: frozenset[int] = frozenset()


def scope_for(user: User, *, session: Session) -> Scope:
    """The scope of `user` from role and assignments (DESIGN §1)."""
    if user.role is Role.STAFF:
        assigned = session.exec(select(UserUnit.unit_id).where(UserUnit.user_id == user.id)).all()
        return Scope(unit_ids=frozenset(assigned))
    if user.role is Role.LEADER:
        centre_units = session.exec(select(Unit.id).where(Unit.centre_id == user.centre_id)).all()
        return Scope(unit_ids=frozenset(i for i in centre_units if i is not None))
    if user.role is Role.ANALYST:
        return Scope(unit_ids=None, sees_names=False)
    if user.role is Role.COUNCIL:
        return Scope(unit_ids=NO_UNITS, municipality_code=user.municipality_code, sees_names=False)
    return Scope(unit_ids=NO_UNITS, sees_names=False)
