"""What the economy report reads beside stays and tariffs: tariff levels of stays, special
services, year-end settlements, places over time, the price and wage index, and the units' stays
for occupancy. Same conventions as `del_tool.reports.common.queries` (narrow frames, dates read
as day numbers)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, cast, func, or_, select
from sqlmodel import Session, col

from del_tool.citizens.models import Stay, StayService
from del_tool.organisation.models import PriceIndex, Settlement, UnitPlaces
from del_tool.reports.common.queries import StaySelection, as_days, read_frame

if TYPE_CHECKING:
    import pandas as pd


def stay_levels(session: Session, sel: StaySelection) -> pd.DataFrame:
    """The tariff level of each selected stay: stay, level ("" for the offer's only tariff)."""
    statement: Any = select(
        col(Stay.id).label("stay"),
        func.coalesce(col(Stay.tariff_level), "").label("level"),
    ).where(*sel.conditions())
    return read_frame(session, statement)


def stay_services(session: Session, sel: StaySelection) -> pd.DataFrame:
    """Special services of the selected stays overlapping the selection's dates: stay,
    valid_from, valid_to, daily_amount (DKK)."""
    statement = select(
        col(StayService.stay_id).label("stay"),
        as_days(StayService.valid_from, "valid_from"),
        as_days(StayService.valid_to, "valid_to"),
        cast(StayService.daily_amount, Float).label("daily_amount"),
    ).where(
        col(StayService.stay_id).in_(sel.stay_ids()),
        col(StayService.valid_from) <= sel.end,
        or_(col(StayService.valid_to).is_(None), col(StayService.valid_to) >= sel.start),
    )
    return read_frame(session, statement, dates=("valid_from", "valid_to"))


def settlements(
    session: Session,
    unit_ids: frozenset[int] | None,
    *,
    first_year: int,
    last_year: int,
    municipality_code: str | None = None,
) -> pd.DataFrame:
    """Year-end settlements of the units in [first_year, last_year] (one municipality's when
    a code is given): unit, municipality, year, amount (DKK, negative = money back)."""
    statement: Any = select(
        col(Settlement.unit_id).label("unit"),
        col(Settlement.municipality_code).label("municipality"),
        col(Settlement.year).label("year"),
        cast(Settlement.amount, Float).label("amount"),
    ).where(col(Settlement.year) >= first_year, col(Settlement.year) <= last_year)
    if unit_ids is not None:
        statement = statement.where(col(Settlement.unit_id).in_(sorted(unit_ids)))
    if municipality_code is not None:
        statement = statement.where(col(Settlement.municipality_code) == municipality_code)
    return read_frame(session, statement)


def places(session: Session, unit_ids: Collection[int] | None) -> pd.DataFrame:
    """Places over time of the units: unit, valid_from, places."""
    statement: Any = select(
        col(UnitPlaces.unit_id).label("unit"),
        as_days(UnitPlaces.valid_from, "valid_from"),
        col(UnitPlaces.places).label("places"),
    )
    if unit_ids is not None:
        statement = statement.where(col(UnitPlaces.unit_id).in_(sorted(unit_ids)))
    return read_frame(session, statement, dates=("valid_from",))


def price_index(session: Session) -> pd.DataFrame:
    """The price and wage index: year, percent."""
    statement = select(
        col(PriceIndex.year).label("year"), cast(PriceIndex.percent, Float).label("percent")
    )
    return read_frame(session, statement)


def unit_stays(
    session: Session, unit_ids: Collection[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Every stay of the units overlapping [start, end], whoever pays (for occupancy, which is
    about the whole unit): stay, unit, citizen, start, end."""
    statement: Any = select(
        col(Stay.id).label("stay"),
        col(Stay.unit_id).label("unit"),
        col(Stay.citizen_id).label("citizen"),
        as_days(Stay.start_date, "start"),
        as_days(Stay.end_date, "end"),
    ).where(
        col(Stay.start_date) <= end, or_(col(Stay.end_date).is_(None), col(Stay.end_date) >= start)
    )
    if unit_ids is not None:
        statement = statement.where(col(Stay.unit_id).in_(sorted(unit_ids)))
    return read_frame(session, statement, dates=("start", "end"))
