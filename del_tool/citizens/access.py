"""Who may see and change which citizen: the one definition of "citizen in scope".

The rule (used by every service of the staff workflow):

- Row-level citizen data is open only to scopes that see names (staff and leaders). Analysts,
  councils and administrators have no row-level citizen access, whatever their unit scope says.
- A citizen is *in scope* through a stay in a unit of the user's scope (staff: the units they
  are assigned to; leaders: the units of their centre) that is current, or that ended less than
  `FORMER_STAY_ACCESS_DAYS` ago (the unit finishes its documentation, then lets go).
- Through a current stay the user sees the citizen's whole record (earlier stays elsewhere
  included: the history of the person they now care for). Through a past stay only, they see
  the stays of that stay's centre and what belongs to them, never the stays of other centres.
- Changing a stay-bound record (the stay itself, its goals and follow-ups) needs the stay's own
  unit in scope: staff of unit A read the history of a citizen who moved to unit B, but do not
  record in B's stay.

A missing id gives NotFoundError (404), an existing one outside the scope AccessDeniedError (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from flask import current_app
from sqlalchemy import ColumnElement, exists
from sqlmodel import Session, SQLModel, col, or_, select

from del_tool.auth.access import AccessDeniedError, NotFoundError
from del_tool.auth.models import User
from del_tool.auth.scope import Scope, scope_for
from del_tool.citizens.models import Citizen, Stay
from del_tool.modelbase import local_today
from del_tool.organisation.models import Unit

#: The largest id an INTEGER primary key holds. Larger ids cannot exist, and PostgreSQL answers
#: a query with one by an error rather than no row, so they are "not found" before any query.
MAX_ID = 2**31 - 1

ModelT = TypeVar("ModelT", bound=SQLModel)


def get_by_id(session: Session, model: type[ModelT], row_id: int) -> ModelT | None:
    """`session.get`, with ids no row can have (0, negative, beyond INTEGER) giving None."""
    if not 0 < row_id <= MAX_ID:
        return None
    return session.get(model, row_id)


@dataclass(frozen=True, slots=True)
class Actor:
    """The user a service acts for: id for the history, scope for the object checks."""

    user_id: int
    scope: Scope

    @classmethod
    def of(cls, user: User, *, session: Session) -> Actor:
        """The actor for a logged-in user."""
        if user.id is None:
            raise AccessDeniedError("user without id")
        return cls(user_id=user.id, scope=scope_for(user, session=session))

    @property
    def has_citizen_access(self) -> bool:
        """Whether this actor may see row-level citizen data at all."""
        return self.scope.sees_names

    def allows_unit(self, unit_id: int) -> bool:
        """Whether records of `unit_id` are in this actor's row-level scope."""
        return self.has_citizen_access and self.scope.allows_unit(unit_id)


def require_citizen_access(actor: Actor) -> None:
    """Raise AccessDeniedError unless the actor sees row-level citizen data."""
    if not actor.has_citizen_access:
        raise AccessDeniedError("this role has no row-level citizen access")


def stay_in_scope_clause(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `Stay`: the stay's unit is in the actor's scope."""
    require_citizen_access(actor)
    if actor.scope.unit_ids is None:
        return col(Stay.id).is_not(None)
    return col(Stay.unit_id).in_(sorted(actor.scope.unit_ids))


def _access_cutoff(today: date | None = None) -> date:
    """Stays that ended before this day no longer give access to their citizen."""
    days = int(current_app.config["FORMER_STAY_ACCESS_DAYS"])
    return (today or local_today()) - timedelta(days=days)


def stay_gives_access_clause(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `Stay`: in scope, and current or ended within the access period."""
    return stay_in_scope_clause(actor) & or_(
        col(Stay.end_date).is_(None), col(Stay.end_date) >= _access_cutoff()
    )


def citizen_in_scope_clause(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `Citizen`: some stay of the citizen gives the actor access."""
    return exists(
        select(Stay.id).where(col(Stay.citizen_id) == Citizen.id, stay_gives_access_clause(actor))
    )


def visible_stay_ids(session: Session, actor: Actor, citizen_id: int) -> frozenset[int] | None:
    """The citizen's stays the actor sees: None for all (a current stay in scope), else those
    of the centres of the in-scope stays that ended within the access period.

    Raises AccessDeniedError when no stay gives access (see the module docstring).
    """
    require_citizen_access(actor)
    rows = session.exec(
        select(col(Stay.id), col(Stay.unit_id), col(Stay.end_date), col(Unit.centre_id))
        .join(Unit, col(Unit.id) == Stay.unit_id)
        .where(col(Stay.citizen_id) == citizen_id)
    ).all()
    today, cutoff = local_today(), _access_cutoff()
    giving = [
        row for row in rows if actor.allows_unit(row[1]) and (row[2] is None or row[2] >= cutoff)
    ]
    if not giving:
        raise AccessDeniedError(f"citizen {citizen_id} is outside the user's scope")
    if actor.scope.all_units or any(end is None or end >= today for _, _, end, _ in giving):
        return None
    centres = {centre for *_, centre in giving}
    return frozenset(ident(stay_id) for stay_id, _, _, centre in rows if centre in centres)


def get_citizen(session: Session, actor: Actor, citizen_id: int) -> Citizen:
    """The citizen if in scope; NotFoundError when missing, AccessDeniedError when not in scope."""
    require_citizen_access(actor)
    citizen = get_by_id(session, Citizen, citizen_id)
    if citizen is None:
        raise NotFoundError(f"citizen {citizen_id}")
    visible_stay_ids(session, actor, citizen_id)
    return citizen


def ensure_stay_visible(session: Session, actor: Actor, citizen_id: int, stay_id: int) -> None:
    """Raise AccessDeniedError unless the actor sees the citizen and this stay of theirs."""
    visible = visible_stay_ids(session, actor, citizen_id)
    if visible is not None and stay_id not in visible:
        raise AccessDeniedError(f"stay {stay_id} is outside what the user sees of the citizen")


def get_stay(session: Session, actor: Actor, stay_id: int) -> Stay:
    """A stay whose unit is in scope (for changes); 404 when missing, 403 when not in scope."""
    require_citizen_access(actor)
    stay = get_by_id(session, Stay, stay_id)
    if stay is None:
        raise NotFoundError(f"stay {stay_id}")
    ensure_stay_editable(actor, stay)
    ensure_stay_visible(session, actor, stay.citizen_id, stay_id)
    return stay


def ensure_stay_editable(actor: Actor, stay: Stay) -> None:
    """Raise AccessDeniedError unless the stay's unit is in the actor's scope."""
    if not actor.allows_unit(stay.unit_id):
        raise AccessDeniedError(f"stay {stay.id} is in a unit outside the user's scope")


def get_unit_in_scope(session: Session, actor: Actor, unit_id: int) -> Unit | None:
    """The unit when it exists and is in scope; None when it does not exist; 403 otherwise."""
    require_citizen_access(actor)
    unit = get_by_id(session, Unit, unit_id)
    if unit is None:
        return None
    if not actor.allows_unit(unit_id):
        raise AccessDeniedError(f"unit {unit_id} is outside the user's scope")
    return unit


def units_in_scope(session: Session, actor: Actor) -> list[Unit]:
    """The active units the actor may record in, by name."""
    require_citizen_access(actor)
    query = select(Unit).where(col(Unit.active).is_(True)).order_by(col(Unit.name))
    if actor.scope.unit_ids is not None:
        query = query.where(col(Unit.id).in_(sorted(actor.scope.unit_ids)))
    return list(session.exec(query).all())


def ident(value: int | None) -> int:
    """The id of a stored row (SQLModel types primary keys as optional until flushed)."""
    if value is None:
        raise RuntimeError("a stored row has no id")
    return value
