"""Contact persons (kontaktpersoner): who may be named on a stay, and their names.

A stay's contact person is an active user who works with the stay's unit and sees names: a
staff member assigned to the unit, or a leader of the unit's centre (the users whose scope
includes the unit, `del_tool.auth.scope`). The stay form offers them grouped by unit and the
service refuses anyone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from del_tool.auth.models import Role, User, UserUnit
from del_tool.citizens.access import ident
from del_tool.organisation.models import Unit


@dataclass(frozen=True, slots=True)
class Candidate:
    """A user who may be a contact person in a unit."""

    user_id: int
    name: str


def candidates_by_unit(session: Session, units: Iterable[Unit]) -> dict[int, list[Candidate]]:
    """For each unit: the active staff assigned to it and the leaders of its centre, by name."""
    units = list(units)
    unit_ids = [unit.id for unit in units if unit.id is not None]
    result: dict[int, list[Candidate]] = {unit_id: [] for unit_id in unit_ids}
    if not unit_ids:
        return result
    staff = session.exec(
        select(col(UserUnit.unit_id), col(User.id), col(User.display_name))
        .join(User, col(User.id) == UserUnit.user_id)
        .where(
            col(UserUnit.unit_id).in_(unit_ids),
            col(User.role) == Role.STAFF,
            col(User.active).is_(True),
        )
    ).all()
    for unit_id, user_id, name in staff:
        result[unit_id].append(Candidate(ident(user_id), name))
    centres = {unit.centre_id for unit in units}
    leaders = session.exec(
        select(col(User.centre_id), col(User.id), col(User.display_name)).where(
            col(User.centre_id).in_(sorted(centres)),
            col(User.role) == Role.LEADER,
            col(User.active).is_(True),
        )
    ).all()
    for unit in units:
        for centre_id, user_id, name in leaders:
            if unit.id is not None and centre_id == unit.centre_id:
                result[unit.id].append(Candidate(ident(user_id), name))
    for people in result.values():
        people.sort(key=lambda c: (c.name.casefold(), c.user_id))
    return result


def may_be_contact(session: Session, user_id: int, unit: Unit) -> bool:
    """Whether the user may be the contact person of a stay in `unit`."""
    assert unit.id is not None  # noqa: S101 - a stored unit
    return any(c.user_id == user_id for c in candidates_by_unit(session, [unit])[unit.id])


def contact_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the given users (ids of deleted users are left out)."""
    ids = sorted({uid for uid in user_ids if uid is not None})
    if not ids:
        return {}
    rows = session.exec(
        select(col(User.id), col(User.display_name)).where(col(User.id).in_(ids))
    ).all()
    return {ident(uid): name for uid, name in rows}
