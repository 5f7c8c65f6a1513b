"""SECURITY.md "A change history ... append-only, hash-chained so tampering is detectable" and
"An access log of every view, search and export of a citizen's data ... queryable per citizen
for a right-of-access request"."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from del_tool.audit.integrity import verify_history
from del_tool.audit.services import log_access, record_change, record_create
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.organisation.models import LegalSection, TargetGroup
from tests.security.helpers import db_session, without_guards


def add_citizen(db, *, unit_id=1, name="Test Borger", end=None, start=date(2010, 1, 1)):
    """A citizen with one stay, both recorded in the history."""
    citizen = Citizen(
        name=name, birth_year=1980, sex=Sex.FEMALE, target_group=TargetGroup.MENTAL_ILLNESS
    )
    db.add(citizen)
    db.flush()
    record_create(session=db, user_id=None, obj=citizen, citizen_id=citizen.id)
    stay = Stay(
        citizen_id=citizen.id,
        unit_id=unit_id,
        municipality_code="461",
        legal_section=LegalSection.S107,
        start_date=start,
        end_date=end,
    )
    db.add(stay)
    db.flush()
    record_create(session=db, user_id=None, obj=stay, citizen_id=citizen.id)
    return citizen


@pytest.fixture
def history(app):
    with db_session(app) as db:
        citizens = [add_citizen(db, name=f"Borger {i}") for i in range(3)]
        return [c.id for c in citizens]


def _verify(app):
    with db_session(app) as db:
        return verify_history(db)


def test_intact_history_verifies(app, history, runner):
    state, problems = _verify(app)
    assert problems == [] and state.event_count == 6
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "6 events" in result.output


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET user_id = 99 WHERE id = 2",
        "UPDATE audit_events SET changes = '{}' WHERE id = 2",
        "DELETE FROM audit_events WHERE id = 2",
        "DELETE FROM audit_events",
    ],
)
def test_database_refuses_updates_and_deletes(app, history, statement):
    with pytest.raises(DatabaseError, match="append-only"), db_session(app) as db:
        db.execute(text(statement))


def _without_guards(app, statement):
    """Tamper as someone with raw database access would: drop the guard, change, restore."""
    without_guards(app, statement)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("UPDATE audit_events SET user_id = 99 WHERE id = 3", "forged: event 3"),
        ('UPDATE audit_events SET changes = \'{"name": [null, "X"]}\' WHERE id = 1', "event 1"),
        ("DELETE FROM audit_events WHERE id = 3", "unlinked: event 4"),
        ("DELETE FROM audit_events WHERE id = 6", "events were removed"),
    ],
)
def test_verify_detects_tampering(app, history, runner, statement, expected):
    _without_guards(app, statement)
    _state, problems = _verify(app)
    assert any(expected in p for p in problems), problems
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and expected in result.output


def test_verify_detects_an_erasure_without_anonymisation(app, history):
    _without_guards(app, 'UPDATE audit_events SET changes = \'{"_erased": "x"}\' WHERE id = 1')
    _state, problems = _verify(app)
    assert any(p.startswith("erased-not-anonymised: event 1:") for p in problems), problems


def test_history_is_written_in_the_same_transaction(app):
    with db_session(app) as db:
        add_citizen(db)
        db.rollback()
    state, problems = _verify(app)
    assert state.event_count == 0 and problems == []


def test_concurrent_appends_keep_one_chain(app):
    from concurrent.futures import ThreadPoolExecutor

    def append(i):
        with db_session(app) as db:
            record_change(
                session=db,
                user_id=None,
                action="update",
                entity="citizens",
                entity_id=i,
                citizen_id=None,
                changes={"n": [i, i + 1]},
            )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(append, range(40)))
    state, problems = _verify(app)
    assert problems == [] and state.event_count == 40


def test_audit_citizen_command_shows_history_and_access_log(app, history, runner):
    citizen_id = history[1]
    with db_session(app) as db:
        log_access(session=db, user_id=7, action="view", citizen_id=citizen_id, endpoint="x.y")
        log_access(session=db, user_id=7, action="view", citizen_id=history[0], endpoint="x.y")
    result = runner.invoke(args=["audit", "citizen", str(citizen_id)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [e["entity"] for e in data["history"]] == ["citizens", "stays"]
    assert all(e["citizen_id"] == citizen_id for e in data["history"] + data["access_log"])
    assert len(data["access_log"]) == 1 and data["access_log"][0]["user_id"] == 7
