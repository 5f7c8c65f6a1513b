"""The self-report screen's sessions hold a citizen's answers: they are in the citizen's
right-of-access export, and anonymisation removes them (the answers stay as assessments)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from del_tool.db import get_db
from del_tool.followups.models import Assessment
from del_tool.security.privacy.anonymise import anonymise_citizen
from del_tool.security.privacy.export import citizen_record
from del_tool.selfreport.models import SelfReportSession
from tests.selfreport.test_screen import answer, start
from tests.support.staff import World


def test_export_holds_and_anonymisation_removes_the_sessions(
    app: Flask, with_wording: Flask, staff: FlaskClient, world: World
) -> None:
    start(staff, world)
    answer(staff, 3)
    answer(staff, None, action="stop")
    with app.app_context(), get_db(app).session(write=True) as session:
        record = citizen_record(session, world.citizen_a)
        assert [r["answers"] for r in record["self_reports"]] == [{"who5": {"q1": 3}}]
        anonymise_citizen(session=session, citizen_id=world.citizen_a, user_id=None)
        session.commit()
        assert session.exec(select(SelfReportSession)).all() == []
        assert len(session.exec(select(Assessment)).all()) == 1
