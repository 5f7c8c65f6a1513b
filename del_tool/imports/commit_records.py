"""Preparing the action plan's purposes, goals, follow-ups, goal reviews and questionnaire
answers of a planned import (after its citizens and stays, `commit`), each with its history
entry as a form save writes it. A new purpose goes at the end of its stay's list; a goal row
that names its purpose (the column Formåls-ID) sets the goal's purpose, one without the column
leaves it as it is.

Goals, follow-ups and reviews are staged for insert and update in bulk (`bulk.Staging`, only
reading), with the history entries the goal and follow-up services write (a follow-up recorded
by the importing user). The answers of one (follow-up, questionnaire) are one assessment: a new
one is checked against the current definition and scored as the follow-up service's
`save_assessments` scores it, and staged with its scale scores and their history; one answered
before goes through `save_assessments` itself when the commit publishes (the stored version's
definition), after a check that its answers are still those read here.
The scale scores an import writes are read back from the history span of the commit (one
query) into `Written` under "assessment_scores", so an undo can remove or restore them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from del_tool.audit.models import AuditEvent
from del_tool.audit.services import snapshot
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Stay, StayPurpose
from del_tool.errors import ConflictError, RuleError
from del_tool.followups.assessments import AssessmentInput, save_assessments
from del_tool.followups.models import (
    Assessment,
    AssessmentScore,
    FollowUp,
    GoalReview,
    Perspective,
)
from del_tool.goals.models import Goal
from del_tool.imports.bulk import Staging
from del_tool.imports.plan import CHUNK, Plan, PlannedRow
from del_tool.imports.plan_parents import load
from del_tool.imports.sheets import Kind
from del_tool.questionnaires import InvalidAnswers, current_registry

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

#: The records an import writes, by their table.
MODELS: dict[str, type[Any]] = {
    Kind.CITIZENS.value: Citizen,
    Kind.STAYS.value: Stay,
    Kind.PURPOSES.value: StayPurpose,
    Kind.GOALS.value: Goal,
    Kind.FOLLOWUPS.value: FollowUp,
    Kind.REVIEWS.value: GoalReview,
    Kind.ANSWERS.value: Assessment,
}

Step = Callable[[int], None]


def write_records(
    session: Session,
    plan: Plan,
    *,
    actor: Actor,
    written: Any,
    bulk: Staging,
    step: Step,
) -> None:
    """Stage the plan's purposes, goals, follow-ups, reviews and answers (in that order)."""
    stays = _ids(plan, Kind.STAYS)
    citizens = _citizens_of(session, bulk, Stay, stays.values())
    purposes = _write_purposes(session, plan, bulk, written, stays, citizens)
    step(len(plan.accepted(Kind.PURPOSES)))
    goals = _ids(plan, Kind.GOALS)

    def goal_values(planned: PlannedRow) -> dict[str, Any]:
        values = {name: getattr(planned.data, name) for name in GOAL_FIELDS}
        if planned.data.manages_purpose:
            ref = planned.data.purpose_ref
            values["purpose_id"] = purposes[ref] if ref else None
        return values

    def goal_new(planned: PlannedRow) -> dict[str, Any]:
        stay_id = stays[planned.data.stay_ref]
        return {"citizen_id": citizens[stay_id], "stay_id": stay_id, **goal_values(planned)}

    rows = plan.accepted(Kind.GOALS)
    _write_kind(session, bulk, written, Kind.GOALS, rows, goal_new, goal_values, _own_citizen)
    goals.update({r.data.external_ref: r.entity_id for r in rows if r.entity_id is not None})
    step(len(rows))
    follow_ups = _ids(plan, Kind.FOLLOWUPS)

    def followup_values(planned: PlannedRow) -> dict[str, Any]:
        data = planned.data
        return {"followup_date": data.followup_date, "kind": data.kind, "note": data.note}

    def followup_new(planned: PlannedRow) -> dict[str, Any]:
        stay_id = stays[planned.data.stay_ref]
        return {
            "citizen_id": citizens[stay_id],
            "stay_id": stay_id,
            "recorded_by_id": actor.user_id,
            **followup_values(planned),
        }

    rows = plan.accepted(Kind.FOLLOWUPS)
    _write_kind(
        session, bulk, written, Kind.FOLLOWUPS, rows, followup_new, followup_values, _own_citizen
    )
    follow_ups.update({r.data.external_ref: r.entity_id for r in rows if r.entity_id is not None})
    step(len(rows))
    owners = _followup_citizens(session, bulk, follow_ups, plan)

    def review_values(planned: PlannedRow) -> dict[str, Any]:
        return {name: getattr(planned.data, name) for name in REVIEW_FIELDS}

    def review_new(planned: PlannedRow) -> dict[str, Any]:
        return {
            "follow_up_id": follow_ups[planned.data.followup_ref],
            "goal_id": goals[planned.data.goal_ref],
            **review_values(planned),
        }

    def review_citizen(planned: PlannedRow, values: dict[str, Any]) -> int | None:
        return owners[follow_ups[planned.data.followup_ref]]

    rows = plan.accepted(Kind.REVIEWS)
    _write_kind(
        session, bulk, written, Kind.REVIEWS, rows, review_new, review_values, review_citizen
    )
    step(len(rows))
    _write_answers(session, plan, actor, written, bulk, step, follow_ups, owners)


def _write_purposes(
    session: Session,
    plan: Plan,
    bulk: Staging,
    written: Any,
    stays: dict[str, int],
    citizens: dict[int, int],
) -> dict[str, int]:
    """Stage the purposes (new ones after the stay's last); reference -> id of the file's
    purposes and of those imported before that goal rows name."""
    rows = plan.accepted(Kind.PURPOSES)
    new = [r for r in rows if r.action == "create"]
    following = _next_positions(session, [stays[r.data.stay_ref] for r in new])
    positions: dict[str, int] = {}
    for planned in new:
        stay_id = stays[planned.data.stay_ref]
        positions[planned.data.external_ref] = following.get(stay_id, 0)
        following[stay_id] = positions[planned.data.external_ref] + 1

    def values(planned: PlannedRow) -> dict[str, Any]:
        return {"text": planned.data.text, "theme": planned.data.theme}

    def new_values(planned: PlannedRow) -> dict[str, Any]:
        position = positions.get(planned.data.external_ref, 0)
        return {"stay_id": stays[planned.data.stay_ref], "position": position, **values(planned)}

    def citizen(planned: PlannedRow, values: dict[str, Any]) -> int | None:
        return citizens[int(values["stay_id"])]

    _write_kind(session, bulk, written, Kind.PURPOSES, rows, new_values, values, citizen)
    return _ids(plan, Kind.PURPOSES)


def _next_positions(session: Session, stay_ids: list[int]) -> dict[int, int]:
    """The position after the last purpose of each stay that has purposes."""
    found: dict[int, int] = {}
    wanted = sorted(set(stay_ids))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        query = (
            select(StayPurpose.stay_id, func.max(StayPurpose.position))
            .where(col(StayPurpose.stay_id).in_(chunk))
            .group_by(col(StayPurpose.stay_id))
        )
        found.update({int(stay_id): int(last) + 1 for stay_id, last in session.exec(query).all()})
    return found


def _own_citizen(planned: PlannedRow, values: dict[str, Any]) -> int | None:
    return int(values["citizen_id"])


def _write_kind(
    session: Session,
    bulk: Staging,
    written: Any,
    kind: Kind,
    rows: list[PlannedRow],
    new_values: Callable[[PlannedRow], dict[str, Any]],
    changed_values: Callable[[PlannedRow], dict[str, Any]],
    citizen_of: Callable[[PlannedRow, dict[str, Any]], int | None],
) -> None:
    """Stage the new rows of a kind and the updates of those imported before (each record's
    history entry noted in `bulk`); the rows' `entity_id` are set (guessed for new ones)."""
    model = MODELS[kind.value]
    new = [r for r in rows if r.action == "create"]
    values = [new_values(r) for r in new]
    owners = [citizen_of(r, v) for r, v in zip(new, values, strict=True)]
    for planned, entity_id in zip(new, bulk.insert(model, values, owners), strict=True):
        planned.entity_id = entity_id
    updates = [r for r in rows if r.action == "update"]
    stored = load(session, model, [r.entity_id for r in updates if r.entity_id is not None])
    for planned in updates:
        row = stored.get(planned.entity_id) if planned.entity_id is not None else None
        if row is None:
            raise ConflictError(
                f"{model.__tablename__} {planned.entity_id}: gone since the dry run"
            )
        current = snapshot(row)
        citizen_id = citizen_of(planned, {**current, **new_values(planned)})
        bulk.update(row, changed_values(planned), citizen_id=citizen_id)


def _ids(plan: Plan, kind: Kind) -> dict[str, int]:
    """Reference -> record id of the file's rows of `kind` and those imported before."""
    found = dict(plan.parent_ids[kind])
    for planned in plan.accepted(kind):
        if planned.entity_id is not None:
            found[planned.data.external_ref] = planned.entity_id
    return found


def _followup_citizens(
    session: Session, bulk: Staging, follow_ups: dict[str, int], plan: Plan
) -> dict[int, int]:
    """Follow-up id -> its citizen, for the follow-ups reviews and answers point to."""
    wanted = {
        follow_ups[r.data.followup_ref]
        for kind in (Kind.REVIEWS, Kind.ANSWERS)
        for r in plan.accepted(kind)
    }
    return _citizens_of(session, bulk, FollowUp, wanted)


def _citizens_of(session: Session, bulk: Staging, model: Any, ids: Iterable[int]) -> dict[int, int]:
    """Record id -> its citizen, for stays or follow-ups: staged ones from `bulk`, stored
    ones read (two columns, in chunks)."""
    staged = bulk.owners.get(model.__tablename__, {})
    found = {i: int(staged[i] or 0) for i in set(ids) if i in staged}
    wanted = sorted(set(ids) - set(found))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        query = select(model.id, model.citizen_id).where(col(model.id).in_(chunk))
        found.update({int(i): int(c) for i, c in session.exec(query).all()})
    return found


def _write_answers(
    session: Session,
    plan: Plan,
    actor: Actor,
    written: Any,
    bulk: Staging,
    step: Step,
    follow_ups: dict[str, int],
    owners: dict[int, int],
) -> None:
    """One assessment per (follow-up, questionnaire) with a new or changed answer: new ones
    scored here and inserted in bulk with their scale scores, as `save_assessments` writes
    them; one answered before goes through `save_assessments` itself."""
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
    fresh: list[tuple[tuple[int, str], Any, dict[str, int | None], Any]] = []
    for (follow_up_id, qid), rows in groups.items():
        changed = [r for r in rows if r.action != "unchanged"]
        if not changed:
            continue
        existing = stored.get((follow_up_id, qid))
        answers: dict[str, int | None] = dict(existing.answers) if existing is not None else {}
        answers.update({r.data.item: r.data.value for r in changed})
        version = existing.questionnaire_version if existing is not None else None
        definition = registry.get(qid, version)
        if existing is None:
            if all(value is None for value in answers.values()):
                continue  # nothing answered: no assessment (as the follow-up form)
            fresh.append(((follow_up_id, qid), definition, answers, _scored(definition, answers)))
            continue
        follow_up = session.get(FollowUp, follow_up_id)
        if follow_up is None:
            raise ConflictError(f"follow_ups {follow_up_id}: gone since the dry run")
        bulk.after.append(
            _answered_before(actor, written, follow_up_id, definition, answers, existing, rows)
        )
    values = [
        {
            "follow_up_id": key[0],
            "questionnaire_id": definition.id,
            "questionnaire_version": definition.version,
            "perspective": Perspective(definition.perspective),
            "answers": answers,
            "completeness": scores.completeness,
        }
        for key, definition, answers, scores in fresh
    ]
    citizens = [owners[key[0]] for key, _d, _a, _s in fresh]
    ids = bulk.insert(Assessment, values, citizens)
    written.created.setdefault(Kind.ANSWERS.value, []).extend(ids)
    score_rows: list[dict[str, Any]] = []
    score_citizens: list[int | None] = []
    for assessment_id, (key, definition, _answers, scores) in zip(ids, fresh, strict=True):
        for row in groups[key]:
            row.entity_id = assessment_id
        for scale_id, score in scores.scales.items():
            score_rows.append(
                {
                    "assessment_id": assessment_id,
                    "questionnaire_id": definition.id,
                    "scale_id": scale_id,
                    "value": score.value,
                    "raw": score.raw,
                    "n_answered": score.n_answered,
                    "prorated": score.prorated,
                }
            )
            score_citizens.append(owners[key[0]])
    bulk.insert(AssessmentScore, score_rows, score_citizens)
    step(sum(len(rows) for rows in groups.values()))


def _answered_before(
    actor: Actor,
    written: Any,
    follow_up_id: int,
    definition: Any,
    answers: dict[str, int | None],
    existing: Assessment,
    rows: list[PlannedRow],
) -> Callable[[Session], None]:
    """The publish step's work for an assessment answered before: `save_assessments` with the
    merged answers, if the stored answers are still those read while preparing."""
    assessment_id, read = int(existing.id or 0), dict(existing.answers)
    for row in rows:
        row.entity_id = assessment_id

    def work(session: Session) -> None:
        stored = session.get(Assessment, assessment_id, populate_existing=True)
        follow_up = session.get(FollowUp, follow_up_id)
        if stored is None or follow_up is None or dict(stored.answers) != read:
            raise ConflictError(f"assessments {assessment_id}: changed since the dry run")
        inputs = [AssessmentInput(definition.id, answers)]
        save_assessments(session, actor, follow_up, [definition], inputs)
        written.updated.setdefault(Kind.ANSWERS.value, []).append(assessment_id)

    return work


def _scored(definition: Any, answers: dict[str, int | None]) -> Any:
    """The scores of new answers, refused as the follow-up form refuses them."""
    try:
        return definition.score(definition.validate_answers(answers))
    except InvalidAnswers as exc:
        field = f"q_{definition.id}"
        raise RuleError(field, _l("Et svar er ikke en af skemaets muligheder.")) from exc


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
