"""The demo region gives the demo staff user a realistic caseload and profiles with charts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from del_tool.auth.models import User, UserUnit
from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp
from tests.conftest import DEMO_OPTIONS, DEMO_PASSWORD, login
from tests.support.staff import text

DEMO_TODAY = DEMO_OPTIONS["today"]


@pytest.fixture
def demo_staff(demo_app, monkeypatch):
    """The demo staff user's client, on the demo's own 'today' (so the test does not age)."""
    import del_tool.citizens.views as views

    monkeypatch.setattr(views, "local_today", lambda: DEMO_TODAY)
    client = demo_app.test_client()
    assert login(client, "staff", DEMO_PASSWORD).status_code == 302
    return client


def test_demo_caseload_has_overdue_and_on_time_citizens_overdue_first(demo_staff):
    page = text(demo_staff.get("/citizens/"))
    tables = re.findall(
        r'<table class="table table--compact del-caseload del-reflow">(.*?)</table>', page, re.S
    )
    assert len(tables) == 2  # the demo staff user works in two units
    statuses = [
        re.findall(
            r"<td[^>]*>\s*(?:<strong[^>]*>)?(Forfalden|I dag|Denne uge|Snart|Til tiden)", table
        )
        for table in tables
    ]
    flat = [s for unit in statuses for s in unit]
    assert len(flat) >= 8
    assert 1 <= flat.count("Forfalden") < len(flat) / 2
    for unit in statuses:  # overdue first within each unit
        overdue = [s == "Forfalden" for s in unit]
        assert overdue == sorted(overdue, reverse=True)


def test_demo_profiles_tell_a_story(demo_app, demo_staff):
    with get_db(demo_app).session(write=False) as db:
        staff = db.exec(select(User).where(User.username == "staff")).one()
        units = db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == staff.id)).all()
        citizen_id, follow_ups = db.exec(
            select(FollowUp.citizen_id, func.count())
            .join(Stay, col(Stay.id) == FollowUp.stay_id)
            .where(col(Stay.unit_id).in_(units))
            .group_by(col(FollowUp.citizen_id))
            .order_by(func.count().desc(), col(FollowUp.citizen_id))
        ).first()
    assert follow_ups >= 4
    page = text(demo_staff.get(f"/citizens/{citizen_id}"))
    assert "Funktionsevne pr. tema over tid" in page
    assert "Målenes niveau i forhold til målniveauet" in page
    assert page.count('src="data:image/svg+xml;base64,') >= 3
    assert page.count('class="del-timeline') == 1 and page.count('<h3 class="h5">') >= 4
