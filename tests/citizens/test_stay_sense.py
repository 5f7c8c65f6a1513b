"""#15 item 9: planned stays are shown as planned; a legal section must fit the kind of offer."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col

from del_tool.citizens.models import Citizen
from del_tool.organisation.models import LegalSection, OfferKind, Unit, offer_kind_for
from tests.support.staff import PAYER, TODAY, count, get_row, text


def _new(world, **overrides):
    data = {
        "name": "Vibeke Vestergaard",
        "birth_year": "1968",
        "sex": "female",
        "target_group": "autism",
        "unit_id": str(world.unit_a1),
        "municipality_code": PAYER,
        "legal_section": "108",
        "start_date": (TODAY - timedelta(days=1)).isoformat(),
    }
    return {**data, **overrides}


def test_seeded_units_get_the_kind_their_sections_say():
    assert offer_kind_for(frozenset({LegalSection.S108})) is OfferKind.RESIDENTIAL
    assert offer_kind_for(frozenset({LegalSection.S103, LegalSection.S104})) is OfferKind.DAY
    assert offer_kind_for(frozenset({LegalSection.S85})) is OfferKind.OUTREACH
    assert offer_kind_for(frozenset({LegalSection.S108, LegalSection.S104})) is OfferKind.COMBINED


def test_a_section_103_stay_in_a_botilbud_is_refused_beside_the_field(db, world, staff):
    assert get_row(db, Unit, world.unit_a1).offer_kind is OfferKind.RESIDENTIAL
    response = staff.post("/citizens/new", data=_new(world, legal_section="103"))
    page = text(response)
    assert response.status_code == 200
    error = page[page.index('id="legal_section-error"') :][:400]
    assert "passer ikke til tilbuddets type (Botilbud)" in error
    assert 'value="Vibeke Vestergaard"' in page  # the input is kept
    assert count(db, Citizen, col(Citizen.name) == "Vibeke Vestergaard") == 0


def test_the_deployment_may_accept_it_with_a_warning_instead(app, db, world, staff):
    app.config["STAY_SECTION_MISMATCH"] = "warn"
    response = staff.post("/citizens/new", data=_new(world, legal_section="103"))
    assert response.status_code == 302
    assert "Passer ikke til tilbuddets type" in text(staff.get(response.headers["Location"]))


def test_a_stay_starting_later_is_shown_as_planned(db, world, staff):
    start = TODAY + timedelta(days=40)
    response = staff.post("/citizens/new", data=_new(world, start_date=start.isoformat()))
    assert response.status_code == 302
    page = text(staff.get(response.headers["Location"]))
    unit = get_row(db, Unit, world.unit_a1)
    assert f"Planlagt: {unit.name} fra {start.strftime('%d.%m.%Y')}" in page
    assert "Planlagt</span> fra" in page
    assert f"{start.strftime('%d.%m.%Y')} – nu" not in page
