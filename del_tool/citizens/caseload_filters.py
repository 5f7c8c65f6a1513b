"""Filtering, sorting and counting the caseload (pure functions on `caseload` rows).

A row's status says how soon its next follow-up is due: overdue, due this week (today to
Sunday), soon (within `SOON` days) or later. The counts at the top of the caseload are taken
after the unit and contact-person filters and before the status filter, so they say what is
due in the part of the caseload the user is looking at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from del_tool.citizens.caseload import CaseloadRow, UnitCaseload

#: A follow-up due within this many days (after this week) is "soon".
SOON = timedelta(days=14)


class DueStatus(StrEnum):
    """How soon a caseload row's next follow-up is due."""

    OVERDUE = "overdue"
    WEEK = "week"
    SOON = "soon"
    LATER = "later"


class SortKey(StrEnum):
    """The orders the caseload can be sorted in (within each unit)."""

    DUE = "due"
    NAME = "name"
    CONTACT = "contact"


#: Filter value for stays without a contact person.
NO_CONTACT = "none"


def week_end(today: date) -> date:
    """The Sunday of `today`'s week (Monday to Sunday, as in Denmark)."""
    return today + timedelta(days=6 - today.weekday())


def due_status(row: CaseloadRow, today: date) -> DueStatus:
    """The row's status on `today`."""
    if row.due < today:
        return DueStatus.OVERDUE
    if row.due <= week_end(today):
        return DueStatus.WEEK
    if row.due <= today + SOON:
        return DueStatus.SOON
    return DueStatus.LATER


@dataclass(frozen=True, slots=True)
class CaseloadFilter:
    """What the user chose: a unit, a contact person (an id or `NO_CONTACT`), a status, an order."""

    unit_id: int | None = None
    contact: int | str | None = None
    status: DueStatus | None = None
    sort: SortKey = SortKey.DUE


@dataclass(frozen=True, slots=True)
class DueCounts:
    """Overdue and due-this-week counts of the rows looked at."""

    overdue: int
    this_week: int
    rows: int


def _wanted(row: CaseloadRow, chosen: CaseloadFilter) -> bool:
    if chosen.contact == NO_CONTACT:
        return row.contact_user_id is None
    return chosen.contact is None or row.contact_user_id == chosen.contact


def _sort_key(sort: SortKey) -> Callable[[CaseloadRow], tuple[Any, ...]]:
    if sort is SortKey.NAME:
        return lambda r: (r.name.casefold(), r.citizen_id)
    if sort is SortKey.CONTACT:
        return lambda r: (r.contact_name is None, (r.contact_name or "").casefold(), r.due, r.name)
    return lambda r: (not r.overdue, r.due, r.name.casefold())


def apply_filter(
    units: list[UnitCaseload], chosen: CaseloadFilter, today: date
) -> tuple[list[UnitCaseload], DueCounts]:
    """The units and rows the filter keeps, sorted; and the counts before the status filter."""
    kept: list[UnitCaseload] = []
    overdue = this_week = looked_at = 0
    for unit in units:
        if chosen.unit_id is not None and unit.unit_id != chosen.unit_id:
            continue
        rows = [row for row in unit.rows if _wanted(row, chosen)]
        statuses = [due_status(row, today) for row in rows]
        overdue += statuses.count(DueStatus.OVERDUE)
        this_week += statuses.count(DueStatus.WEEK)
        looked_at += len(rows)
        if chosen.status is not None:
            rows = [
                row for row, status in zip(rows, statuses, strict=True) if status is chosen.status
            ]
        kept.append(replace(unit, rows=sorted(rows, key=_sort_key(chosen.sort))))
    return kept, DueCounts(overdue=overdue, this_week=this_week, rows=looked_at)
