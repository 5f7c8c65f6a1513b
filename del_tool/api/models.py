"""API tokens (stored only as SHA-256 hashes), their units, and stored answers to writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from del_tool.auth.models import Role
from del_tool.modelbase import (
    JSONType,
    LabelledEnum,
    created_at_field,
    enum_column,
    timestamp_column,
)


class TokenKind(LabelledEnum):
    """Who uses a token: its owner in person, or a system acting through a service account."""

    PERSONAL = "personal"
    SERVICE = "service"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {cls.PERSONAL: _l("Personlig"), cls.SERVICE: _l("Tjeneste")}


class ApiToken(SQLModel, table=True):
    """A bearer token for /api/v1: a name, an owner, a role and scope within the owner's, an
    expiry; only the SHA-256 of the token is kept (it is shown once, when it is made)."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    kind: TokenKind = Field(sa_column=enum_column(TokenKind))
    user_id: int = Field(foreign_key="users.id", index=True)
    #: The owner's role when the token was made; a token whose owner has another role since
    #: is refused (`del_tool.api.tokens.authenticate`).
    role: Role = Field(sa_column=enum_column(Role))
    centre_id: int | None = Field(default=None, foreign_key="centres.id")
    municipality_code: str | None = Field(
        default=None, sa_column=Column(String(3), ForeignKey("municipalities.code"))
    )
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    #: The token's first characters, so an owner can tell their tokens apart (not secret).
    prefix: str = Field(max_length=12)
    created_at: datetime = created_at_field()
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    expires_at: datetime = Field(sa_column=timestamp_column())
    last_used_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    revoked_by_id: int | None = Field(default=None, foreign_key="users.id")


class ApiTokenUnit(SQLModel, table=True):
    """A unit a staff token covers (a subset of its owner's units)."""

    __tablename__ = "api_token_units"

    token_id: int = Field(foreign_key="api_tokens.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="units.id", primary_key=True)


class ApiIdempotentWrite(SQLModel, table=True):
    """The answer to a write sent with an `Idempotency-Key`, replayed when the key comes again."""

    __tablename__ = "api_idempotent_writes"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(
        sa_column=Column(Integer, ForeignKey("api_tokens.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(max_length=200)
    #: SHA-256 of the method, path and body: the same key with another request is refused.
    request_hash: str = Field(max_length=64)
    status: int
    body: Any = Field(sa_column=Column(JSONType, nullable=False))
    created_at: datetime = created_at_field()
