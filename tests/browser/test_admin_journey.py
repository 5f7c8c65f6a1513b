"""Administrator: a staff user scoped to one unit, who then sees only that unit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import col, or_, select

from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.modelbase import local_today
from del_tool.organisation.models import Unit
from tests.browser.conftest import LiveServer
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

UNIT = "Botilbuddet Strandhuse"
#: Another unit of the same centre, whose citizens the new user must not see.
OTHER_UNIT = "Rehabiliteringsbostedet Åløkken"
USERNAME = "sara.strand"


def _citizen_in(live_server: LiveServer, unit_name: str, today: date) -> int:
    """A citizen in a stay at the named unit today."""
    app = live_server.app
    with app.app_context(), get_db(app).session(write=False) as db:
        citizen_id = db.exec(
            select(Stay.citizen_id)
            .join(Unit, col(Unit.id) == col(Stay.unit_id))
            .where(Unit.name == unit_name, col(Stay.start_date) <= today)
            .where(or_(col(Stay.end_date).is_(None), col(Stay.end_date) >= today))
            .order_by(col(Stay.citizen_id))
        ).first()
    assert citizen_id is not None, f"nobody in a stay at {unit_name}"
    return citizen_id


def _create_staff_user(tab: BrowserTab) -> str:
    """Fill the new-user form for a staff member of UNIT; returns the generated password."""
    page = tab.page
    page.locator("main a", has_text="Opret bruger").click()
    page.wait_for_load_state()
    tab.check_both_languages("admin-user-form", screenshot=True)
    page.get_by_label("Brugernavn").fill(USERNAME)
    page.get_by_label("Navn", exact=True).fill("Sara Strand")
    # Only the chosen role's scope field is shown (#15 item 11).
    page.get_by_label("Leder", exact=True).check()
    assert page.locator("#centre").is_visible() and not page.locator("#municipality").is_visible()
    page.select_option("#centre", index=1)
    page.get_by_label("Medarbejder", exact=True).check()
    assert not page.locator("#centre").is_visible()
    page.get_by_label(UNIT).check()
    page.locator("main button[type=submit]", has_text="Opret bruger").click()
    page.wait_for_load_state()
    # The generated password is shown once, in answer to the POST: a language switch would
    # load the empty form instead, so this page is checked in Danish only.
    tab.check("admin-password-shown")
    password = page.locator("#generated-password").inner_text().strip()
    assert len(password) >= 8
    page.locator("main a.button-primary").click()
    page.wait_for_load_state()
    tab.check_both_languages("admin-user-edit")
    assert page.get_by_label(UNIT).is_checked()
    assert not page.get_by_label(OTHER_UNIT).is_checked()
    return password


def test_admin_creates_a_staff_user_who_sees_one_unit(
    open_tab: Callable[[], BrowserTab], live_server: LiveServer
) -> None:
    """Users list -> new staff user for one unit -> that user logs in and sees only it."""
    tab = open_tab()
    page = tab.page
    tab.login("admin", DEMO_PASSWORD)
    assert page.url.endswith("/admin/users")
    tab.check_both_languages("admin-users", screenshot=True)
    password = _create_staff_user(tab)

    page.locator(".portal-user button.log-off").click()
    page.wait_for_load_state()
    assert "/auth/login" in page.url
    # A generated password: the new user chooses their own before anything else (#15 item 11).
    tab.login(USERNAME, password)
    assert page.url.endswith("/account/password"), page.url
    tab.check("new-staff-choose-password")
    tab.screenshot("new-staff-choose-password")
    own = "Saras eget lange kodeord 2026"
    page.fill("#current_password", password)
    page.fill("#new_password", own)
    page.fill("#confirm", own)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "/auth/login" in page.url
    tab.login(USERNAME, own)
    assert page.url.endswith("/citizens/")
    tab.check_both_languages("new-staff-caseload")
    units = page.locator("main section h2").all_inner_texts()
    assert units == [UNIT]
    assert page.locator("table.del-caseload tbody tr").count() > 0

    today = local_today()
    own = _citizen_in(live_server, UNIT, today)
    tab.goto(f"/citizens/{own}")
    tab.check_both_languages("new-staff-profile")
    other = _citizen_in(live_server, OTHER_UNIT, today)
    tab.goto(f"/citizens/{other}", status=403)
    tab.check_both_languages("new-staff-refused")
