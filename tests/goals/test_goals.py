"""Goals: create with the direction rule, edit with optimistic locking, end or mark achieved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col

from del_tool.audit.models import AuditEvent
from del_tool.goals.models import Goal, GoalDirection, GoalStatus
from del_tool.goals.rules import direction_problem
from tests.support.staff import (
    TODAY,
    assert_summary_links_resolve,
    audit_events,
    count,
    counts,
    get_row,
    text,
)


def _goal(**overrides):
    data = {
        "theme": "mobility",
        "title": "Tage bussen alene til byen",
        "description": "Med støtte første gang.",
        "direction": "develop",
        "baseline_level": "3",
        "target_level": "1",
        "weight": "1",
        "start_date": TODAY.isoformat(),
        "review_date": (TODAY + timedelta(days=120)).isoformat(),
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "fits"),
    [
        (GoalDirection.DEVELOP, 3, 2, True),
        (GoalDirection.DEVELOP, 3, 3, False),
        (GoalDirection.DEVELOP, 0, 0, False),
        (GoalDirection.DEVELOP, 2, 3, False),
        (GoalDirection.MAINTAIN, 2, 2, True),
        (GoalDirection.MAINTAIN, 2, 1, False),
        (GoalDirection.LIMIT_LOSS, 2, 2, True),
        (GoalDirection.LIMIT_LOSS, 2, 3, True),
        (GoalDirection.LIMIT_LOSS, 2, 1, False),
    ],
)
def test_direction_rule_matches_the_database_check(direction, baseline, target, fits):
    assert (direction_problem(direction, baseline, target) is None) is fits


def test_create_goal_in_the_current_stay_with_history(db, world, staff):
    response = staff.post(f"/goals/new/{world.citizen_a}", data=_goal())
    assert response.status_code == 302
    goal = get_row(db, Goal, count(db, Goal))
    assert (goal.title, goal.stay_id, goal.baseline_level, goal.target_level) == (
        "Tage bussen alene til byen",
        world.stay_a,
        3,
        1,
    )
    event = audit_events(db, entity="goals", action="create")[-1]
    assert event.citizen_id == world.citizen_a and event.changes["title"][1] == goal.title


def test_goal_form_puts_the_direction_error_beside_the_target_level(db, world, staff):
    before = counts(db)
    cases = [
        (
            {"direction": "develop", "baseline_level": "2", "target_level": "2"},
            "skal have et målniveau, der er bedre",
        ),
        ({"direction": "maintain", "baseline_level": "2", "target_level": "1"}, "samme målniveau"),
        (
            {"direction": "limit_loss", "baseline_level": "2", "target_level": "1"},
            "begrænse tab må ikke",
        ),
    ]
    for values, message in cases:
        page = text(staff.post(f"/goals/new/{world.citizen_a}", data=_goal(**values)))
        assert message in page and 'id="target_level-error"' in page, values
        assert 'href="#target_level"' in page and 'id="target_level"' in page
    assert counts(db) == before


def test_hostile_goal_input_is_refused_beside_each_field(db, world, staff):
    before = counts(db)
    cases = [
        ({"baseline_level": "7"}, "baseline_level", "Vælg en af mulighederne."),
        ({"baseline_level": "-1"}, "baseline_level", "Vælg en af mulighederne."),
        ({"target_level": "x"}, "target_level", "Vælg en af mulighederne."),
        ({"theme": "cooking"}, "theme", "Vælg en af mulighederne."),
        ({"direction": "sideways"}, "direction", "Vælg en af mulighederne."),
        ({"title": ""}, "title", "Skriv målet."),
        ({"title": "   "}, "title", "Skriv målet."),
        ({"title": "t" * 201}, "title", "Højst 200 tegn."),
        ({"description": "d" * 4001}, "description", "Højst 4000 tegn."),
        ({"weight": "nan"}, "weight", "Skriv en vægt mellem 0,1 og 10."),
        ({"weight": "inf"}, "weight", "Skriv en vægt mellem 0,1 og 10."),
        ({"weight": "0"}, "weight", "Skriv en vægt mellem 0,1 og 10."),
        ({"weight": "11"}, "weight", "Skriv en vægt mellem 0,1 og 10."),
        ({"weight": "tung"}, "weight", "Skriv et tal."),
        ({"start_date": "1900-01-01"}, "start_date", "Datoen må ikke være før"),
        ({"start_date": (TODAY + timedelta(days=1)).isoformat()}, "start_date", "fremtiden"),
        (
            {"review_date": (TODAY - timedelta(days=1)).isoformat()},
            "review_date",
            "Revurderingsdatoen",
        ),
        ({"review_date": "3000-01-01"}, "review_date", "Datoen må ikke være efter"),
        ({"gas_plus1": "Bedre"}, "gas_zero", "Beskriv det forventede resultat (0)"),
        ({"gas_zero": "g" * 501}, "gas_zero", "Højst 500 tegn."),
        (
            {"start_date": (TODAY - timedelta(days=3000)).isoformat()},
            "start_date",
            "intet ophold i dine tilbud på startdatoen",
        ),
    ]
    for values, field, message in cases:
        response = staff.post(f"/goals/new/{world.citizen_a}", data=_goal(**values))
        page = text(response)
        assert response.status_code == 200 and message in page, values
        assert f'id="{field}-error"' in page, values
        assert_summary_links_resolve(page)
    assert counts(db) == before


def test_create_for_a_citizen_without_a_stay_in_scope_is_refused(app, db, world, client_as):
    # Mona is in staff-a's scope by her past stay (ended 265 days ago); her current one is in b.
    app.config["FORMER_STAY_ACCESS_DAYS"] = 400
    staff = client_as("staff")
    response = staff.post(f"/goals/new/{world.citizen_moved}", data=_goal())
    assert response.status_code == 200 and "intet ophold i dine tilbud" in text(response)
    assert client_as("staff").post(f"/goals/new/{world.citizen_b}", data=_goal()).status_code == 403


def _edit_data(db, goal_id, **overrides):
    goal = get_row(db, Goal, goal_id)
    data = {
        "theme": goal.theme.value,
        "title": goal.title,
        "description": goal.description,
        "direction": goal.direction.value,
        "baseline_level": str(goal.baseline_level),
        "target_level": str(goal.target_level),
        "weight": str(goal.weight),
        "start_date": goal.start_date.isoformat(),
        "review_date": goal.review_date.isoformat() if goal.review_date else "",
        "version": str(goal.version),
    }
    return {**data, **overrides}


def test_two_users_edit_the_same_goal_the_second_is_refused_and_the_first_kept(
    db, world, client_as
):
    url = f"/goals/{world.goal_develop}/edit"
    staff, leader = client_as("staff"), client_as("leader")
    # Both open the form on version 1.
    assert 'value="1"' in text(staff.get(url)) and 'value="1"' in text(leader.get(url))
    first = _edit_data(db, world.goal_develop, title="Lave aftensmad selv tre gange om ugen")
    second = _edit_data(db, world.goal_develop, title="Lave morgenmad selv", target_level="1")
    assert staff.post(url, data=first).status_code == 302
    response = leader.post(url, data=second, follow_redirects=True)
    page = text(response)
    assert "Posten er ændret af en anden, siden du åbnede den. Intet er gemt." in page
    assert 'value="Lave aftensmad selv tre gange om ugen"' in page
    goal = get_row(db, Goal, world.goal_develop)
    assert (goal.title, goal.target_level, goal.version) == (
        "Lave aftensmad selv tre gange om ugen",
        2,
        2,
    )
    assert count(db, AuditEvent, col(AuditEvent.entity) == "goals") == 1


def test_conflict_message_in_english(db, world, client_as):
    url = f"/goals/{world.goal_develop}/edit"
    staff, leader = client_as("staff"), client_as("leader")
    leader.post("/language", data={"lang": "en", "next": "/"})
    assert staff.post(url, data=_edit_data(db, world.goal_develop, title="A")).status_code == 302
    stale = _edit_data(db, world.goal_develop, title="B", version="1")
    page = text(leader.post(url, data=stale, follow_redirects=True))
    assert "Someone else changed this record after you opened it. Nothing has been saved." in page


def test_edit_goal_writes_the_changed_fields_to_the_history(db, world, staff):
    url = f"/goals/{world.goal_gas}/edit"
    data = _edit_data(db, world.goal_gas, gas_zero="Kontakt hver 14. dag", weight="2")
    data.update(
        gas_minus2="Ingen kontakt",
        gas_minus1="Kontakt en gang om måneden",
        gas_plus1="Kontakt hver uge",
        gas_plus2="Kontakt flere gange om ugen",
    )
    assert staff.post(url, data=data).status_code == 302
    event = audit_events(db, entity="goals", action="update")[-1]
    assert event.changes == {
        "gas_zero": ["Kontakt hver anden uge", "Kontakt hver 14. dag"],
        "weight": [1.0, 2.0],
    }
    # The same form posted again (a double click) is not a conflict and changes nothing.
    assert staff.post(url, data=data).status_code == 302
    assert len(audit_events(db, entity="goals", action="update")) == 1


def test_close_goal_as_achieved_then_not_again(db, world, staff):
    url = f"/goals/{world.goal_develop}/close"
    page = text(staff.get(url))
    assert "Hvordan slutter målet?" in page and 'id="status"' in page
    data = {"status": "achieved", "closed_on": TODAY.isoformat(), "version": "1"}
    assert staff.post(url, data=data).status_code == 302
    goal = get_row(db, Goal, world.goal_develop)
    assert (goal.status, goal.closed_on) == (GoalStatus.ACHIEVED, TODAY)
    again = staff.post(url, data={**data, "status": "ended", "version": "2"})
    assert "Målet er allerede afsluttet." in text(again)
    assert get_row(db, Goal, world.goal_develop).status is GoalStatus.ACHIEVED


def test_close_goal_rules(db, world, staff):
    url = f"/goals/{world.goal_develop}/close"
    goal = get_row(db, Goal, world.goal_develop)
    cases = [
        ({"status": "active"}, "Vælg en af mulighederne."),
        ({"status": ""}, "Vælg, hvordan målet slutter."),
        ({"closed_on": (goal.start_date - timedelta(days=1)).isoformat()}, "før målets startdato"),
        ({"closed_on": (TODAY + timedelta(days=1)).isoformat()}, "fremtiden"),
    ]
    for values, message in cases:
        data = {"status": "ended", "closed_on": TODAY.isoformat(), "version": "1", **values}
        assert message in text(staff.post(url, data=data)), values
    assert get_row(db, Goal, world.goal_develop).status is GoalStatus.ACTIVE
