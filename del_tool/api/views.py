"""The API's read endpoints (blueprint `api`, /api/v1): organisation, questionnaires, citizens,
stays, goals, follow-ups and the caseload. Scope comes from the token (`Principal.scope`)
through the same access rules as the pages (`del_tool.citizens.access`); every read of
citizen data is in the access log, as a page read is."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel
from sqlmodel import Session, col, select

from del_tool.api import schemas as s
from del_tool.api.auth import current_principal
from del_tool.api.problems import PROBLEM_MIMETYPE
from del_tool.auth.permissions import Permission, requires
from del_tool.citizens.access import (
    Actor,
    citizen_in_scope_clause,
    get_citizen,
    ident,
    visible_stay_ids,
)
from del_tool.citizens.caseload import caseload as load_caseload
from del_tool.citizens.caseload_filters import DueStatus, due_status
from del_tool.citizens.models import Citizen, Stay
from del_tool.citizens.viewhelpers import log_read
from del_tool.db import get_session
from del_tool.followups.context import get_followup
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.i18n import language
from del_tool.modelbase import local_today
from del_tool.organisation.models import Centre, Municipality, Unit
from del_tool.questionnaires import current_registry

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI response of problem details."""
    return {
        "description": description,
        "content": {PROBLEM_MIMETYPE: {"schema": PROBLEM_REF}},
    }


#: The answers every token-secured operation may give besides its own.
COMMON_RESPONSES: dict[Any, Any] = {
    400: problem_response("The request holds characters DEL refuses (control characters)"),
    401: problem_response("No valid token"),
    403: problem_response("The token's role or scope does not allow this"),
    404: problem_response("No such object"),
    422: problem_response("The request does not fit the description"),
    429: problem_response("The token's rate limit is used up"),
}

bp = APIBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    abp_security=[{"bearer": []}],
    abp_responses=COMMON_RESPONSES,
)

ORGANISATION = Tag(name="organisation", description="Centres, units and municipalities")
CITIZENS = Tag(name="citizens", description="Citizens, stays, goals and follow-ups in scope")


def json_response(model: BaseModel, status: int = 200) -> Response:
    """A model as application/json."""
    return Response(model.model_dump_json(), status, mimetype="application/json")


def actor() -> Actor:
    """The token's owner with the token's scope, as the services take it."""
    principal = current_principal()
    return Actor(user_id=ident(principal.user.id), scope=principal.scope)


@bp.get("/organisation", tags=[ORGANISATION], responses={200: s.Organisation})
@requires(Permission.AUTHENTICATED)
def organisation() -> Response:
    """Every centre, unit and municipality."""
    db = get_session()
    centres = db.exec(select(Centre).order_by(col(Centre.id))).all()
    units = db.exec(select(Unit).order_by(col(Unit.id))).all()
    municipalities = db.exec(select(Municipality).order_by(col(Municipality.code))).all()
    return json_response(
        s.Organisation(
            centres=[s.CentreOut.model_validate(c, from_attributes=True) for c in centres],
            units=[s.UnitOut.model_validate(u, from_attributes=True) for u in units],
            municipalities=[
                s.MunicipalityOut.model_validate(m, from_attributes=True) for m in municipalities
            ],
        )
    )


@bp.get("/questionnaires", tags=[ORGANISATION], responses={200: s.QuestionnaireList})
@requires(Permission.AUTHENTICATED)
def questionnaires() -> Response:
    """The current version of every questionnaire definition (titles in the request's language)."""
    lang = "en" if language() == "en" else "da"
    found = [
        s.QuestionnaireOut(
            id=d.id,
            version=d.version,
            title=d.title(lang),
            perspective=d.perspective,
            items=[
                s.QuestionnaireItemOut(id=i.id, required=i.required, values=i.option_values)
                for i in d.items
            ],
            scales=[
                s.QuestionnaireScaleOut(
                    id=sc.id,
                    title=getattr(sc.titles, lang),
                    items=list(sc.items),
                    method=sc.method,
                    higher_is_better=sc.higher_is_better,
                )
                for sc in d.scales
            ],
        )
        for d in current_registry().current()
    ]
    return json_response(s.QuestionnaireList(questionnaires=found))


@bp.get("/citizens", tags=[CITIZENS], responses={200: s.CitizenList})
@requires(Permission.VIEW_CITIZENS)
def citizens() -> Response:
    """The citizens in the token's scope (a current stay, or one ended within the access period)."""
    db, who = get_session(), actor()
    rows = db.exec(
        select(Citizen).where(citizen_in_scope_clause(who)).order_by(col(Citizen.id))
    ).all()
    log_read(db, actor=who, action="list", citizen_id=None, detail=f"api citizens rows={len(rows)}")
    return json_response(
        s.CitizenList(citizens=[s.CitizenOut.model_validate(c, from_attributes=True) for c in rows])
    )


@bp.get("/citizens/<int:citizen_id>", tags=[CITIZENS], responses={200: s.CitizenOut})
@requires(Permission.VIEW_CITIZENS)
def citizen(path: s.CitizenPath) -> Response:
    """One citizen in scope."""
    db, who = get_session(), actor()
    found = get_citizen(db, who, path.citizen_id)
    log_read(db, actor=who, action="view", citizen_id=path.citizen_id, detail="api citizen")
    return json_response(s.CitizenOut.model_validate(found, from_attributes=True))


def _visible_stays(db: Session, who: Actor, citizen_id: int) -> list[Stay]:
    """The citizen's stays the actor sees (403/404 as the pages)."""
    get_citizen(db, who, citizen_id)
    visible = visible_stay_ids(db, who, citizen_id)
    query = select(Stay).where(col(Stay.citizen_id) == citizen_id)
    if visible is not None:
        query = query.where(col(Stay.id).in_(sorted(visible)))
    return list(db.exec(query.order_by(col(Stay.start_date), col(Stay.id))).all())


@bp.get("/citizens/<int:citizen_id>/stays", tags=[CITIZENS], responses={200: s.StayList})
@requires(Permission.VIEW_CITIZENS)
def stays(path: s.CitizenPath) -> Response:
    """The citizen's stays the token sees."""
    db, who = get_session(), actor()
    found = _visible_stays(db, who, path.citizen_id)
    log_read(db, actor=who, action="view", citizen_id=path.citizen_id, detail="api stays")
    return json_response(
        s.StayList(stays=[s.StayOut.model_validate(x, from_attributes=True) for x in found])
    )


@bp.get("/citizens/<int:citizen_id>/goals", tags=[CITIZENS], responses={200: s.GoalList})
@requires(Permission.VIEW_CITIZENS)
def goals(path: s.CitizenPath) -> Response:
    """The citizen's goals in the stays the token sees."""
    db, who = get_session(), actor()
    stay_ids = [ident(x.id) for x in _visible_stays(db, who, path.citizen_id)]
    found = db.exec(
        select(Goal).where(col(Goal.stay_id).in_(stay_ids)).order_by(col(Goal.id))
    ).all()
    log_read(db, actor=who, action="view", citizen_id=path.citizen_id, detail="api goals")
    return json_response(
        s.GoalList(goals=[s.GoalOut.model_validate(g, from_attributes=True) for g in found])
    )


def follow_up_out(db: Session, follow_up: FollowUp) -> s.FollowUpOut:
    """A stored follow-up with its reviews, answers and scores."""
    reviews = db.exec(
        select(GoalReview)
        .where(GoalReview.follow_up_id == follow_up.id)
        .order_by(col(GoalReview.goal_id))
    ).all()
    assessments = db.exec(
        select(Assessment)
        .where(Assessment.follow_up_id == follow_up.id)
        .order_by(col(Assessment.questionnaire_id))
    ).all()
    scores: dict[int, list[s.ScoreOut]] = {}
    if assessments:
        for score in db.exec(
            select(AssessmentScore)
            .where(col(AssessmentScore.assessment_id).in_([a.id for a in assessments]))
            .order_by(col(AssessmentScore.scale_id))
        ).all():
            scores.setdefault(score.assessment_id, []).append(
                s.ScoreOut.model_validate(score, from_attributes=True)
            )
    return s.FollowUpOut(
        id=ident(follow_up.id),
        citizen_id=follow_up.citizen_id,
        stay_id=follow_up.stay_id,
        followup_date=follow_up.followup_date,
        kind=follow_up.kind,
        note=follow_up.note,
        version=follow_up.version,
        reviews=[s.ReviewOut.model_validate(r, from_attributes=True) for r in reviews],
        assessments=[
            s.AssessmentOut(
                questionnaire_id=a.questionnaire_id,
                questionnaire_version=a.questionnaire_version,
                answers=a.answers,
                completeness=a.completeness,
                scores=scores.get(ident(a.id), []),
            )
            for a in assessments
        ],
    )


@bp.get("/citizens/<int:citizen_id>/follow-ups", tags=[CITIZENS], responses={200: s.FollowUpList})
@requires(Permission.VIEW_CITIZENS)
def follow_ups(path: s.CitizenPath) -> Response:
    """The citizen's follow-ups in the stays the token sees, newest first."""
    db, who = get_session(), actor()
    stay_ids = [ident(x.id) for x in _visible_stays(db, who, path.citizen_id)]
    found = db.exec(
        select(FollowUp)
        .where(col(FollowUp.stay_id).in_(stay_ids))
        .order_by(col(FollowUp.followup_date).desc(), col(FollowUp.id).desc())
    ).all()
    log_read(db, actor=who, action="view", citizen_id=path.citizen_id, detail="api follow-ups")
    return json_response(s.FollowUpList(follow_ups=[follow_up_out(db, f) for f in found]))


@bp.get("/follow-ups/<int:follow_up_id>", tags=[CITIZENS], responses={200: s.FollowUpOut})
@requires(Permission.VIEW_CITIZENS)
def follow_up(path: s.FollowUpPath) -> Response:
    """One follow-up: its goal reviews, answers and scale scores."""
    db, who = get_session(), actor()
    found = get_followup(db, who, path.follow_up_id)
    log_read(db, actor=who, action="view", citizen_id=found.citizen_id, detail="api follow-up")
    return json_response(follow_up_out(db, found))


@bp.get("/caseload", tags=[CITIZENS], responses={200: s.Caseload})
@requires(Permission.VIEW_CITIZENS)
def caseload() -> Response:
    """The caseload today: every citizen in a stay of the token's units, overdue first."""
    db, who = get_session(), actor()
    today = local_today()
    rows = [row for unit in load_caseload(session=db, actor=who, today=today) for row in unit.rows]
    out = [
        s.CaseloadRowOut(
            citizen_id=r.citizen_id,
            name=r.name,
            stay_id=r.stay_id,
            unit_id=r.unit_id,
            last_followup=r.last_followup,
            due=r.due,
            due_kind=r.due_kind,
            status=due_status(r, today).value,
            days_overdue=r.days_overdue,
            goals_due=r.goals_due,
        )
        for r in sorted(rows, key=lambda r: (not r.overdue, r.due, r.citizen_id))
    ]
    log_read(db, actor=who, action="list", citizen_id=None, detail=f"api caseload rows={len(out)}")
    return json_response(
        s.Caseload(
            today=today,
            overdue=sum(r.status == DueStatus.OVERDUE for r in out),
            due_this_week=sum(r.status == DueStatus.WEEK for r in out),
            rows=out,
        )
    )
