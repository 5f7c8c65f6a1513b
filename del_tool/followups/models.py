"""Follow-ups: one occasion per citizen and date, grouping goal reviews and assessments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from del_tool.modelbase import JSONType, LabelledEnum, Versioned, created_at_field, enum_column


class FollowUpKind(LabelledEnum):
    """Baseline at admission, regular follow-up, or discharge."""

    BASELINE = "baseline"
    FOLLOW_UP = "follow_up"
    DISCHARGE = "discharge"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {
            cls.BASELINE: _l("Indskrivning (baseline)"),
            cls.FOLLOW_UP: _l("Opfølgning"),
            cls.DISCHARGE: _l("Udskrivning"),
        }


class Perspective(LabelledEnum):
    """Who answered a questionnaire."""

    STAFF = "staff"
    SELF_REPORT = "self_report"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {cls.STAFF: _l("Medarbejdervurdering"), cls.SELF_REPORT: _l("Borgerens egen")}


class FollowUp(Versioned, table=True):
    """A follow-up (opfølgning) of one citizen on one date."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("citizen_id", "followup_date"),
        Index("ix_follow_ups_stay_date", "stay_id", "followup_date"),
        Index("ix_follow_ups_date", "followup_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizens.id")
    stay_id: int = Field(foreign_key="stays.id")
    followup_date: date
    kind: FollowUpKind = Field(sa_column=enum_column(FollowUpKind))
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = created_at_field()
    #: One-time token from the form; a second submit of the same form finds it taken.
    submission_token: str | None = Field(default=None, sa_column=Column(String(64), unique=True))


class GoalReview(SQLModel, table=True):
    """The review of one goal at a follow-up."""

    __tablename__ = "goal_reviews"
    __table_args__ = (
        UniqueConstraint("follow_up_id", "goal_id"),
        CheckConstraint("level BETWEEN 0 AND 4", name="level_range"),
        CheckConstraint("gas_score BETWEEN -2 AND 2", name="gas_range"),
        CheckConstraint("citizen_rating BETWEEN 1 AND 5", name="citizen_rating_range"),
        CheckConstraint("motivation BETWEEN 1 AND 5", name="motivation_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    follow_up_id: int = Field(foreign_key="follow_ups.id", ondelete="CASCADE")
    goal_id: int = Field(foreign_key="goals.id", index=True)
    level: int
    gas_score: int | None = None
    citizen_rating: int | None = None
    motivation: int | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Assessment(SQLModel, table=True):
    """One questionnaire answered at a follow-up, with the definition version it used."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("follow_up_id", "questionnaire_id"),
        CheckConstraint("completeness BETWEEN 0 AND 1", name="completeness_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    follow_up_id: int = Field(foreign_key="follow_ups.id", ondelete="CASCADE")
    questionnaire_id: str = Field(max_length=50, index=True)
    questionnaire_version: str = Field(max_length=20)
    perspective: Perspective = Field(sa_column=enum_column(Perspective))
    answers: dict[str, int | None] = Field(sa_column=Column(JSONType, nullable=False))
    completeness: float


class AssessmentScore(SQLModel, table=True):
    """A scale score of an assessment, computed at save time; None when too few answers."""

    __tablename__ = "assessment_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "scale_id"),
        Index("ix_assessment_scores_questionnaire_scale", "questionnaire_id", "scale_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessments.id", ondelete="CASCADE")
    questionnaire_id: str = Field(max_length=50)
    scale_id: str = Field(max_length=50)
    value: float | None = None
    raw: float | None = None
    n_answered: int = 0
    prorated: bool = False
