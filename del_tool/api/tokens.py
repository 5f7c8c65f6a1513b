"""API tokens: made for a user within that user's role and scope, shown once, kept as a hash.

A token is `del_` and 43 URL-safe characters from `secrets` (256 bits). The database keeps
its SHA-256 only (a fast hash is enough for a random secret of that size: there is nothing to
guess from), and its first characters so an owner can tell tokens apart. A token acts as its
owner, with the token's scope: a staff token covers some of the owner's units, a leader's the
owner's centre, a council's the owner's municipality. It stops working when it expires, is
revoked, or its owner is deactivated or given another role; a staff token loses the units its
owner no longer works in. Creating and revoking a token are in the change history.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.api.models import ApiToken, ApiTokenUnit, TokenKind
from del_tool.audit.services import record_create, record_update
from del_tool.auth.access import NotFoundError
from del_tool.auth.models import Role, User, UserUnit
from del_tool.auth.scope import NO_UNITS, Scope, scope_for
from del_tool.errors import RuleError
from del_tool.modelbase import LOCAL_TIMEZONE, local_today, utcnow
from del_tool.text import is_blank

TOKEN_PREFIX = "del_"  # noqa: S105 - the marker every token starts with, not a secret
PREFIX_SHOWN = 12
#: A token lives at most this long (its expiry is required).
MAX_LIFETIME = timedelta(days=366)
NAME_MAX = 100
#: Columns of a token in its history entries (never the hash).
HISTORY_FIELDS = (
    "name",
    "kind",
    "user_id",
    "role",
    "centre_id",
    "municipality_code",
    "prefix",
    "expires_at",
)


def hash_token(raw: str) -> str:
    """The SHA-256 (hex) a token is stored as."""
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made: the row, and the token itself (shown once, never stored)."""

    token: ApiToken
    secret: str


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """What the maker of a token chooses: name, expiry, kind, and a staff token's units."""

    name: str
    expires_on: date
    kind: TokenKind = TokenKind.PERSONAL
    unit_ids: frozenset[int] = frozenset()


def owner_unit_ids(session: Session, user: User) -> frozenset[int]:
    """The units a staff user works in."""
    rows = session.exec(select(UserUnit.unit_id).where(UserUnit.user_id == user.id)).all()
    return frozenset(rows)


def _check_request(session: Session, owner: User, wanted: TokenRequest) -> frozenset[int]:
    """Raise RuleError unless the request fits the owner; the staff token's units."""
    if is_blank(wanted.name) or len(wanted.name) > NAME_MAX:
        raise RuleError("name", _l("Giv nøglen et navn på højst 100 tegn."))
    today = local_today()
    if wanted.expires_on <= today:
        raise RuleError("expires_on", _l("Udløbsdatoen skal ligge efter i dag."))
    if wanted.expires_on > today + MAX_LIFETIME - timedelta(days=1):
        raise RuleError("expires_on", _l("En nøgle kan højst gælde et år."))
    if not owner.active:
        raise RuleError("name", _l("Brugeren er deaktiveret."))
    if owner.role is not Role.STAFF:
        return frozenset()
    own = owner_unit_ids(session, owner)
    units = wanted.unit_ids or own
    if not units or not units <= own:
        raise RuleError("units", _l("Vælg et eller flere af brugerens egne tilbud."))
    return units


def create_token(
    *, session: Session, maker_id: int | None, owner: User, wanted: TokenRequest
) -> NewToken:
    """A new token for `owner` made by the user `maker_id` (the owner, or an administrator;
    None from the command line); flushes.

    The token's role is the owner's and its scope within the owner's (RuleError otherwise).
    """
    units = _check_request(session, owner, wanted)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = datetime.combine(wanted.expires_on, time(23, 59, 59), tzinfo=LOCAL_TIMEZONE)
    token = ApiToken(
        name=wanted.name.strip(),
        kind=wanted.kind,
        user_id=owner.id,  # type: ignore[arg-type]
        role=owner.role,
        centre_id=owner.centre_id if owner.role is Role.LEADER else None,
        municipality_code=owner.municipality_code if owner.role is Role.COUNCIL else None,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_SHOWN],
        created_by_id=maker_id,
        expires_at=expires.astimezone(UTC),
    )
    session.add(token)
    session.flush()
    for unit_id in sorted(units):
        session.add(ApiTokenUnit(token_id=token.id, unit_id=unit_id))  # type: ignore[arg-type]
    session.flush()
    record_create(
        session=session, user_id=maker_id, obj=token, citizen_id=None, fields=HISTORY_FIELDS
    )
    return NewToken(token=token, secret=secret)


def revoke_token(*, session: Session, maker_id: int | None, token: ApiToken) -> ApiToken:
    """Revoke a token now (a revoked one stays revoked); flushes, with its history entry."""
    if token.revoked_at is not None:
        return token
    before = {"revoked_at": None, "revoked_by_id": None}
    token.revoked_at, token.revoked_by_id = utcnow(), maker_id
    session.add(token)
    session.flush()
    record_update(session=session, user_id=maker_id, obj=token, before=before, citizen_id=None)
    return token


def tokens_of(session: Session, user_ids: Iterable[int]) -> list[ApiToken]:
    """The tokens owned by these users, newest first."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    query = select(ApiToken).where(col(ApiToken.user_id).in_(ids))
    return list(session.exec(query.order_by(col(ApiToken.id).desc())).all())


def get_token(session: Session, token_id: int, *, owner_ids: Iterable[int]) -> ApiToken:
    """The token with this id owned by one of `owner_ids`; NotFoundError otherwise."""
    token = session.get(ApiToken, token_id) if 0 < token_id <= 2**31 - 1 else None
    if token is None or token.user_id not in set(owner_ids):
        raise NotFoundError(f"api token {token_id}")
    return token


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """ "active", "expired" or "revoked"."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who calls the API: the token, its owner, and the role and scope the token grants."""

    token: ApiToken
    user: User
    scope: Scope

    @property
    def role(self) -> Role:
        """The token's role (`has_permission` reads it)."""
        return self.token.role

    @property
    def is_authenticated(self) -> bool:
        """A principal is authenticated (`has_permission`)."""
        return True


def authenticate(session: Session, raw: str) -> Principal | None:
    """The principal of a presented token, or None when it is unknown, expired, revoked, or
    its owner is deactivated or has another role now. Notes the use (flushes)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(raw))).first()
    if token is None or token_state(token) != "active":
        return None
    owner = session.get(User, token.user_id)
    if owner is None or not owner.active or owner.role is not token.role:
        return None
    return Principal(token=token, user=owner, scope=token_scope(session, token, owner))


def token_scope(session: Session, token: ApiToken, owner: User) -> Scope:
    """The token's scope: the owner's, narrowed to the token's units, centre or municipality."""
    scope = scope_for(owner, session=session)
    if token.role is Role.STAFF:
        chosen = session.exec(
            select(ApiTokenUnit.unit_id).where(ApiTokenUnit.token_id == token.id)
        ).all()
        return Scope(unit_ids=frozenset(chosen) & (scope.unit_ids or NO_UNITS))
    if token.role is Role.LEADER and token.centre_id != owner.centre_id:
        return Scope(unit_ids=NO_UNITS)
    if token.role is Role.COUNCIL and token.municipality_code != owner.municipality_code:
        return Scope(unit_ids=NO_UNITS, sees_names=False)
    return scope


def token_unit_ids(session: Session, token_ids: Iterable[int]) -> dict[int, list[int]]:
    """{token id: its units} for staff tokens."""
    ids = sorted(set(token_ids))
    found: dict[int, list[int]] = {}
    if not ids:
        return found
    rows = session.exec(
        select(ApiTokenUnit.token_id, ApiTokenUnit.unit_id).where(
            col(ApiTokenUnit.token_id).in_(ids)
        )
    ).all()
    for token_id, unit_id in rows:
        found.setdefault(token_id, []).append(unit_id)
    return found
