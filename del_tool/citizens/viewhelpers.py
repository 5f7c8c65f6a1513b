"""Small helpers the staff-workflow views share: the acting user, read logging, choices, locale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, col, select

from del_tool.audit.models import AccessEvent
from del_tool.audit.services import log_access, log_accesses
from del_tool.auth.models import Role, User
from del_tool.citizens.access import Actor
from del_tool.citizens.contacts import candidates_by_unit
from del_tool.db import get_session, reads_only, write_session
from del_tool.organisation.models import Municipality, Unit
from del_tool.questionnaires.schema import normalise_lang


def current_actor() -> Actor:
    """The logged-in user as an Actor (id and scope)."""
    return Actor.of(current_user, session=get_session())


def log_read(
    session: Session, *, actor: Actor, action: str, citizen_id: int | None, detail: str = ""
) -> None:
    """Record a read of citizen data in a short transaction of its own, committed at once.

    `session` is the request's: a GET's keeps its read snapshot (the event goes on another
    connection, so the snapshot is never upgraded to a write, which SQLite refuses once another
    writer has committed). A form shown again after a POST rolls its session back first: reads
    are logged on pages that show data, never together with a change, and on SQLite that
    session holds the write lock the log's transaction needs.
    """
    if not reads_only(session):
        session.rollback()
    with write_session() as own:
        log_access(
            session=own,
            user_id=actor.user_id,
            action=action,
            citizen_id=citizen_id,
            endpoint=request.endpoint or "",
            detail=detail,
        )


def log_reads(session: Session, events: Sequence[AccessEvent]) -> None:
    """`log_read` for events built beforehand (`access_event`): one transaction of their own."""
    if not reads_only(session):
        session.rollback()
    with write_session() as own:
        log_accesses(own, events)


def municipality_choices(session: Session) -> list[tuple[str, str]]:
    """All municipalities as (code, name), by name."""
    rows = session.exec(
        select(Municipality.code, Municipality.name).order_by(col(Municipality.name))
    ).all()
    return [(code, name) for code, name in rows]


def unit_choices(units: list[Unit]) -> list[tuple[Any, str]]:
    """Units as (id, name) choices."""
    return [(unit.id, unit.name) for unit in units]


def contact_choices(session: Session, units: list[Unit]) -> list[tuple[Any, str]]:
    """Who may be a stay's contact person in any of `units`, once each, with where they work.

    A staff member is labelled with their units among `units`; a leader with "leder", since
    they work in every unit of their centre.
    """
    where: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    by_id = {unit.id: unit for unit in units}
    for unit_id, people in candidates_by_unit(session, units).items():
        for person in people:
            names[person.user_id] = person.name
            where.setdefault(person.user_id, []).append(by_id[unit_id].name)
    leaders = set(
        session.exec(
            select(col(User.id)).where(
                col(User.id).in_(sorted(names)), col(User.role) == Role.LEADER
            )
        ).all()
    )
    order = sorted(names, key=lambda uid: (names[uid].casefold(), uid))
    leader = _("leder")
    return [
        (uid, f"{names[uid]} ({leader if uid in leaders else ', '.join(sorted(where[uid]))})")
        for uid in order
    ]


def ui_lang() -> str:
    """The UI language as a questionnaire language code ("da" or "en")."""
    return normalise_lang(str(get_locale() or "da"))
