"""The form's "Vis seneste" and the note limit (issue #15, items 4 and 6)."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.followups.test_record import form_data, open_form
from tests.support.staff import TODAY, counts, text

YESTERDAY = TODAY - timedelta(days=1)


def _record_yesterday(staff, world):
    _page, token = open_form(staff, world.citizen_a, YESTERDAY)
    url = f"/followups/new/{world.citizen_a}?date={YESTERDAY.isoformat()}"
    assert staff.post(url, data=form_data(world, token, day=YESTERDAY)).status_code == 302


def test_the_latest_scores_are_behind_a_closed_toggle_with_their_date(world, staff):
    _record_yesterday(staff, world)
    page, _token = open_form(staff, world.citizen_a)
    develop = re.search(
        rf'<details class="details del-last" id="goal_{world.goal_develop}-last">(.*?)</details>',
        page,
        re.S,
    )
    assert develop is not None  # closed: no "open" attribute
    shown = re.sub(r"<[^>]+>", " ", develop.group(1))
    assert "Vis seneste" in shown and YESTERDAY.strftime("%d.%m.%Y") in shown
    assert "Laver mad om tirsdagen." in shown and "5 af 5" in shown and "4 af 5" in shown
    # The staff-rated profile gets its latest scores; the self-report WHO-5 never does.
    profile = re.search(
        r'<details class="details del-last" id="q_del_functioning-last">(.*?)</details>', page, re.S
    )
    assert profile is not None and "2,0" in profile.group(1)
    assert 'id="q_who5-last"' not in page
    # The old level is not in view beside the new one any more ("Sidst: 3").
    assert "Sidst:" not in page


def test_the_first_follow_up_has_no_toggle_for_goals_without_reviews(world, staff):
    page, _token = open_form(staff, world.citizen_a)
    assert f'id="goal_{world.goal_develop}-last"' in page  # reviewed in the baseline
    assert f'id="goal_{world.goal_gas}-last"' not in page  # never reviewed
    assert 'id="q_del_functioning-last"' not in page


def test_notes_say_their_limit_and_are_not_cut_by_the_browser(db, world, staff):
    page, token = open_form(staff, world.citizen_a)
    note = re.search(r'<textarea[^>]*name="note"[^>]*>', page)
    assert note is not None
    assert "maxlength" not in note.group(0) and 'data-max-chars="4000"' in note.group(0)
    assert "note-count" in note.group(0)  # the count is linked to the field
    assert 'id="note-count"' in page and "Højst 4000 tegn." in page
    before = counts(db)
    long_note = "ø" * 3990 + "\r\n" * 10  # 4,000 characters once line ends are plain
    url = f"/followups/new/{world.citizen_a}"
    response = staff.post(url, data=form_data(world, token, note=long_note + "x"))
    page = text(response)
    assert response.status_code == 200 and 'id="note-error"' in page
    assert "Højst 4000 tegn." in page and "ø" * 3990 in page  # the text is kept
    assert counts(db) == before
    assert staff.post(url, data=form_data(world, token, note=long_note)).status_code == 302
