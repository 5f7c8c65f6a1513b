"""Reports as JSON: the same requests, stored builds and suppression as the report pages.

The query is validated by the pages' own forms (`ReportForm`, `CouncilForm`), the build is
fetched from the shared store under the same key as the page's (`make_request`), and the
report is the page's report encoded as the store keeps it (`del_tool.reports.codec`): a
council gets its municipality's frozen publication with small cells suppressed, exactly as on
its page. A build not ready yet is 202 with Retry-After; ask again.
"""

from __future__ import annotations

from flask import Response
from flask_openapi3 import Tag
from werkzeug.datastructures import MultiDict

from del_tool.api import schemas as s
from del_tool.api.auth import current_principal
from del_tool.api.problems import problem
from del_tool.api.views import bp, json_response, problem_response
from del_tool.api.writes import form_problem
from del_tool.auth.permissions import Permission, has_permission, requires
from del_tool.db import get_session
from del_tool.i18n import language
from del_tool.modelbase import local_today
from del_tool.reports.builds import BuildRequest, fetch_build, make_request
from del_tool.reports.codec import encode
from del_tool.reports.common.context import latest_published_quarter, suppression_k
from del_tool.reports.common.selection import (
    ensure_council_access,
    ensure_report_access,
    resolve_scope,
    scope_choices,
)
from del_tool.reports.council.publication import is_published
from del_tool.reports.forms import REPORT_KINDS, CouncilForm, ReportForm
from del_tool.reports.services import log_listed_citizens, municipality_choices

REPORTS = Tag(name="reports", description="Reports as JSON, as the report pages show them")
RETRY_SECONDS = 2
FAILED = problem_response("The report could not be built (the problem says why)")


@bp.get("/reports", tags=[REPORTS], responses={200: s.ReportKinds})
@requires(Permission.AUTHENTICATED)
def reports() -> Response:
    """The report kinds and scopes the token's role may ask for, and whether the council
    summary is open to it."""
    principal = current_principal()
    internal = has_permission(principal, Permission.VIEW_REPORTS)
    scopes = scope_choices(principal.scope, session=get_session()) if internal else []
    return json_response(
        s.ReportKinds(
            kinds=list(REPORT_KINDS) if internal else [],
            scopes=[key for key, _label in scopes],
            council=has_permission(principal, Permission.VIEW_COUNCIL_REPORTS),
        )
    )


@bp.get(
    "/reports/internal",
    tags=[REPORTS],
    responses={200: s.ReportOut, 202: s.ReportOut, 503: FAILED},
)
@requires(Permission.VIEW_REPORTS)
def internal_report(query: s.ReportQuery) -> Response:
    """An internal report (effect, documentation, learning, economy) for a scope and period."""
    db, viewer = get_session(), current_principal().scope
    scopes = scope_choices(viewer, session=db)
    args = query.model_dump()
    args["scope"] = args["scope"] or (scopes[0][0] if scopes else "")
    form = ReportForm(
        formdata=MultiDict(args),
        scopes=scopes,
        municipalities=municipality_choices(None, session=db),
    )
    if not form.validate() or form.parsed_period is None:
        return form_problem(form)
    scope = resolve_scope(form.scope.data, session=db)
    ensure_report_access(viewer, scope)
    wanted = _request(
        form.kind.data or "effect",
        form.parsed_period.key,
        scope=scope.key,
        units=scope.unit_ids,
        filters=form.filters(),
    )
    return _serve(wanted)


@bp.get(
    "/reports/council",
    tags=[REPORTS],
    responses={200: s.ReportOut, 202: s.ReportOut, 503: FAILED},
)
@requires(Permission.VIEW_COUNCIL_REPORTS)
def council_report(query: s.CouncilQuery) -> Response:
    """The council summary: a council's own municipality (published periods only), or any
    municipality for an analyst; the latest published quarter unless a period is given."""
    db, viewer = get_session(), current_principal().scope
    args = {key: value for key, value in query.model_dump().items() if value}
    if viewer.municipality_code is not None:
        args.setdefault("municipality", viewer.municipality_code)
    args.setdefault("period", latest_published_quarter(local_today()).key)
    council_view = viewer.municipality_code is not None
    form = CouncilForm(
        formdata=MultiDict(args),
        municipalities=municipality_choices(viewer, session=db),
        published_by=local_today() if council_view else None,
    )
    if not form.validate() or form.parsed_period is None:
        return form_problem(form)
    code = form.municipality.data or ""
    ensure_council_access(viewer, code)
    frozen = is_published(form.parsed_period, local_today())
    return _serve(_request("council", form.parsed_period.key, municipality=code, frozen=frozen))


def _request(kind: str, period: str, **what: object) -> BuildRequest:
    return make_request(
        kind=kind,
        period=period,
        viewer=current_principal().scope,
        language=language(),
        today=local_today(),
        k=suppression_k(),
        **what,  # type: ignore[arg-type]
    )


def _serve(wanted: BuildRequest) -> Response:
    """The stored build as JSON (its listed citizens access-logged), 202 while it is built."""
    db = get_session()
    served = fetch_build(wanted, session=db)
    if served.state == "failed":
        return problem(503, served.message, headers={"Retry-After": str(RETRY_SECONDS)})
    if served.state != "ready" or served.report is None:
        response = json_response(s.ReportOut(state="preparing"), 202)
        response.headers["Retry-After"] = str(RETRY_SECONDS)
        return response
    report = served.report
    if report.listed_citizens:
        log_listed_citizens(
            report,
            session=db,
            user_id=current_principal().user.id,
            endpoint="api.internal_report",
            action="view",
        )
    return json_response(
        s.ReportOut(
            state="ready",
            built_at=served.built_at.isoformat() if served.built_at else None,
            stale=served.stale,
            report=encode(report),
        )
    )
