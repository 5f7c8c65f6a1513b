"""The dry run of the goal reviews and questionnaire answers sheets.

A review row is refused when its follow-up or goal is neither in the file (accepted) nor
imported before in the scope, when the goal belongs to another stay or was not in progress on
the follow-up's date (the follow-up form reviews only the goals in progress), when it has a GAS
score but the goal has no GAS texts (the follow-up service's rule), and when DEL has a review of
that goal at that follow-up that no import made (it is DEL's own: edit it there).

An answer row is refused when its follow-up is unknown, when the follow-up's unit does not use
the questionnaire (the follow-up service's rule), when DEL has an assessment of that
questionnaire at that follow-up that no import made, and when the item or value is not in the
version of the questionnaire the assessment was answered with (for a new one: the current
version, checked with the row). The rows of one (follow-up, questionnaire) become one assessment
(`commit_records`), scored by its definition as a form save scores it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.followups.models import Assessment, GoalReview
from del_tool.imports.conflicts import resolve
from del_tool.imports.models import ImportReference
from del_tool.imports.plan import CHUNK, Plan, _references, _Sheet
from del_tool.imports.plan_parents import (
    FollowUpInfo,
    StayInfo,
    followup_infos,
    goal_infos,
    load,
)
from del_tool.imports.sheets import ImportRow, Kind
from del_tool.imports.sheets_answers import item_of
from del_tool.organisation.models import UnitQuestionnaire
from del_tool.questionnaires import current_registry

Rows = list[tuple[_Sheet, ImportRow]]
NO_FOLLOWUP = _l(
    "Ingen opfølgning med dette id i filen (eller rækken er afvist) eller fra før i dine tilbud."
)
NO_GOAL = _l("Intet mål med dette id i filen (eller rækken er afvist) eller fra før i dine tilbud.")


def plan_reviews_and_answers(
    session: Session, plan: Plan, rows: dict[Kind, Rows], stays: dict[str, StayInfo]
) -> None:
    """Plan the reviews and answers (the follow-ups and goals are planned)."""
    from del_tool.imports.plan_records import planned_row, refuse

    reviews, answers = rows[Kind.REVIEWS], rows[Kind.ANSWERS]
    wanted = [r.followup_ref for _s, r in [*reviews, *answers]]  # type: ignore[attr-defined]
    followups = followup_infos(session, plan, wanted, stays)
    citizens = {f.key: f.citizen for f in followups.values() if isinstance(f.key, int)}
    if reviews:
        goals = goal_infos(session, plan, (r.goal_ref for _s, r in reviews))  # type: ignore[attr-defined]
        refs = _references(
            session, plan.source, Kind.REVIEWS, (r.external_ref for _s, r in reviews)
        )
        records = load(session, GoalReview, [r.entity_id for r in refs.values()])
        pairs = _stored_pairs(session, GoalReview, list(citizens))
        for sheet, row in reviews:
            data: Any = row
            ref = refs.get(data.external_ref)
            problem = _review_problem(data, followups, goals, ref, records, pairs)
            if problem is not None:
                refuse(plan, Kind.REVIEWS, sheet, row, problem)
                continue
            planned_row(plan, Kind.REVIEWS, sheet, row, ref)
        resolve(session, plan, Kind.REVIEWS, records, follow_up_citizens=citizens)
    if answers:
        _plan_answers(session, plan, answers, followups, citizens)


def _stored_pairs(
    session: Session, model: Any, follow_up_ids: list[int]
) -> dict[tuple[int, Any], Any]:
    """(follow-up id, goal id or questionnaire id) -> DEL's review or assessment there."""
    found: dict[tuple[int, Any], Any] = {}
    ids = sorted(follow_up_ids)
    key = "goal_id" if model is GoalReview else "questionnaire_id"
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in session.exec(select(model).where(col(model.follow_up_id).in_(chunk))).all():
            found[(int(row.follow_up_id), getattr(row, key))] = row
    return found


def _review_problem(
    data: Any,
    followups: dict[str, FollowUpInfo],
    goals: dict[str, Any],
    ref: ImportReference | None,
    records: dict[int, Any],
    pairs: dict[tuple[int, Any], Any],
) -> tuple[str, Any] | None:
    follow_up = followups.get(data.followup_ref)
    goal = goals.get(data.goal_ref)
    if follow_up is None:
        return "followup_ref", NO_FOLLOWUP
    if goal is None:
        return "goal_ref", NO_GOAL
    if goal.stay != follow_up.stay:
        return "goal_ref", _l("Målet hører ikke til opfølgningens ophold.")
    if not goal.active_on(follow_up.day):
        return "goal_ref", _l("Målet var ikke i gang på opfølgningens dato.")
    if data.gas_score is not None and not goal.has_gas:
        return "gas_score", _l("Målet har ingen GAS-beskrivelser.")
    if ref is not None and ref.entity_id not in records:
        return "goal_ref", _l("Vurderingen er indlæst før, men findes ikke længere i DEL.")
    if ref is None and (follow_up.key, goal.key) in pairs:
        return "goal_ref", _l("Målet er allerede vurderet ved opfølgningen i DEL. Ret det dér.")
    return None


def _plan_answers(
    session: Session,
    plan: Plan,
    rows: Rows,
    followups: dict[str, FollowUpInfo],
    citizens: dict[int, Any],
) -> None:
    from del_tool.imports.plan_records import planned_row, refuse

    registry = current_registry()
    refs = _references(session, plan.source, Kind.ANSWERS, (r.external_ref for _s, r in rows))
    stored = _stored_pairs(session, Assessment, list(citizens))
    imported = _imported_assessments(session, [a.id for a in stored.values()])
    used = _unit_questionnaires(session, plan.scope)
    records: dict[int, Any] = {int(a.id): a for a in stored.values()}
    for sheet, row in rows:
        data: Any = row
        ref = refs.get(data.external_ref)
        follow_up = followups.get(data.followup_ref)
        assessment = stored.get((follow_up.key, data.questionnaire)) if follow_up else None
        problem: tuple[str, Any] | None = None
        if follow_up is None:
            problem = ("followup_ref", NO_FOLLOWUP)
        elif ref is not None and (assessment is None or assessment.id != ref.entity_id):
            why = _l("Skemaet er indlæst før, men er slettet i DEL siden. Udfyld det dér.")
            problem = ("questionnaire", why)
        elif assessment is None and data.questionnaire not in used.get(follow_up.unit_id, set()):
            problem = ("questionnaire", _l("Skemaet bruges ikke i dette tilbud."))
        elif assessment is not None and assessment.id not in imported:
            why = _l("Skemaet er allerede udfyldt ved opfølgningen i DEL. Ret det dér.")
            problem = ("questionnaire", why)
        elif assessment is not None:
            problem = _version_problem(registry, assessment, data)
        if problem is not None:
            refuse(plan, Kind.ANSWERS, sheet, row, problem)
            continue
        planned_row(plan, Kind.ANSWERS, sheet, row, ref)
    resolve(session, plan, Kind.ANSWERS, records, follow_up_citizens=citizens)


def _version_problem(registry: Any, assessment: Assessment, data: Any) -> tuple[str, Any] | None:
    """The item and value in the version the stored assessment was answered with."""
    definition = registry.get(assessment.questionnaire_id, assessment.questionnaire_version)
    if item_of(definition, data.item) != data.item:
        why = _l(
            "Skemaet %(q)s har intet spørgsmål %(item)s.", q=data.questionnaire, item=data.item
        )
        return "item", why
    allowed = definition.item(data.item).option_values
    if data.value not in allowed:
        values = ", ".join(str(v) for v in allowed)
        return "value", _l("Svaret skal være et af %(values)s.", values=values)
    return None


def _imported_assessments(session: Session, ids: list[int | None]) -> set[int]:
    """The assessments among `ids` that an import made (a reference points to them)."""
    wanted = sorted(i for i in ids if i is not None)
    found: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(
            session.exec(
                select(ImportReference.entity_id).where(
                    col(ImportReference.entity) == Kind.ANSWERS.value,
                    col(ImportReference.entity_id).in_(wanted[start : start + CHUNK]),
                )
            ).all()
        )
    return found


def _unit_questionnaires(session: Session, scope: frozenset[int]) -> dict[int, set[str]]:
    """The questionnaires each unit of the scope uses."""
    used: dict[int, set[str]] = {}
    for unit_id, qid in session.exec(
        select(UnitQuestionnaire.unit_id, UnitQuestionnaire.questionnaire_id).where(
            col(UnitQuestionnaire.unit_id).in_(sorted(scope))
        )
    ).all():
        used.setdefault(int(unit_id), set()).add(qid)
    return used
