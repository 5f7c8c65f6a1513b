"""A citizen's own answers on a locked screen (issue #21 item 2), and the PIN that unlocks it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from del_tool.modelbase import (
    JSONType,
    LabelledEnum,
    created_at_field,
    enum_column,
    timestamp_column,
)


class EndReason(LabelledEnum):
    """Why a self-report session stopped taking answers."""

    DONE = "done"  # the citizen answered (or skipped) every question
    STOPPED = "stopped"  # the citizen or the staff member stopped it before the end
    IDLE = "idle"  # nobody touched the screen for SELF_REPORT_IDLE_MINUTES

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        from flask_babel import lazy_gettext as _l

        return {
            cls.DONE: _l("Besvaret til ende"),
            cls.STOPPED: _l("Stoppet før tid"),
            cls.IDLE: _l("Stoppet efter inaktivitet"),
        }


class SelfReportSession(SQLModel, table=True):
    """One locked self-report: a staff member hands the screen to one citizen.

    `questions` is the plan fixed at the start (each {"q": questionnaire id, "item": item id}
    or {"goal": goal id}); `position` is the next one to show. Answers are kept here as they
    come (`answers`: questionnaire id -> item id -> value; `ratings`: goal id -> 1-5) and
    written into the follow-up of `day` when the session ends (`follow_up_id`). The lock
    belongs to one login of the starter: `login_marker` is that login's start time, so an old
    cookie of the same login cannot leave the locked screen, and another device of the same
    user is not locked.
    """

    __tablename__ = "self_report_sessions"
    __table_args__ = (
        Index("ix_self_report_sessions_starter_open", "started_by_id", "unlocked_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizens.id", index=True)
    stay_id: int = Field(foreign_key="stays.id")
    day: date
    started_by_id: int = Field(foreign_key="users.id")
    login_marker: float
    started_at: datetime = created_at_field()
    last_activity_at: datetime = created_at_field()
    questions: list[dict[str, Any]] = Field(sa_column=Column(JSONType, nullable=False))
    position: int = 0
    answers: dict[str, dict[str, int | None]] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    ratings: dict[str, int | None] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    ended_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    end_reason: EndReason | None = Field(
        default=None, sa_column=enum_column(EndReason, nullable=True)
    )
    follow_up_id: int | None = Field(default=None, foreign_key="follow_ups.id")
    unlocked_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    failed_unlocks: int = 0


class SelfReportPin(SQLModel, table=True):
    """A staff member's PIN for unlocking the self-report screen, as an Argon2id hash."""

    __tablename__ = "self_report_pins"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    pin_hash: str = Field(max_length=255)
    set_at: datetime = created_at_field()
