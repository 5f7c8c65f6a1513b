"""Staff: the status statement of a citizen, a period mistyped and corrected, a note ticked,
the statement in English, and its PDF (axe in Danish and English, screenshots)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from del_tool.auth.models import User, UserUnit
from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp
from tests.browser.keyboard import press_and_load, tab_to
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

NOTE = "Syntetisk notat til statusudtalelsen: borgeren har lavet aftensmad to gange."


def _citizen_with_note(app) -> tuple[int, int, str]:
    """A citizen of the staff user's units with follow-ups; their newest one gets a note."""
    with get_db(app).session(write=True) as db:
        staff = db.exec(select(User).where(User.username == "staff")).one()
        units = db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == staff.id)).all()
        citizen_id = db.exec(
            select(FollowUp.citizen_id)
            .join(Stay, col(Stay.id) == FollowUp.stay_id)
            .where(col(Stay.unit_id).in_(units))
            .group_by(col(FollowUp.citizen_id))
            .order_by(func.count().desc(), col(FollowUp.citizen_id))
        ).first()
        follow_up = db.exec(
            select(FollowUp)
            .where(FollowUp.citizen_id == citizen_id)
            .order_by(col(FollowUp.followup_date).desc())
        ).first()
        follow_up.note = NOTE
        db.add(follow_up)
        db.commit()
        return citizen_id, follow_up.id, follow_up.followup_date.strftime("%d.%m.%Y")


def test_staff_prints_a_status_statement(open_tab: Callable[[], BrowserTab], live_server) -> None:
    """Profile -> Statusudtalelse -> bad period -> corrected, note ticked -> English -> PDF."""
    citizen_id, follow_up_id, day = _citizen_with_note(live_server.app)
    tab = open_tab()
    tab.login("staff", DEMO_PASSWORD)
    tab.check("caseload")
    page = tab.page
    tab.goto(f"/citizens/{citizen_id}")
    tab.check("profile")
    tab_to(page, "#status-link")
    press_and_load(page)
    assert page.url.endswith(f"/citizens/{citizen_id}/status")
    assert page.locator("main .del-status").count() == 1
    assert page.locator("main .del-status", has_text=NOTE).count() == 0
    assert page.locator(f"#note-{follow_up_id}").is_checked() is False
    tab.check_both_languages("status", screenshot=True)

    # A period DEL cannot read: the error beside the field, the text kept, no statement.
    page.fill("#period", "sidste sommer")
    tab_to(page, "main form button.button-primary")
    press_and_load(page)
    assert page.locator("#period").input_value() == "sidste sommer"
    assert page.locator(".form-error-message", has_text="Skriv perioden").count() == 1
    assert page.locator("main .del-status").count() == 0
    tab.check("status-period-error")

    # The period that holds the note, and the note ticked: it is in the statement.
    page.fill("#period", f"{day}..{day}")
    tab_to(page, "main form button.button-primary")
    press_and_load(page)
    tab.check("status-one-day")
    tab_to(page, f"#note-{follow_up_id}")
    page.keyboard.press("Space")
    tab_to(page, "main form button.button-primary")
    press_and_load(page)
    assert page.locator("main .del-status", has_text=NOTE).count() == 1
    assert page.locator(f"#note-{follow_up_id}").is_checked()
    tab.check("status-with-note")
    tab.screenshot("status-with-note")

    # The statement in English on a Danish page.
    page.select_option("#lang", "en")
    tab_to(page, "main form button.button-primary")
    press_and_load(page)
    assert page.locator("main .del-status[lang=en]", has_text="Status statement for").count() == 1
    assert page.locator("main h1", has_text="Statusudtalelse").count() == 1
    tab.check("status-english")

    with page.expect_download(timeout=90_000) as info:
        page.locator("#status-pdf").click()
    download = info.value
    assert download.suggested_filename.startswith("Status-statement-")
    target = tab.downloads / download.suggested_filename
    download.save_as(target)
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Status statement for" in text and "Baseline" in text
    assert "Syntetisk notat" in text
