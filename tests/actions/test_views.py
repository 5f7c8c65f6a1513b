"""Actions in the browser's terms: the link beside a report figure, the form prefilled from the
stored build (bad input beside its field, tampered figures refused), the action log's filters
and who may do what."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlmodel import col, select

from del_tool.actions.models import Action, ActionStatus
from del_tool.audit.models import AuditEvent
from del_tool.db import get_db
from del_tool.modelbase import local_today
from tests.conftest import DEMO_PASSWORD, login

REPORT = "/reports/report?kind=learning&scope=centre:2&period=2026Q2"
LINK = re.compile(
    r'href="(/actions/new\?[^"]+)">Registrér handling<span class="sr-only">: ([^<]+)<'
)


def _links(client, url=REPORT):
    page = client.get(url)
    assert page.status_code == 200
    return [(html.unescape(u), html.unescape(n)) for u, n in LINK.findall(page.text)]


def _post(client, url, **values):
    page = client.get(url)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    hidden = dict(
        re.findall(r'<input id="(\w+)" name="\w+" type="hidden" value="([^"]*)"', page.text)
    )
    hidden.pop("csrf_token", None)
    data = {**{k: html.unescape(v) for k, v in hidden.items()}, **values}
    if token:
        data["csrf_token"] = token.group(1)
    return client.post(url.split("?")[0] if "?" in url else url, data=data)


def _actions(app):
    with app.app_context(), get_db(app).session(write=False) as db:
        mine = col(Action.created_by).is_not(None)  # not the demo's own (created by no one)
        rows = db.exec(select(Action).where(mine).order_by(Action.id)).all()
        db.expunge_all()
        return list(rows)


def test_a_leader_records_an_action_from_a_learning_report_figure(demo_app, demo_client):
    login(demo_client, "leader", DEMO_PASSWORD)
    links = _links(demo_client)
    figures = [(u, n) for u, n in links if "figure=" in u]
    rows = [(u, n) for u, n in links if "table=" in u]
    assert figures and rows
    url, name = figures[0]
    form = demo_client.get(url)
    assert form.status_code == 200 and name in html.unescape(form.text)
    due = (local_today() + timedelta(days=30)).isoformat()
    past = (local_today() - timedelta(days=1)).isoformat()
    bad = _post(demo_client, url, what="", owner="Teamleder", due_date=past)
    assert bad.status_code == 200
    assert (
        "Skriv, hvad der skal ændres." in bad.text
        and "Fristen kan ikke ligge før i dag." in bad.text
    )
    assert _actions(demo_app) == []
    good = _post(demo_client, url, what="Ugentlig målsamtale", owner="Teamleder", due_date=due)
    assert good.status_code == 302
    [action] = _actions(demo_app)
    assert action.centre_id == 2 and action.report_kind == "learning"
    assert action.period_key == "2026Q2" and action.figure_label == name
    assert action.status is ActionStatus.OPEN and action.created_by is not None
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        events = db.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "actions", AuditEvent.entity_id == str(action.id)
            )
        ).all()
        assert [(e.action, e.user_id) for e in events] == [("create", action.created_by)]
    log = demo_client.get("/actions/")
    assert log.status_code == 200 and "Ugentlig målsamtale" in log.text
    # A table row works the same way, with the table's title in its label.
    row_url, row_name = rows[0]
    assert (
        _post(demo_client, row_url, what="Ny praksis", owner="Leder", due_date=due).status_code
        == 302
    )
    assert _actions(demo_app)[-1].figure_label == row_name


def test_the_figure_comes_from_the_build_never_from_the_query(demo_app, demo_client):
    login(demo_client, "leader", DEMO_PASSWORD)
    url = next(u for u, _n in _links(demo_client) if "figure=" in u)
    assert demo_client.get(re.sub(r"figure=[^&]+", "figure=invented", url)).status_code == 404
    assert demo_client.get(url.replace("section=", "section=x")).status_code == 404
    assert demo_client.get(url.replace("period=2026Q2", "period=1999Q1")).status_code == 404
    assert demo_client.get(url.replace("period=2026Q2", "period=nonsense")).status_code == 404
    assert demo_client.get(url.replace("centre:2", "centre:1")).status_code == 403
    tampered = _post(demo_client, url, what="x", owner="y", due_date=local_today().isoformat(),
                     figure="invented")  # fmt: skip
    assert tampered.status_code == 404 and _actions(demo_app) == []


def test_staff_see_actions_but_get_no_links_and_no_forms(demo_app, demo_client):
    login(demo_client, "staff", DEMO_PASSWORD)
    page = demo_client.get("/actions/")
    assert page.status_code == 200 and "Handlinger" in page.text
    assert demo_client.get("/actions/new?kind=learning&scope=centre:2").status_code == 403


def test_done_and_the_log_filters(demo_app, demo_client):
    login(demo_client, "leader", DEMO_PASSWORD)
    url = next(u for u, _n in _links(demo_client) if "figure=" in u)
    due = local_today().isoformat()
    for what in ("Første", "Anden"):
        assert _post(demo_client, url, what=what, owner="Leder", due_date=due).status_code == 302
    first, second = _actions(demo_app)
    with demo_app.app_context(), get_db(demo_app).session(write=True) as db:
        row = db.get(Action, first.id)
        row.due_date = local_today() - timedelta(days=3)
        db.commit()
    missing = _post(demo_client, f"/actions/{second.id}/status", status="done", outcome_note="")
    assert missing.status_code == 200 and "Skriv, hvad der kom ud af handlingen." in missing.text
    done = _post(demo_client, f"/actions/{second.id}/status", status="done", outcome_note="Virkede")
    assert done.status_code == 302
    overdue = demo_client.get("/actions/?status=overdue").text
    assert "Første" in overdue and "Anden" not in overdue and "forsinket" in overdue
    finished = demo_client.get("/actions/?status=done").text
    assert "Anden" in finished and "Virkede" in finished and "Første" not in finished
    assert "Første" in demo_client.get("/actions/?where=centre:2").text
    foreign = demo_client.get("/actions/?where=centre:1")  # not a choice: the filter is ignored
    assert foreign.status_code == 200 and "Vælg en gyldig" not in foreign.text
    old_due = (local_today() - timedelta(days=3)).isoformat()  # past, but it was so already
    edited = _post(
        demo_client, f"/actions/{first.id}/edit", what="Første, rettet", owner="Leder",
        due_date=old_due,
    )  # fmt: skip
    assert edited.status_code == 302 and _actions(demo_app)[0].what == "Første, rettet"


def test_the_leaders_caseload_counts_overdue_actions(demo_app, demo_client):
    login(demo_client, "leader", DEMO_PASSWORD)
    page = demo_client.get("/citizens/")
    assert page.status_code == 200
    count = re.search(r"Åbne handlinger, hvis frist er overskredet: (\d+)\.", page.text)
    assert count and int(count.group(1)) >= 1  # the demo's overdue action of the centre
    assert 'href="/actions/?status=overdue"' in page.text
    demo_client.post("/auth/logout")
    login(demo_client, "staff", DEMO_PASSWORD)
    assert "Åbne handlinger, hvis frist" not in demo_client.get("/citizens/").text


def test_an_action_never_stores_a_cpr_number(demo_app, demo_client):
    """SECURITY.md "No CPR numbers": an action's text is free text like every other (and a
    shared action's text reaches the council), so a CPR-shaped number is refused beside its
    field, as the form's text fields and the service both say."""
    login(demo_client, "leader", DEMO_PASSWORD)
    url = next(u for u, _n in _links(demo_client) if "figure=" in u)
    due = (local_today() + timedelta(days=30)).isoformat()
    for field in ("what", "owner"):
        values = {"what": "Ugentlig målsamtale", "owner": "Teamleder", "due_date": due}
        values[field] = "Samtale med 010190-1234"
        refused = _post(demo_client, url, **values)
        assert refused.status_code == 200 and "DEL gemmer ikke CPR-numre" in refused.text
    assert _actions(demo_app) == []
