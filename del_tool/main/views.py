"""Home, language switch and health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from del_tool.auth.permissions import Permission, public, requires
from del_tool.auth.scope import scope_for
from del_tool.db import get_session
from del_tool.i18n import SESSION_KEY
from del_tool.main.landing import landing_endpoint
from del_tool.main.safety import safe_next_url
from del_tool.organisation.services import describe_scope

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index():
    """Send users to their role's landing page, and visitors to the login."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(landing_endpoint(current_user)))


@bp.route("/home")
@requires(Permission.AUTHENTICATED)
def home():
    """The user's role, scope and the parts of DEL open to them."""
    db = get_session()
    scope = scope_for(current_user, session=db)
    return render_template("main/home.html", scope_text=describe_scope(scope, session=db))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Switch the UI language and return to the page the user came from."""
    language = request.form.get("lang", "")
    if language in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = language
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))


@bp.route("/healthz")
@public
def healthz():
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/tilgaengelighed")
@public
def accessibility():
    """The accessibility statement (webtilgængelighedserklæring), linked from every footer; the
    deployment's organisation and contact come from configuration."""
    from datetime import date

    config = current_app.config
    updated = config.get("ACCESSIBILITY_UPDATED")
    return render_template(
        "main/accessibility.html",
        org=config.get("ACCESSIBILITY_ORGANISATION") or "DEL",
        contact=config.get("ACCESSIBILITY_CONTACT"),
        reply_days=int(config.get("ACCESSIBILITY_REPLY_DAYS", 10)),
        statement_url=config.get("ACCESSIBILITY_STATEMENT_URL"),
        exceptions=list(config.get("ACCESSIBILITY_EXCEPTIONS") or ()),
        updated=date.fromisoformat(updated) if updated else None,
    )


@bp.route("/readyz")
@public
def readyz():
    """200 when the database, the job queue and the shared store all answer in time, else 503
    naming the parts that did not (details go to the log, not to the caller)."""
    from del_tool.main.readiness import readiness

    parts = readiness(current_app._get_current_object())  # type: ignore[attr-defined]
    failed = {name: why for name, why in parts.items() if why is not None}
    for name, why in failed.items():
        current_app.logger.warning("readiness: %s not ready: %s", name, why)
    body = {name: "unavailable" if name in failed else "ok" for name in parts}
    return jsonify(status="error" if failed else "ok", **body), 503 if failed else 200
