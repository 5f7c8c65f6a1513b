"""Change history (hash-chained), access log and login log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from del_tool.modelbase import JSONType, timestamp_column, utcnow


class AuditEvent(SQLModel, table=True):
    """One create/update/delete of a record: who, when, old and new values. Append-only.

    `hash` = HMAC-SHA256, under the key `key_id` names (kept outside the database), over
    `prev_hash` and the event's canonical content, so a changed, removed or forged row breaks
    the chain (`audit.chain`, verified by `del-tool audit verify`). Events from before the
    history was keyed have no `key_id` and an unkeyed SHA-256 `hash`.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    user_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=20)
    entity: str = Field(max_length=50)
    entity_id: str = Field(max_length=50)
    #: The citizen the record belongs to (not a foreign key: history outlives erasure).
    citizen_id: int | None = Field(default=None, index=True)
    changes: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    key_id: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))


class AccessEvent(SQLModel, table=True):
    """A read of citizen data: a view, a search or an export (Danish practice logs reads)."""

    __tablename__ = "access_events"
    __table_args__ = (Index("ix_access_events_citizen_time", "citizen_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    user_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=20)
    citizen_id: int | None = None
    endpoint: str = Field(max_length=100)
    detail: str = Field(default="", max_length=300)


class LoginEvent(SQLModel, table=True):
    """A login attempt, successful or not; also the store for login rate limiting."""

    __tablename__ = "login_events"
    __table_args__ = (
        Index("ix_login_events_username_time", "username", "occurred_at"),
        Index("ix_login_events_address_time", "address", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    username: str = Field(max_length=150)
    user_id: int | None = None
    address: str = Field(max_length=64)
    success: bool
    reason: str = Field(default="", max_length=50)


class AuditChainHead(SQLModel, table=True):
    """The newest link of the change history, kept by a database trigger on every insert.

    `del-tool audit verify` compares it with the chain, so removing the newest events (which
    leaves an otherwise intact chain) is detected too.
    """

    __tablename__ = "audit_chain_head"

    id: int = Field(default=1, primary_key=True)
    event_count: int = Field(default=0)
    last_id: int = Field(default=0)
    last_hash: str = Field(sa_column=Column(String(64), nullable=False))


class AccessReview(SQLModel, table=True):
    """A leader's verdict on a sampled access: work-related, or to be looked into."""

    __tablename__ = "access_reviews"

    id: int | None = Field(default=None, primary_key=True)
    access_event_id: int = Field(foreign_key="access_events.id", unique=True)
    reviewer_id: int = Field(foreign_key="users.id", index=True)
    work_related: bool
    reviewed_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
