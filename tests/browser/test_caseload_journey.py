"""Staff work from their caseload on a desktop and on a phone.

Issue #15 items 8 and 12: a contact person is chosen on the stay and shown on the profile and
the caseload; "Mine borgere" lists the user's own citizens; the caseload filters and sorts
through the URL (bad values are ignored) and says what is overdue and due this week; every
staff page fits a 375 px wide phone (no sideways scrolling of the page). Every page is checked
with axe, the new ones in both languages and at phone width.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.a11y import assert_accessible
from tests.browser.support import VIEWPORTS, BrowserTab
from tests.browser.test_staff_journey import _citizen_with_history
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

STAFF_NAME = "Mette Holm (demo)"
ALL_WIDTHS = ("desktop", "tablet", "phone")


def _fits_phone(tab: BrowserTab, where: str) -> None:
    """At 375 px the page does not scroll sideways, and axe finds nothing at that width."""
    page = tab.page
    size = page.viewport_size
    width, height = VIEWPORTS["phone"]
    page.set_viewport_size({"width": width, "height": height})
    try:
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll("body *")]
              .filter((el) => el.getBoundingClientRect().right > limit + 1
                && !(el.parentElement && el.parentElement.closest(".del-table-scroll")))
              .slice(0, 6).map((el) => el.tagName + "." + el.className + " "
                + Math.round(el.getBoundingClientRect().right)).concat(
              [...document.querySelectorAll("body, body *")]
              .filter((el) => el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0
                && !el.matches(".del-table-scroll"))
              .slice(0, 6).map((el) => "overflowing " + el.tagName + "." + el.className + " "
                + el.scrollWidth))""",
            width,
        )
        assert scroll <= width, f"{where}: {scroll}px wide at {width}px: {wide}"
        assert_accessible(page, f"{where} at phone width")
    finally:
        page.set_viewport_size(size)


def _small_charts_stack(tab: BrowserTab) -> None:
    """The functioning chart's panels stand three across on a desktop and in one column on a
    phone (the browser picks the narrow drawing: taller than wide)."""
    page = tab.page
    shape = """() => { const img = document.querySelector("main picture img");
        return img && img.complete ? img.naturalHeight / img.naturalWidth : null; }"""
    page.wait_for_function(shape)
    assert page.evaluate(shape) < 1, "the desktop drawing is not the wide one"
    size = page.viewport_size
    width, height = VIEWPORTS["phone"]
    page.set_viewport_size({"width": width, "height": height})
    try:
        page.wait_for_function(f"() => ({shape})() > 1")
    finally:
        page.set_viewport_size(size)


def _set_contact(tab: BrowserTab, profile: str) -> None:
    """Choose the logged-in staff member as contact person on the citizen's current stay."""
    page = tab.page
    tab.goto(profile)
    tab.check("profile-before-contact")
    page.click("main a[href$='/edit'][href*='/stays/']")
    page.wait_for_load_state()
    tab.check_both_languages("stay-form", screenshot=True)
    _fits_phone(tab, "stay form")
    options = page.eval_on_selector_all(
        "#contact_user_id option", "(os) => os.map((o) => [o.value, o.textContent])"
    )
    mine = [value for value, label in options if label.startswith(STAFF_NAME)]
    assert mine, options
    page.select_option("#contact_user_id", mine[0])
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(profile), page.url
    tab.check("profile-with-contact")
    facts = page.locator("main .del-facts").inner_text()
    assert "Kontaktperson" in facts and STAFF_NAME in facts, facts


def _rows(page: Any) -> list[dict[str, str]]:
    return page.evaluate(
        """() => [...document.querySelectorAll("table.del-caseload tbody tr")].map((tr) => ({
              status: tr.cells[0].innerText.trim(), name: tr.cells[1].innerText.trim(),
              contact: tr.cells[5].innerText.trim()}))"""
    )


def test_contact_person_mine_and_filters(open_tab: Callable[[], BrowserTab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.login("staff", DEMO_PASSWORD)
    tab.check("caseload")
    name, profile = _citizen_with_history(page)
    _set_contact(tab, profile)

    # "Mine borgere" from the menu: the citizen is there, with the staff member as contact.
    page.click("header a[href='/citizens/mine']")
    page.wait_for_load_state()
    tab.check_both_languages("mine", screenshot=False)
    rows = _rows(page)
    assert name in [row["name"] for row in rows], rows
    assert {row["contact"] for row in rows} == {STAFF_NAME}
    tab.screenshot("mine", widths=ALL_WIDTHS)
    _fits_phone(tab, "mine")

    # The caseload: counts at the top, filters kept in the URL.
    tab.goto("/citizens/")
    tab.check("caseload-again")
    counts = page.locator("main .del-due-counts").inner_text()
    assert "denne uge" in counts, counts
    page.select_option("#status", "overdue")
    page.select_option("#sort", "name")
    page.click("main form.del-filters button[type=submit]")
    page.wait_for_load_state()
    query = parse_qs(urlparse(page.url).query)
    assert query == {"status": ["overdue"], "sort": ["name"]}, page.url
    tab.check_both_languages("caseload-overdue", screenshot=False)
    rows = _rows(page)
    assert rows and all(row["status"].startswith("Forfalden") for row in rows), rows
    for unit in page.locator("table.del-caseload").all():
        names = unit.locator("tbody th").all_inner_texts()
        assert names == sorted(names, key=str.casefold), names
    assert page.locator("#status").input_value() == "overdue"
    tab.screenshot("caseload-filtered", widths=ALL_WIDTHS)
    _fits_phone(tab, "caseload filtered")

    # The contact-person filter; a bad value anywhere is ignored, never an error page.
    tab.goto(f"/citizens/?contact={page.locator('#contact option').nth(2).get_attribute('value')}")
    tab.check("caseload-by-contact")
    assert {row["contact"] for row in _rows(page)} == {STAFF_NAME}
    tab.goto("/citizens/?status=soonish&unit=abc&contact=-1&sort=bogus")
    tab.check("caseload-bad-filters")
    assert page.locator("#status").input_value() == ""
    assert _rows(page), "bad filter values emptied the caseload"


def test_every_staff_page_fits_a_phone(open_tab: Callable[[], BrowserTab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.login("staff", DEMO_PASSWORD)
    tab.check("caseload")
    tab.screenshot("caseload", widths=ALL_WIDTHS)
    _fits_phone(tab, "caseload")
    _name, profile = _citizen_with_history(page)
    citizen_id = profile.rstrip("/").rsplit("/", 1)[-1]
    tab.goto(profile)
    tab.check("profile")
    tab.screenshot("profile", widths=ALL_WIDTHS)
    _fits_phone(tab, "profile")
    _small_charts_stack(tab)
    followup = page.locator("main .del-timeline h3 a").first.get_attribute("href")
    goal_edit = page.locator("main a[href^='/goals/'][href$='/edit']").first.get_attribute("href")
    pages = [
        ("followup-show", followup),
        ("followup-form", f"/followups/new/{citizen_id}"),
        ("goal-form", goal_edit),
        ("citizen-form", f"/citizens/{citizen_id}/edit"),
        ("new-citizen", "/citizens/new"),
        ("account", "/account/"),
        ("home", "/home"),
    ]
    for where, path in pages:
        assert path, where
        tab.goto(path)
        tab.check(where)
        _fits_phone(tab, where)
    tab.screenshot("followup-form-phone", widths=("phone",))
    # The goal weight is written the Danish way.
    tab.goto(goal_edit)
    tab.check("goal-form-again")
    assert "." not in page.locator("#weight").input_value()
