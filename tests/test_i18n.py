"""Danish by default, English on request, and every UI string translated."""

from __future__ import annotations

import subprocess
import sys

from babel.messages.pofile import read_po


def test_danish_is_the_default(client):
    assert '<html lang="da">' in client.get("/auth/login").get_data(as_text=True)


def test_switch_to_english_and_back(client):
    response = client.post("/language", data={"lang": "en", "next": "/auth/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Username" in page and "Password" in page
    client.post("/language", data={"lang": "da", "next": "/auth/login"})
    assert "Brugernavn" in client.get("/auth/login").get_data(as_text=True)


def test_language_switch_refuses_foreign_redirects_and_languages(client):
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="da">' in client.get("/auth/login").get_data(as_text=True)


def test_language_survives_login(client, make_user):
    from tests.conftest import login

    user = make_user("staff")
    client.post("/language", data={"lang": "en", "next": "/"})
    login(client, user.username)
    assert '<html lang="en">' in client.get("/home").get_data(as_text=True)


def test_every_ui_string_has_an_english_translation(tmp_path, repo_root):
    """Extract the strings from the code now and compare with the English catalogue."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=repo_root,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    catalogue = repo_root / "del_tool/translations/en/LC_MESSAGES/messages.po"
    with catalogue.open("rb") as f:
        translated = {
            (m.id if isinstance(m.id, str) else m.id[0]): m.string
            for m in read_po(f)
            if m.id and not m.fuzzy
        }
    missing = sorted(s for s in wanted if not translated.get(s))
    assert not missing, f"untranslated strings (run `make messages`, then translate): {missing}"


def test_file_sizes_are_written_in_the_users_language(app):
    from flask_babel import force_locale

    from del_tool.i18n import format_size

    with app.test_request_context():
        assert format_size(50 * 1024 * 1024) == "50 MB"
        with force_locale("da"):
            assert format_size(19_968) == "19,5 KB"
            assert format_size(5 * 1024 * 1024 // 2) == "2,5 MB"
        with force_locale("en"):
            assert format_size(19_968) == "19.5 KB"  # was "19,5 KB" on the English page
