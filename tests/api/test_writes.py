"""API writes: a goal and a follow-up through the forms' validation and the services, with
history and scope checks, under an Idempotency-Key (replay, reuse refused, nothing half-done)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, func, select

from del_tool.audit.models import AuditEvent
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal, GoalStatus
from del_tool.modelbase import local_today
from tests.security.endpoints import scoped_ids
from tests.security.helpers import db_session


def _goal(**changes: Any) -> dict[str, Any]:
    body = {
        "theme": "relations",
        "title": "Ringe til sin søster hver uge",
        "direction": "develop",
        "baseline_level": 3,
        "target_level": 1,
        "start_date": local_today().isoformat(),
    }
    return {**body, **changes}


def _count(app, model, *where) -> int:
    with db_session(app) as db:
        return db.exec(select(func.count()).select_from(model).where(*where)).one()


def _ids(app) -> dict[str, dict[str, Any]]:
    with db_session(app) as db:
        return scoped_ids(db)


def test_a_goal_is_created_with_history_and_replayed_by_its_key(demo_app, api, make_token):
    token, citizen = make_token("staff"), _ids(demo_app)["own"]["citizen_id"]
    before = _count(demo_app, Goal)
    headers = {"Idempotency-Key": "goal-1"}
    made = api("POST", f"/citizens/{citizen}/goals", token, json=_goal(), headers=headers)
    assert made.status_code == 201, made.json
    assert made.mimetype == "application/json"
    goal = made.json
    assert goal["citizen_id"] == citizen and goal["status"] == GoalStatus.ACTIVE.value
    with db_session(demo_app) as db:
        event = db.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "goals", AuditEvent.entity_id == str(goal["id"])
            )
        ).one()
        assert event.action == "create" and event.citizen_id == citizen
    again = api("POST", f"/citizens/{citizen}/goals", token, json=_goal(), headers=headers)
    assert again.status_code == 201 and again.json == goal
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(demo_app, Goal) == before + 1
    other = api(
        "POST", f"/citizens/{citizen}/goals", token, json=_goal(title="Andet"), headers=headers
    )
    assert other.status_code == 422 and other.json["errors"][0]["field"] == "Idempotency-Key"
    assert _count(demo_app, Goal) == before + 1


def test_every_write_needs_an_idempotency_key(demo_app, api, make_token):
    token, citizen = make_token("staff"), _ids(demo_app)["own"]["citizen_id"]
    response = api("POST", f"/citizens/{citizen}/goals", token, json=_goal())
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "Idempotency-Key" in {e["field"] for e in response.json["errors"]}


def test_the_forms_rules_refuse_a_goal_beside_its_field(demo_app, api, make_token):
    token, citizen = make_token("staff"), _ids(demo_app)["own"]["citizen_id"]
    before = _count(demo_app, Goal)
    cases = {
        # develop must aim better than the baseline (the form's direction rule)
        "target_level": _goal(target_level=3),
        # GAS texts need the expected outcome (0) described (the form's own check)
        "gas_zero": _goal(gas_plus1="Ringer to gange"),
        # a date before the stay: the service's rule
        "start_date": _goal(start_date="1995-01-01"),
    }
    for number, (field, body) in enumerate(cases.items()):
        response = api(
            "POST",
            f"/citizens/{citizen}/goals",
            token,
            json=body,
            headers={"Idempotency-Key": f"bad-{number}"},
        )
        assert response.status_code == 422, (field, response.json)
        assert field in {e["field"] for e in response.json["errors"]}, response.json
    assert _count(demo_app, Goal) == before
    # A refused write is not stored: the key can be used again for a corrected request.
    fixed = api(
        "POST",
        f"/citizens/{citizen}/goals",
        token,
        json=_goal(),
        headers={"Idempotency-Key": "bad-0"},
    )
    assert fixed.status_code == 201


def test_a_goal_for_a_citizen_out_of_scope_is_refused(demo_app, api, make_token):
    token, citizen = make_token("staff"), _ids(demo_app)["other"]["citizen_id"]
    response = api(
        "POST", f"/citizens/{citizen}/goals", token, json=_goal(), headers={"Idempotency-Key": "x"}
    )
    assert response.status_code == 403
    assert (
        _count(demo_app, Goal, col(Goal.citizen_id) == citizen, Goal.title == _goal()["title"]) == 0
    )


def _follow_up_body(demo_app, api, token, citizen) -> dict[str, Any]:
    """A follow-up today reviewing every active goal of the citizen's open stay."""
    stays = api("GET", f"/citizens/{citizen}/stays", token).json["stays"]
    open_stay = next(s for s in stays if s["end_date"] is None)
    goals = api("GET", f"/citizens/{citizen}/goals", token).json["goals"]
    active = [g for g in goals if g["stay_id"] == open_stay["id"] and g["status"] == "active"]
    return {
        "followup_date": local_today().isoformat(),
        "kind": "follow_up",
        "note": "Samtale i stuen",
        "reviews": [{"goal_id": g["id"], "level": 2, "motivation": 4} for g in active],
    }


def test_a_follow_up_is_recorded_once_with_its_reviews_and_history(demo_app, api, make_token):
    token, citizen = make_token("staff"), _ids(demo_app)["own"]["citizen_id"]
    body = _follow_up_body(demo_app, api, token, citizen)
    assert body["reviews"]
    headers = {"Idempotency-Key": "fu-1"}
    made = api("POST", f"/citizens/{citizen}/follow-ups", token, json=body, headers=headers)
    assert made.status_code == 201, made.json
    stored = made.json
    assert {r["goal_id"] for r in stored["reviews"]} == {r["goal_id"] for r in body["reviews"]}
    assert all(r["motivation"] == 4 for r in stored["reviews"])
    with db_session(demo_app) as db:
        entities = db.exec(
            select(AuditEvent.entity).where(
                AuditEvent.citizen_id == citizen,
                col(AuditEvent.entity).in_(("follow_ups", "goal_reviews")),
            )
        ).all()
    assert entities.count("follow_ups") >= 1 and entities.count("goal_reviews") >= len(
        body["reviews"]
    )
    again = api("POST", f"/citizens/{citizen}/follow-ups", token, json=body, headers=headers)
    assert again.status_code == 201 and again.json == stored
    another_key = api(
        "POST",
        f"/citizens/{citizen}/follow-ups",
        token,
        json=body,
        headers={"Idempotency-Key": "fu-2"},
    )
    assert another_key.status_code == 422  # one follow-up per citizen and day (the form's rule)
    assert another_key.json["errors"][0]["field"] == "followup_date"
    assert _count(demo_app, FollowUp, FollowUp.id == stored["id"]) == 1


def test_a_follow_up_must_review_every_goal_and_only_the_stays(demo_app, api, make_token):
    ids = _ids(demo_app)
    token, citizen = make_token("staff"), ids["own"]["citizen_id"]
    body = _follow_up_body(demo_app, api, token, citizen)
    before = _count(demo_app, FollowUp)
    missing = api(
        "POST",
        f"/citizens/{citizen}/follow-ups",
        token,
        json={**body, "reviews": body["reviews"][1:]},
        headers={"Idempotency-Key": "a"},
    )
    assert missing.status_code == 422
    assert f"goal_{body['reviews'][0]['goal_id']}.level" in {
        e["field"] for e in missing.json["errors"]
    }
    foreign_goal = ids["other"]["goal_id"]
    stranger = api(
        "POST",
        f"/citizens/{citizen}/follow-ups",
        token,
        json={**body, "reviews": [*body["reviews"], {"goal_id": foreign_goal, "level": 1}]},
        headers={"Idempotency-Key": "b"},
    )
    assert stranger.status_code == 422
    assert stranger.json["errors"][0]["field"] == f"goal_{foreign_goal}"
    bad_answer = api(
        "POST",
        f"/citizens/{citizen}/follow-ups",
        token,
        json={**body, "reviews": [{**r, "level": 7} for r in body["reviews"]]},
        headers={"Idempotency-Key": "c"},
    )
    assert bad_answer.status_code == 422
    assert _count(demo_app, FollowUp) == before
