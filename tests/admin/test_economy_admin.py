"""Economy administration (#17 item 4): the price and wage index, tariff levels and occupancy
basis, a unit's places over time, year-end settlements. Every save is one transaction with its
history entry; bad input is refused beside its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from del_tool.organisation.models import PriceIndex, Settlement, Tariff, UnitPlaces
from tests.admin.conftest import history, page


@pytest.fixture(params=["admin", "analyst"])
def manager(request, admin_client, client_for):
    """A client of each role that manages the economy (MANAGE_TARIFFS)."""
    return admin_client if request.param == "admin" else client_for("analyst")


def _error(html, field):
    assert f'id="{field}-error"' in html, field
    return html[html.index(f'id="{field}-error"') :][:400]


# -- Price index ----------------------------------------------------------------------------


def test_the_index_is_listed_added_and_edited_with_history(manager, db):
    assert "Intet indeks endnu" in page(manager.get("/admin/price-index"))
    response = manager.post(
        "/admin/price-index/new", data={"year": "2026", "percent": "2,3", "note": "KL, juni"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/price-index"
    [row] = db().exec(select(PriceIndex)).all()
    assert (row.year, row.percent, row.note) == (2026, Decimal("2.30"), "KL, juni")
    assert "2,30 %" in page(manager.get("/admin/price-index"))
    form = page(manager.get("/admin/price-index/2026"))
    assert 'value="2026"' in form
    response = manager.post(
        "/admin/price-index/2026",
        data={"year": "2025", "percent": "2.4", "note": "", "version": "1"},
    )
    assert response.status_code == 302
    [row] = db().exec(select(PriceIndex)).all()
    assert (row.year, row.percent, row.note) == (2025, Decimal("2.40"), None)
    created, updated = history(db(), "price_index")
    assert created.action == "create" and created.changes["percent"] == [None, "2.30"]
    assert updated.action == "update" and updated.entity_id == "2026"
    assert updated.changes["year"] == [2026, 2025] and updated.changes["percent"] == [
        "2.30",
        "2.40",
    ]


INDEX_BAD = [
    ({"year": "1999"}, "year", "Skriv et år fra 2000 til 2100."),
    ({"year": "tyve"}, "year", "Skriv et år fra 2000 til 2100."),
    ({"year": ""}, "year", "Skriv året."),
    ({"percent": "20,5"}, "percent", "fra -20 til 20"),
    ({"percent": "2,345"}, "percent", "Højst to decimaler"),
    ({"percent": "NaN"}, "percent", "Skriv procenten som et tal"),
    ({"percent": ""}, "percent", "Skriv procenten."),
    ({"note": "x" * 201}, "note", "Højst 200 tegn."),
]


def test_bad_index_input_is_refused_beside_the_field(admin_client, db):
    for fields, field, message in INDEX_BAD:
        data = {"year": "2026", "percent": "2,3", "note": "", **fields}
        response = admin_client.post("/admin/price-index/new", data=data)
        assert response.status_code == 200, fields
        assert message in _error(page(response), field), fields
    assert db().exec(select(PriceIndex)).all() == [] and history(db(), "price_index") == []


def test_a_year_is_indexed_once_and_a_stale_form_is_a_conflict(admin_client, client_for, db):
    for year in ("2025", "2026"):
        admin_client.post("/admin/price-index/new", data={"year": year, "percent": "2"})
    again = admin_client.post("/admin/price-index/new", data={"year": "2026", "percent": "3"})
    assert "Der er allerede et indeks for 2026" in _error(page(again), "year")
    moved = admin_client.post(
        "/admin/price-index/2025", data={"year": "2026", "percent": "2", "version": "1"}
    )
    assert "allerede et indeks for 2026" in _error(page(moved), "year")
    analyst = client_for("analyst")
    first = analyst.post(
        "/admin/price-index/2026", data={"year": "2026", "percent": "2,1", "version": "1"}
    )
    assert first.status_code == 302
    late = admin_client.post(
        "/admin/price-index/2026", data={"year": "2026", "percent": "2,2", "version": "1"}
    )
    assert late.status_code == 302 and late.headers["Location"] == "/admin/price-index/2026"
    assert db().get(PriceIndex, 2026).percent == Decimal("2.10")
    assert admin_client.get("/admin/price-index/1990").status_code == 404


def test_staff_and_councils_may_not_keep_the_index(client_for):
    for role in ("staff", "leader", "council"):
        assert client_for(role).get("/admin/price-index").status_code == 403


# -- Tariff level and occupancy basis ---------------------------------------------------------


def _tariff(client, unit, url="/admin/tariffs/new", **fields):
    data = {
        "unit": str(unit),
        "legal_section": "107",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "daily_amount": "2000",
        "level": "",
        "occupancy_basis": "",
    }
    return client.post(url, data={**data, **fields})


def test_tariff_levels_have_periods_of_their_own_and_a_basis(manager, org, db):
    assert _tariff(manager, org.unit_id, occupancy_basis="95").status_code == 302
    high = _tariff(
        manager, org.unit_id, level="Niveau 2", daily_amount="2600", occupancy_basis="92,5"
    )
    assert high.status_code == 302  # the same period at another level does not overlap
    again = _tariff(manager, org.unit_id, level="Niveau 2", valid_from="2026-06-01")
    assert "overlapper en anden takst" in _error(page(again), "valid_from")
    rows = db().exec(select(Tariff).order_by(col(Tariff.id))).all()
    assert [(t.level, t.occupancy_basis) for t in rows] == [
        ("", Decimal("95.00")),
        ("Niveau 2", Decimal("92.50")),
    ]
    listing = page(manager.get("/admin/tariffs"))
    assert "Niveau 2" in listing and "Én takst" in listing and "92,5 %" in listing
    [_first, event] = history(db(), "tariffs")
    assert event.changes["level"] == [None, "Niveau 2"]
    assert event.changes["occupancy_basis"] == [None, "92.50"]
    edited = _tariff(
        manager, org.unit_id, f"/admin/tariffs/{rows[0].id}", occupancy_basis="", version="1"
    )
    assert edited.status_code == 302
    assert db().get(Tariff, rows[0].id).occupancy_basis is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"occupancy_basis": "0"}, "occupancy_basis", "over 0 og højst 100"),
        ({"occupancy_basis": "100,5"}, "occupancy_basis", "over 0 og højst 100"),
        ({"occupancy_basis": "95,123"}, "occupancy_basis", "Højst to decimaler"),
        ({"occupancy_basis": "fuld"}, "occupancy_basis", "Skriv en procent"),
        ({"level": "x" * 41}, "level", "Højst 40 tegn."),
    ],
)
def test_bad_level_or_basis_is_refused_beside_the_field(
    admin_client, org, db, fields, field, message
):
    response = _tariff(admin_client, org.unit_id, **fields)
    assert response.status_code == 200 and message in _error(page(response), field)
    assert db().exec(select(Tariff)).all() == []


# -- Places -----------------------------------------------------------------------------------


def test_places_are_added_from_a_date_and_shown_on_the_unit_page(admin_client, org, db):
    url = f"/admin/units/{org.unit_id}/places"
    assert "Ingen pladser registreret" in page(admin_client.get(f"/admin/units/{org.unit_id}"))
    for day, places in (("2026-01-01", "10"), ("2026-03-16", "12")):
        response = admin_client.post(url, data={"valid_from": day, "places": places})
        assert response.status_code == 302
        assert response.headers["Location"] == f"/admin/units/{org.unit_id}"
    rows = db().exec(select(UnitPlaces).order_by(col(UnitPlaces.valid_from))).all()
    assert [(r.valid_from, r.places) for r in rows] == [
        (date(2026, 1, 1), 10),
        (date(2026, 3, 16), 12),
    ]
    unit_page = page(admin_client.get(f"/admin/units/{org.unit_id}"))
    assert "16.03.2026" in unit_page and ">12<" in unit_page
    [first, _second] = history(db(), "unit_places")
    assert first.entity_id == f"{org.unit_id}:2026-01-01"
    assert first.changes["places"] == [None, 10]


PLACES_BAD = [
    ({"places": "-1"}, "places", "kan ikke være negativt"),
    ({"places": "2,5"}, "places", "Skriv et helt antal pladser"),
    ({"places": "100000"}, "places", "fra 0 til 10000"),
    ({"places": ""}, "places", "Skriv antallet af pladser."),
    ({"valid_from": "2026-02-30"}, "valid_from", "åååå-mm-dd"),
    ({"valid_from": ""}, "valid_from", "Skriv datoen"),
    ({"valid_from": "2026-01-01"}, "valid_from", "Der er allerede en ændring af pladserne"),
]


def test_bad_places_are_refused_beside_the_field(admin_client, org, db):
    url = f"/admin/units/{org.unit_id}/places"
    admin_client.post(url, data={"valid_from": "2026-01-01", "places": "10"})
    for fields, field, message in PLACES_BAD:
        response = admin_client.post(
            url, data={"valid_from": "2026-05-01", "places": "8", **fields}
        )
        assert response.status_code == 200, fields
        assert message in _error(page(response), field), fields
    assert len(db().exec(select(UnitPlaces)).all()) == 1
    assert admin_client.get("/admin/units/99999/places").status_code == 404


def test_places_belong_to_the_unit_page_of_administrators(client_for, org):
    assert client_for("analyst").get(f"/admin/units/{org.unit_id}/places").status_code == 403


# -- Settlements ------------------------------------------------------------------------------


def _settlement(client, org, url="/admin/settlements/new", **fields):
    data = {
        "unit": str(org.unit_id),
        "municipality": "461",
        "year": "2025",
        "amount": "-12.500,50",
        "note": "",
    }
    return client.post(url, data={**data, **fields})


def test_settlements_are_listed_added_and_edited_with_history(manager, org, db):
    response = _settlement(manager, org)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/settlements?unit={org.unit_id}"
    [row] = db().exec(select(Settlement)).all()
    assert (row.unit_id, row.municipality_code, row.year, row.amount) == (
        org.unit_id,
        "461",
        2025,
        Decimal("-12500.50"),
    )
    listing = page(manager.get(f"/admin/settlements?unit={org.unit_id}"))
    assert "-12.500,50" in listing and "Odense" in listing
    assert "Ingen efterreguleringer" in page(manager.get(f"/admin/settlements?unit={org.unit2_id}"))
    edited = _settlement(
        manager, org, f"/admin/settlements/{row.id}", amount="8000", note="Regnskab", version="1"
    )
    assert edited.status_code == 302
    created, updated = history(db(), "settlements")
    assert created.changes["amount"] == [None, "-12500.50"]
    assert updated.changes == {"amount": ["-12500.50", "8000.00"], "note": [None, "Regnskab"]}


SETTLEMENT_BAD = [
    ({"amount": "1,234"}, "amount", "Højst to decimaler"),
    ({"amount": "9" * 20}, "amount", "for stort"),
    ({"amount": "Infinity"}, "amount", "Skriv et beløb"),
    ({"amount": ""}, "amount", "Skriv beløbet."),
    ({"year": "2101"}, "year", "Skriv et år fra 2000 til 2100."),
    ({"municipality": "999"}, "municipality", "Vælg en af de viste muligheder."),
    ({"municipality": ""}, "municipality", "Vælg kommunen."),
    ({"unit": "99999"}, "unit", "Vælg en af de viste muligheder."),
    ({"unit": ""}, "unit", "Vælg et tilbud."),
    ({"note": "y" * 201}, "note", "Højst 200 tegn."),
]


def test_bad_settlements_are_refused_beside_the_field(admin_client, org, db):
    for fields, field, message in SETTLEMENT_BAD:
        response = _settlement(admin_client, org, **fields)
        assert response.status_code == 200, fields
        assert message in _error(page(response), field), fields
    assert db().exec(select(Settlement)).all() == []
    assert _settlement(admin_client, org).status_code == 302
    twice = _settlement(admin_client, org, amount="100")
    assert "allerede en efterregulering" in _error(page(twice), "year")
    assert _settlement(admin_client, org, municipality="561").status_code == 302
    assert admin_client.get("/admin/settlements/99999").status_code == 404
