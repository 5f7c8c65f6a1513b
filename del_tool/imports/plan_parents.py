"""What a goal, follow-up, review or answer row points to, for the dry run's checks: the stay,
goal or follow-up it names by reference, as the import leaves it.

A parent is a row of the same file (accepted; a refused row is no parent) or a record imported
before from the same source that is in the import's scope. Its dates and stay are the file's
when the import writes the row (created or updated) and DEL's otherwise (unchanged, or a
conflict kept as DEL has it): the checks hold for what DEL will hold. Records and references
are read in chunks, never one query per row; the parents imported before are kept in
`Plan.parent_ids` for the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from del_tool.citizens.models import Stay
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal
from del_tool.imports.plan import CHUNK, Plan, PlannedRow, _references
from del_tool.imports.sheets import Kind


@dataclass(frozen=True, slots=True)
class StayInfo:
    """A stay as the import leaves it; `key` is its id, or ("new", ref) for one to create."""

    key: Any
    citizen: Any
    unit_id: int
    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        """Whether `day` lies within the stay."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class GoalInfo:
    """A goal as the import leaves it."""

    key: Any
    stay: Any
    start: date
    closed_on: date | None
    has_gas: bool

    def active_on(self, day: date) -> bool:
        """Whether the goal is in progress on `day` (the follow-up form reviews only those)."""
        return self.start <= day and (self.closed_on is None or day <= self.closed_on)


@dataclass(frozen=True, slots=True)
class FollowUpInfo:
    """A follow-up as the import leaves it."""

    key: Any
    stay: Any
    citizen: Any
    unit_id: int
    day: date


def load(session: Session, model: Any, ids: Iterable[int]) -> dict[int, Any]:
    """Records by id, in chunks."""
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for row in session.exec(select(model).where(col(model.id).in_(chunk))).all():
            found[int(row.id)] = row
    return found


def written(planned: PlannedRow) -> bool:
    """Whether the import writes the row (so the file's values are what DEL will hold)."""
    return planned.action in ("create", "update")


def key_of(planned: PlannedRow) -> Any:
    """The record's id, or ("new", ref) for a row to create."""
    if planned.entity_id is not None:
        return planned.entity_id
    return ("new", planned.kind.value, planned.data.external_ref)


def _earlier(
    session: Session, plan: Plan, kind: Kind, refs: Iterable[str], in_file: set[str]
) -> dict[str, int]:
    """References of `kind` imported before and not rows of this file: ref -> record id."""
    wanted = {r for r in refs if r not in in_file}
    found = {r: ref.entity_id for r, ref in _references(session, plan.source, kind, wanted).items()}
    return found


def stay_infos(session: Session, plan: Plan, wanted: Iterable[str]) -> dict[str, StayInfo]:
    """The stays the rows name (`wanted` refs): the file's accepted stays, and stays imported
    before in the scope."""
    planned = {p.data.external_ref: p for p in plan.accepted(Kind.STAYS)}
    earlier = _earlier(session, plan, Kind.STAYS, wanted, set(planned))
    records = load(
        session,
        Stay,
        [*earlier.values(), *(p.entity_id for p in planned.values() if p.entity_id)],
    )
    citizens = {p.data.external_ref: p for p in plan.accepted(Kind.CITIZENS)}
    citizen_refs = _earlier(
        session,
        plan,
        Kind.CITIZENS,
        (p.data.citizen_ref for p in planned.values()),
        set(citizens),
    )
    out: dict[str, StayInfo] = {}
    for ref, row in planned.items():
        stay = records.get(row.entity_id) if row.entity_id is not None else None
        if stay is not None:
            citizen: Any = stay.citizen_id
        elif row.data.citizen_ref in citizens:
            citizen = key_of(citizens[row.data.citizen_ref])
        else:
            citizen = citizen_refs.get(row.data.citizen_ref)
        if written(row) or stay is None:
            data = row.data
            out[ref] = StayInfo(key_of(row), citizen, data.unit_id, data.start_date, data.end_date)
        else:
            out[ref] = StayInfo(stay.id, citizen, stay.unit_id, stay.start_date, stay.end_date)
    for ref, stay_id in earlier.items():
        stay = records.get(stay_id)
        if stay is not None and stay.unit_id in plan.scope:
            plan.parent_ids[Kind.STAYS][ref] = stay_id
            out[ref] = StayInfo(
                stay.id, stay.citizen_id, stay.unit_id, stay.start_date, stay.end_date
            )
    return out


def goal_infos(session: Session, plan: Plan, wanted: Iterable[str]) -> dict[str, GoalInfo]:
    """The goals the rows name: the file's accepted goals, and goals imported before whose stay
    is in the scope."""
    planned = {p.data.external_ref: p for p in plan.accepted(Kind.GOALS)}
    earlier = _earlier(session, plan, Kind.GOALS, wanted, set(planned))
    records = load(
        session, Goal, [*earlier.values(), *(p.entity_id for p in planned.values() if p.entity_id)]
    )
    stays = {p.data.external_ref: p for p in plan.accepted(Kind.STAYS)}
    stay_units = {
        s.id: s.unit_id for s in load(session, Stay, [g.stay_id for g in records.values()]).values()
    }
    out: dict[str, GoalInfo] = {}
    for ref, row in planned.items():
        goal = records.get(row.entity_id) if row.entity_id is not None else None
        if written(row) or goal is None:
            data = row.data
            stay = stays.get(data.stay_ref)
            stay_key = (
                key_of(stay) if stay is not None else plan.parent_ids[Kind.STAYS].get(data.stay_ref)
            )
            out[ref] = GoalInfo(
                key_of(row), stay_key, data.start_date, data.closed_on, data.has_gas
            )
        else:
            out[ref] = GoalInfo(
                goal.id, goal.stay_id, goal.start_date, goal.closed_on, goal.has_gas
            )
    for ref, goal_id in earlier.items():
        goal = records.get(goal_id)
        if goal is not None and stay_units.get(goal.stay_id) in plan.scope:
            plan.parent_ids[Kind.GOALS][ref] = goal_id
            out[ref] = GoalInfo(
                goal.id, goal.stay_id, goal.start_date, goal.closed_on, goal.has_gas
            )
    return out


def followup_infos(
    session: Session, plan: Plan, wanted: Iterable[str], stays: dict[str, StayInfo]
) -> dict[str, FollowUpInfo]:
    """The follow-ups the rows name: the file's accepted follow-ups (`stays`: their stays'
    infos), and follow-ups imported before whose stay is in the scope."""
    planned = {p.data.external_ref: p for p in plan.accepted(Kind.FOLLOWUPS)}
    earlier = _earlier(session, plan, Kind.FOLLOWUPS, wanted, set(planned))
    records = load(
        session,
        FollowUp,
        [*earlier.values(), *(p.entity_id for p in planned.values() if p.entity_id)],
    )
    stay_rows = load(session, Stay, [f.stay_id for f in records.values()])
    out: dict[str, FollowUpInfo] = {}
    for ref, row in planned.items():
        record = records.get(row.entity_id) if row.entity_id is not None else None
        stay = stays.get(row.data.stay_ref)
        if stay is None:
            continue  # not accepted without its stay
        day = row.data.followup_date if written(row) or record is None else record.followup_date
        out[ref] = FollowUpInfo(key_of(row), stay.key, stay.citizen, stay.unit_id, day)
    for ref, follow_up_id in earlier.items():
        record = records.get(follow_up_id)
        stay_row = stay_rows.get(record.stay_id) if record is not None else None
        if record is not None and stay_row is not None and stay_row.unit_id in plan.scope:
            plan.parent_ids[Kind.FOLLOWUPS][ref] = follow_up_id
            out[ref] = FollowUpInfo(
                record.id, record.stay_id, record.citizen_id, stay_row.unit_id, record.followup_date
            )
    return out
