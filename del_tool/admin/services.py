"""Administration services: user accounts (roles, scopes, activation, passwords).

Like every service they take the session as `session=`, add and flush but never commit, and
write the change history in the caller's transaction. The acting user is passed in as `actor`
(the logged-in user, never a posted id); each function checks the actor's permission itself.
History never holds a password or its hash: it records that the password changed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, SQLModel, col, select

from del_tool.admin.rules import CENTRE, MUNICIPALITY, UNITS, scope_problems
from del_tool.audit.services import diff, record_change, snapshot, to_jsonable
from del_tool.auth.access import AccessDeniedError, NotFoundError
from del_tool.auth.models import Role, User, UserUnit
from del_tool.auth.passwords import hash_password, password_problems
from del_tool.auth.permissions import Permission, has_permission
from del_tool.auth.services import create_user, get_user_by_username, set_user_units
from del_tool.errors import ConflictError, RuleError
from del_tool.modelbase import utcnow
from del_tool.organisation.models import Centre, Municipality, Unit
from del_tool.organisation.operators import units_operators, user_operator, user_operators
from del_tool.security.sessions import end_all_sessions

#: The columns of a user that history records; never the password hash or the TOTP secret.
USER_HISTORY_FIELDS = (
    "username",
    "display_name",
    "role",
    "centre_id",
    "municipality_code",
    "operator_code",
    "active",
    "session_version",
    "password_changed_at",
)
#: What the user form edits; `edit_token` fingerprints these and the unit assignments.
USER_EDIT_FIELDS = ("display_name", "role", "centre_id", "municipality_code")
#: Letters and digits without look-alikes (0/O, 1/l/I), for generated passwords.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet, not a password


@dataclass(frozen=True, slots=True)
class UserScope:
    """A role with its scope: units for staff, a centre for leaders, a municipality for councils."""

    role: Role
    unit_ids: frozenset[int] = frozenset()
    centre_id: int | None = None
    municipality_code: str | None = None


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user as the user list shows it, with the scope in words."""

    user: User
    scope_text: str


def require_permission(actor: User, permission: Permission) -> None:
    """Raise AccessDeniedError unless `actor` holds `permission`."""
    if not has_permission(actor, permission):
        raise AccessDeniedError(f"{permission.value} needed")


def ensure_version(obj: SQLModel, version: int | None) -> None:
    """Raise ConflictError unless the form's version is the record's current version."""
    if version is None or version != getattr(obj, "version", None):
        raise ConflictError(f"{obj.__tablename__} changed since the form was loaded")


def touch(obj: SQLModel) -> None:
    """Make the next flush UPDATE the row (and bump its version) though no column changed.

    Used when only rows that belong to the record changed (a user's units, a unit's
    questionnaires), so that a concurrent edit of the same record still conflicts.
    """
    flag_modified(obj, "active")


def get_user(*, session: Session, user_id: int, actor: User | None = None) -> User:
    """The user with this id, or NotFoundError; with `actor`, also NotFoundError for a user of
    another operator (an administrator manages their own operator's users only)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id}")
    if actor is not None and user_operator(session, user) != actor.operator_code:
        raise NotFoundError(f"user {user_id} belongs to another operator")
    return user


def user_unit_ids(*, session: Session, user_id: int) -> list[int]:
    """The units a user works in, sorted."""
    query = select(UserUnit.unit_id).where(UserUnit.user_id == user_id)
    return sorted(session.exec(query).all())


def list_users(*, session: Session, actor: User) -> list[UserRow]:
    """Every user of the actor's operator, active ones first, with the scope in words."""
    require_permission(actor, Permission.MANAGE_USERS)
    operators = user_operators(session)
    users = [
        user
        for user in session.exec(
            select(User).order_by(col(User.active).desc(), col(User.username))
        ).all()
        if operators.get(user.id or 0) == actor.operator_code
    ]
    unit_names = dict(session.exec(select(Unit.id, Unit.name)).all())
    centre_names = dict(session.exec(select(Centre.id, Centre.name)).all())
    municipality_names = dict(session.exec(select(Municipality.code, Municipality.name)).all())
    units_of: dict[int, list[str]] = {}
    for user_id, unit_id in session.exec(select(UserUnit.user_id, UserUnit.unit_id)).all():
        units_of.setdefault(user_id, []).append(unit_names.get(unit_id, str(unit_id)))
    rows = []
    for user in users:
        if user.role is Role.STAFF:
            text = ", ".join(sorted(units_of.get(user.id or 0, [])))
        elif user.role is Role.LEADER:
            text = centre_names.get(user.centre_id or 0, "")
        elif user.role is Role.COUNCIL:
            text = municipality_names.get(user.municipality_code or "", "")
        elif user.role is Role.ANALYST:
            text = _("Alle centre (pseudonymiseret)")
        else:
            text = _("Konfiguration, ingen borgerdata")
        rows.append(UserRow(user=user, scope_text=text))
    return rows


def check_scope(*, session: Session, scope: UserScope, actor: User | None = None) -> None:
    """Raise RuleError unless the scope fits the role and every id exists, and (with `actor`)
    lies within the actor's operator: a municipality's administrator gives access to its own
    offers only, and the region's administrator cannot give access to a municipality's."""
    for field, message in scope_problems(
        role=scope.role,
        unit_ids=scope.unit_ids,
        centre_id=scope.centre_id,
        municipality_code=scope.municipality_code,
    ):
        raise RuleError(field, message)
    if scope.unit_ids:
        query = select(Unit.id).where(col(Unit.id).in_(scope.unit_ids))
        if len(session.exec(query).all()) != len(scope.unit_ids):
            raise RuleError(UNITS, _l("Et af de valgte tilbud findes ikke."))
    if scope.centre_id is not None and session.get(Centre, scope.centre_id) is None:
        raise RuleError(CENTRE, _l("Centret findes ikke."))
    if scope.municipality_code and session.get(Municipality, scope.municipality_code) is None:
        raise RuleError(MUNICIPALITY, _l("Kommunen findes ikke."))
    if actor is not None:
        _check_operator(session, scope, actor.operator_code)


def _check_operator(session: Session, scope: UserScope, operator: str | None) -> None:
    """RuleError unless a user with `scope` would belong to `operator`."""
    foreign = _l(
        "Tilbuddet drives af en anden driftsherre; dens egen administrator opretter brugerne."
    )
    if scope.role in (Role.ANALYST, Role.COUNCIL) and operator is not None:
        raise RuleError(
            "role",
            _l("Regionale analytikere og kommunebrugere oprettes af regionens administrator."),
        )
    staff_units = scope.unit_ids if scope.role is Role.STAFF else frozenset()
    if staff_units and units_operators(session, staff_units) != {operator}:
        raise RuleError(UNITS, foreign)
    if scope.role is Role.LEADER and scope.centre_id is not None:
        centre = session.get(Centre, scope.centre_id)
        if centre is not None and centre.operator_code != operator:
            raise RuleError(CENTRE, foreign)


def _history_state(session: Session, user: User) -> dict[str, Any]:
    """What history records of a user: safe columns and the unit assignments."""
    state = snapshot(user, USER_HISTORY_FIELDS)
    state["unit_ids"] = user_unit_ids(session=session, user_id=user.id or 0)
    return state


def _record(
    session: Session, actor: User, user: User, action: str, changes: Mapping[str, Any]
) -> None:
    record_change(
        session=session,
        user_id=actor.id,
        action=action,
        entity="users",
        entity_id=user.id,
        citizen_id=None,
        changes=changes,
    )


def generate_password() -> str:
    """A random password of four groups of four characters (about 80 bits), e.g. k7mp-x3qa-..."""
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def check_password(password: str) -> None:
    """Raise RuleError("password") when the password breaks the rules."""
    problems = password_problems(password)
    if problems:
        raise RuleError("password", " ".join(problems))


def create_account(
    *,
    session: Session,
    actor: User,
    username: str,
    display_name: str,
    password: str,
    scope: UserScope,
    generated: bool = False,
) -> User:
    """Create a user with role and scope; history records the account, not the password.

    A `generated` password is one the administrator passes on: the user must choose their own
    at the first login (`User.must_change_password`).
    """
    require_permission(actor, Permission.MANAGE_USERS)
    check_scope(session=session, scope=scope, actor=actor)
    check_password(password)
    if get_user_by_username(session, username) is not None:
        raise RuleError("username", _l("Brugernavnet er optaget."))
    user = create_user(
        session=session,
        username=username,
        display_name=display_name,
        password=password,
        role=scope.role,
        centre_id=scope.centre_id,
        municipality_code=scope.municipality_code,
        unit_ids=scope.unit_ids,
    )
    user.must_change_password = generated
    if scope.role is Role.ADMIN:
        user.operator_code = actor.operator_code  # an administrator of the same operator
    session.add(user)
    session.flush()
    changes = {k: [None, v] for k, v in _history_state(session, user).items()}
    _record(session, actor, user, "create", changes)
    return user


def edit_token(*, session: Session, user: User) -> str:
    """A fingerprint of what the user form edits (name, role, scope), for conflict detection.

    The user form carries this rather than `version`, because `version` also moves at every
    login (`last_login_at`), and a login is no reason to refuse an administrator's edit.
    """
    state = {name: to_jsonable(getattr(user, name)) for name in USER_EDIT_FIELDS}
    state["unit_ids"] = user_unit_ids(session=session, user_id=user.id or 0)
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def update_account(
    *,
    session: Session,
    actor: User,
    user_id: int,
    token: str | None,
    display_name: str,
    scope: UserScope,
) -> User:
    """Change a user's name, role and scope; ConflictError when the form was stale.

    `token` is the `edit_token` the form was loaded with. An administrator cannot change their
    own role (so DEL always keeps an administrator).
    """
    require_permission(actor, Permission.MANAGE_USERS)
    user = get_user(session=session, user_id=user_id, actor=actor)
    if token != edit_token(session=session, user=user):
        raise ConflictError(f"user {user_id} changed since the form was loaded")
    if user.id == actor.id and scope.role is not user.role:
        raise RuleError("role", _l("Du kan ikke ændre din egen rolle."))
    check_scope(session=session, scope=scope, actor=actor)
    before = _history_state(session, user)
    user.display_name = display_name
    user.role = scope.role
    user.centre_id = scope.centre_id
    user.municipality_code = scope.municipality_code
    user.operator_code = actor.operator_code if scope.role is Role.ADMIN else None
    after = {**snapshot(user, USER_HISTORY_FIELDS), "unit_ids": sorted(scope.unit_ids)}
    changes = diff(before, after)
    if not changes:
        return user
    # UPDATE the user row first (one version bump, and its row lock serialises racing edits).
    touch(user)
    session.add(user)
    session.flush()
    if before["unit_ids"] != after["unit_ids"]:
        set_user_units(session=session, user=user, unit_ids=scope.unit_ids)
    _record(session, actor, user, "update", changes)
    if "role" in changes or "unit_ids" in changes or "centre_id" in changes:
        from del_tool.logs import security_event

        security_event(
            "user.access_changed",
            user_id=user.id,
            by_user_id=actor.id,
            role=user.role.value,
            changed=sorted(
                k for k in changes if k in ("role", "unit_ids", "centre_id", "municipality_code")
            ),
        )
    return user


def set_active(*, session: Session, actor: User, user_id: int, active: bool) -> User:
    """Deactivate (ending every session of the user at once) or reactivate a user."""
    require_permission(actor, Permission.MANAGE_USERS)
    user = get_user(session=session, user_id=user_id, actor=actor)
    if user.id == actor.id and not active:
        raise RuleError("active", _l("Du kan ikke deaktivere dig selv."))
    if user.active == active:
        return user
    before = snapshot(user, ("active", "session_version"))
    user.active = active
    if not active:
        end_all_sessions(session=session, user=user)
    session.add(user)
    session.flush()
    changes = diff(before, snapshot(user, before.keys()))
    _record(session, actor, user, "deactivate" if not active else "reactivate", changes)
    from del_tool.logs import security_event

    security_event(
        "user.deactivated" if not active else "user.reactivated",
        user_id=user.id,
        by_user_id=actor.id,
    )
    return user


def reset_password(
    *, session: Session, actor: User, user_id: int, password: str, generated: bool = False
) -> User:
    """Give a user a new password and end all of their sessions; history says only "changed".

    After a `generated` password the user must choose their own at the next login.
    """
    require_permission(actor, Permission.MANAGE_USERS)
    user = get_user(session=session, user_id=user_id, actor=actor)
    check_password(password)
    fields = ("password_changed_at", "session_version", "must_change_password")
    before = snapshot(user, fields)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = generated
    end_all_sessions(session=session, user=user)
    _record(session, actor, user, "password_reset", diff(before, snapshot(user, before.keys())))
    return user
