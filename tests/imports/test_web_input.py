"""Bad uploads on the web (#18 "Bad input"): too big (beside the field, never an error page),
not a spreadsheet, a unit outside the leader's scope (refused and logged), other roles."""

from __future__ import annotations

import logging
import re

import pytest
from sqlmodel import select

from del_tool.db import get_db
from del_tool.imports.models import ImportBatch
from del_tool.imports.views import UPLOAD_OVERHEAD
from tests.conftest import _app_for, login
from tests.imports.conftest import FIXTURES
from tests.imports.web import leader_client, only_batch, upload, workbook

LIMIT = 20_000


@pytest.fixture
def small_app(databases):
    """An app whose imports take at most LIMIT bytes and whose other requests 4 KB, with CSRF."""
    yield from _app_for(
        databases, "seeded", IMPORT_MAX_BYTES=LIMIT, MAX_CONTENT_LENGTH=4096, WTF_CSRF_ENABLED=True
    )


def _batches(app) -> int:
    with app.app_context(), get_db(app).session(write=False) as db:
        return len(db.exec(select(ImportBatch)).all())


def _token(client) -> str:
    page = client.get("/imports/").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _csrf_login(client, username):
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    from tests.conftest import PASSWORD

    response = client.post(
        "/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


@pytest.fixture
def small_leader(small_app):
    """A logged-in leader client of Bostedet Engtoften's centre on `small_app`."""
    from del_tool.auth.services import create_user
    from del_tool.organisation.models import Unit
    from tests.conftest import PASSWORD

    with small_app.app_context(), get_db(small_app).session(write=True) as db:
        unit = db.exec(select(Unit).where(Unit.name == "Bostedet Engtoften")).one()
        create_user(
            session=db,
            username="lille",
            display_name="Leder",
            password=PASSWORD,
            role="leader",
            centre_id=unit.centre_id,
        )
        db.commit()
        unit_id = unit.id
    client = small_app.test_client()
    _csrf_login(client, "lille")
    client.unit_id = unit_id
    return client


def test_an_upload_over_the_apps_request_limit_but_within_the_imports_is_planned(
    small_app, small_leader
):
    data = workbook()
    assert 4096 < len(data) < LIMIT
    form = {"csrf_token": _token(small_leader), "unit": str(small_leader.unit_id)}
    response = upload(small_leader, data, unit=small_leader.unit_id, extra=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _batches(small_app) == 1


def test_an_upload_over_the_limit_gets_the_limit_beside_the_field(small_app, small_leader):
    token = _token(small_leader)
    # Over the import's limit, within the request's: the reader's one line.
    response = upload(
        small_leader,
        b"x;" * (LIMIT // 2 + 10),
        unit=small_leader.unit_id,
        name="stor.csv",
        extra={"csrf_token": token},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "stor.csv: filen er for stor" in page and 'class="form-error-message"' in page
    # Over the request's limit too: the form again, with the limit beside the field (413).
    response = upload(
        small_leader,
        b"x;" * (LIMIT + UPLOAD_OVERHEAD),
        unit=small_leader.unit_id,
        name="stor.csv",
        extra={"csrf_token": token},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    error = re.search(r'id="file-error">(.*?)</span>\s*</span>', page, re.S)
    assert error and "Filen er for stor: højst 19,5 KB." in error.group(1)
    assert _batches(small_app) == 0


def test_a_file_that_is_no_spreadsheet_is_refused_beside_the_field(app, make_user, units):
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    for name in ("not_a_spreadsheet.xlsx", "empty.csv", "encrypted.xlsx"):
        response = upload(client, (FIXTURES / name).read_bytes(), unit=unit, name=name)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert re.search(
            r'id="file-error">\s*<span class="sr-only">Fejl:</span>\s*<span class="d-block">'
            + re.escape(name),
            page,
        ), name
    assert _batches(app) == 0


def test_a_unit_outside_the_scope_is_refused_and_logged(app, make_user, units, caplog):
    unit = units["Bostedet Engtoften"]
    other = units["Rehabiliteringsbostedet Åløkken"]
    client = leader_client(app, make_user, unit)
    with caplog.at_level(logging.INFO, logger="del_tool.security"):
        response = upload(client, workbook(), unit=other)
    assert response.status_code == 400 and "Vælg en af mulighederne." in response.get_data(
        as_text=True
    )
    [event] = [r for r in caplog.records if r.getMessage() == "import_unit_outside_scope"]
    assert (event.unit_id, event.user_id) == (other, client.user.id)  # type: ignore[attr-defined]
    assert _batches(app) == 0
    # A row naming another centre's unit is refused in the dry run, and logged too.
    stays = (
        "Ophold-ID;Borger-ID;Tilbud;Betalingskommune;Paragraf;Startdato;Slutdato\n"
        "O1;B1;Bostedet Engtoften;Odense;107;01.02.2025;\n"
        "O2;B2;Rehabiliteringsbostedet Åløkken;Vejle;108;01.03.2024;\n"
    )
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="del_tool.security"):
        upload(client, workbook(stays=stays), unit="all")
    batch = only_batch(app)
    assert [r["row"] for r in batch.plan["refusals"]][:1] == [3]
    assert batch.plan["refusals"][0]["reason"].startswith("Tilbuddet er ikke et af dem")
    [event] = [r for r in caplog.records if r.getMessage() == "import_unit_outside_scope"]
    assert (event.unit_id, event.rows) == (other, 1)  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ["staff", "admin", "analyst"])
def test_other_roles_are_refused(app, make_user, units, role):
    unit = units["Bostedet Engtoften"]
    leader = leader_client(app, make_user, unit)
    upload(leader, workbook(), unit=unit)
    batch = only_batch(app)
    scope = {"unit_ids": [unit]} if role == "staff" else {}
    user = make_user(role, **scope)
    client = app.test_client()
    login(client, user.username)
    for path in ("/imports/", "/imports/batches", f"/imports/{batch.id}"):
        assert client.get(path).status_code == 403, path
    for path in ("/imports/", f"/imports/{batch.id}/confirm", f"/imports/{batch.id}/undo"):
        assert client.post(path).status_code == 403, path
    assert only_batch(app).state == "planned"
