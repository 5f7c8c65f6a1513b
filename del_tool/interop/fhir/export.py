"""Export DEL's records of some units as FFB-shaped FHIR resources: a Bundle (type collection)
or NDJSON files per resource type (FHIR bulk data's shape).

A day's delta holds every citizen with a change in the history that day (`AuditEvent`, the
day in Copenhagen time) and, of them, the records changed that day with what the import needs
to place them: the citizen, the target group, the stays' care plans, and the goals a changed
follow-up reviews. A removed record is not in a delta (the bundle has no way to say so); a
full export is the receiving system's way to see what is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource
from sqlmodel import Session, col, select

from del_tool.audit.models import AuditEvent
from del_tool.citizens.models import Citizen, Stay, StayPurpose
from del_tool.followups.models import Assessment, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.interop.fhir import resources as r
from del_tool.interop.fhir.codes import CANONICAL
from del_tool.interop.fhir.identity import Identity
from del_tool.modelbase import LOCAL_TIMEZONE, utcnow
from del_tool.organisation.models import Centre, Municipality, Unit

#: Ids are looked up in chunks of this many (the bound-parameter limit of SQLite).
CHUNK = 500
#: History entities whose change puts a record into a day's delta.
TRACKED = (
    "citizens",
    "stays",
    "stay_purposes",
    "goals",
    "follow_ups",
    "goal_reviews",
    "assessments",
)


@dataclass(frozen=True, slots=True)
class Selection:
    """What to export: the stays of these units (of one citizen), all or one day's changes."""

    unit_ids: frozenset[int]
    day: date | None = None
    citizen_id: int | None = None


@dataclass(slots=True)
class Exported:
    """The resources of an export, in order, and the citizens they are about."""

    resources: list[Resource] = field(default_factory=list)
    citizen_ids: list[int] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)

    def add(self, resource: Resource) -> None:
        """Add a resource once (by type and id)."""
        key = (resource.get_resource_type(), str(resource.id))
        if key not in self._seen:
            self._seen.add(key)
            self.resources.append(resource)


@dataclass(slots=True)
class _Records:
    citizens: dict[int, Citizen]
    stays: list[Stay]
    goals: list[Goal]
    purposes: list[StayPurpose]
    follow_ups: list[FollowUp]
    reviews: list[GoalReview]
    assessments: list[Assessment]


def export_resources(
    session: Session, ids: Identity, selection: Selection, *, today: date
) -> Exported:
    """The resources `selection` asks for, each checked by its R4B model."""
    stays = _in(session, Stay, Stay.unit_id, selection.unit_ids)
    if selection.citizen_id is not None:
        stays = [s for s in stays if s.citizen_id == selection.citizen_id]
    changed = _changed(session, selection.day, {s.citizen_id for s in stays})
    if changed is not None:
        wanted = {int(i) for i in changed.get("citizen_ids", set())}
        stays = [s for s in stays if s.citizen_id in wanted]
    records = _load(session, stays)
    keep = _Delta(records, changed) if changed is not None else None
    out = Exported()
    _organisations(session, out, records)
    units = {u.id: u for u in _in(session, Unit, Unit.id, {s.unit_id for s in records.stays})}
    for citizen_id in sorted(records.citizens):
        _citizen(out, ids, records, citizen_id, keep, units, today)
        out.citizen_ids.append(citizen_id)
    return out


def _citizen(
    out: Exported,
    ids: Identity,
    records: _Records,
    citizen_id: int,
    keep: _Delta | None,
    units: dict[Any, Unit],
    today: date,
) -> None:
    citizen = records.citizens[citizen_id]
    out.add(r.patient(ids, citizen))
    out.add(r.target_group(ids, citizen))
    stays = [s for s in records.stays if s.citizen_id == citizen_id]
    for stay in stays:
        goals = [g for g in records.goals if g.stay_id == stay.id]
        purposes = [p for p in records.purposes if p.stay_id == stay.id]
        follow_ups = sorted(
            (f for f in records.follow_ups if f.stay_id == stay.id), key=lambda f: f.followup_date
        )
        if keep is None or keep.stay(stay, goals, purposes, follow_ups):
            interval = timedelta(days=units[stay.unit_id].followup_interval_days)
            due = follow_ups[-1].followup_date + interval if follow_ups else stay.start_date
            plan = r.care_plan(
                ids,
                stay,
                goals=goals,
                purposes=purposes,
                follow_ups=follow_ups,
                next_due=due,
                today=today,
            )
            out.add(plan)
        for purpose in purposes:
            if keep is None or keep.has("stay_purposes", purpose.id):
                out.add(r.purpose_goal(ids, purpose, stay))
        reviewed = {
            rv.goal_id
            for f in follow_ups
            if keep is None or keep.follow_up(f)
            for rv in records.reviews
            if rv.follow_up_id == f.id
        }
        for one in goals:
            if keep is None or keep.has("goals", one.id) or one.id in reviewed:
                out.add(r.condition(ids, one))
                out.add(r.goal(ids, one))
        for follow_up in follow_ups:
            if keep is None or keep.follow_up(follow_up):
                _follow_up(out, ids, records, follow_up, stay)


def _follow_up(
    out: Exported, ids: Identity, records: _Records, follow_up: FollowUp, stay: Stay
) -> None:
    out.add(r.encounter(ids, follow_up, stay.unit_id))
    for review in records.reviews:
        if review.follow_up_id == follow_up.id:
            out.add(r.review_observation(ids, review, follow_up))
    for assessment in records.assessments:
        if assessment.follow_up_id == follow_up.id:
            out.add(r.questionnaire_response(ids, assessment, follow_up))


@dataclass(slots=True)
class _Delta:
    """Which records of a day's delta go in: changed ones and what places them."""

    records: _Records
    changed: dict[str, set[int]]

    def has(self, entity: str, record_id: int | None) -> bool:
        return record_id in self.changed.get(entity, set())

    def follow_up(self, follow_up: FollowUp) -> bool:
        reviews = {r.id for r in self.records.reviews if r.follow_up_id == follow_up.id}
        answers = {a.id for a in self.records.assessments if a.follow_up_id == follow_up.id}
        return (
            self.has("follow_ups", follow_up.id)
            or bool(reviews & self.changed.get("goal_reviews", set()))
            or bool(answers & self.changed.get("assessments", set()))
        )

    def stay(
        self,
        stay: Stay,
        goals: list[Goal],
        purposes: list[StayPurpose],
        follow_ups: list[FollowUp],
    ) -> bool:
        return (
            self.has("stays", stay.id)
            or any(self.has("goals", g.id) for g in goals)
            or any(self.has("stay_purposes", p.id) for p in purposes)
            or any(self.follow_up(f) for f in follow_ups)
        )


def _changed(
    session: Session, day: date | None, citizen_ids: set[int]
) -> dict[str, set[int]] | None:
    """Entity -> ids changed on `day` (and "citizen_ids": whose), for these citizens."""
    if day is None:
        return None
    start = datetime.combine(day, time.min, LOCAL_TIMEZONE)
    end = start + timedelta(days=1)
    found: dict[str, set[int]] = {"citizen_ids": set()}
    ids = sorted(citizen_ids)
    for first in range(0, len(ids), CHUNK):
        for entity, entity_id, citizen_id in session.exec(
            select(AuditEvent.entity, AuditEvent.entity_id, AuditEvent.citizen_id).where(
                col(AuditEvent.citizen_id).in_(ids[first : first + CHUNK]),
                col(AuditEvent.entity).in_(TRACKED),
                col(AuditEvent.occurred_at) >= start,
                col(AuditEvent.occurred_at) < end,
            )
        ).all():
            found["citizen_ids"].add(int(citizen_id or 0))
            if str(entity_id).isdigit():
                found.setdefault(entity, set()).add(int(entity_id))
    return found


def _load(session: Session, stays: list[Stay]) -> _Records:
    stay_ids = {s.id for s in stays}
    citizens = _in(session, Citizen, Citizen.id, {s.citizen_id for s in stays})
    follow_ups = _in(session, FollowUp, FollowUp.stay_id, stay_ids)
    fu_ids = {f.id for f in follow_ups}
    return _Records(
        citizens={int(c.id or 0): c for c in citizens},
        stays=sorted(stays, key=lambda s: (s.start_date, s.id or 0)),
        goals=sorted(_in(session, Goal, Goal.stay_id, stay_ids), key=lambda g: g.id or 0),
        purposes=sorted(
            _in(session, StayPurpose, StayPurpose.stay_id, stay_ids),
            key=lambda p: (p.position, p.id or 0),
        ),
        follow_ups=follow_ups,
        reviews=sorted(_in(session, GoalReview, GoalReview.follow_up_id, fu_ids), key=_by_id),
        assessments=sorted(_in(session, Assessment, Assessment.follow_up_id, fu_ids), key=_by_id),
    )


def _by_id(row: Any) -> int:
    return int(row.id or 0)


def _organisations(session: Session, out: Exported, records: _Records) -> None:
    units = _in(session, Unit, Unit.id, {s.unit_id for s in records.stays})
    centres = {c.id: c for c in _in(session, Centre, Centre.id, {u.centre_id for u in units})}
    for centre in sorted(centres.values(), key=_by_id):
        out.add(r.centre_organization(centre))
    for unit in sorted(units, key=_by_id):
        out.add(r.unit_organization(unit, centres[unit.centre_id]))
    codes = {s.municipality_code for s in records.stays}
    for municipality in sorted(
        _in(session, Municipality, Municipality.code, codes), key=lambda m: m.code
    ):
        out.add(r.municipality_organization(municipality))


def _in(session: Session, model: Any, column: Any, values: Iterable[Any]) -> list[Any]:
    wanted = sorted(v for v in set(values) if v is not None)
    found: list[Any] = []
    for first in range(0, len(wanted), CHUNK):
        found += session.exec(select(model).where(col(column).in_(wanted[first : first + CHUNK])))
    return found


def bundle(exported: Exported, ids: Identity) -> Bundle:
    """The resources as one Bundle of type collection (each entry's fullUrl under DEL's base
    for the receiving system, so the relative references resolve within the bundle)."""
    base = f"{CANONICAL}/{ids.system}"
    entries = [
        {"fullUrl": f"{base}/{one.get_resource_type()}/{one.id}", "resource": one}
        for one in exported.resources
    ]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": utcnow().isoformat(),
            "entry": entries,
        }
    )


def write_ndjson(exported: Exported, directory: Path) -> dict[str, int]:
    """One `<ResourceType>.ndjson` file per resource type in `directory`; counts by type."""
    directory.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[str]] = {}
    for one in exported.resources:
        lines.setdefault(one.get_resource_type(), []).append(one.model_dump_json())
    for kind, rows in lines.items():
        path = directory / f"{kind}.ndjson"
        path.write_text("".join(f"{row}\n" for row in rows), encoding="utf-8")
        path.chmod(0o600)
    return {kind: len(rows) for kind, rows in lines.items()}


def counts(resources: Sequence[Resource]) -> dict[str, int]:
    """Resources by type."""
    found: dict[str, int] = {}
    for one in resources:
        found[one.get_resource_type()] = found.get(one.get_resource_type(), 0) + 1
    return found
