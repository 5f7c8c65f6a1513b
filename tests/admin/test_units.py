"""Unit administration: follow-up interval, active flag, questionnaires, optimistic locking."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from del_tool.organisation.models import Centre, Unit, UnitQuestionnaire
from tests.admin.conftest import history, page
from tests.conftest import login


def questionnaires_of(db, unit_id):
    query = select(UnitQuestionnaire.questionnaire_id).where(UnitQuestionnaire.unit_id == unit_id)
    return sorted(db().exec(query).all())


def post_unit(client, unit_id, **fields):
    data = {"followup_interval_days": "182", "active": "y", "version": "1"}
    data.update(fields)
    return client.post(f"/admin/units/{unit_id}", data=data)


def test_units_are_listed_by_centre(admin_client, db):
    """The region's administrator sees the region's centres; municipalities' offers are
    their own administrators' (tests/admin/test_operators.py)."""
    html = page(admin_client.get("/admin/units"))
    session = db()
    for centre in session.exec(select(Centre)).all():
        assert (centre.name in html) == (centre.operator_code is None)
    unit = session.exec(select(Unit)).first()
    assert unit.name in html and f'href="/admin/units/{unit.id}"' in html
    assert "182 dage" in html


def test_the_form_offers_the_registrys_current_questionnaires(admin_client, app, org):
    from del_tool.questionnaires import EXTENSION_KEY

    html = page(admin_client.get(f"/admin/units/{org.unit_id}"))
    for definition in app.extensions[EXTENSION_KEY].current():
        assert f'value="{definition.id}"' in html
        assert definition.title("da") in html


def test_edit_interval_active_flag_and_questionnaires(admin_client, org, db, admin):
    response = post_unit(
        admin_client,
        org.unit_id,
        followup_interval_days="91",
        active="",
        questionnaires=["who5", "del_functioning"],
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/units"
    unit = db().get(Unit, org.unit_id)
    assert (unit.followup_interval_days, unit.active, unit.version) == (91, False, 2)
    assert questionnaires_of(db, org.unit_id) == ["del_functioning", "who5"]
    [event] = history(db(), "units")
    assert event.action == "update" and event.user_id == admin.id and event.citizen_id is None
    assert event.changes == {
        "followup_interval_days": [182, 91],
        "active": [True, False],
        "questionnaires": [[], ["del_functioning", "who5"]],
    }
    html = page(admin_client.get("/admin/units"))
    assert "91 dage" in html and "Lukket" in html


def test_changing_only_questionnaires_moves_the_version(admin_client, org, db):
    assert post_unit(admin_client, org.unit_id, questionnaires=["phq9"]).status_code == 302
    assert db().get(Unit, org.unit_id).version == 2
    stale = post_unit(admin_client, org.unit_id, questionnaires=["gad7"], version="1")
    assert stale.status_code == 302  # back to the form, which shows the stored unit
    assert questionnaires_of(db, org.unit_id) == ["phq9"]


def test_unchanged_form_writes_no_history(admin_client, org, db):
    assert post_unit(admin_client, org.unit_id).status_code == 302
    assert history(db(), "units") == []
    assert db().get(Unit, org.unit_id).version == 1


BAD_INPUT = [
    ({"followup_interval_days": "13"}, "followup_interval_days", "fra 14 til 730"),
    ({"followup_interval_days": "731"}, "followup_interval_days", "fra 14 til 730"),
    ({"followup_interval_days": "-5"}, "followup_interval_days", "fra 14 til 730"),
    ({"followup_interval_days": "9" * 40}, "followup_interval_days", "fra 14 til 730"),
    ({"followup_interval_days": "14.5"}, "followup_interval_days", "helt antal dage"),
    ({"followup_interval_days": "abc"}, "followup_interval_days", "helt antal dage"),
    ({"followup_interval_days": ""}, "followup_interval_days", "Skriv et antal dage."),
    ({"questionnaires": ["who5", "evil"]}, "questionnaires", "Vælg en af de viste muligheder."),
    ({"questionnaires": ["x" * 5000]}, "questionnaires", "Vælg en af de viste muligheder."),
    ({"version": "abc"}, "version", "Formularen mangler sin version."),
    ({"version": ""}, "version", "Formularen mangler sin version."),
]


def test_bad_input_is_refused_beside_the_field(admin_client, org, db):
    for fields, field_id, message in BAD_INPUT:
        response = post_unit(admin_client, org.unit_id, **fields)
        html = page(response)
        assert response.status_code == 200, fields
        assert f'id="{field_id}-error"' in html or (field_id == "version" and message in html)
        assert message.lower() in html.lower(), (fields, message)
    unit = db().get(Unit, org.unit_id)
    assert (unit.followup_interval_days, unit.version) == (182, 1)
    assert questionnaires_of(db, org.unit_id) == []
    assert history(db(), "units") == []


def test_two_administrators_edit_the_same_unit(app, admin_client, make_user, org, db):
    """Both open the form at version 1; the second save is refused and the first one kept."""
    second = app.test_client()
    login(second, make_user("admin", username="deputy").username)
    assert 'name="version" type="hidden" value="1"' in page(
        admin_client.get(f"/admin/units/{org.unit_id}")
    )
    assert 'name="version" type="hidden" value="1"' in page(
        second.get(f"/admin/units/{org.unit_id}")
    )
    first = post_unit(admin_client, org.unit_id, followup_interval_days="91")
    assert first.status_code == 302
    late = post_unit(second, org.unit_id, followup_interval_days="365", questionnaires=["who5"])
    assert late.status_code == 302 and late.headers["Location"] == f"/admin/units/{org.unit_id}"
    html = page(second.get(late.headers["Location"]))
    assert "Posten er ændret af en anden, siden du åbnede den. Intet er gemt." in html
    # The form now shows the stored unit at its current version, ready to be changed again.
    assert 'value="91"' in html and 'name="version" type="hidden" value="2"' in html
    unit = db().get(Unit, org.unit_id)
    assert (unit.followup_interval_days, unit.version) == (91, 2)
    assert questionnaires_of(db, org.unit_id) == []
    assert len(history(db(), "units")) == 1


def test_a_race_past_the_version_check_is_a_conflict_too(admin_client, org, db, monkeypatch):
    """StaleDataError (two saves that both passed the check) is answered like a stale form."""
    import del_tool.admin.organisation_views as views

    def racing(**_kwargs):
        raise StaleDataError("UPDATE statement on table 'units' expected to update 1 row(s)")

    monkeypatch.setattr(views, "update_unit", racing)
    response = post_unit(admin_client, org.unit_id, followup_interval_days="91")
    assert response.status_code == 302
    assert "Posten er ændret af en anden" in page(admin_client.get(response.headers["Location"]))
    assert db().get(Unit, org.unit_id).followup_interval_days == 182


@pytest.mark.parametrize("lang", ["en"])
def test_english_errors(admin_client, org, lang):
    admin_client.post("/language", data={"lang": lang, "next": "/"})
    html = page(post_unit(admin_client, org.unit_id, followup_interval_days="5"))
    assert "Enter a number from 14 to 730." in html


def test_the_kind_of_offer_is_set_on_the_unit_form_and_kept_when_not_posted(admin_client, org, db):
    """#15 item 9: the administrator sets the kind that decides a stay's possible sections."""
    assert post_unit(admin_client, org.unit_id, offer_kind="day").status_code == 302
    assert db().get(Unit, org.unit_id).offer_kind.value == "day"
    assert post_unit(admin_client, org.unit_id, version="2").status_code == 302
    assert db().get(Unit, org.unit_id).offer_kind.value == "day"
    assert post_unit(admin_client, org.unit_id, version="2", offer_kind="x").status_code == 200
