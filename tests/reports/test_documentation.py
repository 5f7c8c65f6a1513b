"""The documentation report: coverage figures, the overdue list and who may see it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from del_tool.audit.models import AccessEvent
from del_tool.auth.scope import Scope
from del_tool.citizens.access import Actor
from del_tool.citizens.caseload import caseload
from del_tool.db import close_session, get_db
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.documentation.report import build_documentation_report
from tests.conftest import login
from tests.reports import expect
from tests.reports.world import INTERVAL, TODAY

PERIOD = parse_period("2026Q2")
#: "Overdue now" is judged today, for the stays in progress today, whatever the period (#16).
REFERENCE = TODAY


def _expected(stays, all_stays):
    """On-time share of follow-ups in the period and the stays overdue now, by the report's
    rule."""
    on_time, overdue = [], []
    for stay in stays:
        days = [m.day for m in stay.measurements]
        for i, day in enumerate(days):
            due = days[i - 1] + timedelta(days=INTERVAL) if i else stay.start + timedelta(days=30)
            if PERIOD.start <= day <= PERIOD.end:
                on_time.append(day <= due + timedelta(days=14))
    for stay in all_stays:
        days = [m.day for m in stay.measurements]
        if stay.start <= REFERENCE and (stay.end is None or stay.end >= REFERENCE):
            done = [d for d in days if d <= REFERENCE]
            due = done[-1] + timedelta(days=INTERVAL) if done else stay.start
            if due < REFERENCE:
                overdue.append(stay)
    return on_time, overdue


def test_coverage_figures_follow_the_rules(session, world):
    scope = resolve_scope(f"centre:{world.centres['X']}", session=session)
    report = build_documentation_report(session=session, scope=scope, period=PERIOD, today=TODAY)
    stays = expect.overlapping(world.stays_in({"A", "B"}), PERIOD.start, PERIOD.end)
    on_time, overdue = _expected(stays, world.stays_in({"A", "B"}))
    assert report.figure("citizens").value == len({s.citizen_id for s in stays})
    assert report.figure("with_baseline").value == 1.0
    assert report.figure("on_time").value == sum(on_time) / len(on_time)
    assert report.figure("overdue").value == len(overdue)
    goals = report.table("documentation_goals")
    assert goals.rows[-1][-1] == sum(len(s.goals) for s in stays)


def test_the_overdue_list_names_citizens_only_for_staff_and_leaders(session, world):
    scope = resolve_scope(f"centre:{world.centres['X']}", session=session)
    leader = Scope(unit_ids=scope.unit_ids)
    period = parse_period("2026Q3")
    report = build_documentation_report(
        session=session, scope=scope, period=period, viewer=leader, today=date(2026, 12, 1)
    )
    table = report.table("documentation_overdue")
    assert table.personal and {r[0] for r in table.rows} <= {s.name for s in world.stays}
    assert report.listed_citizens and "documentation_overdue" not in {
        t.key for t in report.tables()
    }
    analyst = Scope(unit_ids=None, sees_names=False)
    report = build_documentation_report(
        session=session, scope=scope, period=period, viewer=analyst, today=date(2026, 12, 1)
    )
    assert not report.listed_citizens
    assert "overdue" not in {s.key for s in report.sections}


def test_viewing_the_list_writes_one_access_event_per_citizen(app, client, world, make_user):
    user = make_user("leader", centre_id=world.centres["X"])
    login(client, user.username)
    url = f"/reports/report?kind=documentation&scope=centre:{world.centres['X']}&period=2026Q3"
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    # A read session of its own: the request's write session lives on in the shared app context.
    with get_db(app).session(write=False) as reader:
        events = reader.exec(select(AccessEvent).where(AccessEvent.user_id == user.id)).all()
    html = page.get_data(as_text=True)
    named = {s.citizen_id for s in world.stays if s.name in html}
    assert named and {e.citizen_id for e in events} == named
    assert {e.action for e in events} == {"view"} and len(events) == len(named)
    assert client.get(url + "&format=pdf").status_code == 200
    close_session()  # as the request's teardown would, in the test's shared app context
    with get_db(app).session(write=False) as reader:
        exported = reader.exec(
            select(AccessEvent).where(
                AccessEvent.user_id == user.id, AccessEvent.action == "export"
            )
        ).all()
    assert {e.citizen_id for e in exported} == named


def test_overdue_counts_agree_with_the_caseload(session, world):
    scope = resolve_scope(f"centre:{world.centres['X']}", session=session)
    today = date(2026, 12, 1)
    report = build_documentation_report(
        session=session, scope=scope, period=parse_period("2026Q4"), today=today
    )
    actor = Actor(user_id=0, scope=Scope(unit_ids=scope.unit_ids))
    units = caseload(session=session, actor=actor, today=today)
    assert report.figure("overdue").value == sum(u.overdue_count for u in units) > 0


def test_the_shared_store_never_serves_one_viewers_build_to_another(client, world, make_user):
    """The leader's build names citizens; an analyst asking for the very same report, right
    after, from the same store, gets a build of their own without names."""
    url = f"/reports/report?kind=documentation&scope=centre:{world.centres['X']}&period=2026Q3"
    analyst = make_user("analyst")
    login(client, make_user("leader", centre_id=world.centres["X"]).username)
    named = [s.name for s in world.stays if s.name in client.get(url).get_data(as_text=True)]
    assert named
    client.post("/auth/logout")
    login(client, analyst.username)
    answer = client.get(url)
    assert answer.status_code == 200
    assert not any(name in answer.get_data(as_text=True) for name in named)
