"""An import's commit prepares without the write lock and publishes in one short step (#18
item 4): while the job prepares, another connection that will not wait at all (SQLite busy
timeout 0; on PostgreSQL the history's chain lock tried, not awaited) writes a follow-up; the
import still writes every row with the right links (the follow-up took an id the preparation
had guessed for the import, so the import's rows and history are shifted to the real ids).
What changed between the preparation and the publish is checked in the publish step: a record
to update whose version moved, the same file imported meanwhile; either writes nothing."""

from __future__ import annotations

import sqlite3
from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bench.import_file import build_import_file, sheet_rows
from del_tool.audit.integrity import verify_history
from del_tool.audit.models import AuditEvent
from del_tool.auth.scope import Scope
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen
from del_tool.db import get_db
from del_tool.errors import ConflictError
from del_tool.followups.models import Assessment, FollowUp, GoalReview
from del_tool.imports import tasks
from del_tool.imports.batches import mark_queued, plan_upload
from del_tool.imports.commit import prepare_commit, publish
from del_tool.imports.models import ImportBatch, ImportReference, ImportState
from del_tool.imports.plan import plan_import
from del_tool.imports.sheets import Kind
from tests.imports.records import import_file, own_citizen, use_questionnaires
from tests.imports.web import centre_of

UNIT = "Bostedet Engtoften"
#: 600 rows: the preparation reports its progress (every 250 rows) before it ends.
CITIZENS = 60
#: Key of the history's chain lock on PostgreSQL (`audit.services._CHAIN_LOCK_KEY`).
CHAIN_LOCK_KEY = 0x44454C


@pytest.fixture
def setting(app, make_user, units):
    """A unit using WHO-5, its leader, and a citizen of DEL's own there with a stay;
    (unit id, leader id, stay id, citizen id)."""
    unit = units[UNIT]
    use_questionnaires(app, unit, "who5")
    leader = make_user("leader", centre_id=centre_of(app, unit))
    with app.app_context(), get_db(app).session(write=True) as db:
        citizen, stay = own_citizen(db, unit)
        db.commit()
        return unit, int(leader.id), int(stay.id), int(citizen.id)


def _write_without_waiting(app, stay_id: int, citizen_id: int, user_id: int) -> None:
    """Insert a follow-up from another connection that does not wait for any lock."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")  # fails at once while a writer holds the lock
            connection.execute(
                "INSERT INTO follow_ups (version, citizen_id, stay_id, followup_date, kind, "
                "note, recorded_by_id, created_at) VALUES (1, ?, ?, '2021-01-01', 'follow_up', "
                "'', ?, '2021-01-01 00:00:00')",
                (citizen_id, stay_id, user_id),
            )
            connection.execute("COMMIT")
        finally:
            connection.close()
        return
    import psycopg

    with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as pg:
        taken = pg.execute("SELECT pg_try_advisory_xact_lock(%s)", (CHAIN_LOCK_KEY,)).fetchone()
        assert taken is not None and taken[0], "the import holds the history's lock"
        pg.execute(
            "INSERT INTO follow_ups (version, citizen_id, stay_id, followup_date, kind, note, "
            "recorded_by_id, created_at) VALUES (1, %s, %s, '2021-01-01', 'follow_up', '', %s, "
            "now())",
            (citizen_id, stay_id, user_id),
        )


def test_a_write_while_the_commit_prepares_does_not_wait(app, setting, monkeypatch):
    unit, leader_id, stay_id, citizen_id = setting
    with app.app_context(), get_db(app).session(write=True) as db:
        batch = plan_upload(
            db,
            user_id=leader_id,
            file_name="fil.xlsx",
            data=build_import_file(CITIZENS),
            scope=frozenset({unit}),
            all_or_nothing=True,
        )
        assert batch.plan["refusal_count"] == 0
        assert mark_queued(db, batch)
        db.commit()
        batch_id, rows = int(batch.id), int(batch.plan["rows"])
    saved: list[int] = []
    original = tasks.record_progress

    def progress(batch: int, done: int, total: int) -> None:
        if 0 < done < total and not saved:
            _write_without_waiting(app, stay_id, citizen_id, leader_id)
            saved.append(done)
        original(batch, done, total)

    monkeypatch.setattr(tasks, "record_progress", progress)
    with app.app_context():
        tasks.commit_import(batch_id=batch_id, final_attempt=True)
    assert saved, "the preparation reported no progress"
    with app.app_context(), get_db(app).session(write=False) as db:
        done = db.get(ImportBatch, batch_id)
        assert done is not None and done.state == ImportState.DONE, done.message
        refs = {
            (r.sheet, r.external_ref): r.entity_id for r in db.exec(select(ImportReference)).all()
        }
        assert len(refs) == rows
        ours = db.exec(select(FollowUp).where(col(FollowUp.stay_id) == stay_id)).all()
        assert len(ours) == 1  # the follow-up written meanwhile, kept
        for n in range(1, CITIZENS + 1):
            follow_up = db.get(FollowUp, refs[("follow_ups", f"F{n}")])
            assert follow_up is not None and follow_up.stay_id == refs[("stays", f"O{n}")]
            assert follow_up.citizen_id == refs[("citizens", f"B{n}")]
        imported = {refs[("follow_ups", f"F{n}")] for n in range(1, CITIZENS + 1)}
        assert ours[0].id not in imported
        reviews = db.exec(select(GoalReview)).all()
        assessments = db.exec(select(Assessment)).all()
        assert {r.follow_up_id for r in reviews} == imported
        assert {a.follow_up_id for a in assessments} == imported
        created = db.exec(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity == "follow_ups", AuditEvent.action == "create"
            )
        ).all()
        assert {int(i) for i in created} == imported
        assert sorted(done.result["created"]["follow_ups"]) == sorted(imported)
        _state, problems = verify_history(db)
    assert problems == []


def _counts(app) -> tuple[int, int, int]:
    with app.app_context(), get_db(app).session(write=False) as db:
        return tuple(  # type: ignore[return-value]
            db.exec(select(func.count()).select_from(model)).one()
            for model in (Citizen, ImportReference, AuditEvent)
        )


def _prepared(app, unit: int, leader_id: int, data: bytes):
    """A plan of `data` and its commit prepared in a read session (no lock held)."""
    actor = Actor(user_id=leader_id, scope=Scope(unit_ids=frozenset({unit})))
    with app.app_context(), get_db(app).session(write=False) as db:
        plan = plan_import(db, [("fil.xlsx", data)], scope={unit}, user_id=leader_id)
        assert not plan.refused
        return prepare_commit(db, plan, actor=actor)


def _publish(app, prepared) -> None:
    with app.app_context(), get_db(app).session(write=True) as db:
        publish(db, prepared, file_name="fil.xlsx", digest="x", all_or_nothing=True)
        db.commit()


def test_the_same_file_published_twice_at_once_is_written_once(app, setting):
    unit, leader_id, *_ = setting
    data = build_import_file(CITIZENS)
    first = _prepared(app, unit, leader_id, data)
    second = _prepared(app, unit, leader_id, data)  # planned before the first was written
    before = _counts(app)
    _publish(app, first)
    written = _counts(app)
    assert written[0] == before[0] + CITIZENS
    with pytest.raises(ConflictError):
        _publish(app, second)
    assert _counts(app) == written
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.exec(select(func.count()).select_from(ImportBatch)).one() == 1


def _renamed(citizens: int) -> bytes:
    """The citizens' sheet of the benchmark's file, every citizen renamed."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Borgere")
    header, *rows = sheet_rows(citizens)["Borgere"]
    sheet.append(header)
    for row in rows:
        sheet.append([row[0], f"{row[1]} Nyt", *row[2:]])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_record_changed_after_the_preparation_is_not_overwritten(app, setting):
    unit, leader_id, *_ = setting
    import_file(app, leader_id, unit, ("fil.xlsx", build_import_file(CITIZENS)))
    prepared = _prepared(app, unit, leader_id, _renamed(CITIZENS))
    assert prepared.plan.counts[Kind.CITIZENS].update == CITIZENS
    with app.app_context(), get_db(app).session(write=True) as db:
        ref = db.exec(
            select(ImportReference).where(
                ImportReference.sheet == "citizens", ImportReference.external_ref == "B1"
            )
        ).one()
        citizen = db.get(Citizen, ref.entity_id)
        citizen.name = "Rettet i DEL"  # its version moves on
        db.commit()
        citizen_id = int(citizen.id)
    before = _counts(app)
    with pytest.raises(ConflictError):
        _publish(app, prepared)
    assert _counts(app) == before
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.get(Citizen, citizen_id).name == "Rettet i DEL"
        assert db.exec(select(func.count()).select_from(ImportBatch)).one() == 1
