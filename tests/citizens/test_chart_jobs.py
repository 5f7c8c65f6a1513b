"""The profile's charts are drawn by jobs and read from the store, never drawn on a page view."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from del_tool import create_app
from del_tool.audit.services import record_change
from del_tool.auth.models import User, UserUnit
from del_tool.citizens import chart_jobs
from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp
from tests.conftest import DEMO_PASSWORD, login, make_config

SVG = 'src="data:image/svg+xml;base64,'


def _staff_citizen(app) -> int:
    with get_db(app).session(write=False) as db:
        staff = db.exec(select(User).where(User.username == "staff")).one()
        units = db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == staff.id)).all()
        return db.exec(
            select(FollowUp.citizen_id)
            .join(Stay, col(Stay.id) == FollowUp.stay_id)
            .where(col(Stay.unit_id).in_(units))
            .group_by(col(FollowUp.citizen_id))
            .order_by(func.count().desc(), col(FollowUp.citizen_id))
        ).first()


@pytest.fixture
def drawings(monkeypatch):
    """Counts the drawings made."""
    calls: list[int] = []
    original = chart_jobs.draw
    monkeypatch.setattr(
        chart_jobs, "draw", lambda s, c, lang: calls.append(c) or original(s, c, lang)
    )
    return calls


def test_views_read_stored_charts_and_a_change_asks_for_a_new_drawing(
    demo_app, demo_client, drawings
):
    citizen_id = _staff_citizen(demo_app)
    login(demo_client, "staff", DEMO_PASSWORD)
    assert demo_client.get(f"/citizens/{citizen_id}").text.count(SVG) >= 3
    assert demo_client.get(f"/citizens/{citizen_id}").text.count(SVG) >= 3
    assert drawings == [citizen_id]  # drawn once (jobs run at once in tests), then read
    with demo_app.app_context(), get_db(demo_app).session(write=True) as db:
        before = chart_jobs.chart_version(db, citizen_id)
        follow_up = db.exec(select(FollowUp).where(FollowUp.citizen_id == citizen_id)).first()
        db.add(
            FollowUp(
                citizen_id=citizen_id,
                stay_id=follow_up.stay_id,
                followup_date=date(2026, 9, 30),
                kind=follow_up.kind,
            )
        )
        db.commit()
        assert chart_jobs.chart_version(db, citizen_id) != before
    demo_client.get(f"/citizens/{citizen_id}")
    assert drawings == [citizen_id, citizen_id]


def test_a_page_view_never_draws_while_the_worker_has_not(databases, tmp_path, drawings):
    url = databases.fresh("demo")
    app = create_app(make_config(url, JOBS_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}"))
    try:
        citizen_id = _staff_citizen(app)
        client = app.test_client()
        login(client, "staff", DEMO_PASSWORD)
        page = client.get(f"/citizens/{citizen_id}")
        assert page.status_code == 200 and SVG not in page.text
        assert "Graferne bliver tegnet" in page.text and drawings == []
        with app.app_context():  # what the worker does with the queued job
            chart_jobs.draw_citizen_charts(citizen_id=citizen_id, lang="da", final_attempt=True)
        assert client.get(f"/citizens/{citizen_id}").text.count(SVG) >= 3
    finally:
        get_db(app).dispose()
        databases.drop(url)


def test_the_sweep_asks_for_everyone_once_then_only_the_changed(demo_app, monkeypatch):
    asked: list[int] = []
    monkeypatch.setattr(chart_jobs, "ask_for_drawing", lambda c, lang, **_: asked.append(c))
    with demo_app.app_context():
        everyone = chart_jobs.redraw_changed_citizens()
        assert everyone >= 100 and len(set(asked)) == everyone
        assert chart_jobs.redraw_changed_citizens() == 0  # nothing changed since
        citizen_id = asked[0]
        with get_db(demo_app).session(write=True) as db:
            record_change(
                session=db,
                user_id=None,
                action="update",
                entity="citizens",
                entity_id=citizen_id,
                citizen_id=citizen_id,
                changes={"name": ["A", "B"]},
            )
            db.commit()
        asked.clear()
        assert chart_jobs.redraw_changed_citizens() == 1 and asked == [citizen_id]
