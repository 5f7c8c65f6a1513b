"""Former units (issue 14): access through a past stay ends FORMER_STAY_ACCESS_DAYS after the
stay ended, and until then reaches only the stays of that stay's centre."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from del_tool.auth.models import User
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp, FollowUpKind
from del_tool.goals.models import GoalDirection, Theme
from del_tool.goals.services import GoalData, create_goal
from tests.support.staff import TODAY, World, add, text

GOAL_IN_B = "Gå til svømning i center B"


@pytest.fixture
def moved(app, world: World, user_as) -> dict[str, int]:
    """Mona's a1 stay ended 30 days ago; in b she has a goal (with history) and a follow-up."""
    user_as("staff")
    user_as("leader")
    staff_b = user_as("staff_b")
    with app.test_request_context(), get_db(app).session(write=True) as session:
        old = session.get(Stay, world.stay_moved_old)
        new = session.get(Stay, world.stay_moved_new)
        old.start_date, old.end_date = TODAY - timedelta(days=400), TODAY - timedelta(days=30)
        new.start_date = TODAY - timedelta(days=29)
        session.add_all([old, new])
        session.flush()
        user = session.exec(select(User).where(User.id == staff_b.id)).one()
        actor = Actor.of(user, session=session)
        data = GoalData(
            theme=Theme.COMMUNITY_LIFE,
            title=GOAL_IN_B,
            description="",
            direction=GoalDirection.DEVELOP,
            baseline_level=3,
            target_level=2,
            weight=1.0,
            start_date=new.start_date,
        )
        goal = create_goal(session=session, actor=actor, citizen_id=world.citizen_moved, data=data)
        follow_up = add(
            session,
            FollowUp(
                citizen_id=world.citizen_moved,
                stay_id=new.id,
                followup_date=new.start_date,
                kind=FollowUpKind.BASELINE,
            ),
        )
        session.commit()
        return {"goal": goal.id, "follow_up": follow_up.id}


def test_access_through_a_past_stay_ends_after_the_configured_days(app, world, moved, client_as):
    staff = client_as("staff")
    assert staff.get(f"/citizens/{world.citizen_moved}").status_code == 200  # 30 days < 90
    app.config["FORMER_STAY_ACCESS_DAYS"] = 20
    assert staff.get(f"/citizens/{world.citizen_moved}").status_code == 403
    assert staff.get(f"/citizens/stays/{world.stay_moved_old}/edit").status_code == 403
    assert "Fundne borgere: 0" in text(staff.get("/citizens/?q=mona"))
    assert client_as("leader").get(f"/audit/citizens/{world.citizen_moved}").status_code == 403
    # Staff of the current unit keep the whole record.
    assert client_as("staff_b").get(f"/citizens/{world.citizen_moved}").status_code == 200


def test_a_past_stay_never_reaches_the_stays_of_other_centres(world, moved, client_as):
    staff = client_as("staff")
    page = text(staff.get(f"/citizens/{world.citizen_moved}"))
    assert "§ 107" in page  # the a1 stay
    assert "§ 108" not in page and GOAL_IN_B not in page  # nothing of centre B
    assert f"/followups/{moved['follow_up']}" not in page
    assert staff.get(f"/followups/{moved['follow_up']}").status_code == 403
    assert staff.get(f"/goals/{moved['goal']}/edit").status_code == 403
    assert staff.get(f"/citizens/stays/{world.stay_moved_old}/edit").status_code == 200
    # Staff of b see both stays and the goal.
    page_b = text(client_as("staff_b").get(f"/citizens/{world.citizen_moved}"))
    assert "§ 107" in page_b and "§ 108" in page_b and GOAL_IN_B in page_b


def test_a_former_centres_leader_sees_only_its_part_of_history_and_export(world, moved, client_as):
    leader = client_as("leader")
    log = text(leader.get(f"/audit/citizens/{world.citizen_moved}"))
    assert GOAL_IN_B not in log
    exported = leader.get(f"/audit/citizens/{world.citizen_moved}/export.json")
    record = json.loads(exported.get_data(as_text=True))
    assert [s["id"] for s in record["stays"]] == [world.stay_moved_old]
    assert record["goals"] == [] and record["follow_ups"] == []
    assert GOAL_IN_B not in exported.get_data(as_text=True)
