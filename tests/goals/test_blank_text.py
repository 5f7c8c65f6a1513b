"""Blank free text is no text (issue #15, item 3): one cleaning rule for every form and service.

Text of only spaces was refused, but spaces the browser cannot tell apart from nothing (a
zero-width space, a byte-order mark, the Braille blank, a Hangul filler) made goals and citizens
without a name, and an empty heading in the follow-up form.
"""

from __future__ import annotations

import pytest

from del_tool.citizens.models import Citizen
from del_tool.errors import RuleError
from del_tool.goals.models import Goal
from del_tool.text import clean_text, is_blank
from tests.citizens.test_citizens import _new_citizen
from tests.followups.test_record import form_data, open_form
from tests.goals.test_goals import _goal
from tests.support.staff import count, counts, text

BLANKS = [
    "   ",
    "\u00a0\u3000",
    "\u200b",
    " \u200b \ufeff ",
    "\u2800\u2800",
    "\u3164",
    "\u00ad\u2060",
    "\t\r\n",
]


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_goal_title_is_refused_beside_the_field(db, world, staff, blank):
    before = counts(db)
    response = staff.post(f"/goals/new/{world.citizen_a}", data=_goal(title=blank))
    page = text(response)
    assert response.status_code == 200 and "Skriv målet." in page
    assert 'id="title-error"' in page
    assert counts(db) == before


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_citizen_name_is_refused_beside_the_field(db, world, staff, blank):
    before = count(db, Citizen)
    response = staff.post("/citizens/new", data=_new_citizen(world, name=blank))
    page = text(response)
    assert response.status_code == 200 and "Skriv borgerens navn." in page
    assert 'id="name-error"' in page and count(db, Citizen) == before


def test_text_is_stored_cleaned(db, world, staff):
    response = staff.post(
        f"/goals/new/{world.citizen_a}",
        data=_goal(title="\u200b Tage bussen\u00a0", description="Linje 1\r\nLinje 2 \ufeff"),
    )
    assert response.status_code == 302
    with staff.application.app_context():
        from del_tool.db import get_db

        with get_db(staff.application).session(write=False) as session:
            goal = session.get(Goal, count(db, Goal))
            assert goal is not None
            assert (goal.title, goal.description) == ("Tage bussen", "Linje 1\nLinje 2")


def test_a_blank_note_in_a_follow_up_is_stored_as_no_note(db, world, staff):
    _page, token = open_form(staff, world.citizen_a)
    develop = f"goal_{world.goal_develop}"
    data = form_data(world, token, note="\u200b \u2800", **{f"{develop}-note": "\ufeff"})
    assert staff.post(f"/followups/new/{world.citizen_a}", data=data).status_code == 302


def test_clean_text_and_is_blank():
    assert clean_text("  a\u200bb  ") == "a\u200bb"  # inside the text nothing changes
    assert clean_text("a\r\nb\rc") == "a\nb\nc"
    assert clean_text("a\x00b\x1f") == "ab"
    assert clean_text(None) is None
    assert all(is_blank(blank) for blank in BLANKS) and is_blank(None)
    assert not is_blank(" x ")


def test_services_refuse_blank_names_from_callers_other_than_forms(app):
    from del_tool.citizens.services import _check_citizen
    from del_tool.goals.services import _check_goal

    citizen = type("Data", (), {"name": "\u200b"})()
    with pytest.raises(RuleError) as caught:
        _check_citizen(citizen)  # type: ignore[arg-type]
    assert caught.value.field == "name"
    goal = type("Data", (), {"title": "\u3164"})()
    with pytest.raises(RuleError) as caught:
        _check_goal(goal)  # type: ignore[arg-type]
    assert caught.value.field == "title"
