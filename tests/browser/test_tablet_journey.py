"""A citizen answers on the locked screen (issue #21 item 2), with the keyboard only.

Staff open the citizen's profile, see what will be asked and hand the screen over; the citizen
answers one question per page (the WHO-5 items with invented wording and an easy-read text,
then their own goals), is refused beside the question when pressing Næste without an answer,
and tries to leave: every other page leads back to the screen. The staff member's wrong PIN
is refused and announced; the password unlocks and opens the day's follow-up with the
citizen's answers. Every page is checked with axe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from del_tool.auth.models import User, UserUnit
from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal
from del_tool.modelbase import local_today
from del_tool.questionnaires import EXTENSION_KEY, load_registry
from tests.browser.a11y import assert_errors_announced
from tests.browser.keyboard import choose_radio, press_and_load, tab_to, type_text
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD
from tests.selfreport.conftest import OVERLAY

pytestmark = pytest.mark.browser

NEXT = "main button[value=next]"


@pytest.fixture
def wording(live_server, tmp_path: Path) -> Iterator[None]:
    """The live app with invented Danish WHO-5 wording, for this test only."""
    app = live_server.app
    before = app.extensions[EXTENSION_KEY]
    overlays = tmp_path / "questionnaires"
    overlays.mkdir()
    (overlays / "who5.da.yaml").write_text(OVERLAY, encoding="utf-8")
    app.extensions[EXTENSION_KEY] = load_registry(
        Path(app.config["QUESTIONNAIRE_DIR"]), overlay_dir=overlays
    )
    yield
    app.extensions[EXTENSION_KEY] = before


def _citizen(app) -> int:
    """A citizen of the staff user's units in a stay today, with goals and no follow-up today
    (the newest such: the other journeys take the caseload's first rows)."""
    today = local_today()
    with get_db(app).session(write=False) as db:
        staff = db.exec(select(User).where(User.username == "staff")).one()
        units = db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == staff.id)).all()
        busy = select(FollowUp.citizen_id).where(col(FollowUp.followup_date) == today)
        found = db.exec(
            select(Stay.citizen_id)
            .join(Goal, col(Goal.stay_id) == Stay.id)
            .where(
                col(Stay.unit_id).in_(units),
                col(Stay.start_date) <= today,
                (col(Stay.end_date).is_(None)) | (col(Stay.end_date) >= today),
                col(Goal.closed_on).is_(None),
                col(Stay.citizen_id).not_in(busy),
            )
            .order_by(col(Stay.citizen_id).desc())
        ).first()
        assert found is not None, "the demo has no citizen to ask"
        return found


def test_a_citizen_answers_on_the_locked_screen(
    open_tab: Callable[[], BrowserTab], live_server, wording: None
) -> None:
    citizen_id = _citizen(live_server.app)
    tab = open_tab()
    page = tab.page
    tab.login("staff", DEMO_PASSWORD)
    tab.check("caseload")
    tab.goto(f"/citizens/{citizen_id}")
    tab.check("profile")
    tab_to(page, "#self-report-link")
    press_and_load(page)
    tab.check("self-report-prepare")
    assert "Prøveskema med opdigtet ordlyd" in page.inner_text("main")
    tab_to(page, "#start-self-report")
    press_and_load(page)
    assert page.url.endswith("/self-report/")
    tab.check("self-report-question")
    main = page.inner_text("main")
    assert "Spørgsmål 1 af" in main and "Har du givet giraffen mad?" in main
    assert page.locator("nav, .portal-user").count() == 0  # no menu, no user, no logout

    tab_to(page, NEXT)
    press_and_load(page)
    tab.check("self-report-refused")
    assert_errors_announced(page)

    total = int(page.inner_text(".del-screen-progress label").rsplit(" ", 1)[-1])
    for number in range(1, total + 1):
        tab_to(page, "main input[type=radio]")
        choose_radio(page, "4" if number <= 5 else "3")
        tab_to(page, NEXT)
        press_and_load(page)
        if number == 1:
            tab.check("self-report-second")
            tab.goto("/citizens/")  # trying to leave: straight back to the screen
            assert page.url.endswith("/self-report/")
            tab.check("self-report-back")
            assert "Spørgsmål 2 af" in page.inner_text("main")
    assert page.url.endswith("/self-report/done")
    tab.check("self-report-done")

    tab_to(page, "#secret")
    type_text(page, "0000")
    press_and_load(page)
    tab.check("self-report-wrong-pin")
    assert_errors_announced(page)
    tab_to(page, "#secret")
    type_text(page, DEMO_PASSWORD)
    press_and_load(page)
    assert "/followups/" in page.url and page.url.endswith("/edit")
    tab.check("self-report-follow-up")
    assert "Borgerens svar er gemt" in page.inner_text("main")
