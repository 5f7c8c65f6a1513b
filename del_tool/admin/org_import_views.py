"""The organisation import pages (issue #18 item 3); routed in `del_tool.admin.views`.

An administrator, who sees no citizen data, imports organisation data only: a Tilbudsportalen
offer list (centres, units, places; Permission.MANAGE_ORGANISATION) or tariffs
(Permission.MANAGE_TARIFFS, which analysts hold too, as on the tariff pages). Leaders keep
their citizen import (`del_tool.imports`).

The upload (POST) is checked at once, a dry run that writes nothing (`run_import`), and its
page shows the counts and every refused row; a file with nothing refused is kept server-side
under its hash (`org_import.keep_upload`) for the confirmation, which checks the same bytes
again and writes them when the check gives what the dry run showed. Organisation files are
small (hundreds of rows, MAX_BYTES), so both run in the request: no job, no progress page.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from del_tool.admin.org_import import (
    MAX_BYTES,
    columns,
    forget_upload,
    keep_upload,
    take_upload,
    write_tariff_template,
)
from del_tool.admin.org_import_forms import ConfirmImportForm, OfferUploadForm, TariffUploadForm
from del_tool.admin.pages import actor
from del_tool.auth.permissions import Permission, has_permission, requires
from del_tool.db import get_session
from del_tool.i18n import format_size
from del_tool.modelbase import local_today
from del_tool.organisation.offers_import import OfferFileError
from del_tool.organisation.org_import import OrgKind, Outcome, run_import
from del_tool.reports.rendering.names import content_disposition
from del_tool.text import clean_text

#: Kind -> (upload endpoint, confirm endpoint, where a written import is seen).
ENDPOINTS = {
    OrgKind.OFFERS: ("admin.import_offers", "admin.confirm_offers", "admin.units"),
    OrgKind.TARIFFS: ("admin.import_tariffs", "admin.confirm_tariffs", "admin.tariffs"),
}
TEMPLATE_FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv", "csv"),
}


@requires(Permission.MANAGE_ORGANISATION)
def import_offers() -> ResponseReturnValue:
    """A Tilbudsportalen offer list: the upload, then its dry run."""
    return _upload(OrgKind.OFFERS, OfferUploadForm())


@requires(Permission.MANAGE_TARIFFS)
def import_tariffs() -> ResponseReturnValue:
    """A tariff file: the upload, then its dry run."""
    return _upload(OrgKind.TARIFFS, TariffUploadForm())


@requires(Permission.MANAGE_ORGANISATION)
def confirm_offers() -> ResponseReturnValue:
    """Write a checked offer list."""
    return _confirm(OrgKind.OFFERS)


@requires(Permission.MANAGE_TARIFFS)
def confirm_tariffs() -> ResponseReturnValue:
    """Write a checked tariff file."""
    return _confirm(OrgKind.TARIFFS)


@requires(Permission.MANAGE_TARIFFS)
def tariff_template() -> ResponseReturnValue:
    """The tariff template with an example row: ?format=xlsx (default) or csv."""
    fmt = request.args.get("format", "xlsx")
    if fmt not in TEMPLATE_FORMATS:
        abort(404)
    data = write_tariff_template(get_session(), actor(), fmt=fmt)
    mimetype, extension = TEMPLATE_FORMATS[fmt]
    response = Response(data, mimetype=mimetype)
    name = f"{_('DEL-skabelon til takster')}.{extension}"
    response.headers["Content-Disposition"] = content_disposition(name)
    return response


def _page(kind: OrgKind, form: Any, status: int = 200, **context: Any) -> ResponseReturnValue:
    upload, confirm, _seen = ENDPOINTS[kind]
    page = render_template(
        "admin/org_import.html",
        kind=kind.value,
        form=form,
        action=url_for(upload),
        confirm_action=url_for(confirm),
        columns=columns(kind),
        limit=format_size(MAX_BYTES),
        may_offers=has_permission(actor(), Permission.MANAGE_ORGANISATION),
        today=local_today(),
        **context,
    )
    return page, status


def _upload(kind: OrgKind, form: Any) -> ResponseReturnValue:
    """Check a posted file (a dry run) and show what it would do; GET shows the form."""
    if not form.is_submitted():
        return _page(kind, form)
    if not form.validate():
        return _page(kind, form, 400)
    upload = form.file.data
    data = upload.read(MAX_BYTES + 1)
    name = clean_text(PurePath(upload.filename or "").name)[:200] or "fil"
    places_from = form.places_from.data if kind is OrgKind.OFFERS else None
    outcome = _run(kind, data, name, places_from, commit=False)
    get_session().rollback()  # a dry run: nothing is written
    if isinstance(outcome, str):
        form.file.errors = [outcome]
        return _page(kind, form, 400)
    confirm = None
    if not outcome.refusals and (outcome.created or outcome.updated):
        digest = keep_upload(
            kind, user_id=actor().id or 0, data=data, file_name=name, places_from=places_from
        )
        confirm = ConfirmImportForm(formdata=None, digest=digest, fingerprint=outcome.fingerprint)
    return _page(kind, form, outcome=outcome, confirm=confirm, places_from=places_from)


def _run(kind: OrgKind, data: bytes, name: str, places_from: Any, *, commit: bool) -> Outcome | str:
    """The import as the logged-in administrator (their operator's offers and units only); the
    one translated line of a file that cannot be read instead."""
    user = actor()
    try:
        return run_import(
            get_session(),
            kind=kind,
            data=data,
            file_name=name,
            places_from=places_from,
            operator=user.operator_code,
            user_id=user.id,
            commit=commit,
            max_bytes=MAX_BYTES,
        )
    except OfferFileError as error:
        get_session().rollback()
        return str(error)


def _confirm(kind: OrgKind) -> ResponseReturnValue:
    """Write the kept upload if its check gives what the dry run showed; then say what was
    written. Otherwise nothing is written and the upload page says why."""
    upload, _confirm_endpoint, seen = ENDPOINTS[kind]
    form = ConfirmImportForm()
    back = redirect(url_for(upload), code=303)
    if not form.validate_on_submit():
        flash(_("Formularen var udløbet. Læg filen op igen."), "error")
        return back
    user_id = actor().id or 0
    digest = form.digest.data or ""
    pending = take_upload(kind, user_id=user_id, digest=digest)
    if pending is None:
        flash(_("Den kontrollerede fil er udløbet eller ikke din. Læg filen op igen."), "error")
        return back
    db = get_session()
    outcome = _run(kind, pending.data, pending.file_name, pending.places_from, commit=True)
    if isinstance(outcome, str) or outcome.refusals or outcome.fingerprint != form.fingerprint.data:
        db.rollback()
        flash(
            _(
                "Intet er gemt: DEL's data er ændret siden prøvekørslen. Læg filen op igen, og "
                "se, hvad den vil gøre nu."
            ),
            "error",
        )
        return back
    db.commit()
    forget_upload(kind, user_id=user_id, digest=digest)
    flash(_written(outcome), "success")
    return redirect(url_for(seen), code=303)


def _written(outcome: Outcome) -> str:
    """What a written import did, in one sentence."""
    if outcome.kind is OrgKind.TARIFFS:
        [tariffs] = outcome.counts
        return _(
            "Indlæsningen er gemt: %(create)s takster oprettet, %(update)s ændret og "
            "%(unchanged)s uændret. Hver ændring står i ændringshistorikken.",
            create=tariffs.create,
            update=tariffs.update,
            unchanged=tariffs.unchanged,
        )
    centres, units, places = outcome.counts
    return _(
        "Indlæsningen er gemt: %(centres)s centre og %(create)s tilbud oprettet, %(update)s "
        "tilbud ændret, %(unchanged)s uændret, pladstal for %(places)s tilbud. Hver ændring "
        "står i ændringshistorikken.",
        centres=centres.create,
        create=units.create,
        update=units.update,
        unchanged=units.unchanged,
        places=places.create,
    )
