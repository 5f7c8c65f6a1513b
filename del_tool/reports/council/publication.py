"""Council summaries frozen at publication, so re-asking can never reveal a late record.

A municipality's summary for a calendar period (quarter, half-year, year) is published
`COUNCIL_PUBLICATION_DAYS` after the period ends: built once, in every language, with its
charts, and kept in `council_publications`. From then on every view, download and pack of it
(a council's, an analyst's, the command's) is that publication: records that arrive late count
in the next period's status, never in a published one. The worker publishes every paying
municipality's summary on the day its period is due (`tasks.publish_due_council_summaries`); a
request for a due summary not yet published publishes it. Before that day, analysts see the
summary built live and marked preliminary; councils do not see it at all (`forms.CouncilForm`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from del_tool.db import get_db, write_session
from del_tool.organisation.models import Municipality
from del_tool.reports.common.context import publication_day
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.period import Period
from del_tool.reports.models import CouncilPublication

LANGUAGES = ("da", "en")
WITHHELD_NOTE = _l(
    "Nogle tal er skjult (x), fordi de sammen med kommunens tidligere rapporter ville vise "
    "tal for færre borgere, end der må vises."
)
CALENDAR_KINDS = ("quarter", "half", "year")


def is_published(period: Period, today: date) -> bool:
    """Whether `period`'s council outputs are published (frozen) by `today`."""
    return period.kind in CALENDAR_KINDS and publication_day(period) <= today


def published_content(session: Session, code: str, period: Period) -> dict[str, Any] | None:
    """The stored publication of a municipality's summary for a period, if there is one."""
    row = session.exec(
        select(CouncilPublication).where(
            col(CouncilPublication.municipality_code) == code,
            col(CouncilPublication.period_key) == period.key,
        )
    ).first()
    return row.content if row is not None else None


def publications(
    session: Session, *, municipality_code: str | None
) -> list[tuple[str, str, str, Any]]:
    """(code, municipality, period key, published at) of the stored publications, newest
    period first; one municipality's when a code is given."""
    statement = (
        select(
            CouncilPublication.municipality_code,
            Municipality.name,
            CouncilPublication.period_key,
            CouncilPublication.published_at,
        )
        .join(Municipality, col(Municipality.code) == CouncilPublication.municipality_code)
        .order_by(col(CouncilPublication.period_key).desc(), col(Municipality.name))
    )
    if municipality_code is not None:
        statement = statement.where(CouncilPublication.municipality_code == municipality_code)
    return [tuple(row) for row in session.exec(statement).all()]  # type: ignore[misc]


def publish(code: str, period: Period, *, benchmark: Any = None) -> dict[str, Any]:
    """The publication of a due summary: the stored one, or built, stored and returned now.

    NotFoundError for an unknown municipality. Two publishers racing store one publication:
    the loser reads the winner's.
    """
    with get_db().session(write=False) as session:
        existing = published_content(session, code, period)
        if existing is not None:
            return existing
        content = _built(session, code, period, benchmark)
    try:
        with write_session() as session:
            session.add(
                CouncilPublication(municipality_code=code, period_key=period.key, content=content)
            )
    except IntegrityError:
        with get_db().session(write=False) as session:
            stored = published_content(session, code, period)
        if stored is None:
            raise
        return stored
    return content


def _built(session: Session, code: str, period: Period, benchmark: Any) -> dict[str, Any]:
    """The summary built as of its publication day, audited together with the municipality's
    earlier publications (`union`), and encoded with its charts per language."""
    from flask import current_app

    from del_tool.reports.codec import encode
    from del_tool.reports.common.context import statistic_min_n
    from del_tool.reports.common.labels import rendering_context
    from del_tool.reports.council import union
    from del_tool.reports.council.demand import demand_specs
    from del_tool.reports.council.report import council_parts, council_report
    from del_tool.reports.council.verdict import council_verdict
    from del_tool.reports.rendering.charts.draw import draw_all

    parts = council_parts(
        session=session,
        municipality_code=code,
        period=period,
        today=publication_day(period),
        benchmark=benchmark,
    )
    report = council_report(parts)
    specs = union.cell_specs(
        period.key,
        parts.ctx.reference_date,
        parts.ours,
        parts.region,
        parts.cells,
        parts.ctx.units()["name"].to_dict(),
        code,
    )
    specs += demand_specs(parts.ctx, period.key, code)
    cells, withheld = union.audited(
        report,
        specs,
        (period.start.isoformat(), period.end.isoformat()),
        earlier_cells(session, code),
        k=parts.ctx.k,
        min_n=statistic_min_n(),
        protection=float(
            current_app.config.get("COUNCIL_AUDIT_PROTECTION", union.DEFAULT_PROTECTION)
        ),
    )
    if withheld:
        report.sections[0] = council_verdict(report, statistic_min_n())  # from what is shown
        report.sections[0].messages.append(WITHHELD_NOTE)
    content: dict[str, Any] = {"audit": {"cells": union.encode_cells(cells), "withheld": withheld}}
    for language in LANGUAGES:
        with rendering_context(language):
            content[language] = {"report": encode(report), "charts": encode(draw_all(report))}
    return content


def earlier_cells(session: Session, code: str) -> list[Any]:
    """The audited cells of every summary already published for the municipality."""
    from del_tool.reports.council.union import decode_cells

    rows = session.exec(
        select(CouncilPublication.content).where(col(CouncilPublication.municipality_code) == code)
    ).all()
    return [
        cell for content in rows for cell in decode_cells(content.get("audit", {}).get("cells", []))
    ]


def in_language(content: dict[str, Any], language: str) -> dict[str, Any]:
    """The publication's part in `language` (Danish when it has no such language)."""
    part: dict[str, Any] = content.get(language) or content["da"]
    return part
