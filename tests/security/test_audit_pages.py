"""The leaders' log pages: reads per citizen in their centre, one citizen's log and export, and
the sample review (SECURITY.md "An access log ... queryable per citizen")."""

from __future__ import annotations

import json

from sqlmodel import select

from del_tool.audit.models import AccessEvent, AccessReview
from del_tool.audit.services import log_access
from del_tool.auth.models import User
from del_tool.citizens.models import Citizen, Stay
from del_tool.organisation.models import Unit
from tests.conftest import DEMO_PASSWORD, login
from tests.security.helpers import db_session, page


def _citizens(demo_app):
    """(a citizen in the leader's centre, one outside it, the leader's and staff's ids)."""
    with db_session(demo_app) as db:
        leader = db.exec(select(User).where(User.username == "leader")).one()
        staff = db.exec(select(User).where(User.username == "staff")).one()
        units = set(db.exec(select(Unit.id).where(Unit.centre_id == leader.centre_id)).all())
        stays = db.exec(select(Stay).order_by(Stay.id)).all()
        inside = next(s.citizen_id for s in stays if s.unit_id in units and s.end_date is None)
        outside_ids = {s.citizen_id for s in stays if s.unit_id not in units}
        outside_ids -= {s.citizen_id for s in stays if s.unit_id in units}
        outside = min(outside_ids)
        for citizen_id in (inside, outside):
            log_access(
                session=db,
                user_id=staff.id,
                action="view",
                citizen_id=citizen_id,
                endpoint="citizens.profile",
            )
        return inside, outside, leader.id, staff.id


def test_leader_sees_reads_of_their_centre_only(demo_app, demo_client):
    inside, outside, _leader, _staff = _citizens(demo_app)
    login(demo_client, "leader", DEMO_PASSWORD)
    body = page(demo_client.get("/audit/"))
    # Match whole ids: /audit/citizens/1 is a prefix of /audit/citizens/14.
    assert f'/audit/citizens/{inside}"' in body
    assert f'/audit/citizens/{outside}"' not in body
    assert demo_client.get(f"/audit/citizens/{inside}").status_code == 200
    assert demo_client.get(f"/audit/citizens/{outside}").status_code == 403
    assert demo_client.get("/audit/citizens/999999").status_code == 404


def test_only_leaders_open_the_log(demo_client):
    for username in ("staff", "analyst", "council", "admin"):
        login(demo_client, username, DEMO_PASSWORD)
        assert demo_client.get("/audit/").status_code == 403, username
        demo_client.post("/auth/logout")


def test_right_of_access_export_from_the_page(demo_app, demo_client):
    inside, outside, leader_id, _staff = _citizens(demo_app)
    login(demo_client, "leader", DEMO_PASSWORD)
    response = demo_client.get(f"/audit/citizens/{inside}/export.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.data)["citizen"]["id"] == inside
    pdf = demo_client.get(f"/audit/citizens/{inside}/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert demo_client.get(f"/audit/citizens/{outside}/export.json").status_code == 403
    with db_session(demo_app) as db:
        actions = db.exec(
            select(AccessEvent.action).where(
                AccessEvent.citizen_id == inside, AccessEvent.user_id == leader_id
            )
        ).all()
    assert actions.count("export") == 2


def test_sample_review_records_the_verdict(demo_app, demo_client):
    inside, outside, leader_id, _staff = _citizens(demo_app)
    demo_app.config["ACCESS_SAMPLE_SIZE"] = 10_000  # every candidate, so the test is not random
    login(demo_client, "leader", DEMO_PASSWORD)
    body = page(demo_client.get("/audit/sample"))
    with db_session(demo_app) as db:
        event_in = db.exec(select(AccessEvent.id).where(AccessEvent.citizen_id == inside)).first()
        event_out = db.exec(select(AccessEvent.id).where(AccessEvent.citizen_id == outside)).first()
        name = db.get(Citizen, inside).name
    assert name in body and f"/audit/sample/{event_out}" not in body
    response = demo_client.post(f"/audit/sample/{event_in}", data={"verdict": "question"})
    assert response.status_code == 302
    assert demo_client.post(f"/audit/sample/{event_out}", data={"verdict": "ok"}).status_code == 403
    assert demo_client.post(f"/audit/sample/{event_in}", data={"verdict": "x"}).status_code == 400
    with db_session(demo_app) as db:
        reviews = db.exec(select(AccessReview)).all()
        assert [(r.access_event_id, r.reviewer_id, r.work_related) for r in reviews] == [
            (event_in, leader_id, False)
        ]
    assert f'/audit/sample/{event_in}"' not in page(demo_client.get("/audit/sample"))
