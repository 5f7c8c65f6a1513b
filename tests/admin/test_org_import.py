"""The organisation import on the web (#18 item 3): an administrator uploads tariffs or a
Tilbudsportalen list, sees the dry run (counts, every refused row), confirms, and the page says
what was written; the confirmation writes the very file checked, once; bad files get a clear
error beside the field; leaders, staff and councils are refused (analysts manage tariffs)."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from del_tool.auth.models import User
from del_tool.db import get_db
from del_tool.organisation.models import Centre, Tariff, Unit, UnitPlaces
from tests.admin.conftest import history, page
from tests.conftest import login

TARIFFS = (
    "Tilbud;Paragraf;Takstniveau;Gælder fra;Gælder til og med;Takst pr. dag (kr.);"
    "Belægningsprocent\n"
    "Bostedet Engtoften;108;1;01.01.2026;;2.450,75;95\n"
    "Botilbuddet Strandhuse;§ 108;;01.01.2026;31.12.2026;1980,5;\n"
)
OFFERS = (
    "Tilbuds-ID;Afdelings-ID;Tilbudsnavn;Afdelingsnavn;Tilbudstype;Målgrupper;Antal pladser;"
    "Ejerforhold;Driftskommune\n"
    "900001;1;Center Nordlys;Nordlys Vest;Længerevarende botilbud (SEL § 108);Autisme;12;"
    "Regional;\n"
    "900001;2;Center Nordlys;Nordlys Øst;Midlertidigt botilbud (SEL § 107);Autisme;8;Regional;\n"
)


def upload(client, text, kind="tariffs", name="takster.csv", **fields):
    data = text.encode("utf-8") if isinstance(text, str) else text
    body = {"file": (io.BytesIO(data), name), **fields}
    return client.post(f"/admin/import/{kind}", data=body, content_type="multipart/form-data")


def confirm_fields(html):
    return {
        name: re.search(rf'name="{name}" type="hidden" value="([0-9a-f]+)"', html).group(1)
        for name in ("digest", "fingerprint")
    }


def confirm(client, html, kind="tariffs"):
    return client.post(f"/admin/import/{kind}/confirm", data=confirm_fields(html))


def tariffs(db):
    return db().exec(select(Tariff).order_by(col(Tariff.id))).all()


def test_tariffs_dry_run_then_confirm_then_nothing_new(admin_client, db):
    dry = upload(admin_client, TARIFFS)
    html = page(dry)
    assert dry.status_code == 200
    assert "Prøvekørsel af takster.csv" in html and "Gem indlæsningen" in html
    assert re.search(r"Takster</th>\s*<td[^>]*>2</td>\s*<td[^>]*>0</td>", html)
    assert not tariffs(db)  # nothing written before the confirmation

    done = confirm(admin_client, html)
    assert done.status_code == 303 and done.headers["Location"] == "/admin/tariffs"
    shown = page(admin_client.get("/admin/tariffs"))
    assert "Indlæsningen er gemt: 2 takster oprettet, 0 ændret og 0 uændret." in shown
    first, second = tariffs(db)
    assert first.daily_amount == Decimal("2450.75") and first.level == "1"
    assert second.valid_to == date(2026, 12, 31)
    events = history(db(), "tariffs")
    assert [e.action for e in events] == ["create", "create"]
    [summary] = history(db(), "organisation_imports")
    assert summary.user_id == events[0].user_id and summary.changes["file_name"][1] == "takster.csv"

    # The same confirmation again writes nothing (the kept file is gone) ...
    assert confirm(admin_client, html).status_code == 303
    assert len(tariffs(db)) == 2
    # ... and the same file again is all unchanged, with nothing to confirm.
    again = page(upload(admin_client, TARIFFS))
    assert "der er intet at gemme" in again and "Gem indlæsningen" not in again
    assert len(history(db(), "tariffs")) == 2


def test_refused_rows_are_listed_and_cannot_be_confirmed(admin_client, db):
    bad = TARIFFS + "Ukendt Bosted;108;;01.01.2026;;100;\nBostedet Engtoften;108;2;x;;-1;\n"
    response = upload(admin_client, bad)
    html = page(response)
    assert response.status_code == 200
    assert "Afviste rækker" in html and "Gem indlæsningen" not in html
    assert "DEL har intet tilbud med dette navn." in html
    assert "Ikke en dato" in html and "Taksten kan ikke være negativ." in html
    assert re.search(r">4</td>\s*<td>Tilbud</td>", html)
    assert re.search(r">5</td>\s*<td>Gælder fra</td>", html)
    assert not tariffs(db)


def test_the_confirmation_writes_only_the_file_checked_by_its_uploader(
    admin_client, client_for, app, db
):
    html = page(upload(admin_client, TARIFFS))
    fields = confirm_fields(html)
    forged = {**fields, "digest": "0" * 64}
    assert admin_client.post("/admin/import/tariffs/confirm", data=forged).status_code == 303
    analyst = client_for("analyst")  # may import tariffs, but not this admin's upload
    assert analyst.post("/admin/import/tariffs/confirm", data=fields).status_code == 303
    assert "udløbet eller ikke din" in page(analyst.get("/admin/import/tariffs"))
    stale = {**fields, "fingerprint": "f" * 64}
    assert admin_client.post("/admin/import/tariffs/confirm", data=stale).status_code == 303
    assert "er ændret siden prøvekørslen" in page(admin_client.get("/admin/tariffs"))
    assert not tariffs(db)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "tom.csv", "filen er tom"),
        (b"%PDF-1.4 binary \x00\x01", "takster.pdf", "takster.pdf"),
        ("Tilbud;Paragraf\nBostedet Engtoften;108\n", "takster.csv", "ingen overskriftsrække"),
    ],
)
def test_bad_files_get_an_error_beside_the_field(admin_client, db, data, name, message):
    response = upload(admin_client, data, name=name)
    assert response.status_code == 400
    html = page(response)
    assert message in html and "form-error-message" in html
    assert not tariffs(db)


def test_no_file_is_asked_for(admin_client):
    response = admin_client.post("/admin/import/tariffs", data={})
    assert response.status_code == 400 and "Vælg en fil." in page(response)


def test_offer_list_from_the_web_with_its_places_day(admin_client, db):
    dry = upload(admin_client, OFFERS, kind="offers", name="tilbud.csv", places_from="2026-02-01")
    html = page(dry)
    assert dry.status_code == 200, html
    assert re.search(r"Centre</th>\s*<td[^>]*>1</td>", html)
    assert re.search(r"Tilbud</th>\s*<td[^>]*>2</td>\s*<td[^>]*>0</td>\s*<td[^>]*>0</td>", html)
    assert not db().exec(select(Centre).where(Centre.name == "Center Nordlys")).first()

    done = confirm(admin_client, html, kind="offers")
    assert done.status_code == 303 and done.headers["Location"] == "/admin/units"
    assert "1 centre og 2 tilbud oprettet" in page(admin_client.get("/admin/units"))
    west = db().exec(select(Unit).where(Unit.offer_id == "900001-1")).one()
    places = db().exec(select(UnitPlaces).where(UnitPlaces.unit_id == west.id)).one()
    assert (places.valid_from, places.places) == (date(2026, 2, 1), 12)
    assert [e.action for e in history(db(), "units")] == ["create", "create"]
    again = page(upload(admin_client, OFFERS, kind="offers", places_from="2026-02-01"))
    assert "der er intet at gemme" in again


def test_an_offer_of_another_operator_is_refused_for_a_municipal_admin(app, make_user):
    user = make_user("admin", username="odense-admin")
    with app.app_context(), get_db(app).session(write=True) as session:
        session.get(User, user.id).operator_code = "461"
        session.commit()
    client = app.test_client()
    assert login(client, "odense-admin").status_code == 302
    html = page(upload(client, OFFERS, kind="offers"))
    assert "Tilbuddet drives af en anden driftsherre." in html and "Gem indlæsningen" not in html


def test_the_tariff_template_has_the_headers_and_an_example(admin_client):
    response = admin_client.get("/admin/import/tariffs/template")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Tilbuds-ID", "Center", "Tilbud") and len(rows) == 2
    assert rows[1][3] == "108" and rows[1][7] == 2450.75
    csv_text = admin_client.get("/admin/import/tariffs/template?format=csv").data.decode("utf-8")
    assert csv_text.startswith("\ufeffTilbuds-ID;Center;Tilbud;") and "2450,75" in csv_text
    assert admin_client.get("/admin/import/tariffs/template?format=pdf").status_code == 404


def test_the_template_file_imports_as_it_is(admin_client, db):
    data = admin_client.get("/admin/import/tariffs/template").data
    html = page(upload(admin_client, data, name="skabelon.xlsx"))
    assert "Afviste rækker" not in html, html
    assert confirm(admin_client, html).status_code == 303
    assert len(tariffs(db)) == 1


@pytest.mark.parametrize("role", ["leader", "staff", "council"])
def test_other_roles_are_refused(client_for, role):
    client = client_for(role)
    for path in ("/admin/import/tariffs", "/admin/import/offers", "/admin/import/tariffs/template"):
        assert client.get(path).status_code == 403
    assert upload(client, TARIFFS).status_code == 403
    assert client.post("/admin/import/tariffs/confirm", data={}).status_code == 403


def test_analysts_import_tariffs_but_not_offers(client_for):
    analyst = client_for("analyst")
    assert analyst.get("/admin/import/tariffs").status_code == 200
    assert analyst.get("/admin/import/offers").status_code == 403
    html = page(analyst.get("/admin/import/tariffs"))
    assert "Tilbud fra Tilbudsportalen" not in html
