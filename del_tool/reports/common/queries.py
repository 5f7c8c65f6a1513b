"""Narrow SQL queries that read what a report needs into pandas frames.

One query per need, selecting only the columns used; filtering and joins happen in the database.
Dates are read as numbers (days since 1970-01-01, computed by the database: `as_days`) and
become datetime64 in one vectorised step; the drivers would otherwise make a text (SQLite) or
`datetime.date` (psycopg) per value for pandas to parse again. Enum values are read as text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, Integer, Select, String, cast, or_, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.models import FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.organisation.models import Centre, Municipality, Tariff, Unit
from del_tool.reports.common.selection import NO_FILTERS, Filters

if TYPE_CHECKING:
    import pandas as pd

#: Values per IN list: psycopg binds at most 65,535 parameters per statement (SQLite 32,766 by
#: default), so longer collections are read in chunks.
IN_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class StaySelection:
    """The stays a report covers: in these units (None = all), overlapping [start, end]."""

    unit_ids: frozenset[int] | None
    start: date
    end: date
    filters: Filters = NO_FILTERS

    def conditions(self) -> list[Any]:
        """SQL conditions on `Stay` for this selection."""
        out: list[Any] = [
            col(Stay.start_date) <= self.end,
            or_(col(Stay.end_date).is_(None), col(Stay.end_date) >= self.start),
        ]
        if self.unit_ids is not None:
            out.append(col(Stay.unit_id).in_(sorted(self.unit_ids)))
        if self.filters.legal_section is not None:
            out.append(col(Stay.legal_section) == self.filters.legal_section)
        if self.filters.municipality_code is not None:
            out.append(col(Stay.municipality_code) == self.filters.municipality_code)
        if self.filters.target_group is not None:
            of_group = select(col(Citizen.id)).where(
                col(Citizen.target_group) == self.filters.target_group
            )
            out.append(col(Stay.citizen_id).in_(of_group))
        return out

    def stay_ids(self) -> Select[Any]:
        """A subquery of the selected stays' ids."""
        return select(col(Stay.id)).where(*self.conditions())


def as_text(column: Any, name: str) -> Any:
    """Read an enum column as its stored text."""
    return type_coerce(column, String).label(name)


class _EpochDays(FunctionElement[int]):
    """Days from 1970-01-01 to a date column's value, computed by the database (NULL stays)."""

    type = Integer()
    inherit_cache = True


@compiles(_EpochDays, "sqlite")
def _epoch_days_sqlite(element: _EpochDays, compiler: SQLCompiler, **kw: Any) -> str:
    # julianday() of a date is N + 0.5 and of 1970-01-01 is 2440587.5: an exact difference.
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(_EpochDays)
def _epoch_days(element: _EpochDays, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL: date - date is an integer number of days.
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


def as_days(column: Any, name: str) -> Any:
    """Read a date column as days since 1970-01-01 (`read_frame(dates=...)` converts them)."""
    return _EpochDays(column).label(name)


def read_frame(session: Session, statement: Any, dates: Iterable[str] = ()) -> pd.DataFrame:
    """Run `statement` and return its rows as a frame; `dates` columns (read with `as_days`)
    become datetime64.

    The rows are taken from the driver's cursor as plain tuples: every column read here is a
    number or text, so SQLAlchemy's per-row result handling would only add time (and pandas
    probes each Row object for attributes): the scores of a national year, half a million rows,
    took 6.5 s to read that way and 1.4 s this way.
    """
    import pandas as pd  # here, so the web app starts without it (only report builds read frames)

    result = session.connection().execute(statement)
    columns = list(result.keys())
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    frame = pd.DataFrame(rows, columns=columns)
    for name in dates:
        frame[name] = pd.to_datetime(frame[name].astype("float64"), unit="D")
    return frame


def stays(session: Session, sel: StaySelection) -> pd.DataFrame:
    """One row per selected stay: stay, citizen, unit, municipality, section, start, end."""
    statement = select(
        col(Stay.id).label("stay"),
        col(Stay.citizen_id).label("citizen"),
        col(Stay.unit_id).label("unit"),
        col(Stay.municipality_code).label("municipality"),
        as_text(Stay.legal_section, "section"),
        as_days(Stay.start_date, "start"),
        as_days(Stay.end_date, "end"),
    ).where(*sel.conditions())
    return read_frame(session, statement, dates=("start", "end"))


def goal_reviews(session: Session, sel: StaySelection, *, since: date | None) -> pd.DataFrame:
    """Reviews of the selected stays' goals up to the end (from `since` when given).

    Columns: goal, stay, theme, direction, target, weight, date, level, gas, motivation,
    rating (the citizen's own rating, 1-5).
    """
    conditions: list[Any] = [
        col(Goal.stay_id).in_(sel.stay_ids()),
        col(FollowUp.followup_date) <= sel.end,
    ]
    if since is not None:
        conditions.append(col(FollowUp.followup_date) >= since)
    statement = (
        select(
            col(Goal.id).label("goal"),
            col(Goal.stay_id).label("stay"),
            as_text(Goal.theme, "theme"),
            as_text(Goal.direction, "direction"),
            col(Goal.target_level).label("target"),
            col(Goal.weight).label("weight"),
            as_days(FollowUp.followup_date, "date"),
            col(GoalReview.level).label("level"),
            col(GoalReview.gas_score).label("gas"),
            col(GoalReview.motivation).label("motivation"),
            col(GoalReview.citizen_rating).label("rating"),
        )
        .join(Goal, col(Goal.id) == col(GoalReview.goal_id))
        .join(FollowUp, col(FollowUp.id) == col(GoalReview.follow_up_id))
        .where(*conditions)
    )
    return read_frame(session, statement, dates=("date",))


def goals(session: Session, sel: StaySelection) -> pd.DataFrame:
    """Goals of the selected stays active at some time in the period.

    Columns: goal, stay, theme, direction, start, closed.
    """
    statement = select(
        col(Goal.id).label("goal"),
        col(Goal.stay_id).label("stay"),
        as_text(Goal.theme, "theme"),
        as_text(Goal.direction, "direction"),
        as_days(Goal.start_date, "start"),
        as_days(Goal.closed_on, "closed"),
    ).where(
        col(Goal.stay_id).in_(sel.stay_ids()),
        col(Goal.start_date) <= sel.end,
        or_(col(Goal.closed_on).is_(None), col(Goal.closed_on) >= sel.start),
    )
    return read_frame(session, statement, dates=("start", "closed"))


def follow_ups(session: Session, sel: StaySelection) -> pd.DataFrame:
    """Follow-ups of the selected stays up to the end: stay, date, kind."""
    statement = select(
        col(FollowUp.stay_id).label("stay"),
        as_days(FollowUp.followup_date, "date"),
        as_text(FollowUp.kind, "kind"),
    ).where(col(FollowUp.stay_id).in_(sel.stay_ids()), col(FollowUp.followup_date) <= sel.end)
    return read_frame(session, statement, dates=("date",))


def tariffs(session: Session, unit_ids: frozenset[int] | None) -> pd.DataFrame:
    """Tariffs of the units: unit, section, level ("" = the offer's only tariff), valid_from,
    valid_to, daily_rate (DKK) and occupancy_basis (per cent, NaN when not stated)."""
    statement: Any = select(
        col(Tariff.unit_id).label("unit"),
        as_text(Tariff.legal_section, "section"),
        col(Tariff.level).label("level"),
        as_days(Tariff.valid_from, "valid_from"),
        as_days(Tariff.valid_to, "valid_to"),
        cast(Tariff.daily_amount, Float).label("daily_rate"),
        cast(Tariff.occupancy_basis, Float).label("occupancy_basis"),
    )
    if unit_ids is not None:
        statement = statement.where(col(Tariff.unit_id).in_(sorted(unit_ids)))
    return read_frame(session, statement, dates=("valid_from", "valid_to"))


def units(session: Session, unit_ids: frozenset[int] | None) -> pd.DataFrame:
    """Units with their centre and follow-up interval, indexed by unit id."""
    statement: Any = select(
        col(Unit.id).label("unit"),
        col(Unit.name).label("name"),
        col(Unit.centre_id).label("centre"),
        col(Centre.name).label("centre_name"),
        col(Unit.followup_interval_days).label("interval"),
    ).join(Centre, col(Centre.id) == col(Unit.centre_id))
    if unit_ids is not None:
        statement = statement.where(col(Unit.id).in_(sorted(unit_ids)))
    return read_frame(session, statement).set_index("unit").sort_values(["centre_name", "name"])


def unit_target_groups(session: Session, unit_ids: frozenset[int] | None) -> pd.DataFrame:
    """The target group each unit serves, indexed by unit id."""
    statement: Any = select(
        col(Unit.id).label("unit"), col(Unit.target_group).label("target_group")
    )
    if unit_ids is not None:
        statement = statement.where(col(Unit.id).in_(sorted(unit_ids)))
    return read_frame(session, statement).set_index("unit")


def chunked(values: Collection[Any], size: int = IN_CHUNK) -> Iterator[list[Any]]:
    """`values` sorted, in lists of at most `size`: one IN list per statement."""
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def citizen_names(session: Session, citizen_ids: Collection[int]) -> dict[int, str]:
    """Names of the given citizens (for lists shown to staff and leaders only)."""
    names: dict[int, str] = {}
    for ids in chunked(citizen_ids):
        rows = session.execute(
            select(col(Citizen.id), col(Citizen.name)).where(col(Citizen.id).in_(ids))
        ).all()
        names.update((int(cid), name) for cid, name in rows if cid is not None)
    return names


def paying_municipalities(session: Session, sel: StaySelection) -> list[str]:
    """Codes of the municipalities paying for at least one selected stay, sorted."""
    statement = select(col(Stay.municipality_code)).where(*sel.conditions()).distinct()
    return sorted(session.execute(statement).scalars().all())


def municipality_names(session: Session, codes: Collection[str]) -> dict[str, str]:
    """Names of the municipalities with the given codes."""
    names: dict[str, str] = {}
    for chunk in chunked(codes):
        rows = session.execute(
            select(col(Municipality.code), col(Municipality.name)).where(
                col(Municipality.code).in_(chunk)
            )
        ).all()
        names.update((str(code), str(name)) for code, name in rows)
    return names
