"""SECURITY.md Access: "Deny by default: every endpoint declares its permission", "Object-level
checks ... by URL id or by a hidden form field", "Councils get only aggregate endpoints ... no
names" and "Forms bind only allowed fields: scope, role, creator and version are set by the
server"."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint
from sqlmodel import func, select

from del_tool.auth.models import User
from del_tool.auth.permissions import Permission, endpoint_permission
from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.models import FollowUp
from del_tool.modelbase import local_today
from tests.conftest import DEMO_PASSWORD, login
from tests.security.endpoints import scoped_ids
from tests.security.forms import page_form
from tests.security.helpers import db_session, page

#: The only endpoints anyone may open without logging in.
PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "account.two_factor",
    "main.index",
    "main.healthz",
    "main.readyz",
    "main.accessibility",
    "main.set_language",
    "metrics.scrape",  # for a bearer token only (404 without METRICS_TOKEN, else 401)
    "api.openapi_json",  # the API's description and its page (README "API")
    "api.docs",
}


def test_every_endpoint_declares_a_permission(app):
    with app.app_context():
        undeclared = [e for e in app.view_functions if endpoint_permission(e) is None]
        public = {e for e in app.view_functions if endpoint_permission(e) is Permission.PUBLIC}
    assert undeclared == []
    assert public == PUBLIC_ENDPOINTS


def test_an_undeclared_endpoint_is_refused(app, make_user):
    extra = Blueprint("probe", __name__)
    extra.add_url_rule("/probe", "undeclared", lambda: "secret")
    app.register_blueprint(extra)
    user = make_user("admin")
    client = app.test_client()
    assert client.get("/probe").status_code == 403
    login(client, user.username)
    assert client.get("/probe").status_code == 403


def _ids(demo_app):
    with db_session(demo_app) as db:
        return scoped_ids(db)


def test_hidden_unit_field_cannot_place_a_citizen_in_another_unit(demo_app, demo_client):
    ids = _ids(demo_app)
    login(demo_client, "staff", DEMO_PASSWORD)
    with db_session(demo_app) as db:
        before = db.exec(select(func.count()).select_from(Citizen)).one()
        group = db.get(Citizen, ids["other"]["citizen_id"]).target_group.value
    response = demo_client.post(
        "/citizens/new",
        data={
            "name": "Skjult Felt",
            "birth_year": "1980",
            "sex": "male",
            "target_group": group,
            "unit_id": str(ids["other"]["unit_id"]),
            "municipality_code": "461",
            "legal_section": "107",
            "start_date": "2024-01-01",
        },
    )
    assert response.status_code in (200, 403)
    with db_session(demo_app) as db:
        assert db.exec(select(func.count()).select_from(Citizen)).one() == before


def test_hidden_unit_field_cannot_move_a_stay_into_another_unit(demo_app, demo_client):
    ids = _ids(demo_app)
    login(demo_client, "staff", DEMO_PASSWORD)
    stay_id = ids["own"]["stay_id"]
    with db_session(demo_app) as db:
        stay = db.get(Stay, stay_id)
        day, version = stay.start_date + timedelta(days=1), stay.version
        stays = db.exec(select(func.count()).select_from(Stay)).one()
    response = demo_client.post(
        f"/citizens/stays/{stay_id}/move",
        data={
            "unit_id": str(ids["other"]["unit_id"]),
            "municipality_code": "461",
            "legal_section": "107",
            "start_date": day.isoformat(),
            "version": str(version),
        },
    )
    assert response.status_code in (200, 403)
    with db_session(demo_app) as db:
        assert db.exec(select(func.count()).select_from(Stay)).one() == stays


def test_forms_bind_only_allowed_fields(demo_app, demo_client):
    """Ids, timestamps, anonymisation, creator and citizen in a form are ignored."""
    ids = _ids(demo_app)["own"]
    login(demo_client, "staff", DEMO_PASSWORD)
    citizen_id = ids["citizen_id"]
    with db_session(demo_app) as db:
        citizen = db.get(Citizen, citizen_id)
        created, version, group = citizen.created_at, citizen.version, citizen.target_group
        users = {u.username: u.id for u in db.exec(select(User))}
    response = demo_client.post(
        f"/citizens/{citizen_id}/edit",
        data={
            "name": "Nyt Navn",
            "birth_year": "1981",
            "sex": "female",
            "target_group": group.value,
            "version": str(version),
            "id": "999999",
            "created_at": "2000-01-01T00:00:00",
            "anonymised_at": "2000-01-01",
        },
    )
    assert response.status_code == 302
    with db_session(demo_app) as db:
        stored = db.get(Citizen, citizen_id)
        assert stored.name == "Nyt Navn" and stored.created_at == created
        assert stored.anonymised_at is None and stored.version == version + 1
        assert db.get(Citizen, 999999) is None
    url = f"/followups/new/{citizen_id}?date={local_today().isoformat()}"
    form = page_form(page(demo_client.get(url)), url.split("?")[0])
    token = form.fields["submission_token"]
    forged = {
        "recorded_by_id": str(users["admin"]),
        "citizen_id": str(citizen_id + 1),
        "stay_id": "1",
    }
    response = demo_client.post(url, data={**form.fields, **forged})
    assert response.status_code == 302, page(response)[-2000:]
    with db_session(demo_app) as db:
        stored = db.exec(select(FollowUp).where(FollowUp.submission_token == token)).one()
        assert stored.citizen_id == citizen_id and stored.stay_id == ids["stay_id"]
        assert stored.recorded_by_id == users["staff"]


def test_councils_see_no_citizen_names_or_row_level_pages(demo_app, demo_client):
    login(demo_client, "council", DEMO_PASSWORD)
    with db_session(demo_app) as db:
        names = set(db.exec(select(Citizen.name)).all())
    pages = [page(demo_client.get(url)) for url in ("/", "/home", "/reports/council")]
    for row_level in ("/citizens/", "/audit/", "/admin/users"):
        assert demo_client.get(row_level).status_code == 403
    for body in pages:
        assert not any(name in body for name in names)
