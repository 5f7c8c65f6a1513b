"""Users provisioned from an identity provider's claims (OIDC logins and SCIM).

Users are keyed on (issuer, subject) in `ExternalIdentity`, never on e-mail. A first login
creates the user, every later login brings name, role and scope up to date (each change in
the change history); claims that no longer map to a role deactivate the user and end their
sessions. SSO users have no DEL password: their hash is not a valid Argon2 hash, so no
password matches it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from sqlmodel import Session, select

from del_tool.admin.services import (
    USER_HISTORY_FIELDS,
    UserScope,
    check_scope,
    touch,
    user_unit_ids,
)
from del_tool.audit.models import LoginEvent
from del_tool.audit.services import diff, record_change, snapshot
from del_tool.auth.loginlog import normalise_username, unknown_username_digest
from del_tool.auth.models import Role, User
from del_tool.auth.services import get_user_by_username, set_user_units
from del_tool.errors import RuleError
from del_tool.modelbase import utcnow
from del_tool.security.sessions import end_all_sessions
from del_tool.sso.claims import ClaimsError, MappedClaims, map_claims
from del_tool.sso.models import ExternalIdentity

#: The password hash of SSO users: not an Argon2 hash, so verification always fails.
NO_PASSWORD = "!sso"  # noqa: S105 - a marker, not a password


def find_identity(session: Session, issuer: str, subject: str) -> ExternalIdentity | None:
    """The identity with this issuer and subject, if any."""
    query = select(ExternalIdentity).where(
        ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject
    )
    return session.exec(query).first()


def identity_of(session: Session, user: User) -> ExternalIdentity | None:
    """The external identity of `user`, if they have one."""
    return session.exec(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id)).first()


def _free_username(session: Session, hint: str, issuer: str, subject: str) -> str:
    """A username from the hint, with a short digest of the key added when it is taken."""
    base = normalise_username(hint)[:130] or "sso"
    if get_user_by_username(session, base) is None:
        return base
    digest = hashlib.sha256(f"{issuer} {subject}".encode()).hexdigest()[:12]
    return f"{base}-{digest}"


def _state(session: Session, user: User) -> dict[str, Any]:
    state = snapshot(user, USER_HISTORY_FIELDS)
    state["unit_ids"] = user_unit_ids(session=session, user_id=user.id or 0)
    return state


def check_mapped_scope(session: Session, scope: UserScope) -> None:
    """ClaimsError unless the scope fits the role and names existing units/centre/municipality."""
    try:
        check_scope(session=session, scope=scope)
    except RuleError as exc:
        raise ClaimsError("sso_bad_scope", f"{exc.field}: {exc.message}") from None


def apply_scope(
    session: Session, user: User, *, display_name: str, scope: UserScope, actor_id: int | None
) -> None:
    """Bring name, role and scope up to date; history records what changed (nothing if none)."""
    before = _state(session, user)
    user.display_name = display_name
    user.role = scope.role
    user.centre_id = scope.centre_id if scope.role is Role.LEADER else None
    user.municipality_code = scope.municipality_code if scope.role is Role.COUNCIL else None
    after = {**snapshot(user, USER_HISTORY_FIELDS), "unit_ids": sorted(scope.unit_ids)}
    changes = diff(before, after)
    if not changes:
        return
    touch(user)
    session.add(user)
    session.flush()
    if before["unit_ids"] != after["unit_ids"]:
        set_user_units(session=session, user=user, unit_ids=scope.unit_ids)
    record_change(
        session=session,
        user_id=actor_id,
        action="sso_update",
        entity="users",
        entity_id=user.id,
        citizen_id=None,
        changes=changes,
    )


def create_sso_user(
    session: Session, *, issuer: str, subject: str, mapped: MappedClaims, scim: bool
) -> User:
    """A new user with this identity; history records the account (actor: nobody)."""
    scope = mapped.scope
    user = User(
        username=_free_username(session, mapped.username_hint, issuer, subject),
        display_name=mapped.display_name,
        password_hash=NO_PASSWORD,
        role=scope.role,
        centre_id=scope.centre_id if scope.role is Role.LEADER else None,
        municipality_code=scope.municipality_code if scope.role is Role.COUNCIL else None,
    )
    session.add(user)
    session.flush()
    set_user_units(session=session, user=user, unit_ids=scope.unit_ids)
    session.add(
        ExternalIdentity(user_id=user.id or 0, issuer=issuer, subject=subject, scim_managed=scim)
    )
    session.flush()
    changes = {k: [None, v] for k, v in _state(session, user).items()}
    changes["identity"] = [None, {"issuer": issuer, "subject": subject}]
    record_change(
        session=session,
        user_id=None,
        action="sso_create" if not scim else "scim_create",
        entity="users",
        entity_id=user.id,
        citizen_id=None,
        changes=changes,
    )
    return user


def deactivate(session: Session, user: User, *, action: str, actor_id: int | None) -> None:
    """Deactivate the user and end every session of theirs at once (history records it)."""
    if not user.active:
        return
    before = snapshot(user, ("active", "session_version"))
    user.active = False
    end_all_sessions(session=session, user=user)
    record_change(
        session=session,
        user_id=actor_id,
        action=action,
        entity="users",
        entity_id=user.id,
        citizen_id=None,
        changes=diff(before, snapshot(user, before.keys())),
    )
    from del_tool.logs import security_event

    security_event("user.deactivated", user_id=user.id, by=action)


def log_sso_attempt(
    session: Session, *, user: User | None, subject: str, address: str, reason: str
) -> None:
    """One login log entry, as for a local login (an unknown subject only as a keyed hash)."""
    session.add(
        LoginEvent(
            username=user.username if user else unknown_username_digest(f"sso:{subject}"),
            user_id=user.id if user else None,
            address=address[:64],
            success=reason == "ok",
            reason=reason,
        )
    )
    from del_tool.logs import security_event

    security_event(
        "login",
        outcome=reason,
        method="oidc",
        user_id=user.id if user else None,
        role=user.role.value if user else None,
        known_user=user is not None,
        address=address[:64],
    )


def login_with_claims(
    session: Session, *, issuer: str, claims: dict[str, Any], address: str
) -> User:
    """Provision or update the user of a verified ID token; ClaimsError when refused.

    A known user whose claims map to no role (or a scope that does not fit) is deactivated and
    their sessions end; an inactive user is refused. Every outcome is in the login log.
    """
    subject = str(claims.get(current_app.config["OIDC_SUBJECT_CLAIM"]) or "").strip()[:255]
    identity = find_identity(session, issuer, subject) if subject else None
    user = session.get(User, identity.user_id) if identity else None
    try:
        mapped = map_claims(claims)
        check_mapped_scope(session, mapped.scope)
        if user is not None and not user.active:
            raise ClaimsError("inactive", "the user is deactivated in DEL")
    except ClaimsError as refusal:
        if user is not None and refusal.reason != "inactive":
            deactivate(session, user, action="sso_deactivate", actor_id=None)
        log_sso_attempt(session, user=user, subject=subject, address=address, reason=refusal.reason)
        raise
    if user is None:
        user = create_sso_user(session, issuer=issuer, subject=subject, mapped=mapped, scim=False)
    else:
        apply_scope(
            session, user, display_name=mapped.display_name, scope=mapped.scope, actor_id=user.id
        )
    identity = identity or identity_of(session, user)
    if identity is not None:
        sid = claims.get("sid")
        identity.last_sid = str(sid)[:255] if sid else None
        identity.last_login_at = utcnow()
        session.add(identity)
    user.last_login_at = utcnow()
    session.add(user)
    log_sso_attempt(session, user=user, subject=subject, address=address, reason="ok")
    session.flush()
    return user
