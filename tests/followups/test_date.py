"""The follow-up date is an ordinary field of the one form (issue #15, item 1).

What is typed is stored; a date in the future, before 1980 or outside every stay is refused
beside the field with everything entered kept; changing the date (the "refresh" button, or the
script that presses it) re-renders the form for the new date and keeps every answer, also the
answers to goals the new date does not have.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col, select

from del_tool.db import get_db
from del_tool.followups.models import FollowUp, GoalReview
from del_tool.goals.models import Goal, GoalDirection, Theme
from tests.followups.test_record import form_data
from tests.security.forms import page_form
from tests.support.staff import TODAY, add, counts, text

YESTERDAY = TODAY - timedelta(days=1)


def _path(world):
    return f"/followups/new/{world.citizen_a}"


def _browser_form(staff, world, url=None):
    """The fields the page's one POST form sends, as a browser would send them."""
    page = text(staff.get(url or _path(world)))
    form = page_form(page, _path(world))
    assert form is not None
    return page, form.fields


def _dd_mm_yyyy(day):
    return day.strftime("%d.%m.%Y")


def test_the_date_typed_in_the_form_is_the_date_stored(db, world, staff):
    page, fields = _browser_form(staff, world)
    # The date picker is a visible field of the form that is saved (no separate GET form).
    assert re.search(r'<input[^>]*type="date"[^>]*name="followup_date"', page) or re.search(
        r'<input[^>]*name="followup_date"[^>]*type="date"', page
    )
    assert "Skift dato" not in page
    develop, gas = f"goal_{world.goal_develop}", f"goal_{world.goal_gas}"
    fields.update(
        {"followup_date": YESTERDAY.isoformat(), f"{develop}-level": "2", f"{gas}-level": "1"}
    )
    response = staff.post(_path(world), data=fields)
    assert response.status_code == 302
    with get_db(staff.application).session(write=False) as session:
        stored = session.exec(
            select(FollowUp).where(col(FollowUp.submission_token) == fields["submission_token"])
        ).one()
    assert stored.followup_date == YESTERDAY
    # The confirmation names the citizen and the date.
    page = text(staff.get(response.headers["Location"]))
    assert "Åse Ørnsholt" in page and _dd_mm_yyyy(YESTERDAY) in page


def test_a_bad_date_is_refused_beside_the_field_and_every_answer_is_kept(db, world, staff):
    _page, token = _token(staff, world)
    develop = f"goal_{world.goal_develop}"
    before = counts(db)
    cases = [
        ((TODAY + timedelta(days=1)).isoformat(), "Datoen må ikke ligge i fremtiden."),
        ((TODAY - timedelta(days=3000)).isoformat(), "intet ophold i dine tilbud på denne dato"),
        ("1900-01-01", "Datoen må ikke være før"),
        ("31-02-2025", "Skriv en gyldig dato"),
    ]
    for typed, message in cases:
        data = form_data(world, token, day=TODAY, followup_date=typed)
        data[f"{develop}-note"] = "Har lavet lasagne."
        response = staff.post(_path(world), data=data)
        page = text(response)
        assert response.status_code == 200, typed
        assert message in page and 'id="followup_date-error"' in page, typed
        assert f'value="{typed}"' in page, typed  # what was typed is kept
        assert "Har lavet lasagne." in page and "Godt forløb." in page, typed
        assert re.search(rf'<input checked[^>]*name="{develop}-motivation"[^>]*value="5"', page)
    assert counts(db) == before


def test_refresh_shows_the_form_for_the_new_date_and_keeps_every_answer(db, world, staff):
    _page, token = _token(staff, world)
    develop = f"goal_{world.goal_develop}"
    before = counts(db)
    data = form_data(world, token, followup_date=YESTERDAY.isoformat(), refresh="1")
    response = staff.post(_path(world), data=data)
    page = text(response)
    assert response.status_code == 200
    assert counts(db) == before  # refreshing never saves
    assert f'value="{YESTERDAY.isoformat()}"' in page
    assert "Laver mad om tirsdagen." in page and "Godt forløb." in page
    assert re.search(rf'<input checked[^>]*name="{develop}-level"[^>]*value="2"', page)
    assert "Vælg niveauet" not in page  # no nagging about fields while refreshing


def test_answers_to_a_goal_the_new_date_lacks_survive_a_round_trip(app, db, world, staff):
    """A goal started last week is not in a follow-up dated a month ago; its answers are kept."""
    with get_db(app).session(write=True) as session:
        late = add(
            session,
            Goal(
                citizen_id=world.citizen_a,
                stay_id=world.stay_a,
                theme=Theme.MOBILITY,
                title="Tage bussen alene",
                direction=GoalDirection.DEVELOP,
                baseline_level=3,
                target_level=2,
                start_date=TODAY - timedelta(days=7),
            ),
        )
        session.commit()
        late_id = late.id
    _page, data = _browser_form(staff, world)
    month_ago = TODAY - timedelta(days=30)
    develop, gas = f"goal_{world.goal_develop}", f"goal_{world.goal_gas}"
    data.update({f"{develop}-level": "2", f"{gas}-level": "1", "note": "Godt forløb."})
    data.update({f"goal_{late_id}-level": "1", f"goal_{late_id}-note": "Tog bussen i går."})
    data["followup_date"] = month_ago.isoformat()
    before = counts(db)
    # Saving straight away with a date whose goals differ re-renders the form for that date.
    page = text(staff.post(_path(world), data=data))
    assert counts(db) == before
    assert "Tage bussen alene" not in page.split("<main", 1)[1].split('type="hidden"')[0]
    assert "Formularen er opdateret til datoen" in page
    # The late goal's answers travel along hidden; back at today they are in the form again.
    assert 'value="Tog bussen i går."' in page
    fields = page_form(page, _path(world)).fields
    fields["followup_date"] = TODAY.isoformat()
    page = text(staff.post(_path(world) + "?refresh=1", data=fields))  # the button's formaction
    assert "Tage bussen alene" in page and "Tog bussen i går.</textarea>" in page
    fields = page_form(page, _path(world)).fields
    assert staff.post(_path(world), data=fields).status_code == 302
    with get_db(app).session(write=False) as session:
        review = session.exec(select(GoalReview).where(col(GoalReview.goal_id) == late_id)).one()
    assert (review.level, review.note) == (1, "Tog bussen i går.")


def test_a_date_with_a_follow_up_already_is_refused_beside_the_field(db, world, staff):
    _page, token = _token(staff, world)
    taken = TODAY - timedelta(days=355)  # the world's baseline follow-up
    page = text(
        staff.post(_path(world), data=form_data(world, token, followup_date=taken.isoformat()))
    )
    assert "Der er allerede en opfølgning for borgeren på denne dato." in page
    assert 'id="followup_date-error"' in page and "Godt forløb." in page


def _token(staff, world):
    page = text(staff.get(_path(world)))
    match = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert match
    return page, match.group(1)
