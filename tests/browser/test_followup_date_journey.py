"""Staff change the follow-up date after filling in the form, and look at the latest scores.

Issue #15 items 1 and 6: the date is a field of the form; changing it updates the form in
place (static/js/followup_form.js) and keeps every answer; a future date is refused beside the
field; the date typed is the date stored and the confirmation names citizen and date. "Vis
seneste" is closed until opened, and shows the latest review with its date. Every page is
checked with axe.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from del_tool.modelbase import local_today
from tests.browser.keyboard import press_and_load, tab_to
from tests.browser.support import BrowserTab
from tests.browser.test_staff_journey import _citizen_with_history
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

NOTE = "Har handlet ind alene to gange."


def _open_form(tab: BrowserTab) -> str:
    """The follow-up form of a caseload citizen who has had a follow-up; their name."""
    page = tab.page
    tab.login("staff", DEMO_PASSWORD)
    tab.check("caseload")
    name, profile = _citizen_with_history(page)
    tab.goto(profile)
    tab.check("profile")
    tab_to(page, "main a.button-primary[href^='/followups/new/']")
    press_and_load(page)
    return name


def _goal_fields(page: Any) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('main .del-review')]"
        ".map((s) => s.id.replace('-section', ''))"
    )


def _set_date(page: Any, day: str) -> None:
    """Type a date as a user does (the field's change event starts the update)."""
    page.fill("#followup_date", day)
    page.locator("#followup_date").blur()


def _answers_kept(page: Any, first: str) -> None:
    assert page.locator(f"input[name='{first}-level'][value='1']").is_checked()
    assert page.locator(f"textarea[name='{first}-note']").input_value() == NOTE
    assert page.locator("textarea[name=note]").input_value() == NOTE


def test_changing_the_date_keeps_the_answers_and_stores_the_date(
    open_tab: Callable[[], BrowserTab],
) -> None:
    tab = open_tab()
    page = tab.page
    name = _open_form(tab)
    tab.check("followup-date-form")
    goals = _goal_fields(page)
    assert goals, "the citizen has no goals on the form"
    for field in goals:
        page.check(f"input[name='{field}-level'][value='1']")
    page.fill(f"textarea[name='{goals[0]}-note']", NOTE)
    page.fill("textarea[name=note]", NOTE)
    # The note's counter says what is left.
    assert page.locator("#note-count").inner_text() == f"{4000 - len(NOTE)} tegn tilbage"

    # A future date: refused beside the field, nothing lost, no page load.
    loads = len(tab.loaded)
    future = (local_today() + timedelta(days=3)).isoformat()
    _set_date(page, future)
    page.wait_for_selector("#followup_date-error")
    assert "fremtiden" in page.locator("#followup_date-error").inner_text()
    assert "fremtiden" in page.locator("#followup-status").inner_text()
    _answers_kept(page, goals[0])
    assert len(tab.loaded) == loads
    tab.check("followup-date-error")
    tab.screenshot("followup-date-error")

    # A free date in the past: the form is for that date now, with the answers.
    for back in range(2, 9):
        day = local_today() - timedelta(days=back)
        _set_date(page, day.isoformat())
        page.wait_for_function(
            "(day) => document.querySelector('input[name=shown_date]').value === day",
            arg=day.isoformat(),
        )
        if page.locator("#followup_date-error").count() == 0:
            break
    else:
        pytest.fail("no free date in the last week")
    assert page.locator("#followup-refreshed").is_visible()
    assert day.strftime("%d.%m.%Y") in page.locator("#followup-refreshed").inner_text()
    for field in _goal_fields(page):
        if not page.locator(f"input[name='{field}-level']:checked").count():
            page.check(f"input[name='{field}-level'][value='1']")
    _answers_kept(page, goals[0])
    tab.check("followup-date-refreshed")
    tab.screenshot("followup-date-refreshed")

    page.click("main form[method=post] button.button-primary[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/citizens/"), page.url
    success = page.locator(".alert-success").inner_text()
    assert name in success and day.strftime("%d.%m.%Y") in success, success
    tab.check("caseload-after-dated-followup")


def test_the_latest_scores_open_only_when_asked(open_tab: Callable[[], BrowserTab]) -> None:
    tab = open_tab()
    page = tab.page
    _open_form(tab)
    toggles = page.locator("main details.del-last")
    assert toggles.count() > 0, "no goal with an earlier review on the form"
    first = toggles.first
    assert first.get_attribute("open") is None
    assert not first.locator("dl").is_visible()  # closed: the old score is not in view
    tab.check("followup-latest-closed")
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    assert first.get_attribute("open") is not None and first.locator("dl").is_visible()
    text = first.locator("dl").inner_text()
    assert "Dato" in text and "Funktionsevneniveau" in text
    tab.check("followup-latest-open")
    tab.screenshot("followup-latest-open")
