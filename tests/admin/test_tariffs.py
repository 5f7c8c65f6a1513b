"""Tariff administration: list, create, edit, end; no overlaps; analysts may do it too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from del_tool.organisation.models import LegalSection, Tariff, Unit
from tests.admin.conftest import history, page


def post_tariff(client, url="/admin/tariffs/new", **fields):
    data = {
        "unit": "",
        "legal_section": "107",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "daily_amount": "2450,75",
    }
    data.update(fields)
    return client.post(url, data=data)


def tariffs(db):
    return db().exec(select(Tariff).order_by(col(Tariff.id))).all()


@pytest.fixture(params=["admin", "analyst"])
def manager(request, admin_client, client_for):
    """A client of each role that manages tariffs."""
    return admin_client if request.param == "admin" else client_for("analyst")


def test_list_per_unit_and_section(manager, org, add_tariff):
    add_tariff(org.unit_id, date(2025, 1, 1), date(2025, 12, 31), amount="1500.50")
    add_tariff(org.other_unit_id, date(2025, 1, 1), section=LegalSection.S108, amount="999")
    html = page(manager.get("/admin/tariffs"))
    assert "1.500,50" in html and "999,00" in html
    assert "§ 107 Midlertidigt botilbud" in html and "§ 108 Længerevarende botilbud" in html
    assert "indtil videre" in html
    only = page(manager.get(f"/admin/tariffs?unit={org.unit_id}"))
    assert "1.500,50" in only and "999,00" not in only
    assert page(manager.get("/admin/tariffs?unit=abc")).count("<tr>") == 3  # header + 2 rows


def test_create_tariff(manager, org, db):
    response = post_tariff(manager, unit=str(org.unit_id))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/tariffs?unit={org.unit_id}"
    [tariff] = tariffs(db)
    assert (tariff.unit_id, tariff.legal_section, tariff.valid_from, tariff.valid_to) == (
        org.unit_id,
        LegalSection.S107,
        date(2026, 1, 1),
        None,
    )
    assert tariff.daily_amount == Decimal("2450.75")
    [event] = history(db(), "tariffs")
    assert event.action == "create" and event.citizen_id is None
    assert event.changes["daily_amount"] == [None, "2450.75"]


def test_edit_tariff(admin_client, org, db, add_tariff):
    tariff_id = add_tariff(org.unit_id, date(2025, 1, 1), amount="1000.00")
    form = page(admin_client.get(f"/admin/tariffs/{tariff_id}"))
    assert 'value="1000.00"' in form and 'value="2025-01-01"' in form
    response = post_tariff(
        admin_client,
        f"/admin/tariffs/{tariff_id}",
        unit=str(org.unit_id),
        valid_from="2025-01-01",
        daily_amount="1100.5",
        version="1",
    )
    assert response.status_code == 302
    [tariff] = tariffs(db)
    assert tariff.daily_amount == Decimal("1100.50") and tariff.version == 2
    [event] = history(db(), "tariffs")
    assert event.action == "update"
    assert event.changes == {"daily_amount": ["1000.00", "1100.50"]}


def test_end_tariff_then_add_the_next(admin_client, org, db, add_tariff):
    tariff_id = add_tariff(org.unit_id, date(2025, 1, 1))
    unit = db().get(Unit, org.unit_id)
    assert unit.name in page(admin_client.get(f"/admin/tariffs/{tariff_id}/end"))
    response = admin_client.post(
        f"/admin/tariffs/{tariff_id}/end", data={"valid_to": "2025-12-31", "version": "1"}
    )
    assert response.status_code == 302
    assert tariffs(db)[0].valid_to == date(2025, 12, 31)
    assert history(db(), "tariffs")[-1].changes == {"valid_to": [None, "2025-12-31"]}
    assert post_tariff(admin_client, unit=str(org.unit_id)).status_code == 302
    assert len(tariffs(db)) == 2


def test_overlapping_periods_are_refused(admin_client, org, db, add_tariff):
    add_tariff(org.unit_id, date(2025, 1, 1), date(2025, 12, 31))
    add_tariff(org.unit_id, date(2026, 1, 1))
    cases = [
        {"valid_from": "2025-06-01", "valid_to": "2025-06-30"},  # inside
        {"valid_from": "2024-06-01", "valid_to": "2025-01-01"},  # touches the first day
        {"valid_from": "2025-12-31", "valid_to": ""},  # open-ended over both
        {"valid_from": "2030-01-01", "valid_to": ""},  # after the open-ended one's start
        {"valid_from": "2024-01-01", "valid_to": ""},  # open-ended before both
    ]
    for case in cases:
        html = page(post_tariff(admin_client, unit=str(org.unit_id), **case))
        error = html[html.index('id="valid_from-error"') :][:400]
        assert "overlapper en anden takst" in error, case
    assert len(tariffs(db)) == 2 and history(db(), "tariffs") == []
    # Another section or another unit does not overlap.
    assert post_tariff(admin_client, unit=str(org.unit_id), legal_section="108").status_code == 302
    assert post_tariff(admin_client, unit=str(org.unit2_id)).status_code == 302
    assert (
        post_tariff(
            admin_client, unit=str(org.unit_id), valid_from="2024-01-01", valid_to="2024-12-31"
        ).status_code
        == 302
    )


def test_editing_or_ending_into_an_overlap_is_refused(admin_client, org, db, add_tariff):
    first = add_tariff(org.unit_id, date(2025, 1, 1), date(2025, 12, 31))
    add_tariff(org.unit_id, date(2026, 1, 1))
    response = admin_client.post(
        f"/admin/tariffs/{first}/end", data={"valid_to": "2026-03-31", "version": "1"}
    )
    html = page(response)
    assert 'id="valid_to-error"' in html and "overlapper" in html
    response = post_tariff(
        admin_client,
        f"/admin/tariffs/{first}",
        unit=str(org.unit_id),
        valid_from="2025-01-01",
        valid_to="2026-01-01",
        version="1",
    )
    assert "overlapper" in page(response)
    assert tariffs(db)[0].valid_to == date(2025, 12, 31)


BAD_INPUT = [
    ({"daily_amount": "-1"}, "daily_amount", "kan ikke være negativ"),
    ({"daily_amount": "12,345"}, "daily_amount", "Højst to decimaler"),
    ({"daily_amount": "1e9"}, "daily_amount", "højst være 999.999,99"),
    ({"daily_amount": "9" * 35}, "daily_amount", "højst være 999.999,99"),
    ({"daily_amount": "9" * 500}, "daily_amount", "Skriv et beløb"),
    ({"daily_amount": "NaN"}, "daily_amount", "Skriv et beløb"),
    ({"daily_amount": "Infinity"}, "daily_amount", "Skriv et beløb"),
    ({"daily_amount": "tusind"}, "daily_amount", "Skriv et beløb"),
    ({"daily_amount": ""}, "daily_amount", "Skriv taksten pr. dag."),
    ({"valid_to": "2025-12-31"}, "valid_to", "Slutdatoen kan ikke ligge før startdatoen."),
    ({"valid_from": "2026-02-30"}, "valid_from", "åååå-mm-dd"),
    ({"valid_from": "9999-01-01"}, "valid_from", "Datoen skal ligge mellem"),
    ({"valid_from": ""}, "valid_from", "Skriv en startdato."),
    ({"unit": ""}, "unit", "Vælg et tilbud."),
    ({"unit": "99999"}, "unit", "Vælg en af de viste muligheder."),
    ({"unit": "1 OR 1=1"}, "unit", "Vælg en af de viste muligheder."),
    ({"unit": "9" * 40}, "unit", "Vælg en af de viste muligheder."),
    ({"legal_section": "999"}, "legal_section", "Vælg en af de viste muligheder."),
    ({"legal_section": ""}, "legal_section", "Vælg en paragraf."),
]


def test_bad_input_is_refused_beside_the_field(admin_client, org, db):
    for fields, field_id, message in BAD_INPUT:
        response = post_tariff(admin_client, **{"unit": str(org.unit_id), **fields})
        html = page(response)
        assert response.status_code == 200, fields
        assert f'id="{field_id}-error"' in html, fields
        assert message in html[html.index(f'id="{field_id}-error"') :][:400], fields
    assert tariffs(db) == [] and history(db(), "tariffs") == []


def test_danish_and_english_amounts_are_read(admin_client, org, db):
    for index, amount in enumerate(["1.234,50", "1234.5", "1 234,50", "0"]):
        start = f"{2020 + index}-01-01"
        response = post_tariff(
            admin_client,
            unit=str(org.unit_id),
            valid_from=start,
            valid_to=f"{2020 + index}-12-31",
            daily_amount=amount,
        )
        assert response.status_code == 302, amount
    amounts = [t.daily_amount for t in tariffs(db)]
    assert amounts == [Decimal("1234.50"), Decimal("1234.50"), Decimal("1234.50"), Decimal("0")]


def test_stale_tariff_form_is_a_conflict(admin_client, client_for, org, db, add_tariff):
    tariff_id = add_tariff(org.unit_id, date(2025, 1, 1))
    analyst = client_for("analyst")
    fields = {"unit": str(org.unit_id), "valid_from": "2025-01-01", "version": "1"}
    url = f"/admin/tariffs/{tariff_id}"
    assert post_tariff(analyst, url, **fields, daily_amount="1200").status_code == 302
    late = post_tariff(admin_client, url, **fields, daily_amount="1300")
    assert late.status_code == 302
    assert "Posten er ændret af en anden" in page(admin_client.get(late.headers["Location"]))
    ended = admin_client.post(f"{url}/end", data={"valid_to": "2025-06-30", "version": "1"})
    assert ended.status_code == 302 and ended.headers["Location"] == f"{url}/end"
    [tariff] = tariffs(db)
    assert tariff.daily_amount == Decimal("1200.00") and tariff.valid_to is None


def test_new_tariff_form_preselects_the_unit(admin_client, org):
    html = page(admin_client.get(f"/admin/tariffs/new?unit={org.unit_id}"))
    assert f'selected value="{org.unit_id}"' in html or f'value="{org.unit_id}" selected' in html
