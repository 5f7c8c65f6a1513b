"""The benchmark's import step (issue #18 item 6): a synthetic file of the six sheets
(`bench.import_file`, ten rows per citizen) imported into a fresh seeded database for one unit
as the web does it: the dry run (`batches.plan_upload`: reading, checks and the page's record)
and the commit job (`tasks.commit_import`: the plan again and the commit's preparation outside
the write lock, then the publish step). Besides the job's time it measures the longest write
transaction (the SQLite write lock, or PostgreSQL's chain lock, is held that long: a save by
staff waits at most that) and the publish step inside it (`commit.publish`), and checks
afterwards that every row was written and the change history verifies.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from bench import data as bench_data
from bench.import_file import ROWS_PER_CITIZEN, build_import_file, citizens_for
from bench.sizes import Size
from del_tool import migrate
from del_tool.audit.integrity import verify_history
from del_tool.auth.models import Role
from del_tool.auth.services import create_user
from del_tool.db import get_db, write_session
from del_tool.imports import staged, tasks
from del_tool.imports.batches import mark_queued, plan_upload
from del_tool.imports.models import ImportBatch, ImportReference, ImportState
from del_tool.organisation.models import Unit, UnitQuestionnaire
from del_tool.organisation.services import seed_all

#: The database the step imports into (dropped afterwards unless --keep).
IMPORT_SIZE = Size("IMPORT", 0, 0, (), "an empty seeded database for the import step")
#: The unit the file is imported for (a residential unit: § 107 fits it).
UNIT = "Bostedet Engtoften"


def measure_import(backend: str, rows: int, *, keep: bool = False) -> dict[str, Any]:
    """Import a file of about `rows` rows on `backend`; the timings and what was checked."""
    citizens = citizens_for(rows)
    started = time.perf_counter()
    data = build_import_file(citizens)
    file_seconds = time.perf_counter() - started
    url = bench_data._create_empty(backend, IMPORT_SIZE)
    app = bench_data.bench_app(url)
    try:
        migrate.upgrade(app)
        with app.app_context(), write_session(app) as session:
            seed_all(session=session)
            unit = session.exec(select(Unit).where(Unit.name == UNIT)).one()
            session.add(UnitQuestionnaire(unit_id=unit.id, questionnaire_id="who5"))
            leader = create_user(
                session=session,
                username="bench_importer",
                display_name="Benchmark leder",
                password=bench_data.BENCH_PASSWORD,
                role=Role.LEADER,
                centre_id=unit.centre_id,
            )
            unit_id, user_id = int(unit.id or 0), int(leader.id or 0)
        with app.app_context():
            return {
                "backend": backend,
                "rows": citizens * ROWS_PER_CITIZEN,
                "citizens": citizens,
                "file_mb": round(len(data) / 1e6, 2),
                "file_seconds": round(file_seconds, 2),
                **_run(app, data, unit_id, user_id),
            }
    finally:
        get_db(app).dispose()
        if not keep:
            bench_data.drop_database(backend, IMPORT_SIZE)


def _run(app: Any, data: bytes, unit_id: int, user_id: int) -> dict[str, Any]:
    started = time.perf_counter()
    with write_session(app) as session:
        batch = plan_upload(
            session,
            user_id=user_id,
            file_name="bench.xlsx",
            data=data,
            scope=frozenset({unit_id}),
            all_or_nothing=True,
        )
        refused = int(batch.plan["refusal_count"])
        batch_id = int(batch.id or 0)
    dry_run = time.perf_counter() - started
    if refused:
        raise RuntimeError(f"the dry run refused {refused} rows of the benchmark's file")
    with write_session(app) as session:
        queued = session.get(ImportBatch, batch_id)
        if queued is None or not mark_queued(session, queued):
            raise RuntimeError("the planned import could not be queued")
    writes: list[float] = []
    publishes: list[float] = []
    original, original_publish = staged.write_once, tasks.publish

    def timed(*args: Any, **kwargs: Any) -> bool:
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            writes.append(time.perf_counter() - began)

    def timed_publish(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original_publish(*args, **kwargs)
        finally:
            publishes.append(time.perf_counter() - began)

    staged.write_once, tasks.publish = timed, timed_publish  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        tasks.commit_import(batch_id=batch_id, final_attempt=True)
        commit = time.perf_counter() - started
    finally:
        staged.write_once, tasks.publish = original, original_publish  # type: ignore[assignment]
    with get_db(app).session(write=False) as session:
        done = session.get(ImportBatch, batch_id)
        if done is None or done.state != ImportState.DONE:
            raise RuntimeError(f"the import ended {done.state if done else 'missing'}")
        references = session.exec(select(func.count()).select_from(ImportReference)).one()
        started = time.perf_counter()
        _state, problems = verify_history(session)
        verify = time.perf_counter() - started
    if problems:
        raise RuntimeError(f"the change history does not verify: {problems[:3]}")
    if references != int(done.plan["rows"]):
        raise RuntimeError(f"{references} of {done.plan['rows']} rows written")
    return {
        "dry_run_seconds": round(dry_run, 2),
        "commit_seconds": round(commit, 2),
        "write_lock_seconds": round(max(writes), 2),
        "publish_seconds": round(max(publishes), 2),
        "write_transactions": len(writes),
        "references": int(references),
        "verify_seconds": round(verify, 2),
    }
