"""Report measurements: the region's effect report for one year, its SELECT floor, rendering.

1. The effect report for the whole region and the report period, built without rendering
   (queries and statistics), against its floor (`bench.floor`: the same SELECTs through the
   bare driver).
2. The same report rendered as the web page's HTML and as PDF, and the council packs (PDF and
   XLSX) of the region's 22 municipalities, built as ``del-tool reports council --all`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlmodel import Session, col, select

from bench.data import BuiltDatabase, bench_app
from bench.floor import record, replay
from bench.sizes import REPORT_PERIOD, TODAY
from bench.timing import Timing, time_runs
from del_tool.db import Database, get_db
from del_tool.organisation.models import Municipality, Region
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.effect.report import build_effect_report
from del_tool.reports.rendering.pages import render_report_html, render_report_pdf
from del_tool.reports.services import build_council_packs


def _effect_builder(database: Database) -> Callable[[], Any]:
    """A function that builds the region's effect report in a fresh session."""
    period = parse_period(REPORT_PERIOD)

    def build() -> Any:
        with database.session(write=False) as session:
            scope = resolve_scope("region", session=session)
            return build_effect_report(session=session, scope=scope, period=period, today=TODAY)

    return build


def region_municipalities(session: Session) -> list[str]:
    """Codes of the municipalities of the demo's region (the customer council's members)."""
    region = session.exec(select(Region.name).order_by(col(Region.id))).first()
    return list(
        session.exec(
            select(Municipality.code)
            .where(Municipality.region_name == region)
            .order_by(col(Municipality.code))
        ).all()
    )


def _packs(database: Database, limit: int | None, jobs: int) -> Callable[[], int]:
    """A function that builds the council packs and returns how many succeeded."""
    period = parse_period(REPORT_PERIOD)

    def build() -> int:
        with database.session(write=False) as session:
            codes = region_municipalities(session)[:limit]
            done = 0
            for code, result in build_council_packs(
                session=session, codes=codes, period=period, today=TODAY, jobs=jobs
            ):
                if isinstance(result, Exception):
                    raise RuntimeError(f"council pack for {code} failed: {result}") from result
                done += 1
            return done

    return build


def _timing(timing: Timing) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in timing.as_dict().items()}


def measure_report(built: BuiltDatabase, *, runs: int, warmup: int = 1) -> dict[str, Any]:
    """Time building the effect report (no rendering) and its SELECT floor; their ratio."""
    app: Flask = bench_app(built.url)
    database = get_db(app)
    try:
        with app.app_context():
            build = _effect_builder(database)
            recorded = record(database.engine, build)
            timing = _timing(time_runs(build, runs, warmup=warmup))
            floor = _timing(
                time_runs(lambda: replay(database.engine, recorded.statements), runs, warmup=warmup)
            )
    finally:
        database.dispose()
    return {
        "build": timing,
        "floor": floor,
        "ratio": round(timing["median"] / floor["median"], 2),
        "rows_read": sum(s.rows for s in recorded.statements),
        "queries": [
            {"sql": " ".join(s.sql.split())[:200], "rows": s.rows, "seconds": round(s.seconds, 4)}
            for s in recorded.statements
        ],
    }


def measure_render(built: BuiltDatabase, *, runs: int, warmup: int = 1) -> dict[str, Any]:
    """Time rendering the built effect report as the web page's HTML and as PDF."""
    app: Flask = bench_app(built.url)
    database = get_db(app)
    try:
        with app.app_context():
            report = _effect_builder(database)()
            html = _timing(time_runs(lambda: render_report_html(report), runs, warmup=warmup))
            pdf = _timing(
                time_runs(lambda: render_report_pdf(report), max(1, runs // 2), warmup=warmup)
            )
    finally:
        database.dispose()
    return {"html": html, "pdf": pdf}


def measure_packs(
    built: BuiltDatabase, *, runs: int, limit: int | None, jobs: int
) -> dict[str, Any]:
    """Time building the council packs (PDF and XLSX) of the region's municipalities, with
    `jobs` worker processes as `del-tool reports council --jobs` builds them."""
    app: Flask = bench_app(built.url)
    database = get_db(app)
    try:
        with app.app_context():
            make_packs = _packs(database, limit, jobs)
            counts: list[int] = []
            timing = _timing(
                time_runs(lambda: counts.append(make_packs()), max(1, runs // 3), warmup=0)
            )
            count = counts[-1]
    finally:
        database.dispose()
    return {"packs": count, "jobs": jobs, "all_packs": timing}
