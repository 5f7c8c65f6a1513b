"""The questionnaire wording pages: upload a text overlay, preview it, save it (invented texts)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from del_tool.questionnaires import current_registry
from tests.admin.conftest import page

URL = "/admin/questionnaires/who5/da"
#: Invented wording (never a licensed instrument's real text).
OVERLAY = """\
title: Prøveskema med opdigtet ordlyd
items:
  q1: Jeg har fodret en opdigtet giraf
  q2: {text: Jeg har talt til skyerne, options: {5: Altid og evigt}}
options: {0: Aldrig nogensinde}
"""


@pytest.fixture
def instance(app: Flask, tmp_path: Path) -> Path:
    """A temporary instance folder for the app, so no test writes into the repository's."""
    app.instance_path = str(tmp_path)
    return tmp_path / "questionnaires"


def upload(client: FlaskClient, text: str | bytes, name: str = "who5.da.yaml") -> object:
    """Post a file to the upload form."""
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        URL, data={"overlay": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_upload_preview_save(app: Flask, admin_client: FlaskClient, instance: Path) -> None:
    listing = page(admin_client.get("/admin/questionnaires"))
    assert "who5" in listing and "Ingen fil" in listing
    assert admin_client.get(URL).status_code == 200

    response = upload(admin_client, OVERLAY)
    body = page(response)
    assert response.status_code == 200
    assert "Jeg har fodret en opdigtet giraf" in body
    assert "Altid og evigt" in body and "Aldrig nogensinde" in body
    assert "Gem ordlyden" in body and "Fortryd" in body
    assert not (instance / "who5.da.yaml").exists()  # nothing written by the preview
    token = re.search(r'name="token"[^>]*value="([^"]+)"', body)
    assert token is not None

    saved = admin_client.post(
        f"{URL}/save", data={"token": token[1], "save": "Gem ordlyden"}, follow_redirects=True
    )
    assert saved.status_code == 200
    assert "næste gang" in page(saved)
    assert (instance / "who5.da.yaml").read_text(encoding="utf-8") == OVERLAY
    assert not list(instance.glob(".*.tmp"))
    with app.app_context():
        definition = current_registry().get("who5")
        assert definition.items[0].text("da") == "Jeg har fodret en opdigtet giraf"
        assert definition.wording_available("en") is False
    assert "Fil lagt op" in page(admin_client.get("/admin/questionnaires"))

    # The token is spent.
    again = admin_client.post(f"{URL}/save", data={"token": token[1], "save": "Gem ordlyden"})
    assert again.status_code == 302


def test_cancel_writes_nothing(admin_client: FlaskClient, instance: Path) -> None:
    body = page(upload(admin_client, OVERLAY))
    token = re.search(r'name="token"[^>]*value="([^"]+)"', body)
    assert token is not None
    response = admin_client.post(f"{URL}/save", data={"token": token[1], "cancel": "Fortryd"})
    assert response.status_code == 302
    assert not (instance / "who5.da.yaml").exists()


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("items: [unclosed\n", "who5.da.yaml", "flow sequence"),
        ("items:\n  q99: Et opdigtet spørgsmål\n", "who5.da.yaml", "unknown item &#39;q99&#39;"),
        ("items:\n  q1: {text: A, options: {9: B}}\n", "who5.da.yaml", "no option with value 9"),
        ("title: x\n", "who5.da.txt", ".yaml eller .yml"),
        (b"\xff\xfe", "who5.da.yaml", "UTF-8"),
        ("a" * (64 * 1024 + 1), "who5.da.yaml", "64 KB"),
    ],
)
def test_bad_uploads_are_shown_beside_the_field(
    admin_client: FlaskClient, instance: Path, text: str | bytes, name: str, expected: str
) -> None:
    response = upload(admin_client, text, name)
    body = page(response)
    assert response.status_code == 400
    assert 'class="form-error-message" id="overlay-error"' in body
    assert expected in body
    assert not instance.exists() or not list(instance.iterdir())


def test_bad_yaml_problems_each_on_a_line(admin_client: FlaskClient, instance: Path) -> None:
    text = "items:\n  q98: A\n  q99: B\n"
    body = page(upload(admin_client, text))
    assert body.count('<span class="d-block">') == 2


def test_unknown_questionnaire_or_language(admin_client: FlaskClient, instance: Path) -> None:
    assert admin_client.get("/admin/questionnaires/nope/da").status_code == 404
    assert admin_client.get("/admin/questionnaires/who5/xx").status_code == 404


def test_another_admins_token_is_refused(
    app: Flask, admin_client: FlaskClient, client_for: object, instance: Path
) -> None:
    body = page(upload(admin_client, OVERLAY))
    token = re.search(r'name="token"[^>]*value="([^"]+)"', body)
    assert token is not None
    other = client_for("admin")  # type: ignore[operator]
    response = other.post(f"{URL}/save", data={"token": token[1], "save": "Gem ordlyden"})
    assert response.status_code == 302
    assert not (instance / "who5.da.yaml").exists()


def test_staff_is_refused(client_for: object, instance: Path) -> None:
    staff = client_for("staff")  # type: ignore[operator]
    assert staff.get("/admin/questionnaires").status_code == 403
    assert upload(staff, OVERLAY).status_code == 403  # type: ignore[attr-defined]
