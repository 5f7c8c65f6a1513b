"""SECURITY.md Privacy: "Logs carry no passwords, cookies or free-text notes", "No CPR numbers"
and "Demo and test data are synthetic"."""

from __future__ import annotations

import logging
import re

from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select

from del_tool.audit.models import AccessEvent, LoginEvent
from del_tool.auth.permissions import public
from del_tool.demo.names import FEMALE_FIRST, MALE_FIRST, OTHER_FIRST, SURNAMES
from tests.conftest import DEMO_PASSWORD, login
from tests.security.endpoints import scoped_ids
from tests.security.forms import page_form
from tests.security.helpers import db_session, page

SECRET_PASSWORD = "hemmeligt-kodeord-til-loggen"
SECRET_NOTE = "Fortrolig note om borgerens helbred"


def test_logs_carry_no_passwords_cookies_or_notes(demo_app, caplog):
    caplog.set_level(logging.DEBUG)
    demo_app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("failure while handling the request")

    demo_app.add_url_rule("/boom", "boom", public(boom))
    client = demo_app.test_client()
    client.post("/auth/login", data={"username": "staff", "password": SECRET_PASSWORD})
    login(client, "staff", DEMO_PASSWORD)
    cookie = client.get_cookie("del_session").value
    with db_session(demo_app) as db:
        ids = scoped_ids(db)["own"]
    url = f"/followups/new/{ids['citizen_id']}"
    form = page_form(page(client.get(url)), url)
    assert client.post(url, data={**form.fields, "note": SECRET_NOTE}).status_code == 302
    assert client.get("/boom").status_code == 500
    logged = caplog.text
    assert "unhandled error on GET /boom" in logged  # the log works ...
    for secret in (SECRET_PASSWORD, DEMO_PASSWORD, cookie, SECRET_NOTE):
        assert secret not in logged  # ... and holds none of these
    with db_session(demo_app) as db:
        rows = [e.model_dump() for e in db.exec(select(LoginEvent))]
        rows += [e.model_dump() for e in db.exec(select(AccessEvent))]
    assert not any(s in str(rows) for s in (SECRET_PASSWORD, DEMO_PASSWORD, SECRET_NOTE))


CPR = re.compile(r"\b[0-3]\d[01]\d\d\d-?\d{4}\b")


def test_no_cpr_numbers_in_schema_or_demo_data(demo_app):
    with db_session(demo_app) as db:
        inspector = inspect(db.get_bind())
        for table in SQLModel.metadata.tables:
            columns = [c["name"] for c in inspector.get_columns(table)]
            assert not any("cpr" in c.lower() for c in columns), table
        citizens = db.execute(text("SELECT name, case_reference FROM citizens")).all()
    assert citizens and not any(CPR.search(str(value)) for row in citizens for value in row)


def test_demo_people_are_generated_from_name_lists(demo_app):
    first_names = set(FEMALE_FIRST) | set(MALE_FIRST) | set(OTHER_FIRST)
    with db_session(demo_app) as db:
        names = [row[0] for row in db.execute(text("SELECT name FROM citizens"))]
    assert len(names) == 160
    for name in names:
        first, *_, last = name.split()
        assert first in first_names and last in set(SURNAMES), name
