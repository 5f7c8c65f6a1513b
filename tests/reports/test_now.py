"""Issue #16, items 6 and 7: "now" in a report is today, and a period not yet over says so.

Reported: "Forsinkede opfølgninger nu" was counted at the period's end, so a citizen showed as
184 days overdue whom today's caseload showed on time.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from del_tool.auth.models import User
from del_tool.auth.scope import scope_for
from del_tool.citizens.access import Actor
from del_tool.citizens.caseload import caseload
from del_tool.organisation.models import Unit
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.services import build_report
from tests.conftest import DEMO_PASSWORD, login

TODAY = date(2026, 12, 3)
UNIT = "Rehabiliteringsbostedet Åløkken"


@pytest.mark.parametrize("period", ["2025", "2026Q1"])
def test_overdue_now_is_todays_caseload_whatever_the_period(demo_session, period):
    leader = demo_session.exec(select(User).where(User.username == "leader")).one()
    viewer = scope_for(leader, session=demo_session)
    unit = demo_session.exec(select(Unit).where(Unit.name == UNIT)).one()
    report = build_report(
        "documentation",
        session=demo_session,
        scope=resolve_scope(f"unit:{unit.id}", session=demo_session),
        period=parse_period(period),  # long over
        viewer=viewer,
        today=TODAY,
    )
    actor = Actor.of(leader, session=demo_session)
    rows = next(
        u for u in caseload(session=demo_session, actor=actor, today=TODAY) if u.unit_id == unit.id
    ).rows
    expected = {(r.name, r.days_overdue) for r in rows if r.overdue}
    listed = next(t for s in report.sections for t in s.tables if t.key == "documentation_overdue")
    assert {(row[0], row[4]) for row in listed.rows} == expected
    figure = next(f for s in report.sections for f in s.figures if f.key == "overdue")
    assert figure.value == len(expected) > 0


def test_a_period_not_yet_over_says_what_now_means(demo_session):
    report = build_report(
        "effect",
        session=demo_session,
        scope=resolve_scope("region", session=demo_session),
        period=parse_period("2026"),
        today=TODAY,
    )
    first = [str(m) for m in report.sections[0].messages]
    assert "Perioden slutter 31.12.2026 og er ikke slut endnu" in first[0]
    assert "status pr. i dag, 03.12.2026" in first[0]


def test_a_period_wholly_in_the_future_is_refused_beside_the_field(demo_client):
    login(demo_client, "analyst", DEMO_PASSWORD)
    page = demo_client.get("/reports/report?kind=effect&scope=region&period=2099")
    assert page.status_code == 400 and 'id="period-error"' in page.text
    assert "Perioden er ikke begyndt endnu: den starter 01.01.2099." in page.text


def test_the_report_form_proposes_the_twelve_months_up_to_today(demo_client, monkeypatch):
    import del_tool.reports.views as views

    monkeypatch.setattr(views, "local_today", lambda: TODAY)
    login(demo_client, "leader", DEMO_PASSWORD)
    assert 'value="2025-12-04..2026-12-03"' in demo_client.get("/reports/").text
