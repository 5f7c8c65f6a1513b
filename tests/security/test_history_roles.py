"""Issue 14 section 2: on PostgreSQL the app's database role may add to the history but not
change or delete it; only the erasure role may write tombstones (and only for an anonymised
citizen). The roles are made by the migrations (README "Deploying on PostgreSQL")."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from del_tool.audit.services import record_change
from del_tool.citizens.models import Citizen, Sex
from del_tool.organisation.models import TargetGroup
from tests.security.helpers import db_session


@pytest.fixture
def pg_app(app, databases):
    if databases.backend != "postgresql":
        pytest.skip("PostgreSQL roles (set DEL_TEST_POSTGRES_URL)")
    return app


def _event(db, citizen_id=None):
    return record_change(
        session=db,
        user_id=None,
        action="update",
        entity="citizens",
        entity_id=citizen_id or 1,
        citizen_id=citizen_id,
        changes={"name": ["A", "B"]},
    )


def _as(app, role: str, statement: str) -> None:
    """Run `statement` as the database role `role` (committed when it succeeds)."""
    with db_session(app) as db:
        db.execute(text(f"SET LOCAL ROLE {role}"))
        db.execute(text(statement))


def test_the_app_role_inserts_history_but_cannot_change_it(pg_app):
    with db_session(pg_app) as db:
        db.execute(text("SET LOCAL ROLE del_app"))
        event_id = _event(db).id
    for statement in (
        f'UPDATE audit_events SET changes = \'{{"_erased": "x"}}\' WHERE id = {event_id}',
        f"DELETE FROM audit_events WHERE id = {event_id}",
        "UPDATE audit_chain_head SET event_count = 0",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_guard",
    ):
        with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
            _as(pg_app, "del_app", statement)


def test_the_erasure_role_writes_tombstones_of_anonymised_citizens_only(pg_app):
    with db_session(pg_app) as db:
        citizen = Citizen(
            name="X", birth_year=1970, sex=Sex.MALE, target_group=TargetGroup.MENTAL_ILLNESS
        )
        db.add(citizen)
        db.flush()
        citizen_id, event_id = citizen.id, _event(db, citizen.id).id
    tombstone = f'UPDATE audit_events SET changes = \'{{"_erased": "x"}}\' WHERE id = {event_id}'
    with pytest.raises(DatabaseError, match="append-only"):
        _as(pg_app, "del_erasure", tombstone)
    with db_session(pg_app) as db:
        db.execute(text(f"UPDATE citizens SET anonymised_at = now() WHERE id = {citizen_id}"))
    _as(pg_app, "del_erasure", tombstone)
    with pytest.raises(DatabaseError, match="permission denied"):
        _as(pg_app, "del_erasure", f"UPDATE audit_events SET user_id = 1 WHERE id = {event_id}")
