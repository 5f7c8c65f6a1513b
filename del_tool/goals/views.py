"""Create, edit and close goals (blueprint `goals`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from del_tool.auth.permissions import Permission, requires
from del_tool.citizens.access import get_citizen
from del_tool.citizens.purposes import editable_stay_ids, purpose_choices
from del_tool.citizens.viewhelpers import current_actor, log_read
from del_tool.db import get_session
from del_tool.forms import DelForm
from del_tool.goals import services
from del_tool.goals.forms import GAS_FIELDS, CloseGoalForm, GoalForm
from del_tool.goals.models import GoalDirection, GoalStatus, Theme
from del_tool.modelbase import local_today
from del_tool.saving import save_form

bp = Blueprint("goals", __name__, url_prefix="/goals", template_folder="templates")


def _goal_data(form: GoalForm) -> services.GoalData:
    gas = {name: form[name].data or None for name, _score in GAS_FIELDS}
    return services.GoalData(
        theme=Theme(form.theme.data),
        title=form.title.data or "",
        description=form.description.data or "",
        direction=GoalDirection(form.direction.data),
        baseline_level=form.baseline_level.data,
        target_level=form.target_level.data,
        weight=form.weight.data,
        start_date=form.start_date.data,
        review_date=form.review_date.data,
        purpose_id=form.purpose_id.data,
        **gas,
    )


@bp.route("/new/<int:citizen_id>", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def create(citizen_id: int):
    """A new goal for a citizen in a stay of the user's units."""
    db = get_session()
    actor = current_actor()
    get_citizen(db, actor, citizen_id)
    form = GoalForm()
    form.set_purposes(purpose_choices(db, editable_stay_ids(db, actor, citizen_id)))
    if request.method == "GET":
        form.start_date.data = local_today()
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: services.create_goal(
                session=db, actor=actor, citizen_id=citizen_id, data=_goal_data(form)
            ),
            saved=_("Målet er oprettet."),
            next_url=url_for("citizens.profile", citizen_id=citizen_id),
        )
        if response is not None:
            return response
    return _goal_page("goals/goal_form.html", form, citizen_id=citizen_id, goal_id=None)


@bp.route("/<int:goal_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def edit(goal_id: int):
    """Change a goal; a stale form is refused and the stored goal shown."""
    db = get_session()
    actor = current_actor()
    goal = services.get_goal(db, actor, goal_id)
    citizen_id = goal.citizen_id
    form = GoalForm(obj=goal)
    form.set_purposes(purpose_choices(db, [goal.stay_id]))
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: services.update_goal(
                session=db,
                actor=actor,
                goal_id=goal_id,
                data=_goal_data(form),
                version=form.version.data,
            ),
            saved=_("Målet er gemt."),
            next_url=url_for("citizens.profile", citizen_id=citizen_id),
        )
        if response is not None:
            return response
    return _goal_page("goals/goal_form.html", form, citizen_id=citizen_id, goal_id=goal_id)


@bp.route("/<int:goal_id>/close", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def close(goal_id: int):
    """Mark a goal achieved, or end it."""
    db = get_session()
    actor = current_actor()
    goal = services.get_goal(db, actor, goal_id)
    citizen_id = goal.citizen_id
    form = CloseGoalForm(obj=goal)
    if request.method == "GET":
        form.closed_on.data = local_today()
        form.status.data = None
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: services.close_goal(
                session=db,
                actor=actor,
                goal_id=goal_id,
                status=GoalStatus(form.status.data),
                closed_on=form.closed_on.data,
                version=form.version.data,
            ),
            saved=_("Målet er afsluttet."),
            next_url=url_for("citizens.profile", citizen_id=citizen_id),
        )
        if response is not None:
            return response
    return _goal_page("goals/close_form.html", form, citizen_id=citizen_id, goal_id=goal_id)


def _goal_page(
    template: str, form: DelForm, *, citizen_id: int, goal_id: int | None
) -> ResponseReturnValue:
    """Show a goal form (the read is logged), with the citizen and goal as stored now."""
    db = get_session()
    actor = current_actor()
    log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="goal form")
    goal = services.get_goal(db, actor, goal_id) if goal_id is not None else None
    citizen = get_citizen(db, actor, citizen_id)
    return render_template(template, form=form, citizen=citizen, goal=goal)
