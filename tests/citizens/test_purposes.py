"""The municipality's action plan on a stay (#21 item 5): purposes with history, goals linked to
a purpose of their own stay, removal refused while goals link to it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from del_tool.audit.models import AuditEvent
from del_tool.citizens.access import Actor
from del_tool.citizens.models import StayPurpose
from del_tool.citizens.purposes import (
    PurposeData,
    add_purpose,
    purposes_of_stay,
    remove_purpose,
    update_purpose,
)
from del_tool.db import get_db
from del_tool.errors import ConflictError, RuleError
from del_tool.goals.models import Goal, GoalDirection, Theme
from del_tool.goals.services import GoalData, create_goal, update_goal
from tests.support.staff import TODAY


@pytest.fixture
def write(app, world, user_as):
    """A writing session and the actor of staff in unit a1, inside an app context."""
    user = user_as("staff")
    with app.test_request_context(), get_db(app).session(write=True) as session:
        yield session, Actor.of(user, session=session)


def _goal_data(**changes):
    data = GoalData(
        theme=Theme.MOBILITY,
        title="Tage bussen alene",
        description="",
        direction=GoalDirection.DEVELOP,
        baseline_level=3,
        target_level=1,
        weight=1.0,
        start_date=TODAY,
    )
    return replace(data, **changes)


def test_purposes_are_added_in_order_corrected_and_recorded(write, world):
    session, actor = write
    first = add_purpose(
        session=session,
        actor=actor,
        stay_id=world.stay_a,
        data=PurposeData(
            text="  Borgeren skal kunne bo i egen bolig  ", theme=Theme.PRACTICAL_TASKS
        ),
    )
    second = add_purpose(
        session=session, actor=actor, stay_id=world.stay_a, data=PurposeData(text="Mere netværk")
    )
    assert [p.id for p in purposes_of_stay(session, world.stay_a)] == [first.id, second.id]
    assert first.text == "Borgeren skal kunne bo i egen bolig"
    assert (first.position, second.position) == (0, 1)
    update_purpose(
        session=session,
        actor=actor,
        purpose_id=second.id,
        data=PurposeData(text="Flere venner", theme=Theme.RELATIONS),
        version=second.version,
    )
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "stay_purposes", AuditEvent.entity_id == str(second.id)
        )
    ).all()
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes["text"] == ["Mere netværk", "Flere venner"]
    assert events[1].citizen_id == world.citizen_a
    with pytest.raises(ConflictError):
        update_purpose(
            session=session,
            actor=actor,
            purpose_id=second.id,
            data=PurposeData(text="Noget tredje"),
            version=second.version - 1,
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Skriv formålet"), ("x" * 501, "500"), ("Borger 010190-1234 skal", "CPR")],
)
def test_bad_purpose_text_is_refused_and_nothing_written(write, world, text, message):
    session, actor = write
    with pytest.raises(RuleError) as refused:
        add_purpose(session=session, actor=actor, stay_id=world.stay_a, data=PurposeData(text=text))
    assert refused.value.field == "text" and message in str(refused.value.message)
    assert purposes_of_stay(session, world.stay_a) == []


def test_purpose_of_a_stay_out_of_scope_is_refused(write, world):
    from del_tool.auth.access import AccessDeniedError

    session, actor = write
    with pytest.raises(AccessDeniedError):
        add_purpose(
            session=session, actor=actor, stay_id=world.stay_b, data=PurposeData(text="Job")
        )


def test_goal_links_only_to_a_purpose_of_its_own_stay(write, world):
    session, actor = write
    own = add_purpose(
        session=session, actor=actor, stay_id=world.stay_a, data=PurposeData(text="Bo selv")
    )
    session.add(StayPurpose(stay_id=world.stay_b, text="Andet ophold"))
    session.flush()
    other = session.exec(select(StayPurpose).where(StayPurpose.stay_id == world.stay_b)).one()
    goal = create_goal(
        session=session, actor=actor, citizen_id=world.citizen_a, data=_goal_data(purpose_id=own.id)
    )
    assert goal.purpose_id == own.id
    with pytest.raises(RuleError) as refused:
        create_goal(
            session=session,
            actor=actor,
            citizen_id=world.citizen_a,
            data=_goal_data(purpose_id=other.id),
        )
    assert refused.value.field == "purpose_id"
    with pytest.raises(RuleError):
        update_goal(
            session=session,
            actor=actor,
            goal_id=goal.id,
            data=_goal_data(purpose_id=other.id, title="Ændret"),
            version=goal.version,
        )
    update_goal(
        session=session,
        actor=actor,
        goal_id=goal.id,
        data=_goal_data(purpose_id=None),
        version=goal.version,
    )
    assert session.get(Goal, goal.id).purpose_id is None


def test_removal_is_refused_while_goals_link_and_recorded_when_done(write, world):
    session, actor = write
    purpose = add_purpose(
        session=session, actor=actor, stay_id=world.stay_a, data=PurposeData(text="Bo selv")
    )
    goal = create_goal(
        session=session,
        actor=actor,
        citizen_id=world.citizen_a,
        data=_goal_data(purpose_id=purpose.id, start_date=TODAY - timedelta(days=1)),
    )
    with pytest.raises(RuleError) as refused:
        remove_purpose(session=session, actor=actor, purpose_id=purpose.id, version=purpose.version)
    assert "1 mål er knyttet" in str(refused.value.message)
    update_goal(
        session=session,
        actor=actor,
        goal_id=goal.id,
        data=_goal_data(purpose_id=None, start_date=TODAY - timedelta(days=1)),
        version=goal.version,
    )
    purpose_id = purpose.id
    remove_purpose(session=session, actor=actor, purpose_id=purpose_id, version=purpose.version)
    assert session.get(StayPurpose, purpose_id) is None
    deleted = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "stay_purposes", AuditEvent.action == "delete"
        )
    ).one()
    assert deleted.changes["text"] == ["Bo selv", None]


def test_database_refuses_a_goal_pointing_to_no_purpose(write, world):
    session, _ = write
    goal = session.get(Goal, world.goal_develop)
    goal.purpose_id = 999_999
    session.add(goal)
    with pytest.raises(IntegrityError):
        session.flush()


def test_anonymisation_removes_the_purposes_text(write, world):
    from del_tool.security.privacy.anonymise import ANONYMISED_TITLE, anonymise_citizen

    session, actor = write
    purpose = add_purpose(
        session=session, actor=actor, stay_id=world.stay_a, data=PurposeData(text="Bo i Vejle")
    )
    anonymise_citizen(session=session, citizen_id=world.citizen_a, user_id=actor.user_id)
    session.refresh(purpose)
    assert purpose.text == ANONYMISED_TITLE


# The pages: list and add, correct, remove (refused while a goal links), the goal form's select.


def _purpose_id(db, stay_id, text):
    with db() as session:
        return session.exec(
            select(StayPurpose.id).where(StayPurpose.stay_id == stay_id, StayPurpose.text == text)
        ).one()


def test_staff_adds_corrects_and_removes_a_purpose_on_the_stay(db, world, staff):
    page = staff.get(f"/citizens/stays/{world.stay_a}/purposes")
    assert page.status_code == 200
    assert "Kommunens formål med indsatsen (handleplan)" in page.get_data(as_text=True)
    assert "ingen formål" in page.get_data(as_text=True)
    refused = staff.post(f"/citizens/stays/{world.stay_a}/purposes", data={"text": "  "})
    assert refused.status_code == 200 and "Skriv formålet." in refused.get_data(as_text=True)
    cpr = staff.post(
        f"/citizens/stays/{world.stay_a}/purposes", data={"text": "Borger 0101901234", "theme": ""}
    )
    assert "CPR" in cpr.get_data(as_text=True)
    saved = staff.post(
        f"/citizens/stays/{world.stay_a}/purposes",
        data={"text": "Kunne bo i egen bolig", "theme": "practical_tasks"},
    )
    assert saved.status_code == 302
    purpose_id = _purpose_id(db, world.stay_a, "Kunne bo i egen bolig")
    listing = staff.get(f"/citizens/stays/{world.stay_a}/purposes").get_data(as_text=True)
    assert "Kunne bo i egen bolig" in listing and "Praktiske opgaver" in listing
    assert 'class="del-table-scroll" tabindex="0" role="region"' in listing
    edit = staff.post(
        f"/citizens/stays/purposes/{purpose_id}/edit",
        data={"text": "Bo i egen bolig med støtte", "theme": "", "version": "1"},
    )
    assert edit.status_code == 302
    with db() as session:
        stored = session.get(StayPurpose, purpose_id)
        assert (stored.text, stored.theme, stored.version) == (
            "Bo i egen bolig med støtte",
            None,
            2,
        )
    stale = staff.post(
        f"/citizens/stays/purposes/{purpose_id}/remove", data={"remove-version": "1"}
    )
    assert stale.status_code == 302
    assert count_purposes(db, world.stay_a) == 1
    removed = staff.post(
        f"/citizens/stays/purposes/{purpose_id}/remove", data={"remove-version": "2"}
    )
    assert removed.status_code == 302
    assert count_purposes(db, world.stay_a) == 0


def count_purposes(db, stay_id):
    with db() as session:
        return len(session.exec(select(StayPurpose).where(StayPurpose.stay_id == stay_id)).all())


def test_goal_form_links_a_purpose_and_removal_is_refused_with_a_clear_message(db, world, staff):
    staff.post(f"/citizens/stays/{world.stay_a}/purposes", data={"text": "Mere selvstændig"})
    purpose_id = _purpose_id(db, world.stay_a, "Mere selvstændig")
    form = staff.get(f"/goals/{world.goal_develop}/edit").get_data(as_text=True)
    assert "Formål i handleplanen" in form and "Mere selvstændig" in form
    with db() as session:
        goal = session.get(Goal, world.goal_develop)
        fields = {
            "theme": goal.theme.value,
            "title": goal.title,
            "description": goal.description,
            "direction": goal.direction.value,
            "baseline_level": str(goal.baseline_level),
            "target_level": str(goal.target_level),
            "weight": "1",
            "start_date": goal.start_date.isoformat(),
            "review_date": goal.review_date.isoformat() if goal.review_date else "",
            "version": str(goal.version),
        }
    linked = staff.post(
        f"/goals/{world.goal_develop}/edit", data={**fields, "purpose_id": str(purpose_id)}
    )
    assert linked.status_code == 302
    with db() as session:
        assert session.get(Goal, world.goal_develop).purpose_id == purpose_id
    refused = staff.post(
        f"/citizens/stays/purposes/{purpose_id}/remove", data={"remove-version": "1"}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Formålet kan ikke fjernes: 1 mål er knyttet til det" in page
    assert count_purposes(db, world.stay_a) == 1
    fields["version"] = str(int(fields["version"]) + 1)
    foreign = staff.post(f"/goals/{world.goal_develop}/edit", data={**fields, "purpose_id": "999"})
    assert foreign.status_code == 200
    assert "Vælg et af formålene i handleplanen" in foreign.get_data(as_text=True)


def test_purposes_of_another_centres_stay_are_refused(world, staff):
    assert staff.get(f"/citizens/stays/{world.stay_b}/purposes").status_code == 403
