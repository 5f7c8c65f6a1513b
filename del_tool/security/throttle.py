"""Login throttling: a growing delay per account and per address, counted from the login log.

Nobody is locked out. After `LOGIN_MAX_FAILURES_PER_ACCOUNT` failed attempts at a username
(or `LOGIN_MAX_FAILURES_PER_ADDRESS` from one address) within `LOGIN_FAILURE_WINDOW`, each
further attempt has to wait, from the newest failure, `LOGIN_DELAY_START` doubled for every
failure since, at most `LOGIN_DELAY_MAX`; an attempt made sooner is refused with the time left
and does not count. So a guesser gets a few attempts an hour, and someone who types wrong
passwords at a colleague's name only makes the colleague wait: a user with a second factor
gets in at once with password and code together (`admitted_with_code`), unless the failures
came from their own address, and an administrator can lift the delay (`unlock_login`).

The store is the `login_events` table, which every attempt writes anyway, so the delays hold
across worker processes and hosts. The per-account count starts again after a successful
login and after an unlock; the per-address count does not, so an attacker cannot reset it by
logging in to an account of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from del_tool.audit.models import LoginEvent
from del_tool.audit.services import record_change
from del_tool.auth.access import AccessDeniedError
from del_tool.auth.loginlog import logged_username
from del_tool.auth.models import User
from del_tool.auth.permissions import Permission, has_permission
from del_tool.modelbase import utcnow

#: Reasons that count as failed attempts (a refused, throttled attempt does not grow the delay);
#: a wrong password or PIN at the locked self-report screen is one (`del_tool.selfreport`).
FAILURE_REASONS = ("unknown_user", "wrong_password", "inactive", "wrong_code", "wrong_unlock")
THROTTLED_REASON = "throttled"
#: Logged when an administrator lifts an account's delay; the account count starts again.
UNLOCKED_REASON = "unlocked"


@dataclass(frozen=True, slots=True)
class LoginWait:
    """How long an attempt must still wait: for the account, the address, and both together."""

    account: int
    address: int
    pair: int

    @property
    def seconds(self) -> int:
        """The wait of an ordinary attempt (password only)."""
        return max(self.account, self.address)

    @property
    def admitted_with_code(self) -> bool:
        """Whether password and second factor together may be tried now (own failures only)."""
        return self.pair == 0


def delay_for(failures: int, free: int) -> timedelta:
    """The wait after the newest of `failures` failures, when `free` of them cost nothing."""
    if failures < free:
        return timedelta(0)
    config = current_app.config
    start = config["LOGIN_DELAY_START"].total_seconds()
    longest = config["LOGIN_DELAY_MAX"].total_seconds()
    return timedelta(seconds=min(longest, start * 2 ** min(failures - free, 30)))


def _failures(
    session: Session, since: datetime, *, username: str | None, address: str | None
) -> tuple[int, datetime | None]:
    query = select(func.count(), func.max(LoginEvent.occurred_at)).where(
        col(LoginEvent.occurred_at) >= since, col(LoginEvent.reason).in_(FAILURE_REASONS)
    )
    if username is not None:
        query = query.where(LoginEvent.username == username)
    if address is not None:
        query = query.where(LoginEvent.address == address)
    count, newest = session.exec(query).one()
    return int(count), newest


def _account_reset(session: Session, username: str) -> datetime | None:
    """The newest successful login or unlock of the account."""
    return session.exec(
        select(func.max(LoginEvent.occurred_at)).where(
            LoginEvent.username == username,
            or_(col(LoginEvent.success).is_(True), LoginEvent.reason == UNLOCKED_REASON),
        )
    ).one()


def _remaining(count: int, newest: datetime | None, free: int, now: datetime) -> int:
    if newest is None:
        return 0
    left = (newest + delay_for(count, free) - now).total_seconds()
    return max(0, int(left + 0.999))


def login_wait(*, session: Session, username: str, address: str) -> LoginWait:
    """Seconds a login attempt at `username` from `address` must still wait (0: go ahead)."""
    config = current_app.config
    now = utcnow()
    window_start = now - config["LOGIN_FAILURE_WINDOW"]
    name, address = logged_username(session, username), address[:64]
    reset = _account_reset(session, name)
    since = max(window_start, reset) if reset is not None else window_start
    per_account = int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    per_address = int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"])
    account = _failures(session, since, username=name, address=None)
    pair = _failures(session, since, username=name, address=address)
    from_address = _failures(session, window_start, username=None, address=address)
    return LoginWait(
        account=_remaining(*account, per_account, now),
        address=_remaining(*from_address, per_address, now),
        pair=_remaining(*pair, per_account, now),
    )


def record_throttled(*, session: Session, username: str, address: str) -> None:
    """Log a refused attempt (it does not count towards the delays)."""
    session.add(
        LoginEvent(
            username=logged_username(session, username),
            address=address[:64],
            success=False,
            reason=THROTTLED_REASON,
        )
    )


def unlock_login(*, session: Session, actor: User, user: User) -> None:
    """Lift the delay on `user`'s account (administrators; in the history); flushes."""
    if not has_permission(actor, Permission.MANAGE_USERS):
        raise AccessDeniedError("only administrators lift login delays")
    session.add(
        LoginEvent(
            username=user.username,
            user_id=user.id,
            address="",
            success=False,
            reason=UNLOCKED_REASON,
        )
    )
    record_change(
        session=session,
        user_id=actor.id,
        action="unlock_login",
        entity="users",
        entity_id=user.id,
        citizen_id=None,
        changes={"login_delay": ["on", "off"]},
    )
    session.flush()
