"""Actions: the figure read from the built report, the rules, scope and the change history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from del_tool.actions import services
from del_tool.actions.models import Action, ActionStatus
from del_tool.audit.models import AuditEvent
from del_tool.auth.access import AccessDeniedError, NotFoundError
from del_tool.citizens.access import Actor
from del_tool.db import get_db
from del_tool.errors import RuleError
from tests.actions.helpers import learning_report
from tests.support.staff import TODAY

DATA = services.ActionData(what="Ugentlig samtale om mål", owner="Teamleder", due_date=TODAY)
FIGURE = services.FigureRef("units", figure_key="reliable_share")
ROW = services.FigureRef("units", table_key="themes", row_label="Egenomsorg")


@pytest.fixture
def session_of(app, user_as):
    """Factory: (write session, actor, user) of a role, inside a request context."""
    users = {}

    def open_for(role):
        if role not in users:
            users[role] = user_as(role)
        db = get_db(app).session(write=True)
        return db, Actor.of(users[role], session=db), users[role]

    with app.test_request_context():
        yield open_for


def _create(db, actor, user, scope, *, ref=FIGURE, data=DATA, report=None):
    return services.create_action(
        session=db,
        actor=actor,
        user=user,
        report=report or learning_report(),
        scope_key=scope,
        ref=ref,
        data=data,
        today=TODAY,
    )


def test_a_leader_records_an_action_with_the_figure_as_shown(app, world, session_of):
    db, actor, user = session_of("leader")
    with db:
        action = _create(db, actor, user, f"unit:{world.unit_a1}")
        db.commit()
        assert action.unit_id == world.unit_a1 and action.centre_id is None
        assert action.status is ActionStatus.OPEN
        assert (action.figure_label, action.figure_value) == ("Andel pålideligt forbedret", 0.4)
        assert action.figure_kind == "pct" and "95 %-interval" in action.figure_note
        assert (action.period_key, action.period_start.isoformat()) == ("2025Q1", "2025-01-01")
        event = db.exec(select(AuditEvent).where(AuditEvent.entity == "actions")).one()
        assert event.action == "create" and event.citizen_id is None
        assert event.changes["what"] == [None, "Ugentlig samtale om mål"]


def test_a_table_row_is_snapshot_with_its_n(app, world, session_of):
    db, actor, user = session_of("leader")
    with db:
        action = _create(db, actor, user, f"centre:{world.centre_a}", ref=ROW)
        assert action.centre_id == world.centre_a and action.unit_id is None
        assert action.figure_label == "Temaer: Egenomsorg"
        assert action.figure_value == "Antal: 12; Ændring: +0,5"
        assert action.figure_n == 12 and action.figure_key is None


def test_a_hidden_figure_keeps_its_marker_only(app, world, session_of):
    db, actor, user = session_of("leader")
    with db:
        ref = services.FigureRef("units", figure_key="few")
        action = _create(db, actor, user, f"unit:{world.unit_a1}", ref=ref)
        assert action.figure_value == {"__type__": "Hidden", "marker": "<5"}


@pytest.mark.parametrize(
    "ref",
    [
        services.FigureRef("nope", figure_key="reliable_share"),
        services.FigureRef("units", figure_key="nope"),
        services.FigureRef("units", table_key="themes", row_label="Ukendt"),
        services.FigureRef("units", table_key="nope", row_label="Egenomsorg"),
    ],
)
def test_a_figure_the_report_lacks_is_not_found(app, world, session_of, ref):
    db, actor, user = session_of("leader")
    with db, pytest.raises(NotFoundError):
        _create(db, actor, user, f"unit:{world.unit_a1}", ref=ref)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (services.ActionData(what="  ", owner="A", due_date=TODAY), "what"),
        (services.ActionData(what="x", owner="", due_date=TODAY), "owner"),
        (services.ActionData(what="x", owner="A" * 121, due_date=TODAY), "owner"),
        (services.ActionData(what="x", owner="A", due_date=TODAY - timedelta(days=1)), "due_date"),
    ],
)
def test_bad_input_is_refused_beside_its_field(app, world, session_of, data, field):
    db, actor, user = session_of("leader")
    with db, pytest.raises(RuleError) as error:
        _create(db, actor, user, f"unit:{world.unit_a1}", data=data)
    assert error.value.field == field


def test_scope_and_role_are_checked(app, world, session_of):
    db, actor, user = session_of("leader")
    with db:
        with pytest.raises(AccessDeniedError):
            _create(db, actor, user, f"unit:{world.unit_b}")
        with pytest.raises(AccessDeniedError):
            _create(db, actor, user, f"centre:{world.centre_b}")
        with pytest.raises(NotFoundError):
            _create(db, actor, user, "region")
    db, actor, user = session_of("staff")
    with db, pytest.raises(AccessDeniedError):
        _create(db, actor, user, f"unit:{world.unit_a1}")


def test_done_needs_an_outcome_and_is_in_the_history(app, world, session_of):
    db, actor, user = session_of("leader")
    with db:
        action = _create(db, actor, user, f"unit:{world.unit_a1}")
        db.commit()
        with pytest.raises(RuleError) as error:
            services.set_status(
                session=db, actor=actor, user=user, action_id=action.id,
                status=ActionStatus.DONE, outcome_note=" ", version=action.version,
            )  # fmt: skip
        assert error.value.field == "outcome_note"
        services.set_status(
            session=db, actor=actor, user=user, action_id=action.id,
            status=ActionStatus.DONE, outcome_note="Flere mål nået", version=action.version,
        )  # fmt: skip
        db.commit()
        assert action.status is ActionStatus.DONE and action.done_at is not None
        events = db.exec(select(AuditEvent).where(AuditEvent.entity == "actions")).all()
        assert [e.action for e in events] == ["create", "update"]
        assert events[1].changes["status"] == ["open", "done"]


def test_an_old_due_date_may_stay_when_editing(app, world, session_of):
    db, actor, user = session_of("leader")
    with db:
        action = _create(db, actor, user, f"unit:{world.unit_a1}")
        action.due_date = TODAY - timedelta(days=5)  # it was due last week
        db.commit()
        data = services.ActionData(what="Nyt indhold", owner="Teamleder", due_date=action.due_date)
        services.update_action(
            session=db, actor=actor, user=user, action_id=action.id, data=data,
            version=action.version, today=TODAY,
        )  # fmt: skip
        assert action.what == "Nyt indhold"


def test_the_log_filters_and_counts_overdue(app, world, session_of):
    db, actor, user = session_of("leader")
    with db:
        first = _create(db, actor, user, f"unit:{world.unit_a1}")
        second = _create(db, actor, user, f"unit:{world.unit_a2}")
        first.due_date = TODAY - timedelta(days=1)
        db.commit()
        overdue = services.visible_actions(db, actor, status="overdue", today=TODAY)
        assert [a.id for a in overdue] == [first.id]
        one_unit = services.visible_actions(db, actor, unit_id=world.unit_a2, today=TODAY)
        assert [a.id for a in one_unit] == [second.id]
        assert services.overdue_count(db, actor, today=TODAY) == 1
    db, actor, _user = session_of("staff")  # staff of a1 read a1's actions only
    with db:
        seen = services.visible_actions(db, actor, today=TODAY)
        assert [a.id for a in seen] == [first.id]
        with pytest.raises(AccessDeniedError):
            services.get_action(db, actor, second.id)


def test_later_reports_find_earlier_actions_only(app, world, session_of):
    db, actor, user = session_of("leader")
    with db:
        action = _create(db, actor, user, f"unit:{world.unit_a1}")
        db.commit()
        later = learning_report("2025-Q2").period.start
        found = services.actions_for_report(
            db, kind="learning", scope_key=f"unit:{world.unit_a1}", period_start=later
        )
        assert [a.id for a in found] == [action.id]
        same = services.actions_for_report(
            db, kind="learning", scope_key=f"unit:{world.unit_a1}",
            period_start=action.period_start,
        )  # fmt: skip
        assert list(same) == []
        assert db.exec(select(Action)).all() == [action]


def test_a_later_report_says_then_and_now_and_when_there_is_no_uncertainty(app, world, session_of):
    from del_tool.actions.display import with_actions

    db, actor, user = session_of("leader")
    scope = f"unit:{world.unit_a1}"
    with db:
        _create(db, actor, user, scope)
        _create(db, actor, user, scope, ref=services.FigureRef("units", figure_key="few"))
        _create(db, actor, user, scope, ref=ROW)
        db.commit()
        later = with_actions(
            learning_report("2025Q2", share=0.55, n=15), session=db, scope_key=scope, filters=None
        )
        messages = [str(m) for m in later.section("units").messages]
        assert len(messages) == 3
        assert "Dengang 40 % (2025Q1), nu 55 % (2025Q2)" in messages[0]
        assert "95 %-interval" in messages[0]
        assert "Dengang <5 (2025Q1), nu <5 (2025Q2)" in messages[1]  # suppressed stays so
        assert "Tallet har ingen angivet usikkerhed." in messages[1]
        assert "Dengang Antal: 12; Ændring: +0,5 (2025Q1, n = 12)" in messages[2]
        assert "nu Antal: 15; Ændring: +0,5 (2025Q2, n = 15)" in messages[2]
        table = later.table("actions")
        assert [str(c.label) for c in table.columns][:3] == ["Tal", "Handling", "Ansvarlig"]
        assert len(table.rows) == 3
        same = with_actions(learning_report("2025Q1"), session=db, scope_key=scope, filters=None)
        assert not same.section("units").messages and "actions" not in [
            s.key for s in same.sections
        ]
