"""The bulk history writer (`audit.services.record_changes`, used by the import's commit):
many events appended under one chain lock are the events `record_create` and `record_update`
write, linked in order, so `verify_history`, `del-tool audit verify` and the witness see an
ordinary chain, also for thousands of events at once and between single appends (with
DEL_TEST_POSTGRES_URL on PostgreSQL too, whose ids come from a sequence)."""

from __future__ import annotations

import itertools

from sqlmodel import col, select

from del_tool.audit.integrity import verify_history
from del_tool.audit.models import AuditChainHead, AuditEvent
from del_tool.audit.services import (
    change_of,
    record_change,
    record_changes,
    record_create,
    record_update,
    snapshot,
)
from del_tool.citizens.models import Citizen, Sex
from del_tool.organisation.models import TargetGroup
from tests.security.helpers import db_session
from tests.security.test_witness import witnessed  # noqa: F401 - the fixture

IGNORED = {"id", "occurred_at", "prev_hash", "hash"}


def _citizen(db, name="Bulk Borger"):
    citizen = Citizen(
        name=name, birth_year=1980, sex=Sex.FEMALE, target_group=TargetGroup.MENTAL_ILLNESS
    )
    db.add(citizen)
    db.flush()
    return citizen


def _events(db, after=0):
    query = select(AuditEvent).where(col(AuditEvent.id) > after).order_by(col(AuditEvent.id))
    return [e.model_dump(exclude=IGNORED) for e in db.exec(query).all()]


def _single(app, n, offset=0):
    with db_session(app) as db:
        for i in range(n):
            record_change(
                session=db,
                user_id=None,
                action="update",
                entity="users",
                entity_id=offset + i,
                citizen_id=None,
                changes={"role": ["staff", f"r{offset + i}"]},
            )


def _bulk(app, n, offset=0):
    events = [
        {
            "user_id": None,
            "action": "update",
            "entity": "users",
            "entity_id": offset + i,
            "citizen_id": None,
            "changes": {"role": ["staff", f"r{offset + i}"]},
        }
        for i in range(n)
    ]
    with db_session(app) as db:
        assert record_changes(db, events) == n


def test_bulk_events_equal_the_single_ones_and_the_chain_verifies(app, runner):
    """The same changes written one by one and in bulk give the same events; the chain holds
    across the bulk append and the single appends before and after it, and so does the head."""
    n = 2507
    _single(app, 3)
    _bulk(app, n, offset=3)
    _single(app, 2, offset=3 + n)
    with db_session(app) as db:
        events = _events(db)
        rows = db.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        links = [(a.hash, b.prev_hash) for a, b in itertools.pairwise(rows)]
        state, problems = verify_history(db)
    assert [int(e["entity_id"]) for e in events] == list(range(5 + n))
    assert all(e["changes"] == {"role": ["staff", f"r{i}"]} for i, e in enumerate(events))
    assert all(previous == following for previous, following in links)
    assert problems == [] and state.event_count == 5 + n
    with db_session(app) as db:
        head = db.exec(select(AuditChainHead)).one()
        newest = db.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
        assert (head.event_count, head.last_id, head.last_hash) == (5 + n, newest.id, newest.hash)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_change_of_gives_the_events_of_record_create_and_record_update(app):
    with db_session(app) as db:
        single = _citizen(db)
        record_create(session=db, user_id=7, obj=single, citizen_id=single.id)
        before = snapshot(single, ["name", "birth_year"])
        single.name, single.birth_year = "Bulk Borger Anden", 1981
        db.add(single)
        db.flush()
        record_update(session=db, user_id=7, obj=single, before=before, citizen_id=single.id)
        expected = [e for e in _events(db) if e["entity_id"] == str(single.id)]
        newest = max(e.id for e in db.exec(select(AuditEvent)).all())
        other = _citizen(db)
        created = change_of(
            user_id=7, obj=other, entity_id=other.id, citizen_id=other.id, after=snapshot(other)
        )
        before = snapshot(other, ["name", "birth_year"])
        other.name, other.birth_year = "Bulk Borger Anden", 1981
        db.add(other)
        db.flush()
        after = snapshot(other, ["name", "birth_year"])
        updated = change_of(
            user_id=7,
            obj=other,
            entity_id=other.id,
            citizen_id=other.id,
            after=after,
            before=before,
        )
        same = change_of(
            user_id=7, obj=other, entity_id=other.id, citizen_id=other.id, after=after, before=after
        )
        record_changes(db, [created, updated])
        got = _events(db, after=newest)
        ids = {"single": single.id, "other": other.id}
    assert same is None  # nothing changed: no event, as record_update
    assert [e["action"] for e in got] == [e["action"] for e in expected] == ["create", "update"]
    for events, citizen_id in ((got, ids["other"]), (expected, ids["single"])):
        assert [(e["entity_id"], e["citizen_id"]) for e in events] == [
            (str(citizen_id), citizen_id)
        ] * 2
    own = {k: v for k, v in got[0]["changes"].items() if k not in ("id", "created_at")}
    assert own == {k: v for k, v in expected[0]["changes"].items() if k not in ("id", "created_at")}
    assert got[0]["changes"]["id"] == [None, ids["other"]]
    assert got[1]["changes"] == expected[1]["changes"]
    assert {e["entity"] for e in got} == {"citizens"} and {e["user_id"] for e in got} == {7}


def test_the_witness_signs_a_history_with_bulk_events(app, witnessed):  # noqa: F811
    _single(app, 2)
    assert witnessed().exit_code == 0
    _bulk(app, 50, offset=2)
    signed = witnessed()
    assert signed.exit_code == 0, signed.output
    assert signed.output  # a new checkpoint over the bulk events
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "unwitnessed" not in result.output
