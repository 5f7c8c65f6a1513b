"""Report pages and downloads: internal reports for staff, leaders and analysts; the council
summary for councils (their own municipality) and analysts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from del_tool.auth.permissions import Permission, has_permission, requires
from del_tool.auth.scope import Scope, scope_for
from del_tool.db import get_session
from del_tool.modelbase import local_today
from del_tool.reports.cache import report_cache, versions
from del_tool.reports.common.context import suppression_k
from del_tool.reports.common.labels import language
from del_tool.reports.common.model import Report
from del_tool.reports.common.period import last_four_quarters, latest_complete_quarter
from del_tool.reports.common.selection import resolve_scope, scope_choices
from del_tool.reports.council.report import build_council_summary
from del_tool.reports.forms import CouncilForm, ReportForm
from del_tool.reports.rendering.charts.draw import draw_all
from del_tool.reports.rendering.pages import download_name, render_report_html, render_report_pdf
from del_tool.reports.rendering.spreadsheet import render_report_csv, render_report_xlsx
from del_tool.reports.services import build_report, log_listed_citizens, municipality_choices

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

FORMATS = ("html", "pdf", "xlsx", "csv")
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
        form.period.data = last_four_quarters(local_today()).key
    return form


@bp.route("/")
@requires(Permission.VIEW_REPORTS)
def index():
    """The analyst's landing page: what each report answers, and the form to choose one."""
    form = _report_form(_viewer(), None)
    return _index_page(form)


def _index_page(form: ReportForm, status: int = 200) -> tuple[str, int]:
    council = has_permission(current_user, Permission.VIEW_COUNCIL_REPORTS)
    page = render_template("reports/index.html", form=form, kinds=KIND_TEXTS, council_link=council)
    return page, status


@bp.route("/report")
@requires(Permission.VIEW_REPORTS)
def show():
    """One internal report as a page, PDF, XLSX or CSV (?format=)."""
    output = request.args.get("format", "html")
    if output not in FORMATS:
        abort(400)
    viewer = _viewer()
    form = _report_form(viewer, request.args)
    if not form.validate() or form.parsed_period is None:
        return _index_page(form, 400)
    db = get_session()
    period = form.parsed_period

    def build() -> Report:
        return build_report(
            form.kind.data,
            session=db,
            scope=resolve_scope(form.scope.data, session=db),
            period=period,
            filters=form.filters(),
            viewer=viewer,
        )

    report, payload = _built(viewer, output, build)
    if output in ("html", "pdf") and report.listed_citizens:
        action = "view" if output == "html" else "export"
        log_listed_citizens(
            report, session=db, user_id=current_user.id, endpoint="reports.show", action=action
        )
        db.commit()
    page = {"form": form, "form_template": "reports/_form.html", "args": request.args.to_dict()}
    return _respond(report, payload, output, form.scope.data, page)


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
    args.setdefault("period", latest_complete_quarter(local_today()).key)
    form = CouncilForm(formdata=MultiDict(args), municipalities=choices)
    if "municipality" not in args:
        return render_template("reports/council_form.html", form=form, k=suppression_k())
    if not form.validate() or form.parsed_period is None:
        return render_template("reports/council_form.html", form=form, k=suppression_k()), 400
    period, code = form.parsed_period, form.municipality.data

    def build() -> Report:
        return build_council_summary(
            session=db, municipality_code=code, period=period, viewer=viewer
        )

    report, payload = _built(viewer, output, build, args)
    page = {"form": form, "form_template": "reports/_council_form.html", "args": args}
    return _respond(report, payload, output, code, page)


def _built(
    viewer: Scope, output: str, build: Callable[[], Report], args: dict[str, str] | None = None
) -> tuple[Report, Any]:
    """The report and its charts (page) or file (downloads), from the cache when fresh."""
    params = tuple(sorted((args if args is not None else request.args.to_dict()).items()))
    key = (
        request.endpoint,
        params,
        viewer.unit_ids,
        viewer.municipality_code,
        viewer.sees_names,
        language(),
        local_today(),
        suppression_k(),
    )

    def render() -> tuple[Report, Any]:
        report = build()
        if output == "html":
            return report, draw_all(report)
        return report, _file(report, output)

    data, privacy = versions(get_session())
    result: tuple[Report, Any] = report_cache().get_or_build(key, data, render, barrier=privacy)
    return result


def _respond(report: Report, payload: Any, output: str, key: str, page: dict[str, Any]) -> Response:
    """The report in the requested format; never stored by browsers (it may name citizens)."""
    if output == "html":
        args = {k: v for k, v in page.pop("args").items() if k != "format"}
        endpoint = request.endpoint or "reports.show"
        downloads = [
            (label, url_for(endpoint, **args, format=fmt))
            for fmt, label in (("pdf", "PDF"), ("xlsx", _l("Regneark (XLSX)")), ("csv", "CSV"))
        ]
        body = render_report_html(report, charts=payload, downloads=downloads, **page)
        response = Response(body, mimetype="text/html")
    else:
        content, mimetype, extension = payload
        response = Response(content, mimetype=mimetype)
        name = download_name(report, key, extension)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _file(report: Report, output: str) -> tuple[bytes, str, str]:
    if output == "pdf":
        return render_report_pdf(report), "application/pdf", "pdf"
    if output == "xlsx":
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return render_report_xlsx(report), mimetype, "xlsx"
    return render_report_csv(report), "application/zip", "zip"
