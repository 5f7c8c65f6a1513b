"""A leader records and decides a referral; an administrator keeps the price and wage index, a
unit's places and a settlement (issue #17). Every page is checked with axe in both languages,
the leader's pages also at phone width."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from del_tool.modelbase import local_today
from tests.browser.support import BrowserTab
from tests.browser.test_caseload_journey import _fits_phone
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _submit(tab: BrowserTab, label: str) -> None:
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name=label).click()


def test_a_leader_records_and_decides_a_referral(open_tab: Callable[[], BrowserTab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.login("leader", DEMO_PASSWORD)
    tab.check("leader-caseload")
    tab.goto("/referrals/")
    tab.check_both_languages("referrals", screenshot=True)
    _fits_phone(tab, "referrals")
    unit = page.locator("main a[href^='/referrals/units/']").first.get_attribute("href")
    assert unit
    tab.goto(unit)
    tab.check_both_languages("referrals-unit")
    _fits_phone(tab, "referrals-unit")
    tab.goto(unit.rstrip("/") + "/new")
    tab.check_both_languages("referral-form")
    page.select_option("#municipality_code", "461")
    page.fill("#referred_on", (local_today() - timedelta(days=6)).isoformat())
    _submit(tab, "Gem")
    tab.check("referral-saved")
    assert "Henvendelsen er registreret" in page.locator("main").inner_text()
    decide = page.locator("main a[href$='/decide']").first.get_attribute("href")
    assert decide
    tab.goto(decide)
    tab.check_both_languages("referral-decide")
    page.locator("input[name=outcome][value=declined]").check(force=True)
    page.fill("#decided_on", (local_today() - timedelta(days=1)).isoformat())
    _submit(tab, "Gem afgørelsen")
    tab.check("referral-decided")
    assert "/decide" not in page.url


def test_a_leader_reads_the_economy_and_the_benchmark(open_tab: Callable[[], BrowserTab]) -> None:
    """The economy report (occupancy, tariffs against the index, demand with its forecast chart)
    and the learning report with the benchmark of regional and municipal offers."""
    tab = open_tab()
    page = tab.page
    tab.login("leader", DEMO_PASSWORD)
    tab.check("leader-caseload")
    for kind, heading in (("economy", "Efterspørgsel"), ("learning", "Regionale og kommunale")):
        tab.goto("/reports/")
        tab.check("reports")
        page.select_option("#kind", kind)
        with page.expect_navigation():
            page.locator("main button[type=submit]").click()
        assert f"kind={kind}" in page.url
        assert heading in page.locator("main").inner_text(), kind
        tab.check_both_languages(f"{kind}-report", screenshot=True)


def test_an_administrator_keeps_the_index_places_and_settlements(
    open_tab: Callable[[], BrowserTab],
) -> None:
    tab = open_tab()
    page = tab.page
    tab.login("admin", DEMO_PASSWORD)
    tab.check("admin-home")
    tab.goto("/admin/price-index")
    tab.check_both_languages("admin-price-index", screenshot=True)
    tab.goto("/admin/settlements")
    tab.check_both_languages("admin-settlements")
    tab.goto("/admin/units")
    tab.check("admin-units")
    places = page.locator("main a[href^='/admin/units/']").first.get_attribute("href")
    assert places
    tab.goto(places.rstrip("/") + "/places")
    tab.check_both_languages("admin-places")
    page.fill("#valid_from", (local_today() - timedelta(days=3)).isoformat())
    page.fill("#places", "-2")
    _submit(tab, "Gem ændring")
    tab.check("admin-places-refused")
    assert page.locator("#places-error").is_visible()
    page.fill("#places", "14")
    _submit(tab, "Gem ændring")
    tab.check("admin-places-saved")
    assert "Ændringen af pladserne er gemt" in page.locator("main").inner_text()
