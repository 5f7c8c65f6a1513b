"""Issue 14 section 2: the change history could be forged by anyone with the database's write
rights. On a copy, a citizen's events were replaced by tombstones with the right digest and a
forged "anonymise" event with a correctly computed (unkeyed) hash was appended; a forged update
credited to the leader verified too. The chain is now MAC'd with a key outside the database,
tombstones need an anonymised citizen (database and verify), and verify names each forgery
with its events (docs/SECURITY-history.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import col, select

from del_tool import create_app
from del_tool.audit.chain import changes_digest, content_of, legacy_hash
from del_tool.audit.integrity import check_history, verify_history
from del_tool.audit.models import AuditEvent
from del_tool.audit.services import record_change
from del_tool.citizens.models import Citizen, Sex
from del_tool.config import ConfigError
from del_tool.db import get_db
from del_tool.modelbase import utcnow
from del_tool.organisation.models import TargetGroup
from tests.conftest import TEST_AUDIT_KEY, TEST_SECRET
from tests.security.helpers import db_session, without_guards

OTHER_KEY = "a-second-audit-key-for-rotation-tests-0123456789"


def _citizen_with_history(app, events: int = 20) -> tuple[int, list[int]]:
    """A citizen and `events` updates of theirs; (citizen id, event ids)."""
    with db_session(app) as db:
        citizen = Citizen(
            name="Vilhelmine Testesen",
            birth_year=1970,
            sex=Sex.FEMALE,
            target_group=TargetGroup.MENTAL_ILLNESS,
        )
        db.add(citizen)
        db.flush()
        ids = [
            _record(db, citizen_id=citizen.id, changes={"note": [f"v{i}", f"v{i + 1}"]}).id
            for i in range(events)
        ]
        return citizen.id, ids


def _record(db, *, citizen_id=None, user_id=None, action="update", changes=None):
    return record_change(
        session=db,
        user_id=user_id,
        action=action,
        entity="citizens" if citizen_id else "users",
        entity_id=citizen_id or 1,
        citizen_id=citizen_id,
        changes=changes or {"role": ["staff", "admin"]},
    )


def _append_forged(app, *, key_id=None, **values) -> int:
    """Append an event as a writer of the database would: the unkeyed hash, computed right."""
    with db_session(app) as db:
        head = db.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
        fields = {
            "occurred_at": utcnow(),
            "user_id": None,
            "entity": "citizens",
            "entity_id": "1",
            "citizen_id": None,
            **values,
        }
        event = AuditEvent(**fields, prev_hash=head.hash, hash="", key_id=key_id)
        event.hash = legacy_hash(head.hash, content_of(fields))
        db.add(event)
        db.flush()
        return event.id


def _tombstones(db, citizen_id: int) -> list[str]:
    events = db.exec(select(AuditEvent).where(AuditEvent.citizen_id == citizen_id)).all()
    return [
        "UPDATE audit_events SET changes = "
        f'\'{{"_erased": "{changes_digest(e.changes)}"}}\' WHERE id = {e.id}'
        for e in events
    ]


def test_database_refuses_tombstones_for_a_citizen_not_anonymised(app):
    citizen_id, _ids = _citizen_with_history(app, 3)
    with db_session(app) as db:
        statement = _tombstones(db, citizen_id)[0]
    with pytest.raises(DatabaseError, match="append-only"), db_session(app) as db:
        db.execute(text(statement))


@pytest.mark.parametrize("claimed_key", ["none", "real key id"])
def test_the_forged_erasure_and_anonymisation_fail_to_verify(app, runner, claimed_key):
    """The issue's attack, with the guards dropped (a stronger writer than the issue's)."""
    citizen_id, ids = _citizen_with_history(app)
    with db_session(app) as db:
        statements = _tombstones(db, citizen_id)
        key_id = db.get(AuditEvent, ids[0]).key_id if claimed_key != "none" else None
    without_guards(app, *statements)
    forged = _append_forged(
        app,
        key_id=key_id,
        action="anonymise",
        entity_id=str(citizen_id),
        citizen_id=citizen_id,
        changes={"anonymised": [False, True]},
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    kind = "unkeyed" if key_id is None else "forged"
    assert f"{kind}: event {forged}: " in result.output
    assert f"erased-not-anonymised: events {ids[0]}–{ids[-1]}: citizen {citizen_id}" in (
        result.output
    )
    assert "History intact" not in result.output


def test_a_forged_update_credited_to_the_leader_fails_to_verify(app, runner, make_user):
    leader = make_user("leader", centre_id=1)
    citizen_id, _ids = _citizen_with_history(app, 2)
    forged = _append_forged(
        app,
        user_id=leader.id,
        action="update",
        entity_id=str(citizen_id),
        citizen_id=citizen_id,
        changes={"name": ["Vilhelmine Testesen", "Someone Else"]},
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"unkeyed: event {forged}: an unkeyed event after keyed ones" in result.output


def test_an_erased_event_without_a_citizen_is_a_problem(app):
    with db_session(app) as db:
        event_id = _record(db).id
    without_guards(
        app, f'UPDATE audit_events SET changes = \'{{"_erased": "x"}}\' WHERE id = {event_id}'
    )
    _state, problems = _verify(app)
    assert any(p.startswith(f"erased-without-citizen: event {event_id}:") for p in problems)


def _verify(app):
    with db_session(app) as db:
        return verify_history(db)


def test_a_rotated_key_starts_an_endorsed_segment(app):
    _citizen_with_history(app, 2)
    app.config.update(AUDIT_KEY=OTHER_KEY, AUDIT_RETIRED_KEYS=[TEST_AUDIT_KEY])
    _citizen_id, ids = _citizen_with_history(app, 2)
    with db_session(app) as db:
        rekey = db.get(AuditEvent, ids[0] - 1)
        assert rekey.action == "rekey" and rekey.changes["endorsement"][1]
    assert _verify(app)[1] == []
    app.config["AUDIT_RETIRED_KEYS"] = []
    problems = _verify(app)[1]
    assert any(p.startswith("unknown-key: events 1–2: MAC key") for p in problems), problems


def test_a_stolen_retired_key_cannot_append_after_a_rotation(app):
    _citizen_with_history(app, 2)
    app.config.update(AUDIT_KEY=OTHER_KEY, AUDIT_RETIRED_KEYS=[TEST_AUDIT_KEY])
    _citizen_with_history(app, 1)
    # The thief writes with the retired key, continuing the chain without a rekey event.
    thief = create_app({**app.config, "AUDIT_KEY": TEST_AUDIT_KEY, "AUDIT_RETIRED_KEYS": []})
    with db_session(thief) as db:
        stolen = _record(db, citizen_id=None).id
    get_db(thief).dispose()
    # Its own rekey event comes first, but the current key did not endorse it.
    problems = _verify(app)[1]
    assert any(
        p.startswith(f"segment: event {stolen - 1}: the new key is not endorsed") for p in problems
    ), problems


def test_a_legacy_unkeyed_prefix_is_a_notice_sealed_by_the_first_keyed_event(app):
    with db_session(app) as db:
        prev = "0" * 64
        for i in range(3):
            fields = {
                "occurred_at": utcnow(),
                "user_id": None,
                "action": "update",
                "entity": "users",
                "entity_id": str(i),
                "citizen_id": None,
                "changes": {"n": [i, i + 1]},
            }
            digest = legacy_hash(prev, content_of(fields))
            db.add(AuditEvent(**fields, prev_hash=prev, hash=digest))
            db.flush()
            prev = digest
    with db_session(app) as db:
        _record(db)
    with db_session(app) as db:
        report = check_history(db)
    assert report.problems == []
    assert [str(n) for n in report.notices] == [
        "unkeyed: events 1–3: written before the history was keyed (SHA-256 only); "
        "sealed by the first keyed event"
    ]


def test_a_missing_key_is_one_line_not_a_traceback(app, runner):
    app.config["AUDIT_KEY"] = None
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: DEL_AUDIT_KEY is not set")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_production_refuses_to_start_without_an_audit_key():
    with pytest.raises(ConfigError, match="DEL_AUDIT_KEY is missing"):
        create_app({"SECRET_KEY": TEST_SECRET, "DATABASE_URL": "sqlite://"})
