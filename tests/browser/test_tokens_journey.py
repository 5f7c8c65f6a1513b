"""A staff member makes an API token for themself with the keyboard (#19 part 2), and reads
the API's description page.

From Min konto to API-nøgler; a token without a name is refused beside the field and announced;
with a name and a last day it is made and shown once; it is revoked from the list. Every page
is checked with axe, the token page in Danish and English.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from del_tool.modelbase import local_today
from tests.browser.a11y import assert_errors_announced
from tests.browser.keyboard import press_and_load, tab_to, type_text
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

CREATE = "main form[action='/account/tokens'] button.button-primary[type=submit]"


def test_staff_make_and_revoke_a_token(open_tab: Callable[[], BrowserTab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.login("staff", DEMO_PASSWORD)
    tab.check("caseload")
    tab.goto("/account/")
    tab.check("account")
    tab_to(page, "main a[href='/account/tokens']")
    press_and_load(page)
    tab.check_both_languages("tokens")

    page.fill("#expires_on", (local_today() + timedelta(days=30)).isoformat())
    tab_to(page, CREATE)
    press_and_load(page)
    tab.check("tokens-error")
    assert_errors_announced(page)

    tab_to(page, "#name")
    type_text(page, "Mit regneark")
    tab_to(page, CREATE)
    press_and_load(page)
    tab.check("tokens-made")
    assert page.inner_text("#new-token").startswith("del_")
    assert "Mit regneark" in page.inner_text("main table")

    tab_to(page, "main table button[type=submit]")
    press_and_load(page)
    tab.check("tokens-revoked")
    assert "Tilbagekaldt" in page.inner_text("main table")

    tab.goto("/api/v1/docs")
    tab.check("api-docs")
    assert "/api/v1/caseload" in page.inner_text("main")
    tab.assert_every_page_checked()
