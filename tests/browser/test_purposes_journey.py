"""Staff record the municipality's action plan on a stay and link a goal to it (#21 item 5):
the purposes page by keyboard (a blank purpose refused beside the field), a goal linked on its
form, the purpose's removal refused while the goal links to it, and the progress per purpose on
the profile and the status statement. Every page is checked with axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import col, select

from del_tool.auth.models import User, UserUnit
from del_tool.citizens.models import Stay, StayPurpose
from del_tool.db import get_db
from del_tool.goals.models import Goal, GoalStatus
from tests.browser.keyboard import choose_option, press_and_load, tab_to, type_text
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PURPOSE = "Syntetisk formål: borgeren kan bo i egen bolig med støtte"


def _stay_with_goal(app) -> tuple[int, int, int]:
    """Citizen, open stay without purposes (the demo gives most stays some) and active goal of
    that stay in one of the staff user's units."""
    with get_db(app).session(write=False) as db:
        staff = db.exec(select(User).where(User.username == "staff")).one()
        units = db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == staff.id)).all()
        citizen_id, stay_id, goal_id = db.exec(
            select(Stay.citizen_id, Stay.id, Goal.id)
            .join(Goal, col(Goal.stay_id) == Stay.id)
            .where(
                col(Stay.unit_id).in_(units),
                col(Stay.end_date).is_(None),
                Goal.status == GoalStatus.ACTIVE,
                col(Stay.id).not_in(select(StayPurpose.stay_id)),
            )
            .order_by(col(Stay.id), col(Goal.id))
        ).first()
        return citizen_id, stay_id, goal_id


def test_staff_record_purposes_and_link_a_goal(
    open_tab: Callable[[], BrowserTab], live_server
) -> None:
    citizen_id, stay_id, goal_id = _stay_with_goal(live_server.app)
    tab = open_tab()
    tab.login("staff", DEMO_PASSWORD)
    tab.check("caseload")
    page = tab.page
    tab.goto(f"/citizens/{citizen_id}")
    tab.check("profile")
    tab_to(page, f"main a[href$='/stays/{stay_id}/purposes']", limit=300)
    press_and_load(page)
    assert page.url.endswith(f"/citizens/stays/{stay_id}/purposes")
    tab.check("purposes-empty")

    # A blank purpose: the error beside the field, nothing stored.
    tab_to(page, "main form button.button-primary")
    press_and_load(page)
    assert page.locator("#text-error", has_text="Skriv formålet").count() == 1
    tab.check("purposes-error")

    tab_to(page, "#text", key="Shift+Tab")
    type_text(page, PURPOSE)
    page.keyboard.press("Tab")
    choose_option(page, "practical_tasks")
    tab_to(page, "main form button.button-primary")
    press_and_load(page)
    row = page.locator("main table tbody tr", has_text=PURPOSE)
    assert row.count() == 1 and "Praktiske opgaver" in row.inner_text()
    tab.check("purposes-one")

    # The goal's form offers the purpose; choose it by keyboard and save.
    tab.goto(f"/goals/{goal_id}/edit")
    tab_to(page, "#purpose_id")
    option = page.locator("#purpose_id option", has_text="Syntetisk formål")
    choose_option(page, option.get_attribute("value"))
    tab.check("goal-form-purpose")
    tab_to(page, "main form button.button-primary")
    press_and_load(page)
    assert page.url.endswith(f"/citizens/{citizen_id}")
    purposes = page.locator("main section.del-purposes")
    assert purposes.count() == 1 and PURPOSE in purposes.inner_text()
    assert "knyttede mål har nået målniveauet" in purposes.inner_text()
    tab.check("profile-purposes")

    # Removal is refused while the goal links to the purpose, with the reason on the page.
    tab.goto(f"/citizens/stays/{stay_id}/purposes")
    tab_to(page, "main table a[href$='/edit']")
    press_and_load(page)
    tab.check("purpose-edit")
    tab_to(page, "main form[action$='/remove'] button")
    press_and_load(page)
    assert page.locator("#remove-errors", has_text="Formålet kan ikke fjernes").count() == 1
    tab.check("purpose-remove-refused")

    tab.goto(f"/citizens/{citizen_id}/status")
    statement = page.locator("main .del-status")
    assert PURPOSE in statement.inner_text()
    tab.check("status-purposes")
