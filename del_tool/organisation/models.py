"""Regions, centres (operated by the region or a municipality), units and their places,
municipalities, tariffs, the price and wage index, year-end settlements and referrals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from del_tool.modelbase import LabelledEnum, Versioned, enum_column


class LegalSection(LabelledEnum):
    """The section of the Social Services Act (Serviceloven) a stay is granted under."""

    S85 = "85"
    S103 = "103"
    S104 = "104"
    S107 = "107"
    S108 = "108"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Labels such as '§ 107 Midlertidigt botilbud'."""
        return {
            cls.S85: _l("§ 85 Socialpædagogisk støtte"),
            cls.S103: _l("§ 103 Beskyttet beskæftigelse"),
            cls.S104: _l("§ 104 Aktivitets- og samværstilbud"),
            cls.S107: _l("§ 107 Midlertidigt botilbud"),
            cls.S108: _l("§ 108 Længerevarende botilbud"),
        }


class OfferKind(LabelledEnum):
    """The kind of offer a unit gives, which decides the legal sections its stays may have."""

    RESIDENTIAL = "residential"
    DAY = "day"
    OUTREACH = "outreach"
    COMBINED = "combined"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {
            cls.RESIDENTIAL: _l("Botilbud"),
            cls.DAY: _l("Dag- og beskæftigelsestilbud"),
            cls.OUTREACH: _l("Støtte i eget hjem"),
            cls.COMBINED: _l("Kombineret tilbud"),
        }

    @property
    def sections(self) -> frozenset[LegalSection]:
        """The legal sections a stay in a unit of this kind is normally granted under."""
        return OFFER_SECTIONS[self]


#: Serviceloven: §§ 107/108 are residential offers (with § 85 support given there), §§ 103/104
#: are day offers (sheltered employment, activity), § 85 alone is support in one's own home.
OFFER_SECTIONS: dict[OfferKind, frozenset[LegalSection]] = {
    OfferKind.RESIDENTIAL: frozenset({LegalSection.S85, LegalSection.S107, LegalSection.S108}),
    OfferKind.DAY: frozenset({LegalSection.S103, LegalSection.S104}),
    OfferKind.OUTREACH: frozenset({LegalSection.S85}),
    OfferKind.COMBINED: frozenset(LegalSection),
}


def section_fits(kind: OfferKind | None, section: LegalSection) -> bool:
    """Whether a stay under `section` fits a unit of `kind` (a unit without a kind: always)."""
    return kind is None or section in kind.sections


def offer_kind_for(sections: frozenset[LegalSection]) -> OfferKind:
    """The narrowest kind whose sections include all of `sections` (seed data)."""
    for kind in (OfferKind.OUTREACH, OfferKind.DAY, OfferKind.RESIDENTIAL):
        if sections and sections <= kind.sections:
            return kind
    return OfferKind.COMBINED


class TargetGroup(LabelledEnum):
    """Target groups of the region's specialised social services."""

    AUTISM = "autism"
    DEAFBLINDNESS = "deafblindness"
    MENTAL_ILLNESS = "mental_illness"
    SUBSTANCE_ABUSE = "substance_abuse"
    DEVELOPMENTAL_DISABILITY = "developmental_disability"
    BRAIN_INJURY = "brain_injury"
    CHILDREN_YOUTH = "children_youth"
    COMMUNICATION = "communication"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {
            cls.AUTISM: _l("Autisme"),
            cls.DEAFBLINDNESS: _l("Døvblindhed"),
            cls.MENTAL_ILLNESS: _l("Sindslidelse"),
            cls.SUBSTANCE_ABUSE: _l("Misbrug"),
            cls.DEVELOPMENTAL_DISABILITY: _l("Udviklingshæmning"),
            cls.BRAIN_INJURY: _l("Erhvervet hjerneskade"),
            cls.CHILDREN_YOUTH: _l("Børn og unge"),
            cls.COMMUNICATION: _l("Kommunikation og høretab"),
        }


class Region(SQLModel, table=True):
    """A Danish region that runs social centres."""

    __tablename__ = "regions"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)


class Centre(SQLModel, table=True):
    """A specialised social centre (center) and its operator.

    The operator runs the centre's offers and is the data controller for their citizens: the
    region (`operator_code` None) or a municipality (a municipal offer, by its code).
    """

    __tablename__ = "centres"

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="regions.id", index=True)
    name: str = Field(max_length=150, unique=True)
    target_group: TargetGroup = Field(sa_column=enum_column(TargetGroup))
    operator_code: str | None = Field(
        default=None,
        sa_column=Column(String(3), ForeignKey("municipalities.code"), nullable=True, index=True),
    )


class Unit(Versioned, table=True):
    """A unit (tilbud) of a centre; citizens stay in units."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("centre_id", "name"),
        CheckConstraint(
            "followup_interval_days BETWEEN 14 AND 730", name="followup_interval_range"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(foreign_key="centres.id", index=True)
    name: str = Field(max_length=150)
    target_group: TargetGroup = Field(sa_column=enum_column(TargetGroup))
    followup_interval_days: int = Field(default=182)
    active: bool = Field(default=True)
    #: None: not set yet, so no section check on its stays.
    offer_kind: OfferKind | None = Field(
        default=None, sa_column=enum_column(OfferKind, nullable=True)
    )
    #: The offer's id on Tilbudsportalen (the national register of social offers), when known.
    offer_id: str | None = Field(default=None, sa_column=Column(String(20), unique=True))


class UnitPlaces(SQLModel, table=True):
    """A unit's number of places (pladser) from a day on, until the next change."""

    __tablename__ = "unit_places"
    __table_args__ = (CheckConstraint("places >= 0", name="places_not_negative"),)

    unit_id: int = Field(foreign_key="units.id", primary_key=True)
    valid_from: date = Field(primary_key=True)
    places: int


class UnitQuestionnaire(SQLModel, table=True):
    """A questionnaire a unit uses in its follow-ups."""

    __tablename__ = "unit_questionnaires"

    unit_id: int = Field(foreign_key="units.id", primary_key=True)
    questionnaire_id: str = Field(max_length=50, primary_key=True)


class Municipality(SQLModel, table=True):
    """A Danish municipality (kommune), identified by its official three-digit code."""

    __tablename__ = "municipalities"
    __table_args__ = (CheckConstraint("length(code) = 3", name="code_three_digits"),)

    code: str = Field(sa_column=Column(String(3), primary_key=True))
    name: str = Field(max_length=60, unique=True)
    region_name: str = Field(max_length=60)


class Tariff(Versioned, table=True):
    """The daily tariff (takst) of a unit for a legal section and tariff level over a period.

    `level` is the tariff level for a citizen's need within the offer (takstniveau; "" for an
    offer with one tariff); a stay is charged at its own level. `occupancy_basis` is the
    occupancy in per cent the tariff was calculated on (belægningsprocent), when stated.
    """

    __tablename__ = "tariffs"
    __table_args__ = (
        UniqueConstraint("unit_id", "legal_section", "level", "valid_from"),
        CheckConstraint("daily_amount >= 0", name="amount_not_negative"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period_order"),
        CheckConstraint(
            "occupancy_basis IS NULL OR (occupancy_basis > 0 AND occupancy_basis <= 100)",
            name="occupancy_basis_range",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    legal_section: LegalSection = Field(sa_column=enum_column(LegalSection))
    valid_from: date
    valid_to: date | None = None
    daily_amount: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    level: str = Field(default="", sa_column=Column(String(40), nullable=False, server_default=""))
    occupancy_basis: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2)))


class PriceIndex(Versioned, table=True):
    """The year's price and wage index (pris- og lønfremskrivning) in per cent, which the
    framework agreement's zero-growth rule lets tariffs rise by at most."""

    __tablename__ = "price_index"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("percent BETWEEN -20 AND 20", name="percent_range"),
    )

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    percent: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(String(200)))


class Settlement(Versioned, table=True):
    """A year-end settlement (efterregulering) of a unit with a paying municipality: what was
    charged is corrected by `amount` kroner (negative when the municipality gets money back)."""

    __tablename__ = "settlements"
    __table_args__ = (
        UniqueConstraint("unit_id", "municipality_code", "year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    municipality_code: str = Field(
        sa_column=Column(String(3), ForeignKey("municipalities.code"), nullable=False)
    )
    year: int
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(String(200)))


class ReferralOutcome(LabelledEnum):
    """What became of a referral (henvendelse)."""

    PENDING = "pending"
    ADMITTED = "admitted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {
            cls.PENDING: _l("Venter"),
            cls.ADMITTED: _l("Indskrevet"),
            cls.DECLINED: _l("Afvist"),
            cls.WITHDRAWN: _l("Trukket tilbage"),
        }


class Referral(Versioned, table=True):
    """A municipality's referral (henvendelse) of a citizen to a unit, and its outcome.

    It names no one: the unit, the paying municipality, the dates and, once admitted, the stay.
    A pending referral has no decision date; every other outcome has one, on or after the day
    of the referral.
    """

    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint(
            "decided_on IS NULL OR decided_on >= referred_on", name="decided_after_referred"
        ),
        CheckConstraint(
            "(outcome = 'pending') = (decided_on IS NULL)", name="decision_date_with_outcome"
        ),
        CheckConstraint("outcome = 'admitted' OR stay_id IS NULL", name="stay_only_admitted"),
        Index("ix_referrals_unit_referred", "unit_id", "referred_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id")
    municipality_code: str = Field(
        sa_column=Column(String(3), ForeignKey("municipalities.code"), nullable=False)
    )
    legal_section: LegalSection | None = Field(
        default=None, sa_column=enum_column(LegalSection, nullable=True)
    )
    referred_on: date
    outcome: ReferralOutcome = Field(sa_column=enum_column(ReferralOutcome))
    decided_on: date | None = None
    stay_id: int | None = Field(default=None, foreign_key="stays.id", unique=True)
