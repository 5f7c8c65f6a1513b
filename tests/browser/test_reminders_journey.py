"""Staff ask for the weekly reminder mail (issue #21 item 3), with the keyboard.

From Min konto to Påmindelser; a mistyped address is refused beside the field and announced;
the corrected one is saved and shown again. Every page is checked with axe, the settings page
in Danish and English.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.a11y import assert_errors_announced
from tests.browser.keyboard import press_and_load, tab_to, type_text
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

SAVE = "main form[method=post] button.button-primary[type=submit]"


def test_staff_ask_for_the_weekly_digest(open_tab: Callable[[], BrowserTab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.login("staff", DEMO_PASSWORD)
    tab.check("caseload")
    tab.goto("/account/")
    tab.check("account")
    tab_to(page, "main a[href='/account/reminders/']")
    press_and_load(page)
    tab.check_both_languages("reminders")

    tab_to(page, "#email")
    type_text(page, "medarbejder@")
    tab_to(page, "#weekly")
    page.keyboard.press("Space")
    tab_to(page, SAVE)
    press_and_load(page)
    tab.check("reminders-error")
    assert_errors_announced(page)
    assert page.locator("#weekly").is_checked()  # what was chosen is kept

    page.fill("#email", "medarbejder@region.example")
    tab_to(page, SAVE)
    press_and_load(page)
    tab.check("reminders-saved")
    assert "Dine påmindelser er gemt." in page.inner_text("main")
    assert page.locator("#email").input_value() == "medarbejder@region.example"
    assert page.locator("#weekly").is_checked()
    tab.assert_every_page_checked()
