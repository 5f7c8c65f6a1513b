"""The profile's charts, drawn by a job and kept in the shared store, never on a page view.

A citizen's charts are drawn in each language they are asked in and stored with the version of
the citizen's data they show: the newest follow-up, goal and change-history row of the citizen,
plus `GENERATION` (raised when the charts change shape, so an upgrade redraws them). A saved
form asks for a new drawing at once (`citizen_changed`); the worker sweeps the change history
every minute for citizens changed elsewhere (`redraw_changed_citizens`), and after an upgrade
draws every citizen once, so even a profile nobody opened today is served drawn. A page view of
older charts shows them at once, marked, and asks for a new drawing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from huey import crontab
from sqlalchemy import func, select
from sqlmodel import Session, col

from del_tool.audit.models import AuditEvent
from del_tool.charts import Chart, chart_from_json, chart_to_json
from del_tool.citizens.models import Citizen
from del_tool.db import get_db
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal
from del_tool.jobs import get_jobs, job
from del_tool.store import get_store

#: Raise when the profile charts change how they look: every stored drawing is then redrawn.
GENERATION = 3
LANGUAGES = ("da", "en")
LEASE_SECONDS = 120


def chart_version(session: Session, citizen_id: int) -> list[int]:
    """The version of what a citizen's charts show (see the module docstring)."""
    columns = [
        select(func.max(col(model.id))).where(col(model.citizen_id) == citizen_id).scalar_subquery()
        for model in (FollowUp, Goal, AuditEvent)
    ]
    newest = session.execute(select(*columns)).one()
    return [GENERATION, *(int(value or 0) for value in newest)]


def profile_charts(session: Session, citizen_id: int, lang: str) -> tuple[list[Chart] | None, bool]:
    """(charts, stale) for a profile page: None while they are first drawn."""
    version = chart_version(session, citizen_id)
    stored = get_store().get_json(f"charts:{citizen_id}:{lang}")
    if stored is not None and stored["version"] == version:
        return [chart_from_json(c) for c in stored["charts"]], False
    ask_for_drawing(citizen_id, lang)
    if get_jobs().immediate:
        stored = get_store().get_json(f"charts:{citizen_id}:{lang}")
    if stored is None:
        return None, False
    return [chart_from_json(c) for c in stored["charts"]], stored["version"] != version


#: A drawing someone is about to look at runs before the sweeps' (report builds run first).
SAVED_PRIORITY = 60
SWEEP_PRIORITY = 0


def ask_for_drawing(citizen_id: int, lang: str, *, priority: int = SAVED_PRIORITY) -> None:
    """Queue a drawing of a citizen's charts unless one is queued."""
    marker = f"queued:charts:{citizen_id}:{lang}"
    if get_store().add_json(marker, {"at": datetime.now(UTC).isoformat()}, LEASE_SECONDS):
        get_jobs().enqueue(
            "draw_citizen_charts", priority=priority, citizen_id=citizen_id, lang=lang
        )


def citizen_changed(citizen_id: int) -> None:
    """After a save: redraw the citizen's charts in every language (by the worker)."""
    if get_jobs().immediate:
        return  # drawn when next viewed, in the viewer's request
    for lang in LANGUAGES:
        ask_for_drawing(citizen_id, lang)


def draw(session: Session, citizen_id: int, lang: str) -> list[Chart]:
    """Draw a citizen's profile charts in `lang` (matplotlib; a job's work)."""
    from del_tool.citizens.charts import FUNCTIONING_ID, functioning_chart, questionnaire_charts
    from del_tool.citizens.profile import chart_data
    from del_tool.goals.charts import goal_chart
    from del_tool.questionnaires import current_registry

    series, goals = chart_data(session=session, citizen_id=citizen_id)
    registry = current_registry()
    charts: list[Chart | None] = []
    if FUNCTIONING_ID in registry:
        charts.append(functioning_chart(series, registry.get(FUNCTIONING_ID), lang))
    charts.extend(questionnaire_charts(series, registry, lang))
    charts.append(goal_chart(goals, lang))
    return [c for c in charts if c is not None]


@job(retries=2, retry_delay=5)
def draw_citizen_charts(*, citizen_id: int, lang: str, final_attempt: bool) -> None:
    """Draw and store one citizen's charts in one language, unless they are current."""
    from flask_babel import force_locale

    store = get_store()
    key = f"charts:{citizen_id}:{lang}"
    try:
        with get_db().session(write=False) as session:
            version = chart_version(session, citizen_id)
            stored = store.get_json(key)
            if stored is not None and stored["version"] == version:
                return
            with _request_context(), force_locale(lang):
                charts = draw(session, citizen_id, lang)
        store.put_json(key, {"version": version, "charts": [chart_to_json(c) for c in charts]})
    finally:
        store.delete(f"queued:{key}")


@job(periodic=crontab(minute="*"))
def redraw_changed_citizens(*, final_attempt: bool = True) -> int:
    """Ask for drawings of citizens changed since the last sweep (all, once per generation)."""
    store = get_store()
    cursor = store.get_json("charts-cursor:sweep") or {"generation": 0, "event": 0}
    with get_db().session(write=False) as session:
        newest = session.execute(select(func.max(col(AuditEvent.id)))).scalar() or 0
        if cursor["generation"] != GENERATION:
            ids = _every_citizen(session)
        else:
            ids = _changed_since(session, int(cursor["event"]))
    for citizen_id in ids:
        ask_for_drawing(citizen_id, "da", priority=SWEEP_PRIORITY)
    store.put_json("charts-cursor:sweep", {"generation": GENERATION, "event": int(newest)})
    return len(ids)


def _every_citizen(session: Session) -> list[int]:
    rows = session.execute(select(col(Citizen.id)).where(col(Citizen.anonymised_at).is_(None)))
    return [int(row[0]) for row in rows]


def _changed_since(session: Session, event_id: int) -> list[int]:
    statement = (
        select(col(AuditEvent.citizen_id))
        .where(col(AuditEvent.id) > event_id, col(AuditEvent.citizen_id).is_not(None))
        .distinct()
    )
    return [int(row[0]) for row in session.execute(statement)]


def _request_context() -> Any:
    """A request context for gettext in a job (charts' texts are translated while drawing)."""
    from contextlib import nullcontext

    from flask import current_app, has_request_context

    if has_request_context():
        return nullcontext()
    return current_app.test_request_context()
