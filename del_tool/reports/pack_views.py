"""Council packs from the web: ask for a period's packs, follow their progress, download them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from del_tool.auth.permissions import Permission, requires
from del_tool.modelbase import local_today
from del_tool.reports.common.labels import language
from del_tool.reports.common.period import latest_complete_quarter
from del_tool.reports.forms import PacksForm
from del_tool.reports.packs import ZIP_NAME, latest_pack, pack_file, pack_state, start_packs

bp = Blueprint("packs", __name__, url_prefix="/reports/packs", template_folder="templates")

#: Seconds between reloads of the progress page while packs are being made.
REFRESH_SECONDS = 2
MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.MAKE_COUNCIL_PACKS)
def index() -> ResponseReturnValue:
    """Ask for every municipality's council pack for a period (PDF and XLSX, and a ZIP)."""
    form = PacksForm()
    if form.validate_on_submit() and form.parsed_period is not None:
        pack_id = start_packs(
            period=form.parsed_period.key,
            user_id=current_user.id,
            language=language(),
            today=local_today(),
        )
        return redirect(url_for("packs.progress", pack_id=pack_id), code=303)
    if not form.is_submitted():
        form.period.data = latest_complete_quarter(local_today()).key
    latest = latest_pack(user_id=current_user.id)
    status = 400 if form.errors else 200
    return render_template("reports/packs.html", form=form, latest=latest), status


@bp.route("/<pack_id>")
@requires(Permission.MAKE_COUNCIL_PACKS)
def progress(pack_id: str) -> ResponseReturnValue:
    """How far the packs have come (reloads itself until done), then the download links."""
    state = pack_state(pack_id, user_id=current_user.id)
    if state is None:
        abort(404)
    page = render_template(
        "reports/pack_progress.html",
        state=state,
        done=len(state["done"]) + len(state["failed"]),
        refresh=None if state["finished"] else REFRESH_SECONDS,
        title=_l("Kunderådspakker for %(period)s", period=state["period"]),
    )
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/<pack_id>/<name>")
@requires(Permission.MAKE_COUNCIL_PACKS)
def download(pack_id: str, name: str) -> ResponseReturnValue:
    """One pack file, or every file in one ZIP."""
    state = pack_state(pack_id, user_id=current_user.id)
    data = pack_file(state, name) if state is not None else None
    if state is None or data is None:
        abort(404)
    if name == ZIP_NAME:
        response = Response(data, mimetype="application/zip")
        name = f"kunderaad-{state['period']}.zip"
    else:
        response = Response(data, mimetype=MIMETYPES[name.rsplit(".", 1)[-1]])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
