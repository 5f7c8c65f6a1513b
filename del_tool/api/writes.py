"""The API's writes: a goal and a follow-up, through the forms' own validation and the same
services as the pages (scope, rules, history), each under an `Idempotency-Key`.

The body's values are put into the form the page uses (`GoalForm`, the follow-up form built for
the citizen's stay on the date) and validated there, so a value the page refuses is refused
here, beside the same field. The service then applies the rules and writes with history in the
request's one transaction. A write answered 201 is stored with its key: the same key with the
same request replays the stored answer (`Idempotent-Replayed: true`); the same key with another
request is refused (422). Refused writes are not stored, so a corrected request may reuse the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from werkzeug.datastructures import MultiDict
from wtforms import Form

from del_tool.api import schemas as s
from del_tool.api.auth import current_principal
from del_tool.api.models import ApiIdempotentWrite
from del_tool.api.problems import problem
from del_tool.api.views import CITIZENS, actor, bp, follow_up_out, problem_response
from del_tool.auth.permissions import Permission, requires
from del_tool.citizens.chart_jobs import citizen_changed
from del_tool.db import get_session
from del_tool.errors import RuleError
from del_tool.followups import services as followups
from del_tool.followups.assessments import AssessmentInput
from del_tool.followups.context import new_context
from del_tool.followups.forms import followup_form_class
from del_tool.followups.models import FollowUpKind
from del_tool.goals import services as goals
from del_tool.goals.forms import GoalForm
from del_tool.goals.models import GoalDirection, Theme
from del_tool.i18n import language
from del_tool.questionnaires import current_registry

GAS_NAMES = ("minus2", "minus1", "zero", "plus1", "plus2")
REUSED_KEY = _l("Idempotency-Key er brugt før til en anden forespørgsel.")
WRITE_RESPONSES: dict[Any, Any] = {409: problem_response("A follow-up on that date exists")}


def _request_hash() -> str:
    """SHA-256 of the method, path (with its query, when it has one) and body (as JSON with
    sorted keys)."""
    body = request.get_json(silent=True)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    query = request.query_string.decode("latin-1")
    target = f"{request.path}?{query}" if query else request.path
    return hashlib.sha256(f"{request.method} {target}\n{canonical}".encode()).hexdigest()


def idempotent(
    key: str, write: Callable[[], tuple[int, BaseModel] | Response], *, citizen_id: int | None
) -> Response:
    """Run `write` once per (token, key) and commit; replay its stored answer for the same
    request. The citizen's profile charts are redrawn after a write, as after a form (a write
    of many citizens, an import, passes None: the chart job finds them in the history)."""
    db = get_session()
    token_id = current_principal().token.id
    wanted = _request_hash()

    def stored() -> ApiIdempotentWrite | None:
        return db.exec(
            select(ApiIdempotentWrite).where(
                ApiIdempotentWrite.token_id == token_id, ApiIdempotentWrite.key == key
            )
        ).first()

    earlier = stored()
    if earlier is not None:
        return _replay(earlier, wanted)
    result = write()
    if isinstance(result, Response):
        db.rollback()
        return result
    status, model = result
    body = model.model_dump(mode="json")
    db.add(
        ApiIdempotentWrite(
            token_id=token_id,  # type: ignore[arg-type]
            key=key,
            request_hash=wanted,
            status=status,
            body=body,
        )
    )
    try:
        db.commit()
    except IntegrityError:  # a parallel request with the same key stored its answer first
        db.rollback()
        earlier = stored()
        if earlier is None:
            raise
        return _replay(earlier, wanted)
    if citizen_id is not None:
        citizen_changed(citizen_id)
    return Response(json.dumps(body), status, mimetype="application/json")


def _replay(earlier: ApiIdempotentWrite, wanted: str) -> Response:
    if earlier.request_hash != wanted:
        return problem(
            422, REUSED_KEY, errors=[{"field": "Idempotency-Key", "message": REUSED_KEY}]
        )
    response = Response(json.dumps(earlier.body), earlier.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def form_problem(form: Form) -> Response:
    """422 with every field error of a form (nested fields as "goal_5.level")."""
    errors = []

    def walk(prefix: str, found: Any) -> None:
        if isinstance(found, dict):
            for name, inner in found.items():
                walk(f"{prefix}.{name}" if prefix else str(name), inner)
        else:
            for message in found:
                if isinstance(message, dict):
                    walk(prefix, message)
                else:
                    errors.append({"field": prefix or "body", "message": str(message)})

    walk("", form.errors)
    return problem(422, errors=errors)


def rule_problem(error: RuleError) -> Response:
    """422 for a rule the service refused, beside its field."""
    return problem(422, error.message, errors=[{"field": error.field, "message": error.message}])


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@bp.post(
    "/citizens/<int:citizen_id>/goals",
    tags=[CITIZENS],
    responses={201: s.GoalOut, **WRITE_RESPONSES},
)
@requires(Permission.EDIT_CITIZENS)
def create_goal(path: s.CitizenPath, header: s.WriteHeaders, body: s.GoalIn) -> Response:
    """Create a goal in the citizen's stay (in the token's units) covering its start date."""

    def write() -> tuple[int, BaseModel] | Response:
        db, who = get_session(), actor()
        fields = body.model_dump()
        fields["start_date"] = body.start_date.isoformat()
        fields["review_date"] = body.review_date.isoformat() if body.review_date else ""
        form = GoalForm(
            formdata=MultiDict({k: _text(v) for k, v in fields.items()}), meta={"csrf": False}
        )
        if not form.validate():
            return form_problem(form)
        data = goals.GoalData(
            theme=Theme(form.theme.data),
            title=form.title.data or "",
            description=form.description.data or "",
            direction=GoalDirection(form.direction.data),
            baseline_level=form.baseline_level.data,
            target_level=form.target_level.data,
            weight=form.weight.data,
            start_date=form.start_date.data,
            review_date=form.review_date.data,
            **{f"gas_{n}": form[f"gas_{n}"].data or None for n in GAS_NAMES},
        )
        try:
            goal = goals.create_goal(session=db, actor=who, citizen_id=path.citizen_id, data=data)
        except RuleError as error:
            return rule_problem(error)
        return 201, s.GoalOut.model_validate(goal, from_attributes=True)

    return idempotent(header.idempotency_key, write, citizen_id=path.citizen_id)


def _followup_formdata(body: s.FollowUpIn) -> MultiDict:
    """The follow-up form's fields from the body: goal_<id>-level, q_<id>-<item>, ..."""
    data: dict[str, str] = {
        "followup_date": body.followup_date.isoformat(),
        "kind": body.kind.value,
        "note": body.note,
    }
    for review in body.reviews:
        prefix = f"goal_{review.goal_id}-"
        data[prefix + "level"] = str(review.level)
        data[prefix + "gas_score"] = _text(review.gas_score)
        data[prefix + "citizen_rating"] = _text(review.citizen_rating)
        data[prefix + "motivation"] = _text(review.motivation)
        data[prefix + "note"] = review.note
    for assessment in body.assessments:
        for item, value in assessment.answers.items():
            data[f"q_{assessment.questionnaire_id}-{item}"] = _text(value)
    return MultiDict(data)


@bp.post(
    "/citizens/<int:citizen_id>/follow-ups",
    tags=[CITIZENS],
    responses={201: s.FollowUpOut, **WRITE_RESPONSES},
)
@requires(Permission.EDIT_CITIZENS)
def create_follow_up(path: s.CitizenPath, header: s.WriteHeaders, body: s.FollowUpIn) -> Response:
    """Record a follow-up: every active goal of the stay reviewed, the unit's questionnaires
    answered or left out, exactly as the follow-up form takes it."""

    def write() -> tuple[int, BaseModel] | Response:
        db, who = get_session(), actor()
        registry = current_registry()
        try:
            context = new_context(
                session=db,
                actor=who,
                citizen_id=path.citizen_id,
                day=body.followup_date,
                registry=registry,
            )
        except RuleError as error:
            return rule_problem(error)
        known = {f"goal_{g.id}" for g in context.goals} | {f"q_{d.id}" for d in context.definitions}
        strangers = [
            {"field": name, "message": _l("Hører ikke til borgerens ophold på datoen.")}
            for name in sorted(
                {f"goal_{r.goal_id}" for r in body.reviews}
                | {f"q_{a.questionnaire_id}" for a in body.assessments}
            )
            if name not in known
        ]
        if strangers:
            return problem(422, errors=strangers)
        lang = "en" if language() == "en" else "da"
        form = followup_form_class(context.goals, context.definitions, lang)(
            formdata=_followup_formdata(body), meta={"csrf": False}
        )
        if not form.validate():
            return form_problem(form)
        data = followups.FollowUpInput(
            followup_date=form.followup_date.data,
            kind=FollowUpKind(form.kind.data),
            note=form.note.data or "",
            reviews=tuple(_reviews(form)),
            assessments=tuple(
                AssessmentInput(sub.definition.id, sub.answers()) for sub in form.assessment_forms()
            ),
        )
        token = (
            "api-"
            + hashlib.sha256(
                f"{current_principal().token.id}:{header.idempotency_key}".encode()
            ).hexdigest()[:56]
        )
        try:
            stored = followups.record_followup(
                session=db,
                actor=who,
                citizen_id=path.citizen_id,
                data=data,
                token=token,
                registry=registry,
            )
            db.flush()
        except RuleError as error:
            return rule_problem(error)
        except (followups.DuplicateSubmissionError, IntegrityError):
            db.rollback()
            return problem(409, followups.DATE_TAKEN)
        return 201, follow_up_out(db, stored)

    return idempotent(header.idempotency_key, write, citizen_id=path.citizen_id)


def _reviews(form: Any) -> list[followups.ReviewInput]:
    reviews = []
    for goal_id, field in form.goal_forms():
        sub = field.form
        gas = sub._fields.get("gas_score")
        reviews.append(
            followups.ReviewInput(
                goal_id=goal_id,
                level=sub.level.data,
                gas_score=gas.data if gas is not None else None,
                citizen_rating=sub.citizen_rating.data,
                motivation=sub.motivation.data,
                note=sub.note.data or "",
            )
        )
    return reviews
