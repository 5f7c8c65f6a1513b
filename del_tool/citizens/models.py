"""Citizens and their stays."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Numeric, String
from sqlmodel import Field

from del_tool.goals.models import Theme
from del_tool.modelbase import (
    LabelledEnum,
    Versioned,
    created_at_field,
    enum_column,
    timestamp_column,
)
from del_tool.organisation.models import LegalSection, TargetGroup

#: The longest text of a purpose of the municipality's action plan.
PURPOSE_MAX_CHARS = 500


class Sex(LabelledEnum):
    """Sex as recorded for statistics."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {cls.FEMALE: _l("Kvinde"), cls.MALE: _l("Mand"), cls.OTHER: _l("Andet")}


class Citizen(Versioned, table=True):
    """A citizen (borger). No CPR number: DEL does not need one (data minimisation)."""

    __tablename__ = "citizens"
    __table_args__ = (
        CheckConstraint("birth_year BETWEEN 1900 AND 2100", name="birth_year_range"),
        Index("ix_citizens_name", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    birth_year: int
    sex: Sex = Field(sa_column=enum_column(Sex))
    target_group: TargetGroup = Field(sa_column=enum_column(TargetGroup))
    case_reference: str | None = Field(default=None, sa_column=Column(String(50)))
    created_at: datetime = created_at_field()
    anonymised_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    #: Set when a leader merged this record into another one (the same person registered
    #: twice); its stays, goals and follow-ups moved there and its old URLs lead there.
    merged_into_id: int | None = Field(default=None, foreign_key="citizens.id")


class Stay(Versioned, table=True):
    """A stay (ophold) of a citizen in a unit, paid by a municipality under a legal section."""

    __tablename__ = "stays"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        Index("ix_stays_unit_period", "unit_id", "start_date", "end_date"),
        Index("ix_stays_municipality_period", "municipality_code", "start_date"),
        Index("ix_stays_contact_user", "contact_user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizens.id", index=True)
    unit_id: int = Field(foreign_key="units.id")
    municipality_code: str = Field(
        sa_column=Column(String(3), ForeignKey("municipalities.code"), nullable=False)
    )
    legal_section: LegalSection = Field(sa_column=enum_column(LegalSection))
    start_date: date
    end_date: date | None = None
    #: The stay's contact person (kontaktperson): a user whose scope includes the unit.
    contact_user_id: int | None = Field(default=None, foreign_key="users.id")
    #: The tariff level (takstniveau) the stay is charged at; None: the offer's only tariff.
    tariff_level: str | None = Field(default=None, sa_column=Column(String(40)))


class StayService(Versioned, table=True):
    """A special service (særydelse) bought for a stay on top of the tariff, per day."""

    __tablename__ = "stay_services"
    __table_args__ = (
        CheckConstraint("daily_amount >= 0", name="amount_not_negative"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    stay_id: int = Field(foreign_key="stays.id", index=True)
    description: str = Field(max_length=200)
    daily_amount: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    valid_from: date
    valid_to: date | None = None


class StayPurpose(Versioned, table=True):
    """A purpose of the stay in the paying municipality's action plan (handleplan, Serviceloven
    § 141: "indsatsformål"): free text, optionally the FFB theme it concerns. Goals link to it."""

    __tablename__ = "stay_purposes"
    __table_args__ = (Index("ix_stay_purposes_stay_position", "stay_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    stay_id: int = Field(foreign_key="stays.id")
    text: str = Field(max_length=PURPOSE_MAX_CHARS)
    #: The FFB theme the purpose concerns, if any.
    theme: Theme | None = Field(default=None, sa_column=enum_column(Theme, nullable=True))
    position: int = Field(default=0)
