"""The leaders' log pages: reads per citizen, one citizen's log and export, the sample review."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from del_tool.audit import review
from del_tool.audit.services import log_access
from del_tool.auth.permissions import Permission, requires
from del_tool.citizens.access import Actor, get_citizen
from del_tool.citizens.record_scope import partial_record
from del_tool.db import get_session
from del_tool.security.privacy.export import export_citizen

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")

EXPORT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def _actor() -> Actor:
    return Actor.of(current_user, session=get_session())


@bp.route("/")
@requires(Permission.VIEW_AUDIT)
def index():
    """Citizens of the leader's centre whose data was read recently, most read first."""
    days = int(current_app.config["ACCESS_SAMPLE_DAYS"])
    counts = review.access_counts(get_session(), _actor(), days=days)
    return render_template("audit/index.html", counts=counts, days=days)


@bp.route("/citizens/<int:citizen_id>")
@requires(Permission.VIEW_AUDIT)
def citizen(citizen_id: int):
    """One citizen's change history and access log (reading it is logged too)."""
    db = get_session()
    actor = _actor()
    log = review.citizen_log(db, actor, citizen_id)
    log_access(
        session=db,
        user_id=actor.user_id,
        action="view",
        citizen_id=citizen_id,
        endpoint="audit.citizen",
        detail="access log",
    )  # committed at once, in a transaction of its own (a GET's session only reads)
    return render_template("audit/citizen.html", **log)


@bp.route("/citizens/<int:citizen_id>/export.<fmt>")
@requires(Permission.VIEW_AUDIT)
def export(citizen_id: int, fmt: str):
    """Everything about the citizen as JSON or PDF, for a right-of-access request."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    db = get_session()
    actor = _actor()
    get_citizen(db, actor, citizen_id)
    data = export_citizen(
        session=db,
        citizen_id=citizen_id,
        user_id=actor.user_id,
        fmt=fmt,
        endpoint="audit.export",
        partial=partial_record(db, actor, citizen_id),
    )  # the export's access event is committed before the file is sent
    filename = f"del-borger-{citizen_id}.{fmt}"
    return Response(
        data,
        mimetype=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/sample")
@requires(Permission.VIEW_AUDIT)
def sample():
    """A random sample of recent reads by others, for the leader to confirm as work-related."""
    config = current_app.config
    rows = review.access_sample(
        get_session(),
        _actor(),
        reviewer_id=current_user.id,
        days=int(config["ACCESS_SAMPLE_DAYS"]),
        size=int(config["ACCESS_SAMPLE_SIZE"]),
    )
    return render_template("audit/sample.html", rows=rows)


@bp.route("/sample/<int:access_event_id>", methods=["POST"])
@requires(Permission.VIEW_AUDIT)
def review_access(access_event_id: int):
    """Store the verdict on one sampled read."""
    verdict = request.form.get("verdict")
    if verdict not in ("ok", "question"):
        abort(400)
    db = get_session()
    review.review_access(
        session=db,
        actor=_actor(),
        access_event_id=access_event_id,
        work_related=verdict == "ok",
    )
    db.commit()
    if verdict == "ok":
        flash(_("Opslaget er markeret som arbejdsrelateret."), "success")
    else:
        flash(_("Opslaget er markeret til nærmere undersøgelse."), "warning")
    return redirect(url_for("audit.sample"))
