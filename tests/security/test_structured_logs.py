"""Issue #20 item 3: one JSON line per event with a request id carried into jobs, security events
as a stream of their own, and no personal data in the application log."""

from __future__ import annotations

import json
import logging

from sqlmodel import select

from del_tool.citizens.models import Citizen
from del_tool.jobs import REQUEST_ID_ARGUMENT, _in_app_context
from del_tool.logs import REQUEST_ID, RequestIdFilter, formatter, security_event
from tests.conftest import DEMO_PASSWORD, login
from tests.security.helpers import db_session


def test_a_log_line_is_one_json_object_with_its_request_id():
    record = logging.LogRecord("del_tool.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    token = REQUEST_ID.set("req-1")
    try:
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(formatter("json").format(record))
    assert line["message"] == "hello you" and line["request_id"] == "req-1"
    assert line["level"] == "INFO" and line["logger"] == "del_tool.x"


def test_the_request_id_comes_back_and_goes_into_the_jobs_a_request_queues(app, client):
    answer = client.get("/healthz", headers={"X-Request-ID": "proxy-42"})
    assert answer.headers["X-Request-ID"] == "proxy-42"
    made_up = client.get("/healthz", headers={"X-Request-ID": "bad id; drop table"})
    assert made_up.headers["X-Request-ID"] != "bad id; drop table"
    seen = []
    job = _in_app_context(app, lambda **kw: seen.append(REQUEST_ID.get()))
    job(**{REQUEST_ID_ARGUMENT: "proxy-42"})
    assert seen == ["proxy-42"] and REQUEST_ID.get() is None


def test_security_events_go_to_their_own_file(app, tmp_path):
    from del_tool.logs import _security_handlers

    app.config["SECURITY_LOG_FILE"] = str(tmp_path / "security.jsonl")
    _security_handlers(app)
    try:
        security_event("audit.verified", problems=0, events=12)
    finally:
        logger = logging.getLogger("del_tool.security")
        for handler in list(logger.handlers):
            if str(tmp_path) in handler.get_name():
                handler.close()
                logger.removeHandler(handler)
    (line,) = (tmp_path / "security.jsonl").read_text(encoding="utf-8").splitlines()
    event = json.loads(line)
    assert event["event"] == "audit.verified" and event["events"] == 12


def test_logins_are_security_events_and_no_citizen_name_is_logged(demo_app, caplog):
    caplog.set_level(logging.DEBUG)
    client = demo_app.test_client()
    client.post("/auth/login", data={"username": "staff", "password": "forkert-kodeord"})
    login(client, "staff", DEMO_PASSWORD)
    with db_session(demo_app) as db:
        rows = [(c.id, c.name) for c in db.exec(select(Citizen)).all()]
    names = [name for _id, name in rows]
    client.get("/citizens/")
    client.get(f"/citizens/{rows[0][0]}")
    client.get("/reports/report?kind=documentation&scope=region&period=2026Q3")
    events = [r for r in caplog.records if r.name == "del_tool.security"]
    outcomes = [getattr(r, "outcome", None) for r in events if r.getMessage() == "login"]
    assert outcomes == ["wrong_password", "ok"]
    logged = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    assert not [name for name in names if name in logged]


def test_exports_and_erasures_are_security_events(app, caplog):
    from del_tool.db import write_session
    from del_tool.security.privacy.anonymise import anonymise_citizen
    from del_tool.security.privacy.export import export_citizen
    from tests.security.test_history import add_citizen

    caplog.set_level(logging.INFO, logger="del_tool.security")
    with app.app_context(), write_session(app) as db:
        citizen = add_citizen(db, name="Loggen Larsen").id
        export_citizen(session=db, citizen_id=citizen, user_id=None, fmt="json", endpoint="cli")
        anonymise_citizen(session=db, citizen_id=citizen, user_id=None)
    events = [r.getMessage() for r in caplog.records if r.name == "del_tool.security"]
    assert events == ["export.right_of_access", "erasure.anonymised"]
    assert "Loggen Larsen" not in caplog.text
