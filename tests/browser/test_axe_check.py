"""The checks themselves: each must fail on a page with the kind of fault it looks for."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.a11y import (
    assert_charts_described,
    assert_controls_drawn,
    assert_errors_announced,
    axe_violations,
)
from tests.browser.support import BrowserTab

pytestmark = pytest.mark.browser

PAGES = "/__browser_test__/"


def test_check_fails_on_a_page_with_known_violations(open_tab: Callable[[], BrowserTab]) -> None:
    """axe reports the missing alt text and the low contrast; the page check fails on them."""
    tab = open_tab()
    tab.goto(PAGES + "known_violation.html")
    rules = {violation.rule for violation in axe_violations(tab.page)}
    assert {"image-alt", "color-contrast"} <= rules
    with pytest.raises(AssertionError, match="image-alt"):
        tab.check("the known-violation page")
    with pytest.raises(AssertionError, match="chart without useful alt text"):
        assert_charts_described(tab.page, "the known-violation page")
    with pytest.raises(AssertionError, match="drawn nowhere: \\['invisible'\\]"):
        assert_controls_drawn(tab.page, "the known-violation page")
    tab.checked.add(tab.page.url)  # checked above, with the failures expected


def test_error_check_fails_when_errors_are_not_announced(
    open_tab: Callable[[], BrowserTab],
) -> None:
    """An error summary without role=alert, and a message no field refers to, are caught."""
    tab = open_tab()
    tab.goto(PAGES + "unlinked_errors.html")
    with pytest.raises(AssertionError, match="neither role=alert nor aria-live"):
        assert_errors_announced(tab.page)
    tab.page.evaluate(
        "() => document.getElementById('error-summary').setAttribute('role', 'alert')"
    )
    tab.page.evaluate("() => document.getElementById('error-summary').focus()")
    with pytest.raises(AssertionError, match="does not receive focus"):
        assert_errors_announced(tab.page)
    tab.page.evaluate(
        "() => { const s = document.getElementById('error-summary'); s.tabIndex = -1; s.focus(); }"
    )
    with pytest.raises(AssertionError, match="no field refers to"):
        assert_errors_announced(tab.page)
    tab.checked.add(tab.page.url)


def test_check_passes_on_the_login_page(open_tab: Callable[[], BrowserTab]) -> None:
    """The same checks on one of DEL's pages, in Danish and English, find nothing."""
    tab = open_tab()
    tab.goto("/auth/login")
    tab.check_both_languages("login", screenshot=True)


def test_the_accessibility_statement_passes_its_own_checks(
    open_tab: Callable[[], BrowserTab],
) -> None:
    """The statement promises WCAG 2.1 AA checks; the page itself meets them in both languages."""
    tab = open_tab()
    tab.goto("/auth/login")
    tab.checked.add(tab.page.url)  # checked by the login test above
    tab.page.click("footer a[href='/tilgaengelighed']")
    tab.check_both_languages("accessibility statement")
