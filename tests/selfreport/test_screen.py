"""The locked self-report screen (issue #21 item 2): a staff member hands the screen to one
citizen, who answers their own questions one at a time; nothing else is reachable until the
starter unlocks it; the answers are the citizen's in the follow-up of the day."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from del_tool.audit.models import AuditEvent, LoginEvent
from del_tool.db import get_db
from del_tool.followups.models import Assessment, FollowUp, GoalReview, Perspective
from del_tool.modelbase import local_today, utcnow
from del_tool.selfreport.lock import OPEN_WHILE_LOCKED
from del_tool.selfreport.models import EndReason, SelfReportSession
from del_tool.selfreport.services import UNLOCK_WRONG
from tests.conftest import PASSWORD
from tests.support.staff import World

pytestmark = pytest.mark.usefixtures("with_wording")
#: WHO-5's five items, then the two goals of citizen a.
QUESTIONS = 7


def start(client: FlaskClient, world: World) -> None:
    """Hand the screen to citizen a (the prepare page's button)."""
    page = client.get(f"/citizens/{world.citizen_a}/self-report")
    assert page.status_code == 200 and "Prøveskema med opdigtet ordlyd" in page.text
    response = client.post(f"/citizens/{world.citizen_a}/self-report")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/self-report/")


def csrf(client: FlaskClient, url: str = "/self-report/") -> str:
    """The page's form token (the tests run without CSRF, so usually none: "")."""
    page = client.get(url)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    return found[1] if found else ""


def answer(client: FlaskClient, value: int | None, action: str = "next"):
    data = {"csrf_token": csrf(client), "action": action}
    if value is not None:
        data["value"] = str(value)
    return client.post("/self-report/", data=data)


def the_session(db: Callable[[], Session]) -> SelfReportSession:
    with db() as session:
        row = session.exec(select(SelfReportSession)).one()
        session.expunge(row)
        return row


def test_the_citizen_answers_own_questions_stored_as_their_own(
    staff: FlaskClient, world: World, db: Callable[[], Session], user_as: Callable
) -> None:
    start(staff, world)
    first = staff.get("/self-report/")
    text = first.text
    assert "Spørgsmål 1 af 7" in text
    assert "Jeg har fodret en opdigtet giraf" in text
    assert "Har du givet giraffen mad?" in text  # the easy-read wording beside it
    assert "Aldrig nogensinde" in text  # the overlay's anchor labels
    assert "Åse Ørnsholt" not in text and "Test staff" not in text  # no names at all
    assert "Hovedmenu" not in text and "Log ud" not in text  # no navigation, no logout
    refused = answer(staff, None)  # "next" without an answer is refused beside the question
    assert refused.status_code == 200 and "Vælg et svar" in refused.text
    for value in (3, 4, 5, 2, 1):
        assert answer(staff, value).status_code == 302
    assert "Spørgsmål 6 af 7" in staff.get("/self-report/").text
    assert "Vælg et svar" in answer(staff, 9).text  # not one of the rating's values
    answer(staff, 4)
    done = answer(staff, None, action="skip")
    assert done.headers["Location"].endswith("/self-report/done")
    staff_id = user_as("staff").id
    with db() as session:
        follow_up = session.exec(
            select(FollowUp).where(
                col(FollowUp.citizen_id) == world.citizen_a,
                col(FollowUp.followup_date) == local_today(),
            )
        ).one()
        assessment = session.exec(
            select(Assessment).where(col(Assessment.follow_up_id) == follow_up.id)
        ).one()
        assert assessment.perspective == Perspective.SELF_REPORT
        assert assessment.answers == {"q1": 3, "q2": 4, "q3": 5, "q4": 2, "q5": 1}
        assert follow_up.recorded_by_id == staff_id
        made = session.exec(select(AuditEvent).where(col(AuditEvent.entity) == "assessments")).all()
        assert [e.user_id for e in made] == [staff_id]  # in the history, under the starter
        row = session.exec(select(SelfReportSession)).one()
        assert row.end_reason == EndReason.DONE and row.follow_up_id == follow_up.id
        assert row.ratings == {str(world.goal_develop): 4, str(world.goal_gas): None}
    # Still locked: the caseload sends the browser back to the screen.
    assert staff.get("/citizens/").headers["Location"].endswith("/self-report/")
    unlocked = staff.post(
        "/self-report/unlock",
        data={"csrf_token": csrf(staff, "/self-report/done"), "secret": PASSWORD},
    )
    assert unlocked.headers["Location"].endswith(f"/followups/{follow_up.id}/edit")
    form = staff.get(f"/followups/{follow_up.id}/edit").text
    # The goal the staff have not reviewed yet offers the citizen's rating in their form.
    checked = re.search(
        rf'<input checked[^>]*id="goal_{world.goal_develop}-citizen_rating-\d"[^>]*value="4"',
        form,
    ) or re.search(
        rf'<input[^>]*id="goal_{world.goal_develop}-citizen_rating-\d"[^>]*value="4"[^>]*checked',
        form,
    )
    assert checked is not None
    assert staff.get("/citizens/").status_code == 200  # unlocked


def test_nothing_else_is_reachable_while_locked(
    app: Flask, staff: FlaskClient, client_as: Callable, world: World
) -> None:
    start(staff, world)
    reached = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN_WHILE_LOCKED or rule.endpoint.startswith("api."):
            continue
        url = rule.build(dict.fromkeys(rule.arguments, 1), append_unknown=False)[1]
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            response = staff.open(url, method=method)
            if response.status_code != 303 or not response.headers["Location"].endswith(
                "/self-report/"
            ):
                reached.append((method, url, response.status_code))
    assert reached == []
    assert staff.get("/self-report/").status_code == 200  # still logged in: logout was refused
    # A copy of the same login's cookie is locked too; another login of the user is not.
    assert client_as("staff").get("/citizens/").status_code == 200


def test_unlock_takes_the_starters_password_or_pin_and_is_throttled(
    app: Flask, staff: FlaskClient, world: World, db: Callable[[], Session]
) -> None:
    response = staff.post(
        "/account/self-report-pin",
        data={
            "csrf_token": csrf(staff, "/account/self-report-pin"),
            "password": PASSWORD,
            "pin": "4071",
            "repeat": "4071",
        },
    )
    assert response.status_code == 302
    start(staff, world)
    answer(staff, None, action="stop")
    wrong = staff.post(
        "/self-report/unlock",
        data={"csrf_token": csrf(staff, "/self-report/done"), "secret": "0000"},
    )
    assert wrong.status_code == 200 and "passer ikke" in wrong.text
    with db() as session:
        reasons = session.exec(select(LoginEvent.reason)).all()
    assert reasons == [UNLOCK_WRONG]  # logged, and counted by the login throttle
    ok = staff.post(
        "/self-report/unlock",
        data={"csrf_token": csrf(staff, "/self-report/done"), "secret": "4071"},
    )
    assert ok.status_code == 302  # nothing was answered: back to the citizen, nothing stored
    assert ok.headers["Location"].endswith(f"/citizens/{world.citizen_a}")
    assert the_session(db).follow_up_id is None
    start(staff, world)
    answer(staff, None, action="stop")
    limit = int(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    statuses = [
        staff.post(
            "/self-report/unlock",
            data={"csrf_token": csrf(staff, "/self-report/done"), "secret": "9999"},
        ).status_code
        for _ in range(limit + 1)
    ]
    assert statuses[-1] == 429
    assert staff.get("/citizens/").status_code == 303  # still locked


def test_an_idle_screen_ends_by_itself_and_keeps_the_answers(
    app: Flask, staff: FlaskClient, world: World, db: Callable[[], Session]
) -> None:
    start(staff, world)
    answer(staff, 2)
    idle = app.config["SELF_REPORT_IDLE_MINUTES"]
    with get_db(app).session(write=True) as session:
        row = session.exec(select(SelfReportSession)).one()
        row.last_activity_at = utcnow() - timedelta(minutes=idle, seconds=1)
        session.add(row)
        session.commit()
    response = staff.get("/self-report/")
    assert response.headers["Location"].endswith("/self-report/done")
    assert "stod stille" in staff.get("/self-report/done").text
    row = the_session(db)
    assert row.end_reason == EndReason.IDLE
    with db() as session:
        stored = session.exec(
            select(Assessment).where(col(Assessment.follow_up_id) == row.follow_up_id)
        ).one()
        assert stored.answers["q1"] == 2 and stored.answers["q2"] is None
        assert session.exec(select(GoalReview.citizen_rating)).all() == [None]
    assert staff.get("/citizens/").status_code == 303  # ended, but locked until unlocked


@pytest.mark.parametrize(
    ("pin", "repeat", "message"),
    [
        ("12a4", "12a4", "4 til 8 cifre"),
        ("123", "123", "4 til 8 cifre"),
        ("1234", "1234", "række"),
        ("7777", "7777", "række"),
        ("4071", "4072", "ikke ens"),
    ],
)
def test_a_pin_must_be_hard_to_guess(
    staff: FlaskClient, db: Callable[[], Session], pin: str, repeat: str, message: str
) -> None:
    response = staff.post(
        "/account/self-report-pin",
        data={
            "csrf_token": csrf(staff, "/account/self-report-pin"),
            "password": PASSWORD,
            "pin": pin,
            "repeat": repeat,
        },
    )
    assert response.status_code == 200 and message in response.text
    from del_tool.selfreport.models import SelfReportPin

    with db() as session:
        assert session.exec(select(SelfReportPin)).all() == []


def test_no_session_without_questions(
    staff: FlaskClient, world: World, db: Callable[[], Session], app: Flask
) -> None:
    with get_db(app).session(write=True) as session:
        from del_tool.goals.models import Goal
        from del_tool.organisation.models import UnitQuestionnaire

        for row in session.exec(
            select(UnitQuestionnaire).where(col(UnitQuestionnaire.questionnaire_id) == "who5")
        ).all():
            session.delete(row)
        for goal in session.exec(select(Goal).where(col(Goal.citizen_id) == world.citizen_a)).all():
            goal.closed_on = local_today() - timedelta(days=1)
            session.add(goal)
        session.commit()
    page = staff.get(f"/citizens/{world.citizen_a}/self-report")
    assert "ingen spørgsmål" in page.text and "start-self-report" not in page.text
    staff.post(f"/citizens/{world.citizen_a}/self-report", data={"csrf_token": csrf(staff)})
    with db() as session:
        assert session.exec(select(SelfReportSession)).all() == []


def test_the_idle_warnings_button_keeps_the_screen_open(
    app: Flask, staff: FlaskClient, world: World, db: Callable[[], Session]
) -> None:
    start(staff, world)
    earlier = utcnow() - timedelta(minutes=app.config["SELF_REPORT_IDLE_MINUTES"] - 1)
    with get_db(app).session(write=True) as session:
        row = session.exec(select(SelfReportSession)).one()
        row.last_activity_at = earlier
        session.add(row)
        session.commit()
    assert answer(staff, None, action="stay").status_code == 302
    row = the_session(db)
    assert row.last_activity_at > earlier and row.position == 0 and row.ended_at is None


@pytest.mark.parametrize("minutes", [0, 61, "5", True])
def test_an_idle_limit_the_screen_cannot_use_stops_the_start(databases, minutes: object) -> None:
    from del_tool import ConfigError, create_app
    from tests.conftest import make_config

    url = databases.fresh("seeded")
    try:
        with pytest.raises(ConfigError, match="DEL_SELF_REPORT_IDLE_MINUTES"):
            create_app(make_config(url, SELF_REPORT_IDLE_MINUTES=minutes))
    finally:
        databases.drop(url)
