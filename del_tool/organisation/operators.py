"""Operators: who runs an offer and is the data controller for its citizens.

A centre is operated by the region (the deployment's owner; `Centre.operator_code` None) or by a
municipality (a municipal offer). Each operator's citizen data, users, units and tariffs are its
own: an administrator manages those of the operator they work for (`User.operator_code`), and the
deployment's owner acts as the municipalities' processor, not their controller. A municipality's
council role sees aggregates for the citizens it pays for in other operators' offers; its own
offers it sees through their leaders.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlmodel import Session, col, select

from del_tool.auth.models import Role, User, UserUnit
from del_tool.organisation.models import Centre, Municipality, Unit


def centre_operators(session: Session) -> dict[int, str | None]:
    """Centre id -> operator (None: the region)."""
    rows = session.exec(select(Centre.id, Centre.operator_code)).all()
    return {int(centre_id): code for centre_id, code in rows if centre_id is not None}


def unit_operators(session: Session) -> dict[int, str | None]:
    """Unit id -> operator (None: the region)."""
    rows = session.exec(
        select(Unit.id, Centre.operator_code).join(Centre, col(Centre.id) == Unit.centre_id)
    ).all()
    return {int(unit_id): code for unit_id, code in rows if unit_id is not None}


def operator_units(session: Session, operator: str | None) -> frozenset[int]:
    """The units `operator` runs."""
    return frozenset(u for u, code in unit_operators(session).items() if code == operator)


def operator_centres(session: Session, operator: str | None) -> frozenset[int]:
    """The centres `operator` runs."""
    return frozenset(c for c, code in centre_operators(session).items() if code == operator)


def operator_name(session: Session, operator: str | None) -> str:
    """ "Odense Kommune" for a municipality, the region's name for the region."""
    if operator is None:
        from del_tool.organisation.models import Region

        return session.exec(select(Region.name).order_by(col(Region.id))).first() or _("Regionen")
    municipality = session.get(Municipality, operator)
    name = municipality.name if municipality else operator
    return _("%(name)s Kommune", name=name)


def user_operator(session: Session, user: User) -> str | None:
    """The operator a user belongs to: an administrator's own, a leader's centre's, a staff
    member's units' (the first one's: staff work for one operator), the region for the rest."""
    if user.role is Role.ADMIN:
        return user.operator_code
    if user.role is Role.LEADER and user.centre_id is not None:
        centre = session.get(Centre, user.centre_id)
        return centre.operator_code if centre else None
    if user.role is Role.STAFF:
        units = session.exec(select(UserUnit.unit_id).where(UserUnit.user_id == user.id)).all()
        operators = unit_operators(session)
        for unit_id in sorted(units):
            return operators.get(unit_id)
    return None


def user_operators(session: Session) -> dict[int, str | None]:
    """User id -> operator, for every user (as `user_operator`, in three queries)."""
    centres = centre_operators(session)
    units = unit_operators(session)
    first_unit: dict[int, int] = {}
    for user_id, unit_id in session.exec(select(UserUnit.user_id, UserUnit.unit_id)).all():
        first_unit[user_id] = min(unit_id, first_unit.get(user_id, unit_id))
    result: dict[int, str | None] = {}
    for user in session.exec(select(User)).all():
        if user.id is None:
            continue
        if user.role is Role.ADMIN:
            result[user.id] = user.operator_code
        elif user.role is Role.LEADER and user.centre_id is not None:
            result[user.id] = centres.get(user.centre_id)
        elif user.role is Role.STAFF and user.id in first_unit:
            result[user.id] = units.get(first_unit[user.id])
        else:
            result[user.id] = None
    return result


def units_operators(session: Session, unit_ids: Iterable[int]) -> set[str | None]:
    """The operators of `unit_ids` (several: a mix no single user may have)."""
    operators = unit_operators(session)
    return {operators.get(u) for u in unit_ids}
