"""Goals (indsatsmål): what a citizen works towards, per theme and direction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Index, String, Text
from sqlmodel import Field

from del_tool.modelbase import LabelledEnum, Versioned, created_at_field, enum_column

#: The functioning scale of Fælles Faglige Begreber: 0 is no impairment, 4 complete impairment.
LEVEL_MIN, LEVEL_MAX = 0, 4


class Theme(LabelledEnum):
    """Themes of adult social services in KL's Fælles Faglige Begreber (VUM 2.0)."""

    RELATIONS = "relations"
    COMMUNICATION = "communication"
    MOBILITY = "mobility"
    SELF_CARE = "self_care"
    COMMUNITY_LIFE = "community_life"
    PRACTICAL_TASKS = "practical_tasks"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {
            cls.RELATIONS: _l("Relationer"),
            cls.COMMUNICATION: _l("Kommunikation"),
            cls.MOBILITY: _l("Mobilitet"),
            cls.SELF_CARE: _l("Egenomsorg"),
            cls.COMMUNITY_LIFE: _l("Samfundsliv"),
            cls.PRACTICAL_TASKS: _l("Praktiske opgaver"),
        }


class GoalDirection(LabelledEnum):
    """What a goal aims at: develop, maintain, or limit the loss of functioning."""

    DEVELOP = "develop"
    MAINTAIN = "maintain"
    LIMIT_LOSS = "limit_loss"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {
            cls.DEVELOP: _l("Udvikle"),
            cls.MAINTAIN: _l("Fastholde"),
            cls.LIMIT_LOSS: _l("Begrænse tab"),
        }


class GoalStatus(LabelledEnum):
    """Where a goal stands."""

    ACTIVE = "active"
    ACHIEVED = "achieved"
    ENDED = "ended"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {cls.ACTIVE: _l("Aktivt"), cls.ACHIEVED: _l("Opnået"), cls.ENDED: _l("Afsluttet")}


def level_labels() -> dict[int, Any]:
    """Labels of the 0-4 functioning levels."""
    return {
        0: _l("0 Ingen nedsat funktionsevne"),
        1: _l("1 Let nedsat funktionsevne"),
        2: _l("2 Moderat nedsat funktionsevne"),
        3: _l("3 Svært nedsat funktionsevne"),
        4: _l("4 Fuldstændigt nedsat funktionsevne"),
    }


class Goal(Versioned, table=True):
    """A goal of a citizen within a stay. Met when the current level is at or below the target."""

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint("baseline_level BETWEEN 0 AND 4", name="baseline_level_range"),
        CheckConstraint("target_level BETWEEN 0 AND 4", name="target_level_range"),
        CheckConstraint("weight > 0 AND weight <= 10", name="weight_range"),
        CheckConstraint(
            "(direction = 'develop' AND target_level < baseline_level)"
            " OR (direction = 'maintain' AND target_level = baseline_level)"
            " OR (direction = 'limit_loss' AND target_level >= baseline_level)",
            name="direction_matches_levels",
        ),
        CheckConstraint("review_date IS NULL OR review_date >= start_date", name="review_order"),
        CheckConstraint("closed_on IS NULL OR closed_on >= start_date", name="closed_order"),
        Index("ix_goals_citizen_status", "citizen_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizens.id")
    stay_id: int = Field(foreign_key="stays.id", index=True)
    theme: Theme = Field(sa_column=enum_column(Theme))
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    direction: GoalDirection = Field(sa_column=enum_column(GoalDirection))
    baseline_level: int
    target_level: int
    gas_minus2: str | None = Field(default=None, sa_column=Column(String(500)))
    gas_minus1: str | None = Field(default=None, sa_column=Column(String(500)))
    gas_zero: str | None = Field(default=None, sa_column=Column(String(500)))
    gas_plus1: str | None = Field(default=None, sa_column=Column(String(500)))
    gas_plus2: str | None = Field(default=None, sa_column=Column(String(500)))
    weight: float = Field(default=1.0)
    start_date: date
    review_date: date | None = None
    status: GoalStatus = Field(default=GoalStatus.ACTIVE, sa_column=enum_column(GoalStatus))
    closed_on: date | None = None
    created_at: datetime = created_at_field()
    #: The purpose of the municipality's action plan (a `StayPurpose` of the same stay) the goal
    #: serves, if any.
    purpose_id: int | None = Field(default=None, foreign_key="stay_purposes.id", index=True)

    @property
    def has_gas(self) -> bool:
        """Whether GAS level texts are defined for this goal."""
        return any(
            (self.gas_minus2, self.gas_minus1, self.gas_zero, self.gas_plus1, self.gas_plus2)
        )
