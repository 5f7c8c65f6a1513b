"""Small helpers shared by the security tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyotp
from flask import Flask
from sqlmodel import Session

from del_tool.db import get_db
from del_tool.modelbase import utcnow


@contextmanager
def db_session(app: Flask) -> Iterator[Session]:
    """A write session on the app's database, committed at the end."""
    with app.app_context(), get_db(app).session(write=True) as db:
        yield db
        db.commit()


def current_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The TOTP code of `secret` now (or `steps_ahead` 30-second steps later)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(int(utcnow().timestamp()) // totp.interval + steps_ahead)


def page(response: Any) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def log_in_directly(client: Any, user_id: int, session_version: int = 1) -> None:
    """Give `client` a logged-in session without the (deliberately slow) password check."""
    from del_tool.security.sessions import LAST_SEEN_KEY, LOGIN_AT_KEY

    now = utcnow().timestamp()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user_id}:{session_version}"
        sess["_fresh"] = True
        sess[LOGIN_AT_KEY] = now
        sess[LAST_SEEN_KEY] = now


def without_guards(app: Flask, *statements: str) -> None:
    """Tamper as someone with raw database access would: drop the history's guards, run
    `statements`, put the guards back (the head-advancing insert trigger stays)."""
    from sqlalchemy import text

    with db_session(app) as db:
        if db.get_bind().dialect.name == "postgresql":
            db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_guard"))
            for statement in statements:
                db.execute(text(statement))
            db.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_guard"))
            return
        triggers = db.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND name LIKE "
                "'audit_events_%' AND name != 'audit_events_advance_head'"
            )
        ).all()
        for name, _sql in triggers:
            db.execute(text(f"DROP TRIGGER {name}"))
        for statement in statements:
            db.execute(text(statement))
        for _name, sql in triggers:
            db.execute(text(sql))
