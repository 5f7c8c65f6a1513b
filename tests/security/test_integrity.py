"""SECURITY.md Integrity: "Optimistic locking on editable records: a stale form is refused with a
clear message, not overwritten" and "A follow-up (answers, scores, goal reviews, audit rows) is
stored in one transaction or not at all"."""

from __future__ import annotations

from sqlmodel import func, select

from del_tool.audit.models import AuditEvent
from del_tool.citizens.models import Citizen
from del_tool.followups.models import Assessment, FollowUp, GoalReview
from del_tool.modelbase import local_today
from tests.conftest import DEMO_PASSWORD, login
from tests.security.endpoints import scoped_ids
from tests.security.forms import page_form
from tests.security.helpers import db_session, page


def _counts(app) -> tuple[int, ...]:
    with db_session(app) as db:
        return tuple(
            db.exec(select(func.count()).select_from(model)).one()
            for model in (FollowUp, GoalReview, Assessment, AuditEvent)
        )


def test_a_stale_form_is_refused_not_overwritten(demo_app):
    with db_session(demo_app) as db:
        citizen_id = scoped_ids(db)["own"]["citizen_id"]
    first, second = demo_app.test_client(), demo_app.test_client()
    login(first, "staff", DEMO_PASSWORD)
    login(second, "leader", DEMO_PASSWORD)
    url = f"/citizens/{citizen_id}/edit"
    form_first = page_form(page(first.get(url)), url)
    form_second = page_form(page(second.get(url)), url)
    assert first.post(url, data={**form_first.fields, "name": "Først Gemt"}).status_code == 302
    response = second.post(url, data={**form_second.fields, "name": "Senere Forsøg"})
    assert response.status_code == 302
    assert "Posten er ændret af en anden" in page(second.get(response.location))
    with db_session(demo_app) as db:
        assert db.get(Citizen, citizen_id).name == "Først Gemt"


def test_a_follow_up_is_stored_whole_or_not_at_all(demo_app, monkeypatch):
    """The history write of the second row fails: nothing of the follow-up remains."""
    import del_tool.citizens.history as history

    with db_session(demo_app) as db:
        citizen_id = scoped_ids(db)["own"]["citizen_id"]
    client = demo_app.test_client()
    login(client, "staff", DEMO_PASSWORD)
    url = f"/followups/new/{citizen_id}?date={local_today().isoformat()}"
    form = page_form(page(client.get(url)), url.split("?")[0])
    assert any(name.startswith("goal_") for name in form.fields)  # reviews are part of it
    before = _counts(demo_app)
    real, calls = history.record_create, []

    def failing(**kwargs):
        calls.append(kwargs["obj"].__tablename__)
        if len(calls) == 2:
            raise RuntimeError("the disk went away")
        return real(**kwargs)

    monkeypatch.setattr(history, "record_create", failing)
    demo_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(url, data=form.fields)
    assert response.status_code == 500 and "Traceback" not in page(response)
    assert calls == ["follow_ups", "goal_reviews"]
    assert _counts(demo_app) == before
    monkeypatch.setattr(history, "record_create", real)
    assert client.post(url, data=form.fields).status_code == 302
    assert _counts(demo_app) != before
