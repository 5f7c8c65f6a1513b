"""The dry run of the purposes (`plan_purposes`), goals and follow-ups sheets, after citizens and
stays (`plan`), and the conflicts of every kind (`conflicts`).

A goal row is refused when its stay is neither in the file (accepted) nor imported before in the
scope ("a goal without a stay"), when its start date lies outside the stay (the goal service's
rule), when it was imported before for another stay, or when DEL reviewed it before its new
start date, or when it names a purpose that is unknown or of another stay. A follow-up row is
refused when its stay is unknown, its date lies outside the stay (as the follow-up service
refuses it), it was imported before for another stay, or the citizen has another follow-up that
day (in DEL or in the file: one per citizen and day). Reviews and answers follow in
`plan_answers`. Each kind's conflicts are settled before the next kind is checked, so the checks
see the dates DEL will hold.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.models import FollowUp, GoalReview
from del_tool.followups.services import DATE_TAKEN
from del_tool.goals.models import Goal
from del_tool.i18n import format_day
from del_tool.imports import plan_answers, plan_purposes
from del_tool.imports.conflicts import resolve
from del_tool.imports.plan import CHUNK, Plan, PlannedRow, _references, _refuse, _Sheet, row_hash
from del_tool.imports.plan_parents import StayInfo, load, stay_infos
from del_tool.imports.sheets import ImportRow, Kind

Rows = list[tuple[_Sheet, ImportRow]]
NO_STAY = _l(
    "Intet ophold med dette id i filen (eller rækken er afvist) eller fra før i dine tilbud."
)


def plan_records(session: Session, plan: Plan, rows: dict[Kind, Rows]) -> None:
    """Settle the citizens' and stays' conflicts, then plan purposes, goals, follow-ups,
    reviews and answers (appended to `plan.rows`; refusals to `plan.refusals`)."""
    for kind, model in ((Kind.CITIZENS, Citizen), (Kind.STAYS, Stay)):
        ids = [r.entity_id for r in plan.accepted(kind) if r.action == "update"]
        if ids:
            resolve(session, plan, kind, load(session, model, [i for i in ids if i]))
    both = [*rows[Kind.PURPOSES], *rows[Kind.GOALS], *rows[Kind.FOLLOWUPS]]
    wanted = [r.stay_ref for _s, r in both]  # type: ignore[attr-defined]
    stays = stay_infos(session, plan, wanted) if wanted else {}
    if rows[Kind.PURPOSES]:
        plan_purposes.plan_purposes(session, plan, rows[Kind.PURPOSES], stays)
    if rows[Kind.GOALS]:
        _plan_goals(session, plan, rows[Kind.GOALS], stays)
    if rows[Kind.FOLLOWUPS]:
        _plan_followups(session, plan, rows[Kind.FOLLOWUPS], stays)
    if rows[Kind.REVIEWS] or rows[Kind.ANSWERS]:
        plan_answers.plan_reviews_and_answers(session, plan, rows, stays)


def placed_problem(
    stay: Any, ref: Any, records: dict[int, Any], *, gone: Any, moved: Any
) -> tuple[str, Any] | None:
    """Why a row of a record that belongs to a stay cannot go where the file puts it: its stay
    is not in the file or DEL (NO_STAY), the record imported before is gone (`gone`), or it
    was imported for another stay (`moved`); None when it can."""
    if stay is None:
        return ("stay_ref", NO_STAY)
    if ref is not None and ref.entity_id not in records:
        return ("external_ref", gone)
    if ref is not None and records[ref.entity_id].stay_id != stay.key:
        return ("stay_ref", moved)
    return None


def planned_row(plan: Plan, kind: Kind, sheet: _Sheet, row: ImportRow, ref: Any) -> PlannedRow:
    """An accepted row: new, or (imported before) an update or unchanged by its hash."""
    planned = PlannedRow(kind, sheet.name, row, row_hash=row_hash(row))
    if ref is not None:
        planned.entity_id = ref.entity_id
        planned.action = "unchanged" if ref.row_hash == planned.row_hash else "update"
    plan.rows.append(planned)
    return planned


def refuse(plan: Plan, kind: Kind, sheet: _Sheet, row: ImportRow, problem: tuple[str, Any]) -> None:
    """Refuse a row naming its column."""
    _refuse(plan, sheet, row.row, *problem)
    plan.counts[kind].refused += 1


def _plan_goals(session: Session, plan: Plan, rows: Rows, stays: dict[str, StayInfo]) -> None:
    refs = _references(session, plan.source, Kind.GOALS, (r.external_ref for _s, r in rows))
    records = load(session, Goal, [r.entity_id for r in refs.values()])
    first_reviews = _first_reviews(session, list(records))
    named = [r.purpose_ref for _s, r in rows if r.purpose_ref]  # type: ignore[attr-defined]
    purposes = plan_purposes.purpose_stays(session, plan, named, stays)
    for sheet, row in rows:
        data: Any = row
        stay = stays.get(data.stay_ref)
        ref = refs.get(data.external_ref)
        problem = placed_problem(
            stay,
            ref,
            records,
            gone=_l("Målet er indlæst før, men findes ikke længere i DEL."),
            moved=_l("Målet er indlæst før for et andet ophold."),
        )
        if problem is None and stay is not None:
            problem = _goal_problem(data, stay, ref, purposes, first_reviews)
        if problem is not None:
            refuse(plan, Kind.GOALS, sheet, row, problem)
            continue
        planned_row(plan, Kind.GOALS, sheet, row, ref)
    linked = plan_purposes.purpose_refs(
        session, plan.source, [g.purpose_id for g in records.values()]
    )
    resolve(session, plan, Kind.GOALS, records, purposes=linked)


def _goal_problem(
    data: Any, stay: StayInfo, ref: Any, purposes: Any, first_reviews: dict[int, date]
) -> tuple[str, Any] | None:
    """Why a goal placed in its stay is refused (dates, its purpose), or None."""
    if not stay.covers(data.start_date):
        return ("start_date", _l("Startdatoen skal ligge inden for opholdet."))
    if (found := plan_purposes.purpose_problem(data, stay, purposes)) is not None:
        return found
    first = first_reviews.get(ref.entity_id) if ref is not None else None
    if first is not None and data.start_date > first:
        return (
            "start_date",
            _l(
                "Målet er fulgt op %(date)s; startdatoen må ikke være senere.",
                date=format_day(first),
            ),
        )
    return None


def _first_reviews(session: Session, goal_ids: list[int]) -> dict[int, date]:
    """The date each goal was first reviewed in DEL."""
    found: dict[int, date] = {}
    for start in range(0, len(goal_ids), CHUNK):
        chunk = goal_ids[start : start + CHUNK]
        for goal_id, first in session.exec(
            select(GoalReview.goal_id, func.min(FollowUp.followup_date))
            .join(FollowUp, col(FollowUp.id) == GoalReview.follow_up_id)
            .where(col(GoalReview.goal_id).in_(chunk))
            .group_by(col(GoalReview.goal_id))
        ).all():
            found[int(goal_id)] = first
    return found


def _plan_followups(session: Session, plan: Plan, rows: Rows, stays: dict[str, StayInfo]) -> None:
    refs = _references(session, plan.source, Kind.FOLLOWUPS, (r.external_ref for _s, r in rows))
    records = load(session, FollowUp, [r.entity_id for r in refs.values()])
    taken = _days_taken(session, [s.citizen for s in stays.values() if isinstance(s.citizen, int)])
    seen: dict[tuple[Any, date], int] = {}
    for sheet, row in rows:
        data: Any = row
        stay = stays.get(data.stay_ref)
        ref = refs.get(data.external_ref)
        own = ref.entity_id if ref is not None else None
        problem = placed_problem(
            stay,
            ref,
            records,
            gone=_l("Opfølgningen er indlæst før, men findes ikke længere i DEL."),
            moved=_l("Opfølgningen er indlæst før for et andet ophold."),
        )
        if problem is None and stay is not None:
            day = (stay.citizen, data.followup_date)
            if not stay.covers(data.followup_date):
                problem = ("followup_date", _l("Datoen skal ligge inden for opholdet."))
            elif taken.get(day) not in (None, own):
                problem = ("followup_date", DATE_TAKEN)
            elif day in seen:
                why = _l(
                    "Borgeren har en anden opfølgning samme dag (række %(row)s).", row=seen[day]
                )
                problem = ("followup_date", why)
            else:
                seen[day] = data.row
        if problem is not None:
            refuse(plan, Kind.FOLLOWUPS, sheet, row, problem)
            continue
        planned_row(plan, Kind.FOLLOWUPS, sheet, row, ref)
    resolve(session, plan, Kind.FOLLOWUPS, records)


def _days_taken(session: Session, citizen_ids: list[int]) -> dict[tuple[Any, date], int]:
    """(citizen, date) -> the follow-up DEL has on that day, for these citizens."""
    ids = sorted(set(citizen_ids))
    found: dict[tuple[Any, date], int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for follow_up_id, citizen_id, day in session.exec(
            select(col(FollowUp.id), col(FollowUp.citizen_id), col(FollowUp.followup_date)).where(
                col(FollowUp.citizen_id).in_(chunk)
            )
        ).all():
            found[(int(citizen_id), day)] = int(follow_up_id or 0)
    return found
