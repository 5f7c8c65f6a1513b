"""Who receives the weekly digest, where, and which week it last went out."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from del_tool.modelbase import created_at_field, timestamp_column


class ReminderSubscription(SQLModel, table=True):
    """A user's weekly digest: the address it goes to and whether it is on."""

    __tablename__ = "reminder_subscriptions"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    email: str = Field(max_length=254)
    weekly: bool = Field(default=True)
    #: The ISO week ("2026-W49") of the last digest sent, so a retried job sends it once.
    last_sent_week: str | None = Field(default=None, max_length=8)
    last_sent_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    created_at: datetime = created_at_field()
