"""Writing a staff-workflow record together with its change history, in the caller's transaction.

The citizen, stay, goal and follow-up services store every insert and update through these two
functions, so that no write can skip its history entry (`del_tool.audit.services`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from del_tool.audit.services import record_create, record_update, snapshot
from del_tool.citizens.access import Actor

M = TypeVar("M", bound=SQLModel)


def insert(session: Session, actor: Actor, row: M, *, citizen_id: int | None) -> M:
    """Add a new row, flush (it gets its id) and record its creation."""
    session.add(row)
    session.flush()
    record_create(session=session, user_id=actor.user_id, obj=row, citizen_id=citizen_id)
    return row


def update(
    session: Session, actor: Actor, row: M, values: Mapping[str, Any], *, citizen_id: int | None
) -> M:
    """Set `values` on `row`, flush, and record the fields whose value changed."""
    before = snapshot(row, values.keys())
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    record_update(
        session=session, user_id=actor.user_id, obj=row, before=before, citizen_id=citizen_id
    )
    return row
