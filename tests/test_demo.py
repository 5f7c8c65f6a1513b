"""The demo generator: deterministic, plausible, referentially sound."""

from __future__ import annotations

import itertools
import statistics
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from del_tool import create_app, migrate
from del_tool.audit.services import verify_chain
from del_tool.auth.models import Role, User
from del_tool.auth.scope import scope_for
from del_tool.db import get_db, write_session
from del_tool.demo.generator import DemoError, DemoOptions, generate_demo
from tests.conftest import DEMO_OPTIONS, make_config

TABLES = (
    "citizens",
    "stays",
    "goals",
    "follow_ups",
    "goal_reviews",
    "assessments",
    "assessment_scores",
    "tariffs",
    "audit_events",
    "stay_services",
    "settlements",
    "referrals",
    "actions",
)


def _generate(databases, **options) -> list[tuple]:
    url = databases.fresh("seeded")
    app = create_app(make_config(url))
    try:
        with app.app_context(), write_session(app) as session:
            generate_demo(
                session=session,
                options=DemoOptions(**options),
                registry=app.extensions["del_questionnaires"],
            )
        with get_db(app).engine.connect() as conn:
            return [
                tuple(conn.execute(text(f"SELECT * FROM {t} ORDER BY {key}")).all())
                for t, key in [
                    *((t, "id") for t in TABLES),
                    ("unit_places", "unit_id, valid_from"),
                    ("price_index", "year"),
                ]
            ]
    finally:
        get_db(app).dispose()
        databases.drop(url)


def test_same_seed_gives_identical_data_and_another_seed_does_not(databases):
    options = {"citizens": 30, "years": 2, "seed": 11, "today": date(2026, 6, 30)}
    first = _generate(databases, **options)
    assert first == _generate(databases, **options)
    assert first != _generate(databases, **{**options, "seed": 12})


def test_refuses_a_database_with_citizens(demo_app):
    with demo_app.app_context(), write_session(demo_app) as session, pytest.raises(DemoError):
        generate_demo(
            session=session,
            options=DemoOptions(citizens=1),
            registry=demo_app.extensions["del_questionnaires"],
        )


def _scalar(session, sql: str, **params):
    return session.execute(text(sql), params).scalar()


def test_referential_integrity(demo_session):
    checks = {
        "follow-up outside its stay or of another citizen": """
            SELECT COUNT(*) FROM follow_ups f JOIN stays s ON s.id = f.stay_id
            WHERE s.citizen_id <> f.citizen_id OR f.followup_date < s.start_date
               OR (s.end_date IS NOT NULL AND f.followup_date > s.end_date)""",
        "goal review of another citizen's goal": """
            SELECT COUNT(*) FROM goal_reviews r JOIN goals g ON g.id = r.goal_id
            JOIN follow_ups f ON f.id = r.follow_up_id WHERE g.citizen_id <> f.citizen_id""",
        "goal reviewed before it started": """
            SELECT COUNT(*) FROM goal_reviews r JOIN goals g ON g.id = r.goal_id
            JOIN follow_ups f ON f.id = r.follow_up_id WHERE f.followup_date < g.start_date""",
        "goal in another citizen's stay": """
            SELECT COUNT(*) FROM goals g JOIN stays s ON s.id = g.stay_id
            WHERE s.citizen_id <> g.citizen_id""",
        "overlapping stays of one citizen": """
            SELECT COUNT(*) FROM stays a JOIN stays b ON a.citizen_id = b.citizen_id AND a.id < b.id
            WHERE a.start_date <= COALESCE(b.end_date, '9999-12-31')
              AND b.start_date <= COALESCE(a.end_date, '9999-12-31')""",
        "questionnaire the unit does not use": """
            SELECT COUNT(*) FROM assessments a JOIN follow_ups f ON f.id = a.follow_up_id
            JOIN stays s ON s.id = f.stay_id LEFT JOIN unit_questionnaires q
              ON q.unit_id = s.unit_id AND q.questionnaire_id = a.questionnaire_id
            WHERE q.unit_id IS NULL""",
        "stay day without a tariff": """
            SELECT COUNT(*) FROM stays s WHERE NOT EXISTS (SELECT 1 FROM tariffs t
              WHERE t.unit_id = s.unit_id AND t.legal_section = s.legal_section
                AND t.valid_from <= s.start_date)""",
    }
    failures = {name: n for name, sql in checks.items() if (n := _scalar(demo_session, sql))}
    assert failures == {}


def test_plausible_distributions(demo_session):
    today = DEMO_OPTIONS["today"]
    n_citizens = _scalar(demo_session, "SELECT COUNT(*) FROM citizens")
    assert n_citizens == DEMO_OPTIONS["citizens"]
    sections = {
        r[0] for r in demo_session.execute(text("SELECT DISTINCT legal_section FROM stays"))
    }
    assert sections == {"85", "103", "104", "107", "108"}
    in_stay = _scalar(demo_session, "SELECT COUNT(*) FROM stays WHERE end_date IS NULL")
    assert 0.4 * n_citizens < in_stay < 0.85 * n_citizens
    directions = dict(
        demo_session.execute(text("SELECT direction, COUNT(*) FROM goals GROUP BY direction")).all()
    )
    assert directions["develop"] > directions["maintain"] > 0 and directions["limit_loss"] > 0
    # follow-ups roughly every six months: the median gap within a stay is 150-230 days
    rows = demo_session.execute(
        text("SELECT stay_id, followup_date FROM follow_ups ORDER BY stay_id, followup_date")
    ).all()
    gaps = [
        (_as_date(b[1]) - _as_date(a[1])).days for a, b in itertools.pairwise(rows) if a[0] == b[0]
    ]
    assert 150 <= statistics.median(gaps) <= 230
    assert any(g > 240 for g in gaps), "some follow-ups should be late"
    # functioning improves on average between a stay's first and last profile
    change = _scalar(
        demo_session,
        """
        WITH scores AS (
          SELECT f.stay_id, f.followup_date, s.value FROM assessment_scores s
          JOIN assessments a ON a.id = s.assessment_id JOIN follow_ups f ON f.id = a.follow_up_id
          WHERE s.scale_id = 'mean' AND s.value IS NOT NULL),
        ends AS (SELECT stay_id, MIN(followup_date) AS first, MAX(followup_date) AS last
                 FROM scores GROUP BY stay_id HAVING COUNT(*) > 1)
        SELECT AVG(l.value - f.value) FROM ends e
        JOIN scores f ON f.stay_id = e.stay_id AND f.followup_date = e.first
        JOIN scores l ON l.stay_id = e.stay_id AND l.followup_date = e.last""",
    )
    assert -0.8 < change < -0.02
    who5 = _scalar(
        demo_session, "SELECT AVG(value) FROM assessment_scores WHERE scale_id = 'wellbeing'"
    )
    assert 30 < who5 < 60
    missing = _scalar(
        demo_session,
        "SELECT AVG(CASE WHEN value IS NULL THEN 1.0 ELSE 0 END) FROM assessment_scores",
    )
    assert 0.0 < missing < 0.15
    outside = _scalar(
        demo_session,
        """SELECT AVG(CASE WHEN m.region_name = 'Region Syddanmark' THEN 1.0 ELSE 0 END)
           FROM stays s JOIN municipalities m ON m.code = s.municipality_code""",
    )
    assert 0.85 < outside < 1.0
    last_seen = demo_session.execute(
        text("""
        SELECT u.followup_interval_days, s.start_date,
               (SELECT MAX(followup_date) FROM follow_ups f WHERE f.stay_id = s.id)
        FROM stays s JOIN units u ON u.id = s.unit_id WHERE s.end_date IS NULL""")
    ).all()
    overdue = sum(
        1
        for interval, start, last in last_seen
        if (today - _as_date(last or start)).days > interval
    )
    assert 0 < overdue < 0.5 * len(last_seen), "some, not most, follow-ups should be overdue"


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def test_units_differ_in_effect(demo_session):
    rows = demo_session.execute(
        text("""
        SELECT st.unit_id, AVG(s.value) FROM assessment_scores s
        JOIN assessments a ON a.id = s.assessment_id JOIN follow_ups f ON f.id = a.follow_up_id
        JOIN stays st ON st.id = f.stay_id WHERE s.scale_id = 'mean' AND f.kind = 'follow_up'
        GROUP BY st.unit_id HAVING COUNT(*) >= 10""")
    ).all()
    means = [r[1] for r in rows]
    assert len(means) >= 5 and max(means) - min(means) > 0.5


def test_history_chain_is_intact(demo_session):
    assert verify_chain(demo_session) == []
    actions = _scalar(demo_session, "SELECT COUNT(*) FROM actions")  # one event each
    events = _scalar(demo_session, "SELECT COUNT(*) FROM audit_events")
    assert events == DEMO_OPTIONS["citizens"] + actions


def test_demo_users_have_sensible_scopes(demo_session):
    users = {u.username: u for u in demo_session.exec(select(User)).all()}
    assert {u.role for u in users.values()} == set(Role)
    staff_scope = scope_for(users["staff"], session=demo_session)
    leader_scope = scope_for(users["leader"], session=demo_session)
    assert len(staff_scope.unit_ids) == 2 and staff_scope.unit_ids < leader_scope.unit_ids
    assert scope_for(users["council"], session=demo_session).municipality_code == "461"
    assert scope_for(users["analyst"], session=demo_session).all_units
    in_staff_units = _scalar(
        demo_session,
        "SELECT COUNT(*) FROM stays WHERE end_date IS NULL AND unit_id IN ("
        + ",".join(str(i) for i in staff_scope.unit_ids)
        + ")",
    )
    # The two units hold ~11% of the places: ~10 of 160 test citizens in stay, ~25 of 400 in
    # the real demo (tests/citizens/test_demo_caseload.py checks that caseload itself).
    assert in_staff_units >= 5, "the staff caseload should look like a real unit's"


def test_migrations_built_the_demo_database(demo_app):
    assert migrate.is_up_to_date(demo_app)


def test_municipal_offers_and_the_economy_are_there_and_consistent(demo_session):
    """Municipal offers have citizens (mostly their own municipality's); every unit has places;
    every stay of a unit with tariff levels has a level that has a tariff; admitted referrals
    point at a stay of the same unit that began after the referral (issue #17)."""
    operated = _scalar(
        demo_session,
        "SELECT COUNT(*) FROM stays s JOIN units u ON u.id = s.unit_id "
        "JOIN centres c ON c.id = u.centre_id WHERE c.operator_code IS NOT NULL",
    )
    own = _scalar(
        demo_session,
        "SELECT COUNT(*) FROM stays s JOIN units u ON u.id = s.unit_id "
        "JOIN centres c ON c.id = u.centre_id WHERE c.operator_code = s.municipality_code",
    )
    assert operated >= 10 and own > operated / 3
    assert _scalar(demo_session, "SELECT COUNT(DISTINCT operator_code) FROM centres") >= 4
    assert (
        _scalar(
            demo_session,
            "SELECT COUNT(*) FROM units WHERE id NOT IN (SELECT unit_id FROM unit_places)",
        )
        == 0
    )
    assert _scalar(demo_session, "SELECT MIN(places) FROM unit_places") >= 1
    unpriced = _scalar(
        demo_session,
        "SELECT COUNT(*) FROM stays s WHERE NOT EXISTS (SELECT 1 FROM tariffs t "
        "WHERE t.unit_id = s.unit_id AND t.legal_section = s.legal_section "
        "AND t.level = COALESCE(s.tariff_level, '') AND t.valid_from <= s.start_date)",
    )
    assert unpriced == 0
    assert _scalar(demo_session, "SELECT COUNT(*) FROM stays WHERE tariff_level IS NOT NULL") > 0
    wrong = _scalar(
        demo_session,
        "SELECT COUNT(*) FROM referrals r JOIN stays s ON s.id = r.stay_id "
        "WHERE s.unit_id <> r.unit_id OR s.start_date < r.referred_on "
        "OR s.municipality_code <> r.municipality_code",
    )
    assert wrong == 0
    outcomes = dict(
        demo_session.execute(text("SELECT outcome, COUNT(*) FROM referrals GROUP BY outcome")).all()
    )
    assert set(outcomes) == {"admitted", "declined", "withdrawn", "pending"}
    assert _scalar(demo_session, "SELECT COUNT(*) FROM price_index") >= 4


def test_the_demo_records_actions_the_next_learning_report_shows(demo_app):
    """Issue #21: leaders' actions on the learning report's figures of an earlier quarter, some
    done, some open (one overdue), shown beside the same figures in the next quarter's report."""
    from sqlmodel import select

    from del_tool.actions.models import Action, ActionStatus
    from del_tool.reports.common.period import parse_period
    from del_tool.reports.common.selection import resolve_scope
    from del_tool.reports.services import build_report

    today = DEMO_OPTIONS["today"]
    with demo_app.test_request_context(), get_db(demo_app).session(write=False) as session:
        actions = session.exec(select(Action)).all()
        assert actions and {a.report_kind for a in actions} == {"learning"}
        assert {a.period_key for a in actions} == {"2026Q2"}  # today 01.10.2026: Q3 is latest
        statuses = {a.status for a in actions}
        assert statuses == {ActionStatus.OPEN, ActionStatus.DONE}
        assert any(a.is_overdue(today) for a in actions)
        assert all(a.outcome_note for a in actions if a.status is ActionStatus.DONE)
        scope_key = actions[0].scope_key
        later = build_report(
            "learning",
            session=session,
            scope=resolve_scope(scope_key, session=session),
            period=parse_period("2026Q3"),
            today=today,
        )
        mine = [a for a in actions if a.scope_key == scope_key]
        table = later.table("actions")
        assert len(table.rows) == len(mine)
        assert {str(row[1]) for row in table.rows} == {a.what for a in mine}
        assert all("2026Q2" in str(row[6]) and "2026Q3" in str(row[7]) for row in table.rows)
