"""Writing the goals, follow-ups, goal reviews and questionnaire answers of a planned import
(after its citizens and stays, `commit`), each with its history entry as a form save writes it.

Goals, follow-ups and reviews are written through `del_tool.citizens.history` as the goal and
follow-up services write them (a follow-up recorded by the importing user). The answers of one
(follow-up, questionnaire) are one assessment, written by the follow-up service's own
`save_assessments`: checked against its definition (the stored version for an assessment
imported before, else the current one), scored, with its scale scores, each with its history.
The scale scores an import writes are read back from the history span of the commit (one
query) into `Written` under "assessment_scores", so an undo can remove or restore them too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from del_tool.audit.models import AuditEvent
from del_tool.citizens import history
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Stay
from del_tool.errors import ConflictError
from del_tool.followups.assessments import AssessmentInput, save_assessments
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.imports.plan import Plan, PlannedRow
from del_tool.imports.plan_parents import load
from del_tool.imports.sheets import Kind
from del_tool.questionnaires import current_registry

#: The scale scores' table: not a sheet, but records an import writes (and undo removes).
SCORES = AssessmentScore.__tablename__
GOAL_FIELDS = (
    "theme",
    "title",
    "description",
    "direction",
    "baseline_level",
    "target_level",
    "weight",
    "start_date",
    "review_date",
    "status",
    "closed_on",
    "gas_minus2",
    "gas_minus1",
    "gas_zero",
    "gas_plus1",
    "gas_plus2",
)
REVIEW_FIELDS = ("level", "gas_score", "citizen_rating", "motivation", "note")

Reference = Callable[[PlannedRow, int], None]


def write_records(
    session: Session,
    plan: Plan,
    *,
    actor: Actor,
    written: Any,
    reference: Reference,
    step: Callable[[], None],
) -> None:
    """Write the plan's goals, follow-ups, reviews and answers (in that order)."""
    stays = _ids(plan, Kind.STAYS)
    citizens = {s.id: s.citizen_id for s in load(session, Stay, stays.values()).values()}
    goals = _ids(plan, Kind.GOALS)
    for planned in plan.accepted(Kind.GOALS):
        if planned.action != "unchanged":
            values = {name: getattr(planned.data, name) for name in GOAL_FIELDS}
            stay_id = stays[planned.data.stay_ref]
            goal = Goal(citizen_id=citizens[stay_id], stay_id=stay_id, **values)
            goals[planned.data.external_ref] = _write(
                session, actor, written, reference, planned, goal, values
            )
        step()
    follow_ups = _ids(plan, Kind.FOLLOWUPS)
    for planned in plan.accepted(Kind.FOLLOWUPS):
        if planned.action != "unchanged":
            data = planned.data
            values = {"followup_date": data.followup_date, "kind": data.kind, "note": data.note}
            stay_id = stays[data.stay_ref]
            follow_up = FollowUp(
                citizen_id=citizens[stay_id],
                stay_id=stay_id,
                recorded_by_id=actor.user_id,
                **values,
            )
            follow_ups[data.external_ref] = _write(
                session, actor, written, reference, planned, follow_up, values
            )
        step()
    records = load(session, FollowUp, follow_ups.values())
    for planned in plan.accepted(Kind.REVIEWS):
        if planned.action != "unchanged":
            values = {name: getattr(planned.data, name) for name in REVIEW_FIELDS}
            row = GoalReview(
                follow_up_id=follow_ups[planned.data.followup_ref],
                goal_id=goals[planned.data.goal_ref],
                **values,
            )
            follow_up = records[follow_ups[planned.data.followup_ref]]
            _write(session, actor, written, reference, planned, row, values, follow_up.citizen_id)
        step()
    _write_answers(session, plan, actor, written, reference, step, follow_ups, records)


def _ids(plan: Plan, kind: Kind) -> dict[str, int]:
    """Reference -> record id of the file's rows of `kind` and those imported before."""
    found = dict(plan.parent_ids[kind])
    for planned in plan.accepted(kind):
        if planned.entity_id is not None:
            found[planned.data.external_ref] = planned.entity_id
    return found


def _write(
    session: Session,
    actor: Actor,
    written: Any,
    reference: Reference,
    planned: PlannedRow,
    new: Any,
    values: dict[str, Any],
    citizen_id: int | None = None,
) -> int:
    """Insert `new` or update the record imported before with `values`; its reference."""
    model = type(new)
    citizen = citizen_id if citizen_id is not None else new.citizen_id
    if planned.action == "create":
        row = history.insert(session, actor, new, citizen_id=citizen)
        planned.entity_id = written.wrote(planned.kind, row, created=True)
    else:
        row = session.get(model, planned.entity_id) if planned.entity_id is not None else None
        if row is None:
            raise ConflictError(
                f"{model.__tablename__} {planned.entity_id}: gone since the dry run"
            )
        history.update(session, actor, row, values, citizen_id=citizen)
        written.wrote(planned.kind, row, created=False)
    assert planned.entity_id is not None  # noqa: S101 - created or imported before
    reference(planned, planned.entity_id)
    return planned.entity_id


def _write_answers(
    session: Session,
    plan: Plan,
    actor: Actor,
    written: Any,
    reference: Reference,
    step: Callable[[], None],
    follow_ups: dict[str, int],
    records: dict[int, FollowUp],
) -> None:
    """One assessment per (follow-up, questionnaire) with a new or changed answer."""
    groups: dict[tuple[int, str], list[PlannedRow]] = {}
    for planned in plan.accepted(Kind.ANSWERS):
        key = (follow_ups[planned.data.followup_ref], planned.data.questionnaire)
        groups.setdefault(key, []).append(planned)
    if not groups:
        return
    registry = current_registry()
    stored = {
        (a.follow_up_id, a.questionnaire_id): a
        for a in _assessments(session, sorted({k[0] for k in groups}))
    }
    for (follow_up_id, qid), rows in groups.items():
        changed = [r for r in rows if r.action != "unchanged"]
        if not changed:
            for _row in rows:
                step()
            continue
        existing = stored.get((follow_up_id, qid))
        answers: dict[str, int | None] = dict(existing.answers) if existing is not None else {}
        answers.update({r.data.item: r.data.value for r in changed})
        version = existing.questionnaire_version if existing is not None else None
        definition = registry.get(qid, version)
        follow_up = records[follow_up_id]
        save_assessments(session, actor, follow_up, [definition], [AssessmentInput(qid, answers)])
        assessment = session.exec(
            select(Assessment).where(
                col(Assessment.follow_up_id) == follow_up_id,
                col(Assessment.questionnaire_id) == qid,
            )
        ).one()
        written.wrote(Kind.ANSWERS, assessment, created=existing is None)
        for row in rows:
            row.entity_id = int(assessment.id or 0)
            if row.action != "unchanged":
                reference(row, row.entity_id)
            step()


def _assessments(session: Session, follow_up_ids: list[int]) -> list[Assessment]:
    out: list[Assessment] = []
    for start in range(0, len(follow_up_ids), 500):
        chunk = follow_up_ids[start : start + 500]
        out += session.exec(select(Assessment).where(col(Assessment.follow_up_id).in_(chunk))).all()
    return out


def scores_written(session: Session, *, after: int, user_id: int | None) -> dict[str, list[int]]:
    """The scale scores the commit created and updated: its history events on them."""
    found: dict[str, list[int]] = {"create": [], "update": []}
    for action, entity_id in session.exec(
        select(AuditEvent.action, AuditEvent.entity_id).where(
            col(AuditEvent.id) > after,
            col(AuditEvent.entity) == SCORES,
            col(AuditEvent.user_id) == user_id,
            col(AuditEvent.action).in_(["create", "update"]),
        )
    ).all():
        found[action].append(int(entity_id))
    created = sorted(set(found["create"]))
    return {"create": created, "update": sorted(set(found["update"]) - set(created))}
