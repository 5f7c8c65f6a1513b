"""Users: creation, authentication and session identity."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, delete, select

from del_tool.audit.models import LoginEvent
from del_tool.auth.loginlog import normalise_username, unknown_username_digest
from del_tool.auth.models import Role, User, UserUnit
from del_tool.auth.passwords import hash_password, needs_rehash, verify_password
from del_tool.db import get_session
from del_tool.modelbase import utcnow

#: Logged when the password was right and the second factor is still to come.
PASSWORD_OK = "password_ok"  # noqa: S105 - a log reason, not a password


def get_user_by_username(session: Session, username: str) -> User | None:
    """The user with this username, if any."""
    return session.exec(select(User).where(User.username == normalise_username(username))).first()


def create_user(
    *,
    session: Session,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    centre_id: int | None = None,
    municipality_code: str | None = None,
    unit_ids: Iterable[int] = (),
) -> User:
    """Add a user with a hashed password and unit assignments; flushes, never commits."""
    user = User(
        username=normalise_username(username),
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        centre_id=centre_id,
        municipality_code=municipality_code,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    set_user_units(session=session, user=user, unit_ids=unit_ids)
    return user


def set_user_units(*, session: Session, user: User, unit_ids: Iterable[int]) -> None:
    """Replace the units a user works in."""
    session.execute(delete(UserUnit).where(col(UserUnit.user_id) == user.id))
    for unit_id in sorted(set(unit_ids)):
        session.add(UserUnit(user_id=user.id, unit_id=unit_id))  # type: ignore[arg-type]
    session.flush()


def authenticate(*, session: Session, username: str, password: str, address: str) -> User | None:
    """The user if the credentials are right and the account active; every attempt is logged.

    Unknown user, wrong password and inactive account all return None (the caller shows one
    message for all three); the hash is upgraded when its parameters are outdated. A user with
    a second factor is returned too, but the login is logged as complete only after the code
    (`record_second_factor`). An unknown username is logged only as a keyed hash (it may be
    a password typed in the wrong field).
    """
    name = normalise_username(username)[:150]
    user = get_user_by_username(session, name)
    ok = verify_password(user.password_hash if user else None, password)
    reason = "ok"
    if user is None:
        reason = "unknown_user"
    elif not ok:
        reason = "wrong_password"
    elif not user.active:
        reason = "inactive"
    elif user.totp_secret:
        reason = PASSWORD_OK  # the second factor follows
    success = reason == "ok"
    session.add(
        LoginEvent(
            username=user.username if user else unknown_username_digest(name),
            user_id=user.id if user else None,
            address=address[:64],
            success=success,
            reason=reason,
        )
    )
    if reason not in ("ok", PASSWORD_OK) or user is None:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if success:
        user.last_login_at = utcnow()
    session.add(user)
    return user


def record_second_factor(*, session: Session, user: User, address: str, ok: bool) -> None:
    """Log the second step of a login: complete on a right code, a failure on a wrong one."""
    session.add(
        LoginEvent(
            username=user.username,
            user_id=user.id,
            address=address[:64],
            success=ok,
            reason="ok" if ok else "wrong_code",
        )
    )
    if ok:
        user.last_login_at = utcnow()
        session.add(user)


def load_user_from_session_id(session_id: str) -> User | None:
    """Flask-Login loader: "<id>:<session version>"; a stale version or inactive user logs out."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
