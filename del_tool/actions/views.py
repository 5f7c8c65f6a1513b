"""Action pages (blueprint `actions`): the action log, recording an action from a report figure,
changing it and following it up.

Staff, leaders and analysts read the actions of the units they see; leaders record and change
them (`Permission.RECORD_ACTIONS`). An action is loaded in scope before any form is read, so a
foreign id is a 403 whatever was posted.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.datastructures import MultiDict

from del_tool.actions import services
from del_tool.actions.forms import ActionForm, LogFilterForm, SourceForm, StatusForm
from del_tool.actions.models import Action, ActionStatus
from del_tool.actions.source import read_source
from del_tool.auth.permissions import Permission, has_permission, requires
from del_tool.citizens.access import Actor
from del_tool.db import get_session
from del_tool.modelbase import local_today
from del_tool.organisation.models import Centre, Unit
from del_tool.reports.rendering.formatting import format_value
from del_tool.saving import save_form

bp = Blueprint("actions", __name__, url_prefix="/actions", template_folder="templates")


def _actor() -> Actor:
    return Actor.of(current_user, session=get_session())


def _places(actor: Actor) -> list[tuple[str, str]]:
    """(value, label) of the centres and units the actor sees, for the log's filter."""
    db = get_session()
    rows = db.exec(
        select(Unit.id, Unit.name, Centre.id, Centre.name)
        .join(Centre, col(Centre.id) == col(Unit.centre_id))
        .order_by(Centre.name, Unit.name)
    ).all()
    seen = [r for r in rows if actor.scope.allows_unit(int(r[0] or 0))]
    centres: dict[int, str] = {}
    for _u, _n, centre_id, centre_name in seen:
        units = {r[0] for r in rows if r[2] == centre_id}
        if all(actor.scope.allows_unit(int(u or 0)) for u in units):
            centres.setdefault(int(centre_id or 0), centre_name)
    places = [(f"centre:{cid}", name) for cid, name in centres.items()]
    return places + [(f"unit:{r[0]}", f"{r[1]} ({r[3]})") for r in seen]


def figure_then(action: Action) -> str:
    """The figure as it was shown when the action was recorded."""
    from del_tool.reports.codec import decode

    return format_value(decode(action.figure_value), action.figure_kind, action.figure_decimals)


@bp.route("/")
@requires(Permission.VIEW_REPORTS)
def index() -> ResponseReturnValue:
    """The action log: open, overdue, done and dropped actions of a unit or centre."""
    db = get_session()
    actor = _actor()
    form = LogFilterForm(request.args, places=_places(actor))
    if not form.validate():
        form = LogFilterForm(MultiDict(), places=_places(actor))
    level, _sep, ident = (form.where.data or "").partition(":")
    today = local_today()
    rows = services.visible_actions(
        db,
        actor,
        unit_id=int(ident) if level == "unit" else None,
        centre_id=int(ident) if level == "centre" else None,
        status=form.status.data or None,
        today=today,
    )
    units = {u.id: u.name for u in db.exec(select(Unit)).all()}
    centres = {c.id: c.name for c in db.exec(select(Centre)).all()}
    return render_template(
        "actions/index.html",
        form=form,
        rows=rows,
        today=today,
        place=lambda a: units.get(a.unit_id) if a.unit_id else centres.get(a.centre_id),
        then=figure_then,
        records=has_permission(current_user, Permission.RECORD_ACTIONS),
        overdue=services.overdue_count(db, actor, today=today),
    )


def _data(form: ActionForm) -> services.ActionData:
    return services.ActionData(
        what=form.what.data or "",
        owner=form.owner.data or "",
        due_date=form.due_date.data,
        shared_with_council=bool(form.shared_with_council.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.RECORD_ACTIONS)
def create() -> ResponseReturnValue:
    """Record an action on a report figure (leaders): the figure is read from the stored build."""
    db = get_session()
    actor = _actor()
    source_args = request.form if request.method == "POST" else request.args
    source = read_source(source_args, viewer=actor.scope, session=db)
    shown = services.figure_of(source.report, source.ref)
    form = ActionForm()
    hidden = SourceForm(MultiDict(source.args))
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: services.create_action(
                session=db,
                actor=actor,
                user=current_user,
                report=source.report,
                scope_key=source.scope_key,
                ref=source.ref,
                data=_data(form),
                today=local_today(),
            ),
            saved=_("Handlingen er registreret."),
            next_url=url_for("actions.index"),
        )
        if response is not None:
            return response
    return render_template(
        "actions/form.html",
        form=form,
        hidden=hidden,
        action=None,
        shown=shown,
        value=format_value(_decoded(shown.value), shown.kind, shown.decimals),
        report=source.report,
        back=url_for(
            "reports.show",
            kind=source.args["kind"],
            scope=source.args["scope"],
            period=source.args["period"],
        ),
    )


def _decoded(value: Any) -> Any:
    from del_tool.reports.codec import decode

    return decode(value)


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@requires(Permission.RECORD_ACTIONS)
def edit(action_id: int) -> ResponseReturnValue:
    """Change what, owner, due date or council sharing of an action (leaders)."""
    db = get_session()
    actor = _actor()
    action = services.get_action(db, actor, action_id, user=current_user)
    form = ActionForm(obj=action)
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: services.update_action(
                session=db,
                actor=actor,
                user=current_user,
                action_id=action_id,
                data=_data(form),
                version=form.version.data,
                today=local_today(),
            ),
            saved=_("Handlingen er gemt."),
            next_url=url_for("actions.index"),
        )
        if response is not None:
            return response
    return render_template(
        "actions/form.html",
        form=form,
        hidden=None,
        action=action,
        shown=None,
        value=figure_then(action),
        report=None,
        back=url_for("actions.index"),
    )


@bp.route("/<int:action_id>/status", methods=["GET", "POST"])
@requires(Permission.RECORD_ACTIONS)
def status(action_id: int) -> ResponseReturnValue:
    """Mark an action done with what came of it, drop it, or open it again (leaders)."""
    db = get_session()
    actor = _actor()
    action = services.get_action(db, actor, action_id, user=current_user)
    form = StatusForm(obj=action)
    if not form.is_submitted():
        form.status.data = (
            ActionStatus.DONE.value if action.status is ActionStatus.OPEN else action.status.value
        )
    if form.validate_on_submit():
        chosen = ActionStatus(form.status.data)
        response = save_form(
            form,
            lambda: services.set_status(
                session=db,
                actor=actor,
                user=current_user,
                action_id=action_id,
                status=chosen,
                outcome_note=form.outcome_note.data,
                version=form.version.data,
            ),
            saved=_("Handlingens status er gemt."),
            next_url=url_for("actions.index"),
        )
        if response is not None:
            return response
    return render_template(
        "actions/status.html", form=form, action=action, then=figure_then(action)
    )
