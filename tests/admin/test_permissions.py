"""Who may open the administration pages: administrators everything, analysts tariffs only."""

from __future__ import annotations

from datetime import date

import pytest

from del_tool.auth.models import User
from del_tool.main.templating import NAVIGATION
from tests.admin.conftest import page

USER_PAGES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{user}",
    "/admin/users/{user}/password",
]
UNIT_PAGES = ["/admin/units", "/admin/units/{unit}"]
TARIFF_PAGES = [
    "/admin/tariffs",
    "/admin/tariffs/new",
    "/admin/tariffs/{tariff}",
    "/admin/tariffs/{tariff}/end",
]
USER_AND_UNIT_POSTS = [
    "/admin/users/new",
    "/admin/users/{user}",
    "/admin/users/{user}/deactivate",
    "/admin/users/{user}/reactivate",
    "/admin/users/{user}/password",
    "/admin/units/{unit}",
]
TARIFF_POSTS = ["/admin/tariffs/new", "/admin/tariffs/{tariff}", "/admin/tariffs/{tariff}/end"]
#: Enough to pass most forms if the permission check were missing.
HOSTILE_POST = {"role": "admin", "mode": "generate", "valid_to": "2025-06-30", "version": "1"}


@pytest.fixture
def ids(org, admin, add_tariff):
    return {
        "user": admin.id,
        "unit": org.unit_id,
        "tariff": add_tariff(org.unit_id, date(2025, 1, 1)),
    }


def urls(templates, ids):
    return [template.format(**ids) for template in templates]


def test_administrator_opens_every_page(admin_client, ids):
    for url in urls(USER_PAGES + UNIT_PAGES + TARIFF_PAGES, ids):
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["staff", "leader", "council", "analyst"])
def test_other_roles_are_refused_users_and_units(client_for, ids, db, role):
    client = client_for(role)
    for url in urls(USER_PAGES + UNIT_PAGES, ids):
        assert client.get(url).status_code == 403, url
    for url in urls(USER_AND_UNIT_POSTS, ids):
        assert client.post(url, data=HOSTILE_POST).status_code == 403, url
    admin = db().get(User, ids["user"])
    assert admin.active and admin.session_version == 1


@pytest.mark.parametrize("role", ["staff", "leader", "council"])
def test_only_administrators_and_analysts_manage_tariffs(client_for, ids, role):
    client = client_for(role)
    for url in urls(TARIFF_PAGES, ids):
        assert client.get(url).status_code == 403, url
    for url in urls(TARIFF_POSTS, ids):
        assert client.post(url, data=HOSTILE_POST).status_code == 403, url


def test_analyst_opens_the_tariff_pages(client_for, ids):
    client = client_for("analyst")
    for url in urls(TARIFF_PAGES, ids):
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_the_login(client, ids, db):
    for url in urls(USER_PAGES + UNIT_PAGES + TARIFF_PAGES, ids):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    for url in urls(USER_AND_UNIT_POSTS + TARIFF_POSTS, ids):
        response = client.post(url, data=HOSTILE_POST)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    admin = db().get(User, ids["user"])
    assert admin.active and admin.session_version == 1


def test_unknown_ids_in_urls_are_404(admin_client):
    for url in ["/admin/users/99999", "/admin/units/99999", "/admin/tariffs/99999"]:
        assert admin_client.get(url).status_code == 404, url
        assert admin_client.post(url, data=HOSTILE_POST).status_code == 404, url
    for url in ["/admin/users/-1", "/admin/units/abc", "/admin/tariffs/1e3/end"]:
        assert admin_client.get(url).status_code == 404, url


def test_analyst_menu_has_tariffs_but_not_administration(client_for):
    html = page(client_for("analyst").get("/home"))
    assert 'href="/admin/tariffs"' in html and "Takster" in html
    assert 'href="/admin/users"' not in html


def test_menu_marks_only_the_best_matching_entry(admin_client):
    html = page(admin_client.get("/admin/tariffs"))
    # One current entry in the main menu ("Takster", not also "Administration"), one tab. The
    # menu is in the page twice: the desktop bar and the drawer of narrower screens.
    assert html.count('aria-current="page"') == 3
    users_page = page(admin_client.get("/admin/users"))
    assert users_page.count('aria-current="page"') == 3


def test_tariff_menu_entry_is_declared():
    assert any(item.endpoint == "admin.tariffs" for item in NAVIGATION)
