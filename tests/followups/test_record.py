"""Recording a follow-up: one page per citizen and date, one transaction, one-time token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

from del_tool.audit.models import AuditEvent
from del_tool.db import get_db
from del_tool.followups.models import (
    Assessment,
    AssessmentScore,
    FollowUp,
    FollowUpKind,
    GoalReview,
)
from del_tool.questionnaires.forms import INVALID_ANSWER
from tests.support.staff import (
    TODAY,
    access_events,
    assert_summary_links_resolve,
    count,
    counts,
    text,
)

TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')
THEMES = (
    "relations",
    "communication",
    "mobility",
    "self_care",
    "community_life",
    "practical_tasks",
)


def open_form(client, citizen_id, day=None):
    """GET the form; returns (page, token)."""
    url = f"/followups/new/{citizen_id}" + (f"?date={day.isoformat()}" if day else "")
    page = text(client.get(url))
    match = TOKEN.search(page)
    return page, match.group(1) if match else None


def form_data(world, token, day=TODAY, **overrides):
    """A complete, valid follow-up for citizen A."""
    develop, gas = f"goal_{world.goal_develop}", f"goal_{world.goal_gas}"
    data = {
        "followup_date": day.isoformat(),
        "kind": "follow_up",
        "note": "Godt forløb.",
        "submission_token": token,
        f"{develop}-level": "2",
        f"{develop}-citizen_rating": "4",
        f"{develop}-motivation": "5",
        f"{develop}-note": "Laver mad om tirsdagen.",
        f"{gas}-level": "2",
        f"{gas}-gas_score": "1",
        f"{gas}-citizen_rating": "",
        f"{gas}-motivation": "3",
        f"{gas}-note": "",
        **{f"q_del_functioning-{theme}": "2" for theme in THEMES},
        **{f"q_who5-q{i}": "3" for i in range(1, 6)},
    }
    data.update(overrides)
    return data


def _url(world, day=TODAY):
    return f"/followups/new/{world.citizen_a}?date={day.isoformat()}"


def test_form_lists_active_goals_and_the_units_questionnaires_as_fieldsets(db, world, staff):
    page, token = open_form(staff, world.citizen_a)
    assert token and len(token) >= 40
    assert "Lave mad selv to gange om ugen" in page and "Ringe til sin søster hver uge" in page
    # Radio groups are fieldsets with legends; GAS only for the goal with GAS texts.
    assert f'<fieldset id="goal_{world.goal_develop}-level"' in page
    assert f'id="goal_{world.goal_develop}-gas_score"' not in page
    assert f'<fieldset id="goal_{world.goal_gas}-gas_score"' in page
    assert "+1: Kontakt hver uge" in page
    assert page.count("<legend") >= 2 * 4 + 6 + 5
    assert "DEL funktionsprofil" in page and "WHO-5" in page
    assert "Bent Bertelsen" not in page
    assert re.search(r'<input checked[^>]*value="follow_up"', page)
    event = access_events(db)[-1]
    assert (event.action, event.citizen_id, event.detail) == (
        "view",
        world.citizen_a,
        "follow-up form",
    )


def test_tab_order_follows_the_page(world, staff):
    """No positive tabindex anywhere: the keyboard follows the order of the page."""
    page, _token = open_form(staff, world.citizen_a)
    assert not re.search(r'tabindex="[1-9]', page)
    order = [
        page.index('name="kind"'),
        page.index(f'name="goal_{world.goal_develop}-level"'),
        page.index(f'name="goal_{world.goal_gas}-level"'),
        page.index('name="q_del_functioning-relations"'),
        page.index('name="q_who5-q1"'),
        page.index('name="note"'),
        page.index('type="submit" class="button button-primary"'),
    ]
    assert order == sorted(order)


def test_save_writes_everything_in_one_go(db, world, staff):
    before = counts(db)
    _page, token = open_form(staff, world.citizen_a)
    response = staff.post(_url(world), data=form_data(world, token))
    assert response.status_code == 302 and response.headers["Location"].endswith("/citizens/")
    after = counts(db)
    assert after["follow_ups"] == before["follow_ups"] + 1
    assert after["goal_reviews"] == before["goal_reviews"] + 2
    assert after["assessments"] == before["assessments"] + 2
    assert after["assessment_scores"] == before["assessment_scores"] + 7 + 1
    # History: the follow-up, two reviews, two assessments and their eight scores.
    assert after["audit_events"] == before["audit_events"] + 1 + 2 + 2 + 8
    with get_db(staff.application).session(write=False) as session:
        fu = session.exec(select(FollowUp).where(FollowUp.submission_token == token)).one()
        assert (fu.followup_date, fu.kind, fu.note) == (
            TODAY,
            FollowUpKind.FOLLOW_UP,
            "Godt forløb.",
        )
        reviews = {
            r.goal_id: r
            for r in session.exec(select(GoalReview).where(GoalReview.follow_up_id == fu.id))
        }
        assert (reviews[world.goal_develop].level, reviews[world.goal_develop].motivation) == (2, 5)
        assert reviews[world.goal_develop].gas_score is None
        assert (reviews[world.goal_gas].gas_score, reviews[world.goal_gas].citizen_rating) == (
            1,
            None,
        )
        who5 = session.exec(
            select(Assessment).where(
                Assessment.follow_up_id == fu.id, Assessment.questionnaire_id == "who5"
            )
        ).one()
        assert who5.questionnaire_version == "1" and who5.completeness == 1.0
        assert who5.perspective.value == "self_report"
        score = session.exec(
            select(AssessmentScore).where(AssessmentScore.assessment_id == who5.id)
        ).one()
        assert (score.scale_id, score.raw, score.value) == ("wellbeing", 15.0, 60.0)
        events = session.exec(
            select(AuditEvent).where(AuditEvent.citizen_id == world.citizen_a)
        ).all()
        assert {e.entity for e in events} == {
            "follow_ups",
            "goal_reviews",
            "assessments",
            "assessment_scores",
        }
        assert all(e.user_id is not None for e in events)


def test_the_same_form_posted_twice_stores_one_follow_up(db, world, staff):
    _page, token = open_form(staff, world.citizen_a)
    data = form_data(world, token)
    assert staff.post(_url(world), data=data).status_code == 302
    before = counts(db)
    second = staff.post(_url(world), data=data)
    assert second.status_code == 302 and "/followups/" in second.headers["Location"]
    assert counts(db) == before
    page = text(staff.get(second.headers["Location"]))
    assert "Opfølgningen var allerede gemt. Den er ikke gemt en gang til." in page
    assert count(db, FollowUp, col(FollowUp.citizen_id) == world.citizen_a) == 2


def test_a_parallel_double_submit_that_passes_the_check_lands_on_the_stored_one(
    db, world, staff, monkeypatch
):
    """On PostgreSQL two submits can both pass the token check; the UNIQUE token stops one."""
    from del_tool.followups import services

    _page, token = open_form(staff, world.citizen_a)
    data = form_data(world, token)
    assert staff.post(_url(world), data=data).status_code == 302
    real = services.find_by_token
    calls = []

    def miss_first(session, value):
        calls.append(value)
        return None if len(calls) == 1 else real(session, value)

    monkeypatch.setattr(services, "find_by_token", miss_first)
    # Another date, so that only the token is a duplicate.
    other_day = TODAY - timedelta(days=1)
    before = counts(db)
    response = staff.post(_url(world, other_day), data=form_data(world, token, other_day))
    assert response.status_code == 302 and "/followups/" in response.headers["Location"]
    assert counts(db) == before and len(calls) == 2


@pytest.mark.parametrize("how", ["score", "history"])
def test_a_failure_midway_leaves_no_rows_and_no_history(app, db, world, staff, monkeypatch, how):
    _page, token = open_form(staff, world.citizen_a)
    before = counts(db)
    if how == "score":
        from del_tool.questionnaires.definition import QuestionnaireDefinition

        def broken_score(self, answers):
            raise RuntimeError("scoring failed")

        monkeypatch.setattr(QuestionnaireDefinition, "score", broken_score)
    else:
        from del_tool.citizens import history

        real = history.record_create

        def broken_history(**kwargs):
            # The follow-up and its goal reviews are flushed by now; the answers' history fails.
            if kwargs["obj"].__tablename__ == "assessments":
                raise RuntimeError("history failed")
            return real(**kwargs)

        monkeypatch.setattr(history, "record_create", broken_history)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = staff.post(_url(world), data=form_data(world, token))
    assert response.status_code == 500
    assert counts(db) == before


def test_hostile_input_is_refused_beside_the_field_and_nothing_is_written(app, db, world, staff):
    _page, token = open_form(staff, world.citizen_a)
    with app.test_request_context():
        invalid_answer = str(INVALID_ANSWER)  # the questionnaire engine's message, in Danish
    develop, gas = f"goal_{world.goal_develop}", f"goal_{world.goal_gas}"
    cases = [
        ({f"{develop}-level": "7"}, f"{develop}-level", "Vælg en af mulighederne."),
        ({f"{develop}-level": "-1"}, f"{develop}-level", "Vælg en af mulighederne."),
        ({f"{develop}-level": "to"}, f"{develop}-level", "Vælg en af mulighederne."),
        ({f"{develop}-level": ""}, f"{develop}-level", "Vælg niveauet for målet."),
        ({f"{gas}-gas_score": "3"}, f"{gas}-gas_score", "Vælg en af mulighederne."),
        ({f"{develop}-motivation": "6"}, f"{develop}-motivation", "Vælg en af mulighederne."),
        (
            {f"{develop}-citizen_rating": "0"},
            f"{develop}-citizen_rating",
            "Vælg en af mulighederne.",
        ),
        ({f"{develop}-note": "n" * 4001}, f"{develop}-note", "Højst 4000 tegn."),
        ({f"{develop}-note": "CPR 010190-1234"}, f"{develop}-note", "DEL gemmer ikke CPR-numre."),
        ({"note": "n" * 4001}, "note", "Højst 4000 tegn."),
        ({"kind": "weekly"}, "kind", "Vælg en af mulighederne."),
        ({"q_who5-q1": "9"}, "q_who5-q1", invalid_answer),
        (
            {"q_del_functioning-mobility": "-3"},
            "q_del_functioning-mobility",
            invalid_answer,
        ),
        ({"followup_date": "2999-01-01"}, "followup_date", "fremtiden"),
        ({"followup_date": "1900-01-01"}, "followup_date", "Datoen må ikke være før"),
        ({"followup_date": "in-the-past"}, "followup_date", "Skriv en gyldig dato"),
        ({"submission_token": "<script>"}, "submission_token", "Formularen er ugyldig"),
    ]
    before = counts(db)
    for values, field, message in cases:
        response = staff.post(_url(world), data=form_data(world, token, **values))
        page = text(response)
        assert response.status_code == 200, values
        assert message in page, values
        # Date errors sit beside the date field, a field of the form like the others.
        assert f'id="{field}-error"' in page, values
        anchor = f"{field}-legend" if field.startswith("q_") else field  # questionnaire items
        assert f'href="#{anchor}"' in page, values  # the error summary links to the field
        assert_summary_links_resolve(page)
    assert counts(db) == before


def test_a_missing_level_is_reported_per_goal_and_missing_fields_never_give_a_500(db, world, staff):
    _page, token = open_form(staff, world.citizen_a)
    before = counts(db)
    data = form_data(world, token)
    del data[f"goal_{world.goal_gas}-level"]
    page = text(staff.post(_url(world), data=data))
    assert "Vælg niveauet for målet." in page
    assert "Ringe til sin søster hver uge, Funktionsevneniveau nu" in page  # summary names the goal
    assert staff.post(_url(world), data={}).status_code == 200
    assert staff.post(_url(world), data={"submission_token": token}).status_code == 200
    assert counts(db) == before


def test_tampered_hidden_fields_and_foreign_goal_ids(db, world, staff):
    _page, token = open_form(staff, world.citizen_a)
    before = counts(db)
    # A date outside every stay in scope: refused beside the date.
    old = TODAY - timedelta(days=3000)
    page = text(
        staff.post(_url(world), data=form_data(world, token, followup_date=old.isoformat()))
    )
    assert "Borgeren har intet ophold i dine tilbud på denne dato." in page
    assert counts(db) == before
    # Review fields for another citizen's goal are not part of the form: ignored, not stored.
    data = form_data(world, token, **{f"goal_{world.goal_b}-level": "0"})
    assert staff.post(_url(world), data=data).status_code == 302
    assert count(db, GoalReview, col(GoalReview.goal_id) == world.goal_b) == 0
    # Another citizen's id in the URL: 403 before anything is read or written.
    _page, token2 = open_form(staff, world.citizen_a, TODAY - timedelta(days=2))
    foreign = staff.post(f"/followups/new/{world.citizen_b}", data=form_data(world, token2))
    assert foreign.status_code == 403


def test_an_unanswered_questionnaire_is_not_stored(db, world, staff):
    _page, token = open_form(staff, world.citizen_a)
    data = form_data(world, token, **{f"q_who5-q{i}": "" for i in range(1, 6)})
    assert staff.post(_url(world), data=data).status_code == 302
    with get_db(staff.application).session(write=False) as session:
        fu = session.exec(select(FollowUp).where(FollowUp.submission_token == token)).one()
        stored = session.exec(
            select(Assessment.questionnaire_id).where(Assessment.follow_up_id == fu.id)
        ).all()
    assert stored == ["del_functioning"]


def test_partly_answered_questionnaire_is_stored_without_the_unscorable_score(db, world, staff):
    _page, token = open_form(staff, world.citizen_a)
    data = form_data(world, token, **{"q_who5-q5": "", "q_del_functioning-mobility": ""})
    assert staff.post(_url(world), data=data).status_code == 302
    with get_db(staff.application).session(write=False) as session:
        scores = {
            (s.questionnaire_id, s.scale_id): s for s in session.exec(select(AssessmentScore)).all()
        }
    assert scores[("who5", "wellbeing")].value is None  # WHO-5 needs every item
    assert scores[("del_functioning", "mobility")].value is None
    assert scores[("del_functioning", "mean")].value == 2.0  # five of six themes answered


def test_one_follow_up_per_citizen_and_date(db, world, staff):
    _page, token = open_form(staff, world.citizen_a)
    assert staff.post(_url(world), data=form_data(world, token)).status_code == 302
    # Opening the form for the same date again leads to the stored follow-up's edit page.
    response = staff.get(_url(world))
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    # A second, different form for the same date (another token) is refused beside the date.
    other_token = "t" * 43
    page = text(staff.post(_url(world), data=form_data(world, other_token)))
    assert "Der er allerede en opfølgning for borgeren på denne dato." in page
    assert count(db, FollowUp, col(FollowUp.citizen_id) == world.citizen_a) == 2


def test_date_in_the_url_far_past_or_future_falls_back_to_today(world, staff):
    for value in ["2999-01-01", "1066-10-14", "yesterday", "2026-13-45"]:
        response = staff.get(f"/followups/new/{world.citizen_a}?date={value}")
        page = text(response)
        assert response.status_code == 200, value
        assert "Datoen var ugyldig eller i fremtiden; dagens dato er valgt." in page, value
        assert f'value="{TODAY.isoformat()}"' in page, value


def test_a_date_without_a_stay_shows_the_date_picker_with_the_reason(world, staff):
    old = TODAY - timedelta(days=3000)
    page = text(staff.get(f"/followups/new/{world.citizen_a}?date={old.isoformat()}"))
    assert "Borgeren har intet ophold i dine tilbud på denne dato." in page
    assert 'name="submission_token"' not in page


def test_default_kind_is_baseline_for_a_stay_without_follow_ups(app, world, staff, client_as):
    client = client_as("staff_b")
    page, _token = open_form(client, world.citizen_moved)  # the b stay has no follow-up yet
    assert re.search(r'<input checked[^>]*value="baseline"', page)
