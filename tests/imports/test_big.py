"""Big files without a wait (#18 items 4 and 6): while the commit job of a big import runs, a
follow-up saved by another session waits seconds at most (the job plans without the write lock
and writes in bulk), and a failure in the middle of the write leaves nothing of the import:
the batch is FAILED, its file dropped, no record, reference or history event written.

The file is the benchmark's (`bench.import_file`): ten rows per synthetic citizen."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bench.import_file import build_import_file
from del_tool.audit.integrity import verify_history
from del_tool.audit.models import AuditEvent
from del_tool.audit.services import record_create
from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp, FollowUpKind
from del_tool.imports import bulk
from del_tool.imports.batches import mark_queued, plan_upload
from del_tool.imports.models import ImportBatch, ImportFile, ImportReference, ImportState
from del_tool.imports.tasks import commit_import
from tests.imports.records import own_citizen, use_questionnaires
from tests.imports.web import centre_of

UNIT = "Bostedet Engtoften"
#: 6,000 rows: the job planned and wrote them under the lock for about 10 s before.
CITIZENS = 600
#: "A few seconds": the longest a save by staff may wait for the import.
MAX_WAIT = 5.0


@pytest.fixture
def queued(app, make_user, units):
    """A queued import of the benchmark's file for one unit, and a citizen of DEL's own there
    (whose follow-ups staff save meanwhile); (batch id, leader id, stay id)."""
    unit = units[UNIT]
    use_questionnaires(app, unit, "who5")
    leader = make_user("leader", centre_id=centre_of(app, unit))
    data = build_import_file(CITIZENS)
    with app.app_context(), get_db(app).session(write=True) as db:
        citizen, stay = own_citizen(db, unit)
        db.flush()
        batch = plan_upload(
            db,
            user_id=leader.id,
            file_name="stort.xlsx",
            data=data,
            scope=frozenset({unit}),
            all_or_nothing=False,
        )
        assert batch.plan["refusal_count"] == 0 and batch.plan["rows"] == CITIZENS * 10
        assert mark_queued(db, batch)
        db.commit()
        return int(batch.id), leader.id, int(stay.id), int(citizen.id)


def _save_follow_up(app, stay_id: int, citizen_id: int, day: date, user_id: int) -> float:
    """A follow-up saved as the form saves it (write lock, chain lock); the seconds it took."""
    started = time.perf_counter()
    with app.app_context(), get_db(app).session(write=True) as db:
        row = FollowUp(
            citizen_id=citizen_id,
            stay_id=stay_id,
            followup_date=day,
            kind=FollowUpKind.FOLLOW_UP,
            recorded_by_id=user_id,
        )
        db.add(row)
        db.flush()
        record_create(session=db, user_id=user_id, obj=row, citizen_id=citizen_id)
        db.commit()
    return time.perf_counter() - started


def _counts(app):
    with app.app_context(), get_db(app).session(write=False) as db:
        return {
            model.__tablename__: db.exec(select(func.count()).select_from(model)).one()
            for model in (Citizen, Stay, FollowUp, ImportReference, AuditEvent)
        }


def test_a_follow_up_saved_meanwhile_waits_seconds_at_most(app, queued):
    batch_id, leader_id, stay_id, citizen_id = queued
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                commit_import(batch_id=batch_id, final_attempt=True)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    started = time.perf_counter()
    worker.start()
    waits: list[float] = []
    day = date(2021, 1, 1)
    while worker.is_alive():
        waits.append(_save_follow_up(app, stay_id, citizen_id, day, leader_id))
        day += timedelta(days=1)
        time.sleep(0.05)
    worker.join()
    took = time.perf_counter() - started
    assert not errors, errors
    with app.app_context(), get_db(app).session(write=False) as db:
        batch = db.get(ImportBatch, batch_id)
        assert batch is not None and batch.state == ImportState.DONE, batch.message
        mine = db.exec(select(func.count()).where(col(FollowUp.stay_id) == stay_id)).one()
        _state, problems = verify_history(db)
    assert len(waits) >= 3 and mine == len(waits)  # saves went on while the import ran
    assert max(waits) < MAX_WAIT, (max(waits), took)
    assert problems == []


def test_a_failure_mid_write_leaves_nothing_of_the_import(app, queued, monkeypatch):
    batch_id, *_ = queued
    before = _counts(app)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(bulk, "append_bound", broken)  # the rows are in, the history not
    with app.app_context(), pytest.raises(RuntimeError):
        commit_import(batch_id=batch_id, final_attempt=True)
    assert _counts(app) == before
    with app.app_context(), get_db(app).session(write=False) as db:
        batch = db.get(ImportBatch, batch_id)
        assert batch is not None and batch.state == ImportState.FAILED
        assert batch.message == "RuntimeError: the disk is full"
        assert db.get(ImportFile, batch_id) is None and not batch.result
        _state, problems = verify_history(db)
    assert problems == []
