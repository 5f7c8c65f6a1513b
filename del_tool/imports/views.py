"""The import pages (leaders): the template to fill in, as XLSX or as CSV files in a ZIP.

Leaders import into the units of their centre, so only they get these pages (`access`: 403
for every other role, staff included); the template's list of units is their centre's open
units.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from del_tool.auth.permissions import requires
from del_tool.citizens.access import units_in_scope
from del_tool.citizens.viewhelpers import current_actor
from del_tool.db import get_session
from del_tool.imports.access import IMPORT_PERMISSION
from del_tool.imports.sheets import SHEETS
from del_tool.organisation.models import Unit
from del_tool.reports.rendering.names import content_disposition

bp = Blueprint("imports", __name__, url_prefix="/imports", template_folder="templates")

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("application/zip", "zip"),
}


def _leader_units() -> list[Unit]:
    return units_in_scope(get_session(), current_actor())


@bp.get("/")
@requires(IMPORT_PERMISSION)
def index():
    """What an import reads: the sheets, their columns and the allowed values."""
    from del_tool.imports.template import choice_lists  # openpyxl: not at app start

    units = _leader_units()
    lists = choice_lists(get_session(), units)
    return render_template("imports/index.html", sheets=SHEETS.values(), lists=lists)


@bp.get("/template")
@requires(IMPORT_PERMISSION)
def template():
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
