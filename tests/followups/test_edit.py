"""Editing a stored follow-up (optimistic locking) and the read-only follow-up page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col, select

from del_tool.db import get_db
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from tests.followups.test_record import _url, form_data, open_form
from tests.support.staff import TODAY, access_events, audit_events, count, counts, get_row, text


def _record(staff, world):
    _page, token = open_form(staff, world.citizen_a)
    assert staff.post(_url(world), data=form_data(world, token)).status_code == 302
    with get_db(staff.application).session(write=False) as session:
        return session.exec(select(FollowUp.id).where(FollowUp.submission_token == token)).one()


def _edit_data(world, **overrides):
    data = form_data(world, "")
    data.pop("submission_token")
    data["version"] = "1"
    data.update(overrides)
    return data


def test_edit_form_shows_the_stored_answers(db, world, staff):
    fu_id = _record(staff, world)
    page = text(staff.get(f"/followups/{fu_id}/edit"))
    assert 'name="version" type="hidden" value="1"' in page
    assert re.search(rf'<input checked[^>]*id="goal_{world.goal_develop}-level-2"', page)
    assert not re.search(rf'<input checked[^>]*id="goal_{world.goal_develop}-level-1"', page)
    assert "Laver mad om tirsdagen." in page
    assert access_events(db)[-1].detail == "follow-up form"


def test_edit_changes_rows_recomputes_scores_and_writes_history(db, world, staff):
    fu_id = _record(staff, world)
    before = counts(db)
    data = _edit_data(
        world,
        **{f"goal_{world.goal_develop}-level": "1", "q_who5-q1": "5", "note": "Rettet."},
    )
    response = staff.post(f"/followups/{fu_id}/edit", data=data)
    assert response.status_code == 302
    assert get_row(db, FollowUp, fu_id).version == 2
    with get_db(staff.application).session(write=False) as session:
        review = session.exec(
            select(GoalReview).where(
                GoalReview.follow_up_id == fu_id, GoalReview.goal_id == world.goal_develop
            )
        ).one()
        assert review.level == 1
        who5 = session.exec(
            select(AssessmentScore).where(AssessmentScore.questionnaire_id == "who5")
        ).one()
        assert (who5.raw, who5.value) == (17.0, 68.0)
    after = counts(db)
    assert {k: after[k] - before[k] for k in after} == {
        "citizens": 0,
        "stays": 0,
        "goals": 0,
        "follow_ups": 0,
        "goal_reviews": 0,
        "assessments": 0,
        "assessment_scores": 0,
        "audit_events": 4,  # follow-up note, review level, who5 answers, who5 score
    }
    entities = [e.entity for e in audit_events(db, action="update")]
    assert sorted(entities) == ["assessment_scores", "assessments", "follow_ups", "goal_reviews"]


def test_a_stale_follow_up_form_is_refused_and_nothing_is_overwritten(db, world, client_as):
    staff, leader = client_as("staff"), client_as("leader")
    fu_id = _record(staff, world)
    url = f"/followups/{fu_id}/edit"
    first = _edit_data(world, **{f"goal_{world.goal_develop}-level": "1"})
    second = _edit_data(world, **{f"goal_{world.goal_develop}-level": "3", "note": "Andet"})
    assert staff.post(url, data=first).status_code == 302
    before = counts(db)
    page = text(leader.post(url, data=second, follow_redirects=True))
    assert "Posten er ændret af en anden" in page
    assert counts(db) == before
    with get_db(staff.application).session(write=False) as session:
        level = session.exec(
            select(GoalReview.level).where(
                GoalReview.follow_up_id == fu_id, GoalReview.goal_id == world.goal_develop
            )
        ).one()
    assert level == 1 and get_row(db, FollowUp, fu_id).note == "Godt forløb."


def test_the_same_edit_posted_twice_is_harmless(db, world, staff):
    fu_id = _record(staff, world)
    url = f"/followups/{fu_id}/edit"
    data = _edit_data(world, note="Rettet en gang.")
    assert staff.post(url, data=data).status_code == 302
    before = counts(db)
    response = staff.post(url, data=data)
    assert response.status_code == 302 and "/edit" not in response.headers["Location"]
    assert counts(db) == before


def test_clearing_a_questionnaire_removes_it_with_history(db, world, staff):
    fu_id = _record(staff, world)
    data = _edit_data(world, **{f"q_who5-q{i}": "" for i in range(1, 6)})
    assert staff.post(f"/followups/{fu_id}/edit", data=data).status_code == 302
    assert count(db, Assessment, col(Assessment.questionnaire_id) == "who5") == 0
    deleted = audit_events(db, action="delete")
    assert sorted(e.entity for e in deleted) == ["assessment_scores", "assessments"]
    assert deleted[-1].changes["answers"][1] is None


def test_edit_date_rules(db, world, staff):
    fu_id = _record(staff, world)
    url = f"/followups/{fu_id}/edit"
    baseline = get_row(db, FollowUp, world.follow_up_a).followup_date
    taken = text(staff.post(url, data=_edit_data(world, followup_date=baseline.isoformat())))
    assert "Der er allerede en opfølgning for borgeren på denne dato." in taken
    before_stay = (TODAY - timedelta(days=400)).isoformat()
    assert "Datoen skal ligge inden for opholdet." in text(
        staff.post(url, data=_edit_data(world, followup_date=before_stay))
    )
    moved = (TODAY - timedelta(days=3)).isoformat()
    assert staff.post(url, data=_edit_data(world, followup_date=moved)).status_code == 302
    assert get_row(db, FollowUp, fu_id).followup_date.isoformat() == moved


def test_follow_up_page_shows_scores_bands_and_answers(db, world, staff, client_as):
    fu_id = _record(staff, world)
    page = text(staff.get(f"/followups/{fu_id}"))
    assert "WHO-5" in page and "60,0" in page and "Ikke lav trivsel" in page
    assert "Lave mad selv to gange om ugen" in page and "+1" in page
    assert "Vis svarene" in page
    assert access_events(db)[-1].detail == "follow-up"
    assert client_as("staff_b").get(f"/followups/{fu_id}").status_code == 403
    assert client_as("staff_b").get(f"/followups/{fu_id}/edit").status_code == 403


def test_profile_after_recording_shows_the_charts_and_the_timeline(db, world, staff):
    _record(staff, world)
    page = text(staff.get(f"/citizens/{world.citizen_a}"))
    assert page.count('src="data:image/svg+xml;base64,') == 3  # functioning, WHO-5, goals
    assert "Funktionsevne pr. tema over tid" in page
    assert "WHO-5 trivselsindeks: Trivsel" in page
    assert "DEL funktionsprofil: Gennemsnit af temaer 2" in page
    assert "Målenes niveau i forhold til målniveauet" in page
    assert page.count("<table") >= 5  # goals, three chart tables, stays
