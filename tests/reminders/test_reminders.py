"""Issue #21 item 3: the weekly e-mail digest of follow-ups overdue and due this week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from del_tool import ConfigError, create_app
from del_tool.audit.models import AuditEvent
from del_tool.citizens.access import Actor
from del_tool.citizens.caseload import caseload
from del_tool.citizens.caseload_filters import CaseloadFilter, apply_filter
from del_tool.citizens.models import Citizen
from del_tool.db import get_db
from del_tool.jobs import get_jobs
from del_tool.reminders.digest import digest_for
from del_tool.reminders.models import ReminderSubscription
from del_tool.reminders.tasks import send_reminders
from tests.conftest import make_config
from tests.reminders.conftest import free_port
from tests.support.staff import TODAY, text

ADDRESS = "medarbejder@region.example"


def _subscribe(app, user, email=ADDRESS, weekly=True):
    with get_db(app).session(write=True) as db:
        db.add(ReminderSubscription(user_id=user.id, email=email, weekly=weekly))
        db.commit()


def _subscription(app, user):
    with get_db(app).session(write=False) as db:
        return db.get(ReminderSubscription, user.id)


def test_staff_choose_an_address_and_the_choice_is_in_the_history(app, client_as, user_as):
    client = client_as("staff")
    page = client.get("/account/reminders/")
    assert page.status_code == 200 and "ingen mailserver" in text(page)
    response = client.post("/account/reminders/", data={"email": f"  {ADDRESS} ", "weekly": "y"})
    assert response.status_code == 302
    stored = _subscription(app, user_as("staff"))
    assert (stored.email, stored.weekly) == (ADDRESS, True)
    client.post("/account/reminders/", data={"email": ADDRESS})  # unticked: off
    assert _subscription(app, user_as("staff")).weekly is False
    with get_db(app).session(write=False) as db:
        events = db.exec(
            select(AuditEvent).where(AuditEvent.entity == "reminder_subscriptions")
        ).all()
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes == {"weekly": [True, False]}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "ikke en adresse", "weekly": "y"}, "Skriv en e-mailadresse"),
        ({"email": "", "weekly": "y"}, "Skriv den adresse"),
        ({"email": "a@" + "b" * 260 + ".dk", "weekly": "y"}, "Højst 254 tegn"),
    ],
)
def test_a_bad_address_is_refused_beside_the_field(app, client_as, user_as, data, error):
    response = client_as("staff").post("/account/reminders/", data=data)
    assert response.status_code == 200 and error in text(response)
    assert _subscription(app, user_as("staff")) is None


def test_the_digest_counts_what_the_caseload_counts(app, world, user_as):
    for role in ("staff", "leader"):
        user = user_as(role)
        with get_db(app).session(write=False) as db:
            digest = digest_for(db, user, TODAY)
            actor = Actor.of(user, session=db)
            _units, counts = apply_filter(
                caseload(session=db, actor=actor, today=TODAY), CaseloadFilter(), TODAY
            )
            _mine, mine = apply_filter(
                caseload(session=db, actor=actor, today=TODAY),
                CaseloadFilter(contact=user.id),
                TODAY,
            )
        assert (digest.overdue, digest.this_week) == (counts.overdue, counts.this_week)
        assert (digest.mine_overdue, digest.mine_this_week) == (mine.overdue, mine.this_week)
        assert digest.overdue >= 1  # Åse Ørnsholt's follow-up is overdue in unit a1


def test_the_weekly_run_mails_counts_and_a_link_never_a_name(app, world, user_as, mail_server):
    staff, leader = user_as("staff"), user_as("leader")
    _subscribe(app, staff)
    _subscribe(app, leader, "leder@region.example")
    app.config["REMINDER_DETAIL"] = "units"
    with app.app_context():
        run = send_reminders(app, today=TODAY)
        with get_db(app).session(write=False) as db:
            names = [c.name for c in db.exec(select(Citizen)).all()]
            expected = digest_for(db, staff, TODAY)
    assert sorted(run.sent) == sorted([ADDRESS, "leder@region.example"]) and not run.refused
    [message] = mail_server.to(ADDRESS)
    body = message.get_content()
    assert message["Subject"].startswith(f"DEL: {expected.overdue} forfaldne opfølgninger")
    assert f"- Forfaldne: {expected.overdue}" in body and f"- Overdue: {expected.overdue}" in body
    assert "https://del.region.example/citizens/?status=overdue" in body
    assert "https://del.region.example/account/reminders" in body
    assert not any(name in body for name in names)
    assert message["Auto-Submitted"] == "auto-generated"
    with app.app_context():
        again = send_reminders(app, today=TODAY)  # the same week: sent already
        later = send_reminders(app, today=TODAY + timedelta(days=7))
    assert again.sent == [] and again.already_sent == 2
    assert len(later.sent) == 2 and len(mail_server.to(ADDRESS)) == 2
    assert _subscription(app, staff).last_sent_week is not None


def test_counts_only_by_default_and_no_mail_when_nothing_is_due(
    app, world, user_as, make_user, mail_server
):
    staff = make_user("staff", unit_ids=[world.unit_a2])  # a unit without citizens
    _subscribe(app, user_as("staff"))
    _subscribe(app, staff, "a2@region.example")
    with app.app_context():
        run = send_reminders(app, today=TODAY)
    [message] = mail_server.to(ADDRESS)
    assert "Pr. tilbud" not in message.get_content()  # REMINDER_DETAIL "count"
    assert run.nothing_due == ["a2@region.example"] and mail_server.to("a2@region.example") == []
    assert _subscription(app, staff).last_sent_week == run.week


def test_a_refused_address_is_reported_and_the_others_get_theirs(
    app, world, user_as, mail_server, runner
):
    _subscribe(app, user_as("staff"), "gone@region.example")
    _subscribe(app, user_as("leader"), "leder@region.example")
    mail_server.refuse.add("gone@region.example")
    result = runner.invoke(args=["reminders", "send", "--date", TODAY.isoformat()])
    assert result.exit_code == 1
    assert "refused: gone@region.example: 550" in result.output
    assert len(mail_server.to("leder@region.example")) == 1
    assert _subscription(app, user_as("staff")).last_sent_week is None  # tried again next run


def test_an_unreachable_server_stops_in_one_line_and_marks_nothing(app, world, user_as, runner):
    _subscribe(app, user_as("staff"))
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=free_port(),
        MAIL_SECURITY="none",
        MAIL_FROM="del@region.example",
        PUBLIC_URL="https://del.region.example",
    )
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: mail server 127.0.0.1:")
    assert len(result.output.strip().splitlines()) == 1
    assert _subscription(app, user_as("staff")).last_sent_week is None
    dry = runner.invoke(args=["reminders", "send", "--dry-run"])
    assert dry.exit_code == 0 and "would send 1" in dry.output


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"MAIL_SERVER": "smtp.example", "MAIL_FROM": "del@example.dk"}, "DEL_PUBLIC_URL"),
        (
            {"MAIL_SERVER": "smtp.example", "PUBLIC_URL": "https://del.example.dk"},
            "DEL_MAIL_FROM",
        ),
        ({"MAIL_SERVER": "smtp.example", "MAIL_SECURITY": "tls"}, "DEL_MAIL_SECURITY"),
        ({"REMINDER_DETAIL": "names"}, "DEL_REMINDER_DETAIL"),
        (
            {
                "MAIL_SERVER": "smtp.example",
                "MAIL_FROM": "del@example.dk",
                "PUBLIC_URL": "https://del.example.dk",
                "REMINDER_SCHEDULE": "monday",
            },
            "REMINDER_SCHEDULE",
        ),
    ],
)
def test_mail_settings_that_cannot_send_stop_the_start(databases, settings, named):
    url = databases.fresh("seeded")
    try:
        with pytest.raises(ConfigError, match=named) as refused:
            create_app(make_config(url, **settings))
    finally:
        databases.drop(url)
    assert "\n" not in str(refused.value)


def test_the_worker_sends_digests_only_with_a_mail_server(databases):
    url = databases.fresh("seeded")
    mail = {
        "MAIL_SERVER": "smtp.example",
        "MAIL_FROM": "del@example.dk",
        "PUBLIC_URL": "https://del.example.dk",
    }
    try:
        assert "weekly_reminders" not in get_jobs(create_app(make_config(url))).tasks
        assert "weekly_reminders" in get_jobs(create_app(make_config(url, **mail))).tasks
    finally:
        databases.drop(url)
