"""Stays: add, correct, end and move; overlaps, dates, scope and history."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.goals.models import Goal, GoalStatus
from tests.support.staff import PAYER, TODAY, audit_events, counts, get_row, text


def _stay(world, **overrides):
    data = {
        "unit_id": str(world.unit_a1),
        "municipality_code": PAYER,
        "legal_section": "85",
        "start_date": (TODAY - timedelta(days=30)).isoformat(),
        "end_date": "",
    }
    return {**data, **overrides}


def _stays_of(app, citizen_id):
    with app.app_context(), get_db(app).session(write=False) as db:
        rows = db.exec(
            select(Stay).where(Stay.citizen_id == citizen_id).order_by(col(Stay.start_date))
        ).all()
        db.expunge_all()
        return rows


def test_overlapping_stays_are_refused_beside_the_start_date(db, world, staff):
    before = counts(db)
    url = f"/citizens/{world.citizen_a}/stays/new"
    response = staff.post(url, data=_stay(world))
    assert response.status_code == 200
    assert "Opholdet overlapper et andet ophold" in text(response)
    assert 'id="start_date-error"' in text(response)
    assert counts(db) == before


def test_a_stay_after_the_last_one_ended_is_added_with_history(app, db, world, staff):
    # Mona's a1 stay ended 100 days after start; the b stay began the day after. A new a1 stay
    # overlapping the ongoing b stay is refused; ending dates before start are refused.
    app.config["FORMER_STAY_ACCESS_DAYS"] = 400  # a1 staff reach Mona through her a1 stay
    url = f"/citizens/{world.citizen_moved}/stays/new"
    new_start = TODAY - timedelta(days=10)
    response = staff.post(url, data=_stay(world, start_date=new_start.isoformat()))
    assert "Opholdet overlapper" in text(response)
    bad = staff.post(
        url,
        data=_stay(
            world,
            start_date=new_start.isoformat(),
            end_date=(new_start - timedelta(days=1)).isoformat(),
        ),
    )
    assert "Slutdatoen må ikke være før startdatoen." in text(bad)
    # Between the two existing stays there is no room either (they touch); before them there is.
    early = staff.post(
        url,
        data=_stay(
            world,
            start_date=(TODAY - timedelta(days=500)).isoformat(),
            end_date=(TODAY - timedelta(days=400)).isoformat(),
        ),
    )
    assert early.status_code == 302
    assert len(_stays_of(app, world.citizen_moved)) == 3
    assert audit_events(db, entity="stays", action="create")[-1].citizen_id == world.citizen_moved


def test_end_stay_ends_active_goals_with_history(app, db, world, staff):
    url = f"/citizens/stays/{world.stay_a}/end"
    assert 'type="date"' in text(staff.get(url))
    end = TODAY - timedelta(days=1)
    response = staff.post(url, data={"end_date": end.isoformat(), "version": "1"})
    assert response.status_code == 302
    assert get_row(db, Stay, world.stay_a).end_date == end
    goal = get_row(db, Goal, world.goal_develop)
    assert (goal.status, goal.closed_on) == (GoalStatus.ENDED, end)
    updates = audit_events(db, action="update")
    assert {e.entity for e in updates} == {"stays", "goals"}
    assert all(e.citizen_id == world.citizen_a for e in updates)


def test_end_stay_rules(db, world, staff):
    url = f"/citizens/stays/{world.stay_a}/end"
    stay = get_row(db, Stay, world.stay_a)
    cases = {
        (stay.start_date - timedelta(days=1)).isoformat(): "Slutdatoen må ikke være før opholdets",
        (stay.start_date + timedelta(days=5)).isoformat(): "det kan ikke slutte før",
        (TODAY + timedelta(days=400)).isoformat(): "Datoen må ikke være efter",
        "": "Skriv slutdatoen.",
        "not-a-date": "Skriv en gyldig dato",
    }
    before = counts(db)
    for end, message in cases.items():
        response = staff.post(url, data={"end_date": end, "version": "1"})
        assert response.status_code == 200 and message in text(response), end
    assert counts(db) == before
    assert get_row(db, Stay, world.stay_a).end_date is None


def test_a_planned_end_leaves_the_goals_active(db, world, staff):
    end = TODAY + timedelta(days=60)
    url = f"/citizens/stays/{world.stay_a}/end"
    assert staff.post(url, data={"end_date": end.isoformat(), "version": "1"}).status_code == 302
    assert get_row(db, Goal, world.goal_develop).status is GoalStatus.ACTIVE


def test_move_ends_the_stay_the_day_before_and_starts_the_next(app, db, world, client_as):
    leader = client_as("leader")
    url = f"/citizens/stays/{world.stay_a}/move"
    move = TODAY - timedelta(days=7)
    data = _stay(world, unit_id=str(world.unit_a2), start_date=move.isoformat(), version="1")
    assert leader.post(url, data=data).status_code == 302
    old, new = _stays_of(app, world.citizen_a)
    assert old.end_date == move - timedelta(days=1) and old.version == 2
    assert (new.unit_id, new.start_date, new.end_date) == (world.unit_a2, move, None)
    assert get_row(db, Goal, world.goal_gas).status is GoalStatus.ENDED
    # The caseload shows the citizen in the new unit, due for a baseline there.
    page = text(leader.get("/citizens/"))
    assert "Åse Ørnsholt" in page


def test_move_to_a_unit_outside_scope_is_refused_and_changes_nothing(db, world, staff):
    before = counts(db)
    url = f"/citizens/stays/{world.stay_a}/move"
    data = _stay(world, unit_id=str(world.unit_b), start_date=TODAY.isoformat(), version="1")
    assert staff.post(url, data=data).status_code == 403
    assert counts(db) == before
    assert get_row(db, Stay, world.stay_a).end_date is None


def test_move_rules(db, world, staff):
    url = f"/citizens/stays/{world.stay_a}/move"
    stay = get_row(db, Stay, world.stay_a)
    before = counts(db)
    early = _stay(world, start_date=stay.start_date.isoformat(), version="1")
    assert "Flyttedatoen skal ligge efter opholdets start." in text(staff.post(url, data=early))
    # The baseline follow-up lies 10 days after the start: the old stay cannot end before it.
    inside = _stay(world, start_date=(stay.start_date + timedelta(days=5)).isoformat(), version="1")
    assert "det kan ikke slutte før" in text(staff.post(url, data=inside))
    stale = _stay(world, start_date=TODAY.isoformat(), version="7")
    response = staff.post(url, data=stale, follow_redirects=True)
    assert "Posten er ændret af en anden" in text(response)
    assert counts(db) == before


def test_edit_stay_with_locking_and_unit_scope(db, world, client_as):
    url = f"/citizens/stays/{world.stay_a}/edit"
    stay = get_row(db, Stay, world.stay_a)
    data = _stay(world, start_date=stay.start_date.isoformat(), legal_section="108", version="1")
    staff, leader = client_as("staff"), client_as("leader")
    assert staff.post(url, data=data).status_code == 302
    refused = leader.post(url, data={**data, "legal_section": "85"}, follow_redirects=True)
    assert "Posten er ændret af en anden" in text(refused)
    assert get_row(db, Stay, world.stay_a).legal_section.value == "108"
    assert audit_events(db, entity="stays")[-1].changes == {"legal_section": ["107", "108"]}
    # A start after the first follow-up would leave it outside the stay.
    later = {
        **data,
        "start_date": (stay.start_date + timedelta(days=20)).isoformat(),
        "version": "2",
    }
    assert "startdatoen må ikke være senere" in text(staff.post(url, data=later))
    # Moving the stay to a unit outside scope by editing: 403.
    foreign = {**data, "unit_id": str(world.unit_b), "version": "2"}
    assert staff.post(url, data=foreign).status_code == 403
    assert get_row(db, Stay, world.stay_a).unit_id == world.unit_a1
