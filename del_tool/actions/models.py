"""An action a leader records from a report figure, and the snapshot of that figure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Index
from sqlmodel import Field

from del_tool.modelbase import (
    JSONType,
    LabelledEnum,
    Versioned,
    created_at_field,
    enum_column,
    timestamp_column,
)


class ActionStatus(LabelledEnum):
    """Where an action stands."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {cls.OPEN: _l("Åben"), cls.DONE: _l("Gennemført"), cls.DROPPED: _l("Opgivet")}


class Action(Versioned, table=True):
    """What will change because of a figure, who owns it, by when, and the figure it should move.

    It belongs to a unit, or (a figure of a centre-wide report) to a centre: exactly one of
    `unit_id` and `centre_id` is set. The figure is named by the report kind, the section key
    and either a key figure's key or a table's key and row label; `scope_key` and `period_key`
    are the report it was recorded from. `figure_*` is the figure as it was shown then (the
    report's own, already suppressed values), so later reports can say "then X, now Y".
    """

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("(unit_id IS NULL) <> (centre_id IS NULL)", name="unit_or_centre"),
        CheckConstraint("(figure_key IS NULL) <> (table_key IS NULL)", name="figure_or_table_row"),
        CheckConstraint("status = 'done' OR outcome_note IS NULL", name="outcome_when_done"),
        Index("ix_actions_report", "report_kind", "scope_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    centre_id: int | None = Field(default=None, foreign_key="centres.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()
    owner: str = Field(max_length=120)
    what: str = Field(max_length=2000)
    due_date: date
    status: ActionStatus = Field(sa_column=enum_column(ActionStatus))
    outcome_note: str | None = Field(default=None, max_length=2000)
    done_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    shared_with_council: bool = Field(default=False)
    report_kind: str = Field(max_length=20)
    section_key: str = Field(max_length=80)
    figure_key: str | None = Field(default=None, max_length=120)
    table_key: str | None = Field(default=None, max_length=120)
    row_label: str | None = Field(default=None, max_length=300)
    scope_key: str = Field(max_length=40)
    period_key: str = Field(max_length=30)
    period_start: date
    period_end: date
    figure_label: str = Field(max_length=300)
    figure_value: Any = Field(default=None, sa_column=Column(JSONType, nullable=True))
    figure_kind: str = Field(max_length=10)
    figure_decimals: int = Field(default=0)
    figure_note: str | None = Field(default=None, max_length=2000)
    figure_n: int | None = None

    def is_overdue(self, today: date) -> bool:
        """Open and past its due date."""
        return self.status is ActionStatus.OPEN and self.due_date < today
