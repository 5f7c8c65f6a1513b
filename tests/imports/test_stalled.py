"""An import whose job was lost (the worker stopped in the middle, the queue lost the message)
does not wait for ever: the worker's sweep queues its commit again once it has shown no
progress for STALLED_AFTER, and the import is written once; one still moving is left alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from bench.import_file import build_import_file
from del_tool.db import get_db
from del_tool.imports.batches import mark_queued, plan_upload, progress_key, read_progress
from del_tool.imports.models import ImportBatch, ImportReference, ImportState
from del_tool.imports.tasks import STALLED_AFTER, resume_stalled_imports
from del_tool.modelbase import utcnow
from del_tool.store import get_store
from tests.imports.records import use_questionnaires
from tests.imports.web import centre_of

UNIT = "Bostedet Engtoften"


def test_a_lost_commit_is_queued_again_and_written_once(app, make_user, units) -> None:
    unit = units[UNIT]
    use_questionnaires(app, unit, "who5")
    leader = make_user("leader", centre_id=centre_of(app, unit))
    with app.app_context(), get_db(app).session(write=True) as db:
        batch = plan_upload(
            db,
            user_id=leader.id,
            file_name="tabt.xlsx",
            data=build_import_file(3),
            scope=frozenset({unit}),
            all_or_nothing=False,
        )
        assert mark_queued(db, batch)
        batch.state = ImportState.RUNNING.value  # its job started, then the worker stopped
        db.commit()
        batch_id = int(batch.id)
    with app.app_context():
        store = get_store()
        fresh = {"done": 10, "total": 30, "at": utcnow().timestamp()}
        store.put_json(progress_key(batch_id), fresh, 3600)
        assert resume_stalled_imports() == 0  # still moving: left alone
        old = utcnow() - STALLED_AFTER - timedelta(seconds=1)
        store.put_json(progress_key(batch_id), {**fresh, "at": old.timestamp()}, 3600)
        assert resume_stalled_imports() == 1  # lost: queued again (run at once here)
        assert resume_stalled_imports() == 0  # written: nothing waits
        assert read_progress(batch_id)["done"] == 30
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.get(ImportBatch, batch_id).state == ImportState.DONE
        refs = db.exec(select(func.count()).select_from(ImportReference)).one()
    assert refs == 30  # ten rows per citizen, written once
