"""The caseload: who is in a stay today, when the next follow-up is due, overdue first; search."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from del_tool.audit.models import AccessEvent
from del_tool.auth.models import User
from del_tool.citizens.access import Actor
from del_tool.citizens.caseload import REVIEW_WINDOW, caseload, search_citizens
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp, FollowUpKind, GoalReview
from del_tool.goals.models import Goal, GoalDirection, GoalStatus, Theme
from del_tool.organisation.models import LegalSection, TargetGroup, Unit
from tests.support.staff import PAYER, TODAY, access_events, add, text


def _citizen_with_stay(db, name, unit_id, start, end=None):
    citizen = add(
        db, Citizen(name=name, birth_year=1990, sex=Sex.MALE, target_group=TargetGroup.AUTISM)
    )
    stay = add(
        db,
        Stay(
            citizen_id=citizen.id,
            unit_id=unit_id,
            municipality_code=PAYER,
            legal_section=LegalSection.S85,
            start_date=start,
            end_date=end,
        ),
    )
    return citizen, stay


def _actor(db, user) -> Actor:
    return Actor.of(db.exec(select(User).where(User.id == user.id)).one(), session=db)


def test_due_dates_overdue_first_and_only_current_stays(app, world, user_as):
    with app.app_context(), get_db(app).session(write=True) as db:
        recent, recent_stay = _citizen_with_stay(
            db, "Rasmus Rettidig", world.unit_a1, TODAY - timedelta(days=400)
        )
        add(
            db,
            FollowUp(
                citizen_id=recent.id,
                stay_id=recent_stay.id,
                followup_date=TODAY - timedelta(days=20),
                kind=FollowUpKind.FOLLOW_UP,
            ),
        )
        _citizen_with_stay(db, "Nina Ny", world.unit_a1, TODAY - timedelta(days=3))
        _citizen_with_stay(db, "Fremtidig Frede", world.unit_a1, TODAY + timedelta(days=5))
        _citizen_with_stay(
            db,
            "Udskrevet Ulla",
            world.unit_a1,
            TODAY - timedelta(days=90),
            TODAY - timedelta(days=1),
        )
        db.commit()
        units = caseload(session=db, actor=_actor(db, user_as("staff")), today=TODAY)
        interval = db.get(Unit, world.unit_a1).followup_interval_days
    assert [u.unit_id for u in units] == [world.unit_a1]
    rows = units[0].rows
    by_name = {r.name: r for r in rows}
    assert set(by_name) == {"Åse Ørnsholt", "Rasmus Rettidig", "Nina Ny"}
    ase = by_name["Åse Ørnsholt"]  # baseline 355 days ago, interval 182: overdue
    assert ase.due == ase.last_followup + timedelta(days=interval)
    assert ase.overdue and ase.days_overdue == (TODAY - ase.due).days
    nina = by_name["Nina Ny"]  # no follow-up yet: a baseline is due from the stay's start
    assert nina.due_kind is FollowUpKind.BASELINE and nina.due == TODAY - timedelta(days=3)
    assert nina.overdue and nina.days_overdue == 3
    rasmus = by_name["Rasmus Rettidig"]
    assert not rasmus.overdue and rasmus.due == TODAY - timedelta(days=20) + timedelta(
        days=interval
    )
    assert [r.name for r in rows] == [
        "Åse Ørnsholt",
        "Nina Ny",
        "Rasmus Rettidig",
    ]  # most overdue first
    assert units[0].overdue_count == 2


def test_goals_due_for_review(app, world, user_as):
    with app.app_context(), get_db(app).session(write=True) as db:
        goal = db.get(Goal, world.goal_develop)
        goal.review_date = TODAY + timedelta(days=10)  # window open, never reviewed in it
        other = db.get(Goal, world.goal_gas)
        other.review_date = TODAY + REVIEW_WINDOW + timedelta(days=1)  # window not open yet
        db.commit()
        actor = _actor(db, user_as("staff"))
        row = caseload(session=db, actor=actor, today=TODAY)[0].rows[0]
        assert row.goals_due == 1
        # A follow-up inside the window reviews the goal: no longer due.
        fu = add(
            db,
            FollowUp(
                citizen_id=world.citizen_a,
                stay_id=world.stay_a,
                followup_date=TODAY - timedelta(days=5),
                kind=FollowUpKind.FOLLOW_UP,
            ),
        )
        add(db, GoalReview(follow_up_id=fu.id, goal_id=world.goal_develop, level=2))
        db.commit()
        assert caseload(session=db, actor=actor, today=TODAY)[0].rows[0].goals_due == 0
        # Closed goals are never due.
        goal.review_date, goal.status, goal.closed_on = TODAY, GoalStatus.ACHIEVED, TODAY
        add(
            db,
            Goal(
                citizen_id=world.citizen_a,
                stay_id=world.stay_a,
                theme=Theme.MOBILITY,
                title="Gå en tur",
                direction=GoalDirection.MAINTAIN,
                baseline_level=1,
                target_level=1,
                start_date=TODAY - timedelta(days=300),
                review_date=TODAY - timedelta(days=100),
                status=GoalStatus.ENDED,
                closed_on=TODAY - timedelta(days=50),
            ),
        )
        db.commit()
        assert caseload(session=db, actor=actor, today=TODAY)[0].rows[0].goals_due == 0


def test_leader_sees_every_unit_of_the_centre_grouped(app, world, user_as):
    with app.app_context(), get_db(app).session(write=True) as db:
        _citizen_with_stay(db, "Anden Afdeling", world.unit_a2, TODAY - timedelta(days=30))
        db.commit()
        units = caseload(session=db, actor=_actor(db, user_as("leader")), today=TODAY)
    assert {u.unit_id for u in units} == {world.unit_a1, world.unit_a2}
    assert [u.unit_name for u in units] == sorted(u.unit_name for u in units)
    assert all(r.name != "Bent Bertelsen" for u in units for r in u.rows)


def test_caseload_page_marks_overdue_in_text_and_logs_the_read(app, db, world, staff):
    page = text(staff.get("/citizens/"))
    assert "Forfalden" in page and "Åse Ørnsholt" in page
    assert "Bent Bertelsen" not in page and "Mona Flytter" not in page
    assert re.search(r"Forfaldne opfølgninger: 1\.", page)
    assert f'href="/followups/new/{world.citizen_a}"' in page
    event = access_events(db)[-1]
    assert (
        event.action == "list"
        and event.citizen_id is None
        and event.endpoint == "citizens.caseload"
    )


def test_staff_land_on_the_caseload(app, world, client_as):
    client = client_as("staff")
    assert client.get("/").headers["Location"].endswith("/citizens/")


def test_search_finds_names_in_scope_case_insensitively_and_logs_without_the_query(
    app, db, world, staff
):
    app.config["FORMER_STAY_ACCESS_DAYS"] = 400  # Mona's a1 stay ended 265 days ago
    page = text(staff.get("/citizens/?q=ørns"))
    assert "Fundne borgere: 1" in page and f'/citizens/{world.citizen_a}"' in page
    assert "Fundne borgere: 1" in text(staff.get("/citizens/?q=ÅSE"))
    assert "Fundne borgere: 1" in text(staff.get("/citizens/?q=mona"))  # past stay in scope
    assert "Fundne borgere: 0" in text(staff.get("/citizens/?q=bent"))  # other centre
    searches = [e for e in access_events(db) if e.action == "search"]
    assert len(searches) == 4
    assert all("ørns" not in e.detail and "bent" not in e.detail for e in searches)
    assert searches[0].detail == "hits=1"


def test_search_handles_hostile_queries(world, staff):
    short = staff.get("/citizens/?q=a")
    assert short.status_code == 200 and "Skriv 2 til 100 tegn." in text(short)
    for query in ["%%", "__", "\\\\", "' OR 1=1 --", "<script>x</script>"]:
        response = staff.get("/citizens/", query_string={"q": query})
        assert response.status_code == 200 and "Fundne borgere: 0" in text(response), query
    too_long = staff.get("/citizens/", query_string={"q": "x" * 101})
    assert too_long.status_code == 200 and "Skriv 2 til 100 tegn." in text(too_long)


def test_search_service_escapes_nothing_it_does_not_need(app, world, user_as):
    app.config["FORMER_STAY_ACCESS_DAYS"] = 400  # Mona's a1 stay ended 265 days ago
    with app.app_context(), get_db(app).session(write=False) as db:
        actor = _actor(db, user_as("leader"))
        assert [h.name for h in search_citizens(session=db, actor=actor, query="se ør")] == [
            "Åse Ørnsholt"
        ]
        assert search_citizens(session=db, actor=actor, query="%") == []
        hit = search_citizens(session=db, actor=actor, query="flytter")[0]
        assert hit.end_date is not None  # the latest stay in scope (a1), not the one in b


def test_no_access_event_for_refused_requests(app, db, world, client_as):
    client_as("analyst").get("/citizens/")
    client_as("staff").get(f"/citizens/{world.citizen_b}")
    assert all(e.citizen_id != world.citizen_b for e in access_events(db))
    with app.app_context(), get_db(app).session(write=False) as session:
        assert session.exec(select(AccessEvent).where(AccessEvent.action == "list")).all() == []
