"""The follow-up form (new and edit) and the read-only follow-up page (blueprint `followups`)."""

from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from del_tool.auth.permissions import Permission, requires
from del_tool.citizens.access import Actor, get_citizen
from del_tool.citizens.models import Citizen
from del_tool.citizens.viewhelpers import current_actor, log_read, ui_lang
from del_tool.db import get_session
from del_tool.errors import RuleError
from del_tool.followups import services
from del_tool.followups.assessments import AssessmentInput
from del_tool.followups.context import FollowUpContext, edit_context, get_followup, new_context
from del_tool.followups.forms import FollowUpForm, followup_form_class
from del_tool.followups.models import FollowUpKind
from del_tool.followups.refresh import carried_fields, layout_key, posted_day
from del_tool.followups.summary import load_summary
from del_tool.forms import EARLIEST_DATE
from del_tool.i18n import format_day
from del_tool.modelbase import local_today
from del_tool.questionnaires import current_registry
from del_tool.saving import save_form
from del_tool.selfreport.services import pending_ratings

bp = Blueprint("followups", __name__, url_prefix="/followups", template_folder="templates")


def _requested_day() -> tuple[date, bool]:
    """The date asked for in ?date= (default today); False when it was given but is not valid."""
    raw = request.args.get("date", "")
    if not raw:
        return local_today(), True
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return local_today(), False
    if not EARLIEST_DATE <= day <= local_today():
        return local_today(), False
    return day, True


def _input(form: FollowUpForm) -> services.FollowUpInput:
    reviews = []
    for goal_id, field in form.goal_forms():
        sub = field.form
        gas = sub._fields.get("gas_score")
        reviews.append(
            services.ReviewInput(
                goal_id=goal_id,
                level=sub.level.data,
                gas_score=gas.data if gas is not None else None,
                citizen_rating=sub.citizen_rating.data,
                motivation=sub.motivation.data,
                note=sub.note.data or "",
            )
        )
    return services.FollowUpInput(
        followup_date=form.followup_date.data,
        kind=FollowUpKind(form.kind.data),
        note=form.note.data or "",
        reviews=tuple(reviews),
        assessments=tuple(
            AssessmentInput(sub.definition.id, sub.answers()) for sub in form.assessment_forms()
        ),
    )


@bp.route("/new/<int:citizen_id>", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def create(citizen_id: int):
    """Record a follow-up of a citizen; the form opens on ?date= (default today).

    The date is a field of the form. A POST that presses "refresh", or whose date draws a form
    with other goals or questionnaires than the one shown, shows the form for that date again
    with every answer kept instead of saving (`del_tool.followups.refresh`).
    """
    db = get_session()
    actor = current_actor()
    citizen = get_citizen(db, actor, citizen_id)
    day, day_ok = _requested_day()
    registry = current_registry()
    if request.method == "GET":
        existing = services.find_on_date(db, citizen_id, day)
        if existing is not None:
            flash(_("Der er allerede en opfølgning på denne dato. Her kan du rette den."), "info")
            return redirect(url_for("followups.edit", follow_up_id=existing.id))
    typed = posted_day(request.form.get("followup_date")) if request.method == "POST" else day
    shown = posted_day(request.form.get("shown_date")) or day
    context, date_problem = None, None
    if typed is not None:
        try:
            context = new_context(
                session=db, actor=actor, citizen_id=citizen_id, day=typed, registry=registry
            )
        except RuleError as error:
            date_problem = str(error.message)
    if context is None:
        try:
            context = new_context(
                session=db, actor=actor, citizen_id=citizen_id, day=shown, registry=registry
            )
        except RuleError as error:
            return _no_stay_page(db, actor, citizen_id, shown, str(error.message))
    form = followup_form_class(context.goals, context.definitions, ui_lang())()
    layout, refreshed = layout_key(context), False
    if request.method == "GET":
        form.followup_date.data = day
        form.kind.data = context.default_kind.value
        form.submission_token.data = secrets.token_urlsafe(32)
    elif _refresh_asked() or request.form.get("layout", layout) != layout:
        refreshed = _check_date_only(db, citizen_id, form, typed, date_problem)
    elif date_problem is not None:
        form.validate()
        form.followup_date.errors = [*form.followup_date.errors, date_problem]
    elif form.validate_on_submit():
        response = _save_new(db, actor, citizen, form)
        if response is not None:
            return response
    log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="follow-up form")
    return render_template(
        "followups/form.html",
        form=form,
        context=context,
        day_ok=day_ok,
        editing=False,
        layout=layout,
        carried=carried_fields(form, request.form) if request.method == "POST" else [],
        refreshed=refreshed,
    )


def _refresh_asked() -> bool:
    """Whether the POST asks for the form for its date (the button posts to ?refresh=1)."""
    return "refresh" in request.args or "refresh" in request.form


def _check_date_only(
    db: Session, citizen_id: int, form: FollowUpForm, typed: date | None, problem: str | None
) -> bool:
    """Validate only the date of a form shown again for it; True when the date is usable."""
    form.followup_date.validate(form)
    if problem is not None:
        form.followup_date.errors = [*form.followup_date.errors, problem]
    elif typed is not None and services.find_on_date(db, citizen_id, typed) is not None:
        form.followup_date.errors = [*form.followup_date.errors, str(services.DATE_TAKEN)]
    return not form.followup_date.errors


def _save_new(db: Session, actor: Actor, citizen: Citizen, form: FollowUpForm):
    """Store the follow-up; a response when done (or already done), None to show the form."""
    citizen_id = citizen.id
    token = form.submission_token.data or ""
    if not token:
        form.submission_token.errors = [_("Formularen er ugyldig. Indlæs siden igen.")]
        return None

    def save() -> None:
        """Record the follow-up; a parallel request with the same token stored it already."""
        try:
            services.record_followup(
                session=db,
                actor=actor,
                citizen_id=citizen_id,  # type: ignore[arg-type]
                data=_input(form),
                token=token,
                registry=current_registry(),
            )
            db.flush()
        except IntegrityError as error:
            # A parallel request stored the same token (or date) first; on PostgreSQL only,
            # since SQLite's write lock serialises the requests before the service's checks.
            db.rollback()
            stored = services.find_by_token(db, token)
            if stored is not None:
                raise services.DuplicateSubmissionError(stored.id) from error  # type: ignore[arg-type]
            raise RuleError("followup_date", services.DATE_TAKEN) from error

    try:
        return save_form(
            form,
            save,
            saved=_(
                "Opfølgningen af %(name)s den %(date)s er gemt.",
                name=citizen.name,
                date=format_day(form.followup_date.data),
            ),
            next_url=url_for("citizens.caseload"),
        )
    except services.DuplicateSubmissionError as duplicate:
        db.rollback()
        return _already_stored(duplicate.follow_up_id)


def _already_stored(follow_up_id: int):
    flash(_("Opfølgningen var allerede gemt. Den er ikke gemt en gang til."), "info")
    return redirect(url_for("followups.show", follow_up_id=follow_up_id))


def _no_stay_page(db: Session, actor: Actor, citizen_id: int, day: date, message: str):
    log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="follow-up form")
    citizen = get_citizen(db, actor, citizen_id)
    return render_template("followups/no_stay.html", citizen=citizen, day=day, message=message), 200


@bp.route("/<int:follow_up_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def edit(follow_up_id: int):
    """Change a stored follow-up (optimistic locking on its version)."""
    db = get_session()
    actor = current_actor()
    registry = current_registry()
    context = edit_context(session=db, actor=actor, follow_up_id=follow_up_id, registry=registry)
    citizen_id = context.citizen.id
    form_class = followup_form_class(context.goals, context.definitions, ui_lang())
    form = form_class(data=_stored_data(context))
    if form.validate_on_submit():

        def save() -> None:
            """Store the changes; another follow-up on the new date is refused beside it."""
            try:
                services.update_followup(
                    session=db,
                    actor=actor,
                    follow_up_id=follow_up_id,
                    data=_input(form),
                    version=form.version.data,
                    registry=registry,
                )
                db.flush()
            except IntegrityError as error:  # a parallel save took the date (PostgreSQL only)
                raise RuleError("followup_date", services.DATE_TAKEN) from error

        response = save_form(
            form,
            save,
            saved=_("Ændringerne er gemt."),
            next_url=url_for("citizens.profile", citizen_id=citizen_id),
        )
        if response is not None:
            return response
    log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="follow-up form")
    context = edit_context(session=db, actor=actor, follow_up_id=follow_up_id, registry=registry)
    return render_template(
        "followups/form.html", form=form, context=context, day_ok=True, editing=True
    )


def _stored_data(context: FollowUpContext) -> dict:
    """Form data from the stored follow-up."""
    stored = context.existing
    assert stored is not None  # noqa: S101 - an edit context has it
    data: dict = {
        "followup_date": stored.followup_date,
        "kind": stored.kind.value,
        "note": stored.note,
        "version": stored.version,
    }
    for goal in context.goals:
        review = context.reviews.get(goal.id)  # type: ignore[arg-type]
        if review is not None:
            data[f"goal_{goal.id}"] = {
                "level": review.level,
                "gas_score": review.gas_score,
                "citizen_rating": review.citizen_rating,
                "motivation": review.motivation,
                "note": review.note,
            }
    for goal_id, rating in pending_ratings(get_session(), stored).items():
        data.setdefault(f"goal_{goal_id}", {"citizen_rating": rating})
    for qid, answers in context.answers.items():
        data[f"q_{qid}"] = answers
    return data


@bp.route("/<int:follow_up_id>")
@requires(Permission.VIEW_CITIZENS)
def show(follow_up_id: int):
    """One stored follow-up: reviews, answers and scores."""
    db = get_session()
    actor = current_actor()
    follow_up = get_followup(db, actor, follow_up_id)
    citizen_id = follow_up.citizen_id
    log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="follow-up")
    summary = load_summary(
        session=db,
        actor=actor,
        follow_up_id=follow_up_id,
        registry=current_registry(),
        lang=ui_lang(),
    )
    return render_template("followups/show.html", summary=summary)
