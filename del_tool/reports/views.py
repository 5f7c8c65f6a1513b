"""Report pages and downloads: internal reports for staff, leaders and analysts; the council
summary for councils (their own municipality) and analysts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from del_tool.auth.permissions import Permission, has_permission, requires
from del_tool.auth.scope import Scope, scope_for
from del_tool.db import get_session
from del_tool.modelbase import LOCAL_TIMEZONE, local_today
from del_tool.reports.builds import BuildRequest, Served, fetch_build, fetch_file, make_request
from del_tool.reports.common.context import latest_published_quarter, suppression_k
from del_tool.reports.common.labels import language
from del_tool.reports.common.model import Report
from del_tool.reports.common.period import last_twelve_months
from del_tool.reports.common.selection import (
    ensure_council_access,
    ensure_report_access,
    resolve_scope,
    scope_choices,
)
from del_tool.reports.council.publication import is_published, publications
from del_tool.reports.forms import CouncilForm, ReportForm
from del_tool.reports.rendering.names import content_disposition, download_name
from del_tool.reports.rendering.pages import render_report_html
from del_tool.reports.services import log_listed_citizens, municipality_choices

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

FORMATS = ("html", "pdf", "xlsx", "csv")
MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
}
EXTENSIONS = {"pdf": "pdf", "xlsx": "xlsx", "csv": "zip"}
#: Seconds between reloads of a "being prepared" page, and after which it says it is slow.
REFRESH_SECONDS = 2
SLOW_SECONDS = 120
KIND_TEXTS = (
    (
        "effect",
        _l("Effekt"),
        _l(
            "Har tilbuddet en effekt? Ændring i funktionsevne og trivsel, pålidelig ændring, "
            "udvikling over tid og målopfyldelse."
        ),
    ),
    (
        "documentation",
        _l("Dokumentation"),
        _l(
            "Er indsatsen dokumenteret? Mål, baseline, rettidige og forsinkede opfølgninger og "
            "fuldstændige skemaer."
        ),
    ),
    (
        "learning",
        _l("Læring"),
        _l(
            "Hvad kan vi lære? Tilbud side om side, tendenser kvartal for kvartal, temaer, "
            "motivation og kohorter."
        ),
    ),
    (
        "economy",
        _l("Økonomi"),
        _l(
            "Inden for hvilken ramme? Dage og udgift pr. tilbud, paragraf og kommune, set ved "
            "siden af resultaterne."
        ),
    ),
    (
        "supervision",
        _l("Til Socialtilsynet"),
        _l(
            "Kvalitetsmodellens tema om målgruppe, metoder og resultater: målgruppen, mål og "
            "opfølgning og resultaterne med deres usikkerhed, kun samlede tal."
        ),
    ),
)


def _viewer() -> Scope:
    return scope_for(current_user, session=get_session())


def _report_form(viewer: Scope, formdata: Any) -> ReportForm:
    db = get_session()
    scopes = scope_choices(viewer, session=db)
    form = ReportForm(
        formdata=formdata,
        scopes=scopes,
        municipalities=municipality_choices(None, session=db),
    )
    if formdata is None:
        form.scope.data = scopes[0][0] if scopes else None
        form.period.data = last_twelve_months(local_today()).key
    return form


@bp.route("/")
@requires(Permission.VIEW_REPORTS)
def index():
    """The analyst's landing page: what each report answers, and the form to choose one."""
    form = _report_form(_viewer(), None)
    return _index_page(form)


def _index_page(form: ReportForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "reports/index.html",
        form=form,
        kinds=KIND_TEXTS,
        council_link=has_permission(current_user, Permission.VIEW_COUNCIL_REPORTS),
        packs_link=has_permission(current_user, Permission.MAKE_COUNCIL_PACKS),
    )
    return page, status


@bp.route("/report")
@requires(Permission.VIEW_REPORTS)
def show():
    """One internal report as a page, PDF, XLSX or CSV (?format=), from the shared store."""
    output = request.args.get("format", "html")
    if output not in FORMATS:
        abort(400)
    viewer = _viewer()
    form = _report_form(viewer, request.args)
    if not form.validate() or form.parsed_period is None:
        return _index_page(form, 400)
    scope = resolve_scope(form.scope.data, session=get_session())
    ensure_report_access(viewer, scope)
    wanted = _request(
        form.kind.data,
        viewer,
        form.parsed_period.key,
        scope=scope.key,
        units=scope.unit_ids,
        filters=form.filters(),
    )
    page = {
        "form": form,
        "form_template": "reports/_form.html",
        "form_label": _l("Skift rapport, periode, omfang eller filtre"),
        "args": request.args.to_dict(),
    }
    return _serve(wanted, output, form.scope.data, page)


@bp.route("/council")
@requires(Permission.VIEW_COUNCIL_REPORTS)
def council():
    """The council summary: a council's own municipality, or any for an analyst."""
    output = request.args.get("format", "html")
    if output not in FORMATS:
        abort(400)
    viewer = _viewer()
    db = get_session()
    choices = municipality_choices(viewer, session=db)
    args = dict(request.args)
    if viewer.municipality_code is not None:
        args.setdefault("municipality", viewer.municipality_code)
    args.setdefault("period", latest_published_quarter(local_today()).key)
    council_view = viewer.municipality_code is not None
    form = CouncilForm(
        formdata=MultiDict(args),
        municipalities=choices,
        published_by=local_today() if council_view else None,
    )
    if "municipality" not in args:
        return render_template("reports/council_form.html", form=form, k=suppression_k())
    if not form.validate() or form.parsed_period is None:
        return render_template("reports/council_form.html", form=form, k=suppression_k()), 400
    code = form.municipality.data
    ensure_council_access(viewer, code)
    frozen = is_published(form.parsed_period, local_today())
    wanted = _request("council", viewer, form.parsed_period.key, municipality=code, frozen=frozen)
    page = {
        "form": form,
        "form_template": "reports/_council_form.html",
        "form_label": _l("Skift periode") if council_view else _l("Skift kommune eller periode"),
        "args": args,
    }
    return _serve(wanted, output, code, page)


@bp.route("/council/archive")
@requires(Permission.VIEW_COUNCIL_REPORTS)
def council_archive():
    """The published council summaries: a council's own, or every municipality's."""
    viewer = _viewer()
    rows = publications(get_session(), municipality_code=viewer.municipality_code)
    return render_template("reports/council_archive.html", rows=rows)


def _request(kind: str, viewer: Scope, period: str, **what: Any) -> BuildRequest:
    return make_request(
        kind=kind,
        period=period,
        viewer=viewer,
        language=language(),
        today=local_today(),
        k=suppression_k(),
        **what,
    )


def _serve(wanted: BuildRequest, output: str, key: str, page: dict[str, Any]) -> Any:
    """The stored build in the requested format, or the page saying it is being prepared."""
    db = get_session()
    if output == "html":
        served, data = fetch_build(wanted, session=db), None
    else:
        served, data = fetch_file(wanted, output, session=db)
    if served.state != "ready" or served.report is None:
        return _waiting(served)
    report = served.report
    if output in ("html", "pdf") and report.listed_citizens:
        action = "view" if output == "html" else "export"
        log_listed_citizens(  # in a short transaction of its own, before the page is sent
            report, session=db, user_id=current_user.id, endpoint="reports.show", action=action
        )
    if output == "html":
        response = _page(report, served, page)
    else:
        response = Response(data, mimetype=MIMETYPES[output])
        name = download_name(report, EXTENSIONS[output])
        response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "no-store"  # it may name citizens
    return response


def _page(report: Report, served: Served, page: dict[str, Any]) -> Response:
    args = {k: v for k, v in page.pop("args").items() if k != "format"}
    endpoint = request.endpoint or "reports.show"
    downloads = [
        (label, url_for(endpoint, **args, format=fmt))
        for fmt, label in (("pdf", "PDF"), ("xlsx", _l("Regneark (XLSX)")), ("csv", "CSV"))
    ]
    from del_tool.actions.links import action_link

    body = render_report_html(
        report,
        charts=served.charts,
        downloads=downloads,
        stale=served.stale,
        action_link=action_link(report, args),
        **page,
    )
    return Response(body, mimetype="text/html")


def _waiting(served: Served) -> tuple[str, int, dict[str, str]]:
    """The "being prepared" page (reloads itself) or the failed build's message (503)."""
    since = served.since or datetime.now(UTC)
    waited = (datetime.now(UTC) - since).total_seconds()
    page = render_template(
        "reports/preparing.html",
        title=_l("Rapporten dannes") if served.state == "preparing" else _l("Rapporten mangler"),
        state=served.state,
        since=since.astimezone(LOCAL_TIMEZONE).strftime("%H:%M:%S"),
        slow=waited > SLOW_SECONDS,
        refresh=REFRESH_SECONDS,
        message=served.message,
        here=request.full_path,
    )
    status = 200 if served.state == "preparing" else 503
    return page, status, {"Cache-Control": "no-store", "Retry-After": str(REFRESH_SECONDS)}
