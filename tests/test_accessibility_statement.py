"""Issue #20 item 6: the accessibility statement, linked from every footer, with the
deployment's own contact details, in Danish and English."""

from __future__ import annotations

from del_tool import create_app
from tests.conftest import make_config


def test_the_statement_is_linked_from_every_footer_and_names_the_deployment(databases):
    app = create_app(
        make_config(
            databases.fresh("seeded"),
            ACCESSIBILITY_ORGANISATION="Region Syddanmark",
            ACCESSIBILITY_CONTACT="tilgaengelighed@example.org",
            ACCESSIBILITY_EXCEPTIONS=("Kortvisningen af tilbud mangler tekst.",),
            ACCESSIBILITY_UPDATED="2026-11-30",
        )
    )
    client = app.test_client()
    login_page = client.get("/auth/login").text
    assert 'href="/tilgaengelighed"' in login_page  # also for visitors not logged in
    page = client.get("/tilgaengelighed")
    assert page.status_code == 200
    text = page.text
    assert "Region Syddanmark" in text and "mailto:tilgaengelighed@example.org" in text
    assert "WCAG 2.1 niveau AA" in text and "Kortvisningen af tilbud mangler tekst." in text
    assert "30.11.2026" in text
    client.post("/language", data={"lang": "en", "next": "/"})
    english = client.get("/tilgaengelighed").text
    assert "Accessibility statement" in english and "WCAG 2.1 level AA" in english


def test_without_a_contact_it_points_to_the_administrator(client):
    text = client.get("/tilgaengelighed").text
    assert "kontakt din administrator" in text and "mailto:" not in text
