"""Login rate limiting per account and per address, counted from the login log.

The store is the `login_events` table, which every login attempt writes anyway. Because it is
in the database, the limits hold across any number of worker processes and hosts without a
separate shared cache (Flask-Limiter's default in-memory store would count per process).
The per-account count starts again after a successful login; the per-address count does not,
so an attacker cannot reset it by logging in to an account of their own.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func
from sqlmodel import Session, col, select

from del_tool.audit.models import LoginEvent
from del_tool.auth.loginlog import logged_username
from del_tool.modelbase import utcnow

#: Reasons that count as failed attempts (a refused, throttled attempt does not extend the lock).
FAILURE_REASONS = ("unknown_user", "wrong_password", "inactive", "wrong_code")
THROTTLED_REASON = "throttled"


def _failures_since(
    session: Session, since: datetime, *, username: str | None, address: str | None
) -> int:
    query = (
        select(func.count())
        .select_from(LoginEvent)
        .where(col(LoginEvent.occurred_at) >= since, col(LoginEvent.reason).in_(FAILURE_REASONS))
    )
    if username is not None:
        query = query.where(LoginEvent.username == username)
    if address is not None:
        query = query.where(LoginEvent.address == address)
    return int(session.exec(query).one())


def _last_success(session: Session, username: str) -> datetime | None:
    return session.exec(
        select(func.max(LoginEvent.occurred_at)).where(
            LoginEvent.username == username, col(LoginEvent.success).is_(True)
        )
    ).one()


def login_throttled(*, session: Session, username: str, address: str) -> bool:
    """Whether another login attempt for `username` from `address` must be refused now."""
    config = current_app.config
    window_start = utcnow() - config["LOGIN_FAILURE_WINDOW"]
    name = logged_username(session, username)
    since = window_start
    last_success = _last_success(session, name)
    if last_success is not None and last_success > since:
        since = last_success
    if _failures_since(session, since, username=name, address=None) >= int(
        config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    ):
        return True
    per_address = _failures_since(session, window_start, username=None, address=address[:64])
    return per_address >= int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"])


def record_throttled(*, session: Session, username: str, address: str) -> None:
    """Log a refused attempt (it does not count towards the limits)."""
    session.add(
        LoginEvent(
            username=logged_username(session, username),
            address=address[:64],
            success=False,
            reason=THROTTLED_REASON,
        )
    )
