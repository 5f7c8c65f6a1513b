"""Referrals: who may read and record them, the rules of a decision, the change history, and a
new citizen's stay created from a referral."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from del_tool.audit.models import AccessEvent, AuditEvent
from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_db
from del_tool.organisation.models import LegalSection, Referral, ReferralOutcome
from tests.support.staff import PAYER, TODAY, count, get_row, text


def _referral(app, unit, *, days_ago=10, **values):
    """A referral written directly (the forms are tested below)."""
    with app.app_context(), get_db(app).session(write=True) as db:
        row = Referral(
            unit_id=unit,
            municipality_code=PAYER,
            legal_section=LegalSection.S107,
            referred_on=TODAY - timedelta(days=days_ago),
            outcome=ReferralOutcome.PENDING,
            **values,
        )
        db.add(row)
        db.commit()
        return row.id


def test_a_referral_names_no_citizen():
    columns = set(Referral.__table__.columns.keys())
    assert columns == {
        "id", "unit_id", "municipality_code", "legal_section", "referred_on", "outcome",
        "decided_on", "stay_id", "version",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("role", "status"),
    [("leader", 200), ("analyst", 200), ("staff", 403), ("council", 403), ("admin", 403)],
)
def test_leaders_and_analysts_read_referrals_others_are_refused(client_as, world, role, status):
    client = client_as(role)
    assert client.get("/referrals/").status_code == status
    assert client.get(f"/referrals/units/{world.unit_a1}").status_code == status


def test_a_leader_sees_only_the_units_of_the_centre(client_as, world):
    leader = client_as("leader")
    assert leader.get(f"/referrals/units/{world.unit_b}").status_code == 403
    assert leader.get("/referrals/units/999999").status_code == 404
    assert client_as("analyst").get(f"/referrals/units/{world.unit_b}").status_code == 200


def test_the_menu_shows_referrals_to_leaders_and_analysts_only(client_as, world):
    assert 'href="/referrals/"' in text(client_as("leader").get("/reports/"))
    assert 'href="/referrals/"' in text(client_as("analyst").get("/reports/"))
    assert 'href="/referrals/"' not in text(client_as("staff").get("/reports/"))


def test_analysts_read_but_do_not_record(app, client_as, world):
    analyst = client_as("analyst")
    referral = _referral(app, world.unit_a1)
    assert analyst.get(f"/referrals/units/{world.unit_a1}/new").status_code == 403
    assert analyst.post(f"/referrals/{referral}/decide", data={}).status_code == 403
    assert "Registrér henvendelse" not in text(analyst.get(f"/referrals/units/{world.unit_a1}"))


def test_a_leader_records_a_referral_with_its_history(app, db, client_as, world):
    leader = client_as("leader")
    day = (TODAY - timedelta(days=3)).isoformat()
    response = leader.post(
        f"/referrals/units/{world.unit_a1}/new",
        data={"municipality_code": PAYER, "legal_section": "107", "referred_on": day},
    )
    assert response.status_code == 302
    with db() as session:
        row = session.exec(select(Referral)).one()
        assert (row.outcome, row.legal_section, row.unit_id) == (
            ReferralOutcome.PENDING,
            LegalSection.S107,
            world.unit_a1,
        )
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "referrals")).one()
        assert event.action == "create" and event.citizen_id is None
    page = text(leader.get(f"/referrals/units/{world.unit_a1}"))
    assert "Venter (1)" in page and "Odense" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"referred_on": "2999-01-01"}, "referred_on", "fremtiden"),
        ({"municipality_code": "999"}, "municipality_code", "kommune"),
        ({"legal_section": "999"}, "legal_section", "paragraf"),
        ({"referred_on": ""}, "referred_on", "Skriv datoen"),
    ],
)
def test_bad_referral_input_is_refused_beside_the_field(db, client_as, world, data, field, message):
    good = {"municipality_code": PAYER, "legal_section": "", "referred_on": TODAY.isoformat()}
    response = client_as("leader").post(
        f"/referrals/units/{world.unit_a1}/new", data={**good, **data}
    )
    assert response.status_code == 200
    assert f'id="{field}-error"' in text(response) and message in text(response)
    assert count(db, Referral) == 0


def test_a_leader_cannot_record_in_another_centre(client_as, world):
    response = client_as("leader").post(
        f"/referrals/units/{world.unit_b}/new",
        data={"municipality_code": PAYER, "referred_on": TODAY.isoformat()},
    )
    assert response.status_code == 403


def _decide(client, referral, version=1, **data):
    return client.post(f"/referrals/{referral}/decide", data={"version": version, **data})


def test_an_admission_links_a_stay_of_the_unit_that_began_after_the_referral(
    app, db, client_as, world
):
    # Citizen a's stay in a1 began 365 days ago; a referral 400 days ago may link it.
    leader = client_as("leader")
    referral = _referral(app, world.unit_a1, days_ago=400)
    page = text(leader.get(f"/referrals/{referral}/decide"))
    assert "Åse Ørnsholt (f. 1980)" in page  # the choice names the citizen ...
    with db() as session:  # ... so the listing is in the citizen's access log
        logged = session.exec(
            select(AccessEvent).where(AccessEvent.citizen_id == world.citizen_a)
        ).all()
        assert [e.detail for e in logged] == ["referral stay choice"]
    day = (TODAY - timedelta(days=366)).isoformat()
    response = _decide(
        leader, referral, outcome="admitted", decided_on=day, stay_id=str(world.stay_a)
    )
    assert response.status_code == 302
    row = get_row(db, Referral, referral)
    assert row.outcome is ReferralOutcome.ADMITTED and row.stay_id == world.stay_a
    assert row.decided_on == TODAY - timedelta(days=366)
    with db() as session:
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "referrals", AuditEvent.action == "update"
            )
        ).all()
        assert events and events[-1].changes["stay_id"] == [None, world.stay_a]


def test_a_stay_is_linked_once(app, client_as, world):
    leader = client_as("leader")
    first = _referral(app, world.unit_a1, days_ago=400)
    second = _referral(app, world.unit_a1, days_ago=390)
    day = TODAY.isoformat()
    first_answer = _decide(leader, first, outcome="admitted", decided_on=day, stay_id=world.stay_a)
    assert first_answer.status_code == 302
    # The linked stay is no longer offered, and posting it anyway is refused beside the field.
    assert "Åse Ørnsholt" not in text(leader.get(f"/referrals/{second}/decide"))
    response = _decide(leader, second, outcome="admitted", decided_on=day, stay_id=world.stay_a)
    assert response.status_code == 200 and 'id="stay_id-error"' in text(response)
    assert "anden henvendelse" in text(response)


@pytest.mark.parametrize(
    ("days_ago", "data", "field", "message"),
    [
        (10, {"outcome": "declined", "decided_on": "FUTURE"}, "decided_on", "fremtiden"),
        (10, {"outcome": "withdrawn", "decided_on": "BEFORE"}, "decided_on", "før henvendelsen"),
        (10, {"outcome": "declined", "decided_on": ""}, "decided_on", "Skriv datoen"),
        (10, {"outcome": "admitted", "decided_on": "TODAY"}, "stay_id", "Vælg opholdet"),
        (10, {"outcome": "admitted", "decided_on": "TODAY", "stay_id": "A"}, "stay_id", "før"),
        (400, {"outcome": "admitted", "decided_on": "TODAY", "stay_id": "B"}, "stay_id", "tilbud"),
    ],
)
def test_bad_decisions_are_refused_beside_the_field(
    app, db, client_as, world, days_ago, data, field, message
):
    # A referral 10 days ago cannot link citizen a's stay (it began 365 days ago); stay b is in
    # another centre's unit (a tampered choice).
    referral = _referral(app, world.unit_a1, days_ago=days_ago)
    days = {
        "FUTURE": (TODAY + timedelta(days=1)).isoformat(),
        "BEFORE": (TODAY - timedelta(days=11)).isoformat(),
        "TODAY": TODAY.isoformat(),
        "A": str(world.stay_a),
        "B": str(world.stay_b),
    }
    posted = {k: days.get(v, v) for k, v in data.items()}
    response = _decide(client_as("leader"), referral, **posted)
    assert response.status_code == 200
    assert f'id="{field}-error"' in text(response) and message in text(response)
    assert get_row(db, Referral, referral).outcome is ReferralOutcome.PENDING


def test_a_withdrawn_referral_leaves_the_waiting_list_and_can_be_taken_back(
    app, db, client_as, world
):
    leader = client_as("leader")
    referral = _referral(app, world.unit_a1, days_ago=20)
    page = text(leader.get(f"/referrals/units/{world.unit_a1}"))
    assert "Venter (1)" in page and ">20<" in page  # days waited so far
    day = (TODAY - timedelta(days=2)).isoformat()
    assert _decide(leader, referral, outcome="withdrawn", decided_on=day).status_code == 302
    page = text(leader.get(f"/referrals/units/{world.unit_a1}"))
    assert "Venter (0)" in page and "Trukket tilbage" in page
    # Back to pending: the decision's day and stay are cleared.
    back = _decide(leader, referral, version=2, outcome="pending", decided_on=day)
    assert back.status_code == 302
    row = get_row(db, Referral, referral)
    assert row.outcome is ReferralOutcome.PENDING and row.decided_on is None


def test_a_stale_decision_form_is_refused(app, db, client_as, world):
    leader = client_as("leader")
    referral = _referral(app, world.unit_a1)
    day = TODAY.isoformat()
    assert _decide(leader, referral, outcome="declined", decided_on=day).status_code == 302
    response = _decide(leader, referral, version=1, outcome="withdrawn", decided_on=day)
    assert response.status_code == 302 and response.location.endswith(f"/{referral}/decide")
    assert get_row(db, Referral, referral).outcome is ReferralOutcome.DECLINED


def test_correcting_a_referral_keeps_it_before_its_decision(app, db, client_as, world):
    leader = client_as("leader")
    referral = _referral(app, world.unit_a1, days_ago=10)
    _decide(
        leader, referral, outcome="declined", decided_on=(TODAY - timedelta(days=5)).isoformat()
    )
    data = {"municipality_code": "479", "legal_section": "", "version": 2}
    later = {**data, "referred_on": (TODAY - timedelta(days=1)).isoformat()}
    response = leader.post(f"/referrals/{referral}/edit", data=later)
    assert 'id="referred_on-error"' in text(response)
    fine = {**data, "referred_on": (TODAY - timedelta(days=8)).isoformat()}
    assert leader.post(f"/referrals/{referral}/edit", data=fine).status_code == 302
    row = get_row(db, Referral, referral)
    assert row.municipality_code == "479" and row.legal_section is None


def test_a_new_citizen_created_from_a_referral_admits_it(app, db, client_as, world):
    leader = client_as("leader")
    referral = _referral(app, world.unit_a1, days_ago=30)
    form = text(leader.get(f"/citizens/new?referral={referral}"))
    assert "Fra henvendelsen af" in form
    assert f'<option selected value="{world.unit_a1}">' in form
    assert f'value="{world.unit_a2}"' not in form  # the stay belongs to the referral's unit
    start = TODAY - timedelta(days=5)
    response = leader.post(
        f"/citizens/new?referral={referral}",
        data={
            "name": "Nina Ny",
            "birth_year": "1990",
            "sex": "female",
            "target_group": "autism",
            "unit_id": str(world.unit_a1),
            "municipality_code": PAYER,
            "legal_section": "107",
            "start_date": start.isoformat(),
            "confirm_new": "y",
        },
    )
    assert response.status_code == 302
    with db() as session:
        citizen = session.exec(select(Citizen).where(Citizen.name == "Nina Ny")).one()
        stay = session.exec(select(Stay).where(Stay.citizen_id == citizen.id)).one()
        row = session.get(Referral, referral)
        assert row.outcome is ReferralOutcome.ADMITTED and row.stay_id == stay.id
        assert row.decided_on == start  # the stay's first day (not later than today)
    again = leader.get(f"/citizens/new?referral={referral}")
    assert again.status_code == 302 and f"/referrals/units/{world.unit_a1}" in again.location


@pytest.mark.parametrize(("role", "value", "status"), [
    ("staff", "REF", 403), ("leader", "abc", 404), ("leader", "99999", 404),
    ("leader", "OTHER", 403),
])  # fmt: skip
def test_creating_from_a_referral_needs_a_leader_and_a_referral_of_the_centre(
    app, client_as, world, role, value, status
):
    ids = {"REF": _referral(app, world.unit_a1), "OTHER": _referral(app, world.unit_b)}
    response = client_as(role).get(f"/citizens/new?referral={ids.get(value, value)}")
    assert response.status_code == status


def test_an_earlier_citizen_stay_can_be_chosen_only_from_the_referral_day(app, db, world):
    from del_tool.referrals.services import stay_candidates

    referral = _referral(app, world.unit_a1, days_ago=10)
    with app.app_context(), get_db(app).session(write=False) as session:
        row = session.get(Referral, referral)
        assert stay_candidates(session, row) == []
        row.referred_on = TODAY - timedelta(days=400)
        ids = {stay.id for stay, _citizen in stay_candidates(session, row)}
        session.rollback()
    assert world.stay_a in ids and world.stay_b not in ids
    assert count(db, Stay, col(Stay.unit_id) == world.unit_a1) >= len(ids)
