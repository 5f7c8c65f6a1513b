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
from del_tool.security.totp import use_recovery_code, verify_code

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


def _password_check(session: Session, username: str, password: str) -> tuple[User | None, str]:
    """The user and the login log's reason for a password attempt (one Argon2 check always)."""
    user = get_user_by_username(session, normalise_username(username)[:150])
    ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        return None, "unknown_user"
    if not ok:
        return user, "wrong_password"
    if not user.active:
        return user, "inactive"
    from flask import current_app

    from del_tool.sso import local_login_allowed

    if not local_login_allowed(current_app, user.username):
        return user, "local_login_off"
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user, PASSWORD_OK if user.totp_secret else "ok"


def _log_attempt(
    session: Session, *, username: str, user: User | None, address: str, reason: str
) -> None:
    name = normalise_username(username)[:150]
    session.add(
        LoginEvent(
            username=user.username if user else unknown_username_digest(name),
            user_id=user.id if user else None,
            address=address[:64],
            success=reason == "ok",
            reason=reason,
        )
    )
    if user is not None and reason == "ok":
        user.last_login_at = utcnow()
        session.add(user)
    from del_tool.logs import security_event

    security_event(
        "login",
        outcome=reason,
        user_id=user.id if user else None,
        role=user.role.value if user else None,
        known_user=user is not None,
        address=address[:64],
    )


def authenticate(*, session: Session, username: str, password: str, address: str) -> User | None:
    """The user if the credentials are right and the account active; every attempt is logged.

    Unknown user, wrong password and inactive account all return None (the caller shows one
    message for all three); the hash is upgraded when its parameters are outdated. A user with
    a second factor is returned too, but the login is logged as complete only after the code
    (`record_second_factor`). An unknown username is logged only as a keyed hash (it may be
    a password typed in the wrong field).
    """
    user, reason = _password_check(session, username, password)
    _log_attempt(session, username=username, user=user, address=address, reason=reason)
    return user if reason in ("ok", PASSWORD_OK) else None


def authenticate_with_code(
    *, session: Session, username: str, password: str, code: str, address: str
) -> User | None:
    """Password and second factor in one step (a delayed login's way in); None on any failure.

    An account without a second factor cannot come in this way: its attempt is logged as
    throttled, after the same work, so the answer tells nothing about the password.
    """
    user, reason = _password_check(session, username, password)
    if reason == PASSWORD_OK and user is not None:
        right = verify_code(session=session, user=user, code=code) or use_recovery_code(
            session=session, user=user, code=code
        )
        reason = "ok" if right else "wrong_code"
    elif reason == "ok":
        reason = "throttled"
    _log_attempt(session, username=username, user=user, address=address, reason=reason)
    return user if reason == "ok" else None


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
