"""The import pages (leaders): the template, the upload with its dry run, and (`batch_views`)
the dry run's result, its confirmation, the commit's progress, the list of imports and undo.

Leaders import into the units of their centre, so only they get these pages (`access`: 403
for every other role, staff included); the template's list of units and the upload's choice
of units are their centre's open units. An upload may be as large as IMPORT_MAX_BYTES, more
than the app's MAX_CONTENT_LENGTH: the limit is raised for the upload alone, before anything
reads the body (the CSRF check does), and a larger body gets the form again with the limit
beside the file field (413), never an error page.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from del_tool.auth.permissions import has_permission, requires
from del_tool.citizens.access import units_in_scope
from del_tool.citizens.viewhelpers import current_actor
from del_tool.db import get_session
from del_tool.i18n import format_size
from del_tool.imports import batch_views
from del_tool.imports.access import IMPORT_PERMISSION
from del_tool.imports.batches import drop_expired, plan_upload
from del_tool.imports.forms import UploadForm
from del_tool.imports.reading import MAX_BYTES, ReadError
from del_tool.imports.sheets import SHEETS
from del_tool.logs import security_event
from del_tool.main.errors import render_error
from del_tool.organisation.models import Unit
from del_tool.reports.rendering.names import content_disposition
from del_tool.text import clean_text

bp = Blueprint("imports", __name__, url_prefix="/imports", template_folder="templates")

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("application/zip", "zip"),
}
#: Room for the form's other fields and the multipart framing around the file.
UPLOAD_OVERHEAD = 64 * 1024


def _max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", MAX_BYTES))


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, _values: object) -> None:
    """Let a leader's upload be as large as an import may be (this runs before the app's
    before-request steps, which read the body for the CSRF token)."""
    uploading = endpoint == "imports.index" and request.method == "POST"
    if uploading and has_permission(current_user, IMPORT_PERMISSION):
        request.max_content_length = _max_bytes() + UPLOAD_OVERHEAD


def _leader_units() -> list[Unit]:
    return units_in_scope(get_session(), current_actor())


def _unit_pairs(units: list[Unit]) -> list[tuple[int, str]]:
    return [(int(u.id or 0), u.name) for u in units]


def _limit_text() -> str:
    """The upload limit as the page writes it: "50 MB" (or "19,5 KB" under a megabyte)."""
    return format_size(_max_bytes())


def _too_big() -> str:
    return _("Filen er for stor: højst %(limit)s.", limit=_limit_text())


def _index_page(form: UploadForm, units: list[Unit], status: int = 200) -> ResponseReturnValue:
    from del_tool.imports.template import choice_lists  # openpyxl: not at app start

    lists = choice_lists(get_session(), units)
    page = render_template(
        "imports/index.html", sheets=SHEETS.values(), lists=lists, form=form, limit=_limit_text()
    )
    return page, status


@bp.route("/", methods=["GET", "POST"])
@requires(IMPORT_PERMISSION)
def index() -> ResponseReturnValue:
    """What an import reads (the sheets, their columns, the allowed values), and the upload:
    a checked file is planned (a dry run, nothing written) and its result page shown."""
    units = _leader_units()
    pairs = _unit_pairs(units)
    form = UploadForm(units=pairs)
    if not form.is_submitted():
        return _index_page(form, units)
    _log_unit_outside(pairs)
    if not form.validate():
        return _index_page(form, units, 400)
    upload = form.file.data
    data = upload.read(_max_bytes() + 1)
    name = clean_text(PurePath(upload.filename or "").name)[:200] or "fil"
    db = get_session()
    drop_expired(db)
    try:
        batch = plan_upload(
            db,
            user_id=current_actor().user_id,
            file_name=name,
            data=data,
            scope=form.chosen_units(pairs),
            all_or_nothing=bool(form.all_or_nothing.data),
        )
    except ReadError as error:
        db.rollback()
        form.file.errors = [str(error)]
        return _index_page(form, units, 400)
    db.commit()
    return redirect(batch_views.batch_url(batch), code=303)


def _log_unit_outside(pairs: list[tuple[int, str]]) -> None:
    """A posted unit that is not one of the leader's is a security event (and refused)."""
    posted = request.form.get("unit", "")
    if posted.isdigit() and int(posted) not in {unit_id for unit_id, _n in pairs}:
        security_event(
            "import_unit_outside_scope",
            user_id=current_actor().user_id,
            unit_id=int(posted),
            rows=0,
        )


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """An upload over the limit: the form again, with the limit beside the file field."""
    if request.endpoint != "imports.index" or not has_permission(current_user, IMPORT_PERMISSION):
        return render_error(413)
    units = _leader_units()
    form = UploadForm(formdata=None, units=_unit_pairs(units))
    form.file.errors = [_too_big()]
    return _index_page(form, units, 413)


@bp.get("/template")
@requires(IMPORT_PERMISSION)
def template() -> ResponseReturnValue:
    """The template: ?format=xlsx (default) or csv (a ZIP of one CSV file per sheet)."""
    from del_tool.imports.template import write_csv_zip, write_workbook

    units = _leader_units()
    fmt = request.args.get("format", "xlsx")
    if fmt not in FORMATS:
        abort(404)
    db = get_session()
    data = write_workbook(db, units) if fmt == "xlsx" else write_csv_zip(db, units)
    mimetype, extension = FORMATS[fmt]
    response = Response(data, mimetype=mimetype)
    name = f"{_('DEL-skabelon til indlæsning')}.{extension}"
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "no-store"
    return response


bp.add_url_rule("/batches", "batches", batch_views.batches)
bp.add_url_rule("/<int:batch_id>", "batch", batch_views.batch)
bp.add_url_rule("/<int:batch_id>/confirm", "confirm", batch_views.confirm, methods=["POST"])
bp.add_url_rule("/<int:batch_id>/undo", "undo", batch_views.undo, methods=["POST"])
