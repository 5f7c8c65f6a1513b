"""Creating and editing citizens: validation beside the fields, scope, history, locking, profile."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col

from del_tool.audit.models import AuditEvent
from del_tool.citizens.models import Citizen, Stay
from tests.support.staff import (
    PAYER,
    TODAY,
    access_events,
    assert_summary_links_resolve,
    audit_events,
    count,
    counts,
    get_row,
    text,
)


def _new_citizen(world, **overrides):
    data = {
        "name": "Karen Kristensen",
        "birth_year": "1975",
        "sex": "female",
        "target_group": "autism",
        "case_reference": "SAG-2026-17",
        "unit_id": str(world.unit_a1),
        "municipality_code": PAYER,
        "legal_section": "107",
        "start_date": (TODAY - timedelta(days=2)).isoformat(),
    }
    return {**data, **overrides}


def test_create_citizen_with_first_stay_and_history(db, world, staff):
    before = counts(db)
    response = staff.post("/citizens/new", data=_new_citizen(world))
    assert response.status_code == 302
    citizen_id = int(response.headers["Location"].rsplit("/", 1)[1])
    citizen = get_row(db, Citizen, citizen_id)
    assert (citizen.name, citizen.birth_year, citizen.case_reference) == (
        "Karen Kristensen",
        1975,
        "SAG-2026-17",
    )
    after = counts(db)
    assert after["citizens"] == before["citizens"] + 1 and after["stays"] == before["stays"] + 1
    events = audit_events(db, citizen_id=citizen_id)
    assert [(e.action, e.entity) for e in events] == [("create", "citizens"), ("create", "stays")]
    assert events[0].changes["name"] == [None, "Karen Kristensen"]
    assert "Karen Kristensen" in text(staff.get(response.headers["Location"]))


def test_create_form_offers_only_the_users_units(world, client_as):
    page = text(client_as("staff").get("/citizens/new"))
    assert f'<option value="{world.unit_a1}"' in page
    assert f'<option value="{world.unit_b}"' not in page
    assert f'<option value="{world.unit_a2}"' not in page


def test_create_with_a_tampered_unit_outside_scope_is_refused_and_writes_nothing(db, world, staff):
    before = counts(db)
    response = staff.post("/citizens/new", data=_new_citizen(world, unit_id=str(world.unit_b)))
    assert response.status_code == 403
    assert counts(db) == before


BAD_INPUT = [
    ("name", "", "Skriv borgerens navn."),
    ("name", "x" * 201, "Højst 200 tegn."),
    ("name", "Per 010203-1234", "DEL gemmer ikke CPR-numre."),
    ("name", "   ", "Skriv borgerens navn."),
    ("name", "Per 01.01.90-1234", "DEL gemmer ikke CPR-numre."),
    ("name", "Per 010190\u20101234", "DEL gemmer ikke CPR-numre."),
    ("name", "Per 010190\u20131234", "DEL gemmer ikke CPR-numre."),
    ("name", "Per 01 01 90\u00a01234", "DEL gemmer ikke CPR-numre."),
    ("birth_year", "abc", "Skriv et helt tal."),
    ("birth_year", "1800", "Fødselsåret skal ligge mellem 1900"),
    ("birth_year", "99999999999999999999", "Fødselsåret skal ligge mellem 1900"),
    ("birth_year", str(TODAY.year + 1), "Fødselsåret skal ligge mellem 1900"),
    ("sex", "alien", "Vælg en af mulighederne."),
    ("target_group", "", "Vælg målgruppe."),
    ("case_reference", "0102031234", "DEL gemmer ikke CPR-numre."),
    ("case_reference", "x" * 51, "Højst 50 tegn."),
    ("unit_id", "", "Vælg tilbud."),
    ("unit_id", "abc", "Vælg tilbud."),
    ("unit_id", "999999", "Vælg et af dine tilbud."),
    ("municipality_code", "999", "Vælg en af mulighederne."),
    ("legal_section", "999", "Vælg en af mulighederne."),
    ("start_date", "", "Skriv startdatoen."),
    ("start_date", "2026-02-30", "Skriv en gyldig dato"),
    ("start_date", "1066-10-14", "Datoen må ikke være før 01.01.1980."),
    ("start_date", "9999-12-31", "Datoen må ikke være efter"),
]


def test_bad_input_gets_an_error_beside_the_field_and_no_write(db, world, staff):
    """One case at a time (in one test, to keep the suite fast): error beside the field."""
    before = counts(db)
    for field, value, message in BAD_INPUT:
        response = staff.post("/citizens/new", data=_new_citizen(world, **{field: value}))
        case = f"{field}={value[:20]!r}"
        assert response.status_code == 200, case
        page = text(response)
        assert message in page, case
        # The error sits in the field's own group, linked from the field by aria-describedby.
        assert f'id="{field}-error"' in page, case
        assert re.search(rf'aria-describedby="[^"]*{field}-error', page), case
        assert 'id="error-summary"' in page and f'href="#{field}"' in page, case
        assert_summary_links_resolve(page)
    assert counts(db) == before


def test_missing_fields_never_give_a_500(db, world, staff):
    before = counts(db)
    response = staff.post("/citizens/new", data={})
    assert response.status_code == 200 and "Skriv borgerens navn." in text(response)
    assert counts(db) == before


def test_english_errors_in_english(world, staff):
    staff.post("/language", data={"lang": "en", "next": "/"})
    page = text(staff.post("/citizens/new", data=_new_citizen(world, birth_year="abc", name="")))
    assert "Enter a whole number." in page and "Enter the citizen's name." in page


def test_edit_citizen_records_the_change_and_logs_the_read(db, world, staff):
    url = f"/citizens/{world.citizen_a}/edit"
    page = text(staff.get(url))
    assert 'name="version" type="hidden" value="1"' in page
    view = access_events(db)[-1]
    assert (view.action, view.citizen_id, view.endpoint) == (
        "view",
        world.citizen_a,
        "citizens.edit",
    )
    data = {
        "name": "Åse Ørnsholt Hansen",
        "birth_year": "1980",
        "sex": "female",
        "target_group": "autism",
        "case_reference": "",
        "version": "1",
    }
    assert staff.post(url, data=data).status_code == 302
    citizen = get_row(db, Citizen, world.citizen_a)
    assert citizen.name == "Åse Ørnsholt Hansen" and citizen.version == 2
    event = audit_events(db, entity="citizens", action="update")[-1]
    assert event.changes == {"name": ["Åse Ørnsholt", "Åse Ørnsholt Hansen"]}
    assert event.citizen_id == world.citizen_a


def test_stale_citizen_form_is_refused_and_the_first_save_kept(db, world, client_as):
    url = f"/citizens/{world.citizen_a}/edit"
    base = {"birth_year": "1980", "sex": "female", "target_group": "autism", "version": "1"}
    first, second = client_as("staff"), client_as("leader")
    assert first.post(url, data={**base, "name": "Første Navn"}).status_code == 302
    response = second.post(url, data={**base, "name": "Andet Navn"}, follow_redirects=True)
    assert "Posten er ændret af en anden" in text(response)
    assert 'value="Første Navn"' in text(response)  # the stored version is shown
    assert get_row(db, Citizen, world.citizen_a).name == "Første Navn"
    assert count(db, AuditEvent, col(AuditEvent.entity) == "citizens") == 1


def test_the_same_edit_posted_twice_is_not_a_conflict(db, world, staff):
    url = f"/citizens/{world.citizen_a}/edit"
    data = {
        "name": "Ny Ørnsholt",
        "birth_year": "1980",
        "sex": "female",
        "target_group": "autism",
        "version": "1",
    }
    assert staff.post(url, data=data).status_code == 302
    second = staff.post(url, data=data)
    assert second.status_code == 302 and "/edit" not in second.headers["Location"]
    assert get_row(db, Citizen, world.citizen_a).version == 2


def test_hostile_version_values_are_refused_without_a_write(db, world, staff):
    url = f"/citizens/{world.citizen_a}/edit"
    base = {"name": "X Y", "birth_year": "1980", "sex": "female", "target_group": "autism"}
    for version in ["", "abc", "-1", "99999999999999999999"]:
        response = staff.post(url, data={**base, "version": version})
        assert response.status_code in (200, 302), version
    assert get_row(db, Citizen, world.citizen_a).name == "Åse Ørnsholt"


def test_profile_shows_stays_goals_timeline_charts_and_logs_the_read(db, world, staff):
    response = staff.get(f"/citizens/{world.citizen_a}")
    page = text(response)
    assert "Lave mad selv to gange om ugen" in page and "Ringe til sin søster" in page
    assert "Indskrivning (baseline)" in page  # the timeline
    assert "§ 107" in page and "Odense" in page  # the stay
    assert page.count('src="data:image/svg+xml;base64,') >= 1  # the goal chart
    assert "Vis tallene bag grafen" in page
    event = access_events(db)[-1]
    assert (event.action, event.citizen_id, event.detail) == ("view", world.citizen_a, "profile")


def test_profile_of_a_moved_citizen_shows_both_stays_to_the_current_unit(world, client_as):
    page = text(client_as("staff_b").get(f"/citizens/{world.citizen_moved}"))
    assert page.count("§ 107") >= 1 and page.count("§ 108") >= 1
    assert "Intet ophold i dag" not in page


def test_profile_through_a_past_stay_shows_only_that_centre(app, world, staff):
    app.config["FORMER_STAY_ACCESS_DAYS"] = 400
    page = text(staff.get(f"/citizens/{world.citizen_moved}"))
    assert page.count("§ 107") >= 1 and "§ 108" not in page
    assert "Borgerens ophold i jeres center er slut" in page
    assert "Registrér opfølgning" not in page  # the current stay is not in a1


def test_no_partial_write_when_the_stay_breaks_a_rule(db, world, staff):
    before = counts(db)
    data = _new_citizen(world, municipality_code="000")
    assert staff.post("/citizens/new", data=data).status_code == 200
    assert counts(db) == before
    assert count(db, Stay, col(Stay.unit_id) == world.unit_a1) == 2
