"""Report services: build a report of a kind, log who saw which citizens, council packs.

The builders and renderers are imported where they are called: they pull in pandas, scipy,
statsmodels, matplotlib, WeasyPrint and openpyxl, which the web app does not load at start-up
(a worker starts in a fraction of a second; the first build in a process pays the imports).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from importlib import import_module
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlmodel import Session, col, select

from del_tool.audit.services import access_event, log_accesses
from del_tool.auth.scope import Scope
from del_tool.db import get_db
from del_tool.modelbase import local_today
from del_tool.organisation.models import LegalSection, Municipality, TargetGroup
from del_tool.questionnaires import Registry
from del_tool.reports.builds import BuildRequest
from del_tool.reports.common import queries
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Report
from del_tool.reports.common.period import Period, parse_period
from del_tool.reports.common.selection import (
    NO_FILTERS,
    Filters,
    ReportScope,
    ensure_council_access,
    resolve_scope,
)
from del_tool.reports.council.parallel import PackError, can_fork, run_forked

if TYPE_CHECKING:
    from del_tool.reports.council.outcomes import Outcomes

#: The internal report kinds; `build_<kind>_report` in `del_tool.reports.<kind>.report` builds one.
KINDS = ("documentation", "effect", "learning", "economy", "supervision")


def builder(kind: str) -> Callable[..., Report]:
    """The function that builds reports of `kind` (imported now); KeyError for an unknown kind."""
    if kind not in KINDS:
        raise KeyError(kind)
    build: Callable[..., Report] = getattr(
        import_module(f"del_tool.reports.{kind}.report"), f"build_{kind}_report"
    )
    return build


def build_report(
    kind: str,
    *,
    session: Session,
    scope: ReportScope,
    period: Period,
    filters: Filters | None = None,
    viewer: Scope | None = None,
    today: date | None = None,
) -> Report:
    """Build an internal report of `kind`; KeyError for an unknown kind. A period not yet over
    is reported as status at today, and the report says so first; a selection without stays
    is one message (`common.empty`), never empty charts and tables."""
    from del_tool.reports.common.context import ReportRequest, checked_context
    from del_tool.reports.common.empty import emptied, without_empty_parts
    from del_tool.reports.common.verdict import with_verdict

    build = builder(kind)
    request: ReportRequest = {
        "session": session,
        "scope": scope,
        "period": period,
        "filters": filters,
        "viewer": viewer,
        "today": today,
    }
    sel = queries.StaySelection(scope.unit_ids, period.start, period.end, filters or NO_FILTERS)
    if queries.stays(session, sel).empty:
        report = emptied(kind, checked_context(**request))
    else:
        from del_tool.actions.display import with_actions

        report = with_verdict(without_empty_parts(build(**request)))
        report = with_actions(report, session=session, scope_key=scope.key, filters=filters)
    day = today or local_today()
    if period.end >= day and report.sections:
        report.sections[0].messages.insert(0, running_period_note(period, day))
    return report


def running_period_note(period: Period, today: date) -> Any:
    """ "The period is not over": what the report's "status" and "now" mean meanwhile."""
    return _l(
        "Perioden slutter %(end)s og er ikke slut endnu. Tallene er status pr. i dag, "
        "%(day)s; opfølgninger, der endnu ikke er forfaldne, tæller ikke som forsinkede.",
        end=period.end.strftime("%d.%m.%Y"),
        day=today.strftime("%d.%m.%Y"),
    )


def build_requested(request: BuildRequest, *, session: Session) -> Report:
    """Build what a stored-build request names (a job's work): an internal report or the
    council summary, for the request's viewer and day."""
    from del_tool.reports.council.report import build_council_summary

    period = parse_period(request.period)
    if request.kind == "council":
        if request.municipality is None:
            raise ValueError("a council summary request names a municipality")
        return build_council_summary(
            session=session,
            municipality_code=request.municipality,
            period=period,
            viewer=request.viewer,
            today=request.day,
        )
    chosen = request.filters
    section, group = chosen.get("legal_section"), chosen.get("target_group")
    filters = Filters(
        legal_section=LegalSection(section) if section else None,
        target_group=TargetGroup(group) if group else None,
        municipality_code=chosen.get("municipality_code"),
    )
    return build_report(
        request.kind,
        session=session,
        scope=resolve_scope(request.scope or "", session=session),
        period=period,
        filters=filters,
        viewer=request.viewer,
        today=request.day,
    )


def encoded_build(request: BuildRequest, *, session: Session) -> tuple[Any, Any]:
    """(report, charts) of a request as stored JSON: a published council summary as it was
    published, anything else built and drawn now in the request's language."""
    from del_tool.reports.codec import encode
    from del_tool.reports.common.labels import rendering_context
    from del_tool.reports.council.publication import in_language, is_published, publish
    from del_tool.reports.rendering.charts.draw import draw_all

    period = parse_period(request.period)
    if request.kind == "council" and request.municipality and is_published(period, request.day):
        from del_tool.reports.codec import decode
        from del_tool.reports.council.trend import with_trend

        ensure_council_access(request.viewer, request.municipality)
        part = in_language(publish(request.municipality, period), request.language)
        published = decode(part["report"])
        with rendering_context(request.language):
            with_trend(published, request.municipality, request.day, request.language)
            return encode(published), part["charts"]
    report = build_requested(request, session=session)
    with rendering_context(request.language):
        return encode(report), encode(draw_all(report))


def log_listed_citizens(
    report: Report, *, session: Session, user_id: int | None, endpoint: str, action: str
) -> int:
    """Write one access event per named citizen the report lists; returns how many.

    On a read request's `session` they are committed at once, in one transaction of their own
    (`log_accesses`), so a report page never upgrades its read snapshot to a write.
    """
    detail = f"{report.kind} report {report.period.key}"
    events = [
        access_event(
            user_id=user_id, action=action, citizen_id=citizen_id, endpoint=endpoint, detail=detail
        )
        for citizen_id in report.listed_citizens
    ]
    log_accesses(session, events)
    if action == "export" and events:
        from del_tool.logs import security_event

        security_event("export.report", user_id=user_id, kind=report.kind, citizens=len(events))
    return len(events)


def municipality_choices(viewer: Scope | None, *, session: Session) -> list[tuple[str, str]]:
    """(code, name) of the municipalities `viewer` may choose: a council only its own."""
    statement = select(Municipality.code, Municipality.name).order_by(col(Municipality.name))
    if viewer is not None and viewer.municipality_code is not None:
        statement = statement.where(Municipality.code == viewer.municipality_code)
    return [(code, name) for code, name in session.exec(statement).all()]


def build_council_pack(
    *,
    session: Session,
    municipality_code: str,
    period: Period,
    benchmark: Outcomes | None = None,
    registry: Registry | None = None,
    today: date | None = None,
) -> tuple[bytes, bytes]:
    """One municipality's council summary as (PDF, XLSX) bytes, in Danish: the publication
    when the period is published by `today` (published now if it is due), else built live
    and marked preliminary.

    Pass `benchmark` (from `council.region_benchmark`) when building many packs for one period,
    so the region's figures are computed once. NotFoundError for an unknown municipality.
    """
    from del_tool.reports.codec import decode
    from del_tool.reports.common.labels import rendering_context
    from del_tool.reports.council.publication import in_language, is_published, publish
    from del_tool.reports.council.report import build_council_summary
    from del_tool.reports.council.trend import with_trend
    from del_tool.reports.rendering.pages import render_report_pdf
    from del_tool.reports.rendering.spreadsheet import render_report_xlsx

    charts = None
    day = today or local_today()
    if is_published(period, day):
        part = in_language(publish(municipality_code, period, benchmark=benchmark), "da")
        report, charts = decode(part["report"]), decode(part["charts"])
        with rendering_context("da"):
            with_trend(report, municipality_code, day, "da", publish_missing=False)
    else:
        report = build_council_summary(
            session=session,
            municipality_code=municipality_code,
            period=period,
            registry=registry,
            today=today,
            benchmark=benchmark,
        )
    return render_report_pdf(report, locale="da", charts=charts), render_report_xlsx(report)


def council_municipalities(*, session: Session, period: Period) -> list[str]:
    """Codes of every municipality paying for a stay in the region's units in the period."""
    return queries.paying_municipalities(
        session, queries.StaySelection(None, period.start, period.end)
    )


def build_council_packs(
    *,
    session: Session,
    codes: list[str],
    period: Period,
    today: date | None = None,
    jobs: int = 1,
) -> Iterator[tuple[str, tuple[bytes, bytes] | Exception]]:
    """(code, (pdf, xlsx)) for each municipality in order, or (code, error) when one fails.

    One failing municipality does not stop the others; the region's benchmark is computed once.
    With `jobs` > 1 the packs are built by that many forked worker processes (`parallel`),
    unless the database is an in-memory SQLite that other processes cannot open.
    """
    from del_tool.reports.council.report import region_benchmark

    benchmark = region_benchmark(session=session, period=period, today=today)
    if jobs > 1 and len(codes) > 1 and can_fork(current_app._get_current_object()):  # type: ignore[attr-defined]

        def work(code: str) -> tuple[bytes, bytes]:
            with get_db().session(write=False) as own:
                return build_council_pack(
                    session=own,
                    municipality_code=code,
                    period=period,
                    benchmark=benchmark,
                    today=today,
                )

        yield from run_forked(work, codes, jobs, describe)
        return
    for code in codes:
        try:
            yield (
                code,
                build_council_pack(
                    session=session,
                    municipality_code=code,
                    period=period,
                    benchmark=benchmark,
                    today=today,
                ),
            )
        except Exception as exc:  # reported per municipality by the caller; the run goes on
            session.rollback()
            yield code, exc


def pack_names(code: str, name: str, period: Period) -> tuple[str, str]:
    """File names of a council pack: "kunderaad-2026Q3-461-Odense.pdf" and ".xlsx"."""
    safe = re.sub(r"[^A-Za-z0-9]+", "-", name.translate(_ASCII)).strip("-")
    stem = f"kunderaad-{period.key}-{code}-{safe}"
    return f"{stem}.pdf", f"{stem}.xlsx"


_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def describe(value: Any) -> str:
    """A one-line description of an error for the end-of-run report."""
    if isinstance(value, PackError):  # described in the worker already
        return str(value)
    return f"{type(value).__name__}: {value}".splitlines()[0]
