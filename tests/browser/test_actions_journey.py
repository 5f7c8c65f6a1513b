"""A leader records an action from a learning-report figure with the keyboard and finds it in
the action log (issue #21 item 1).

Learning report of the centre for the latest demo quarter (the demo's own actions on the quarter
before are shown beside their figures) -> "Registrér handling" beside a key figure -> a form
sent without what and owner is refused beside the fields and announced -> the completed form
is saved -> the action log lists it, also when filtered to open actions. Every page is checked
with axe, the report and the form in Danish and English.
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

REPORT = "/reports/report?kind=learning&scope=centre:2&period=2026Q3"
SAVE = "main form[method=post] button.button-primary[type=submit]"
WHAT = "Fast målsamtale hver måned"


def test_a_leader_records_an_action_from_a_figure(open_tab: Callable[[], BrowserTab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.login("leader", DEMO_PASSWORD)
    tab.check("leader-start")
    tab.goto(REPORT)
    page.wait_for_selector("a.del-action-link", timeout=90_000)  # built on first view
    tab.check_both_languages("learning-report")
    assert "Handling for" in page.inner_text("main")  # the demo's actions of 2026Q2
    figure = page.locator("main .card a.del-action-link").first
    name = figure.locator(".sr-only").inner_text().lstrip(": ").strip()
    tab_to(page, "main .card a.del-action-link")
    press_and_load(page)
    assert "/actions/new?" in page.url
    tab.check_both_languages("action-form")
    assert name in page.inner_text("main")

    tab_to(page, SAVE)
    press_and_load(page)
    tab.check("action-form-errors")
    assert_errors_announced(page)
    main = page.inner_text("main")
    assert "Skriv, hvad der skal ændres." in main and "Skriv, hvem der er ansvarlig." in main

    tab_to(page, "#what")
    type_text(page, WHAT)
    tab_to(page, "#owner")
    type_text(page, "Teamleder")
    page.fill("#due_date", (local_today() + timedelta(days=30)).isoformat())
    tab_to(page, SAVE)
    press_and_load(page)
    assert page.url.endswith("/actions/")
    tab.check("action-log")
    main = page.inner_text("main")
    assert "Handlingen er registreret." in main and WHAT in main and name in main

    page.select_option("#status", "open")
    tab_to(page, "main form[method=get] button[type=submit]")
    press_and_load(page)
    tab.check("action-log-open")
    assert WHAT in page.inner_text("main")
    tab.assert_every_page_checked()
