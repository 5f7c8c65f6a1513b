"""The FHIR import on the API: POST /api/v1/units/<id>/fhir?sender=... is a dry run unless
commit=true, which needs an Idempotency-Key; leaders only, into a unit of their centre."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from del_tool.auth.models import User
from del_tool.citizens.models import Citizen
from del_tool.db import get_db
from del_tool.organisation.models import OfferKind, Unit
from tests.api.conftest import api, make_token  # noqa: F401 - the API fixtures
from tests.interop.test_fhir_import import UNIT, _bundle


@pytest.fixture
def leader_unit(demo_app) -> tuple[int, str]:
    """A residential unit of the demo leader's centre (id, name)."""
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        leader = db.exec(select(User).where(User.username == "leader")).one()
        unit = db.exec(
            select(Unit)
            .where(Unit.centre_id == leader.centre_id, Unit.offer_kind == OfferKind.RESIDENTIAL)
            .order_by(col(Unit.id))
        ).first()
        return int(unit.id or 0), unit.name


def _for(unit_name: str) -> dict[str, Any]:
    bundle = _bundle()
    for entry in bundle["entry"]:
        if entry["resource"].get("name") == UNIT:
            entry["resource"]["name"] = unit_name
    return bundle


def _citizens(demo_app) -> int:
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        return len(db.exec(select(Citizen.id)).all())


def test_a_dry_run_then_a_commit_under_a_key(demo_app, api, make_token, leader_unit):  # noqa: F811
    unit_id, name = leader_unit
    token = make_token("leader")
    before = _citizens(demo_app)
    path = f"/units/{unit_id}/fhir?sender=nexus"
    dry = api("POST", path, token, json=_for(name))
    assert dry.status_code == 200, dry.get_json()
    answer = dry.get_json()
    assert answer["committed"] is False and answer["refusals"] == []
    assert answer["counts"]["citizens"]["create"] == 1 and answer["ignored"] == {"MessageHeader": 1}
    assert _citizens(demo_app) == before
    no_key = api("POST", path + "&commit=true", token, json=_for(name))
    assert (
        no_key.status_code == 422 and no_key.get_json()["errors"][0]["field"] == "Idempotency-Key"
    )
    headers = {"Idempotency-Key": "nexus-2025-08-01"}
    written = api("POST", path + "&commit=true", token, json=_for(name), headers=headers)
    assert written.status_code == 200 and written.get_json()["committed"] is True
    assert written.get_json()["batch_id"] and _citizens(demo_app) == before + 1
    replay = api("POST", path + "&commit=true", token, json=_for(name), headers=headers)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.get_json() == written.get_json()
    other_key = {"Idempotency-Key": "nexus-2025-08-02"}
    again = api("POST", path + "&commit=true", token, json=_for(name), headers=other_key)
    assert again.get_json()["counts"]["goals"] == {
        "create": 0,
        "update": 0,
        "unchanged": 1,
        "refused": 0,
    }
    assert _citizens(demo_app) == before + 1
    reused = api(
        "POST", path + "&commit=true&all_or_nothing=true", token, json=_for(name), headers=headers
    )
    assert reused.status_code == 422  # the same key with another request


def test_refusals_name_resource_and_element(demo_app, api, make_token, leader_unit):  # noqa: F811
    unit_id, name = leader_unit
    bundle = _for(name)
    goal = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Goal")
    goal["target"][1]["detailCodeableConcept"]["coding"][0]["code"] = "7"
    answer = api("POST", f"/units/{unit_id}/fhir?sender=nexus", make_token("leader"), json=bundle)
    assert {
        "resource": "Goal/g1",
        "element": "target.detailCodeableConcept (funktionsevneniveau)",
        "message": 'Ukendt FFB-funktionsevneniveau "7".',
    } in answer.get_json()["refusals"]


def test_only_leaders_and_only_into_their_centre(demo_app, api, make_token, leader_unit):  # noqa: F811
    unit_id, name = leader_unit
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        leader = db.exec(select(User).where(User.username == "leader")).one()
        other = db.exec(select(Unit.id).where(Unit.centre_id != leader.centre_id)).first()
    body = _for(name)
    assert (
        api("POST", f"/units/{unit_id}/fhir?sender=n", make_token("staff"), json=body).status_code
        == 403
    )
    leader_token = make_token("leader")
    assert api("POST", f"/units/{other}/fhir?sender=n", leader_token, json=body).status_code == 403
    assert api("POST", "/units/999999/fhir?sender=n", leader_token, json=body).status_code == 404
    assert api("POST", f"/units/{unit_id}/fhir?sender=n", None, json=body).status_code == 401
    wrong = api(
        "POST", f"/units/{unit_id}/fhir?sender=n", leader_token, json={"resourceType": "Patient"}
    )
    assert wrong.status_code == 422
    bad_sender = api("POST", f"/units/{unit_id}/fhir?sender=two%20words", leader_token, json=body)
    assert bad_sender.status_code == 422
