"""Issue 14: erasure leaves nothing on disk. After `del-tool privacy anonymise` the erased name
was still in the SQLite file, and goal texts, notes and the case reference in its -wal. Here a
citizen is anonymised with a built report and drawn charts in a folder store and a SQLite job
queue, and then the bytes of every file DEL wrote are searched for what was erased."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import select

from del_tool import create_app
from del_tool.auth.models import Role
from del_tool.auth.services import create_user
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.db import checkpoint_wal, get_db
from del_tool.followups.models import FollowUp, FollowUpKind, GoalReview
from del_tool.goals.models import Goal, GoalDirection, Theme
from del_tool.jobs import get_jobs
from del_tool.organisation.models import LegalSection, TargetGroup, Unit
from tests.conftest import PASSWORD, login, make_config
from tests.security.helpers import db_session

SECRETS = {
    "name": "Zebulonia Quarterfield",
    "case": "ZQ-4711-KX",
    "goal title": "Quillwort gardening on Thursdays",
    "goal text": "Xylophone lessons with Barnaby",
    "gas text": "Visits Grandmother Ysolde weekly",
    "note": "Confidential remark about Vexmoor",
    "review note": "Review remark about Wexford",
}


@pytest.fixture
def erasure_app(databases, tmp_path: Path):
    """An app whose database, job queue and store are all files in `tmp_path`."""
    if databases.backend != "sqlite":
        pytest.skip("the files of an SQLite deployment")
    source = Path(databases.fresh("seeded").removeprefix("sqlite:///"))
    database = tmp_path / "del.sqlite3"
    source.replace(database)
    app = create_app(
        make_config(
            f"sqlite:///{database}",
            JOBS_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
            STORE_URL=f"file://{tmp_path / 'store'}",
        )
    )
    # Debian's SQLite zeroes deleted content by default, most other builds do not: start every
    # connection as those do, so the test shows what DEL's own pragma does.
    engine = get_db(app).engine
    event.listen(engine, "connect", _as_most_builds, insert=True)
    engine.dispose()
    yield app
    get_db(app).dispose()


def _as_most_builds(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA secure_delete=OFF")


def _citizen(app) -> tuple[int, int]:
    """The citizen with every kind of free text, overdue in unit 1; (citizen id, centre id)."""
    with db_session(app) as db:
        unit = db.get(Unit, 1)
        citizen = Citizen(
            name=SECRETS["name"],
            birth_year=1984,
            sex=Sex.FEMALE,
            target_group=TargetGroup.MENTAL_ILLNESS,
            case_reference=SECRETS["case"],
        )
        db.add(citizen)
        db.flush()
        stay = Stay(
            citizen_id=citizen.id,
            unit_id=unit.id,
            municipality_code="461",
            legal_section=LegalSection.S107,
            start_date=date(2025, 1, 6),
        )
        db.add(stay)
        db.flush()
        goal = Goal(
            citizen_id=citizen.id,
            stay_id=stay.id,
            theme=Theme.SELF_CARE,
            title=SECRETS["goal title"],
            description=SECRETS["goal text"],
            direction=GoalDirection.DEVELOP,
            baseline_level=3,
            target_level=1,
            start_date=date(2025, 1, 6),
            gas_zero=SECRETS["gas text"],
        )
        follow_up = FollowUp(
            citizen_id=citizen.id,
            stay_id=stay.id,
            followup_date=date(2025, 1, 13),
            kind=FollowUpKind.BASELINE,
            note=SECRETS["note"],
        )
        db.add_all([goal, follow_up])
        db.flush()
        db.add(
            GoalReview(
                follow_up_id=follow_up.id, goal_id=goal.id, level=3, note=SECRETS["review note"]
            )
        )
        return citizen.id, unit.centre_id


def _run_queue(app) -> int:
    """Run what is queued, as `del-tool worker` would; how many jobs ran."""
    huey, ran = get_jobs(app).huey, 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def _files_holding(root: Path, text: str) -> list[str]:
    needle = text.encode()
    return [
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and needle in p.read_bytes()
    ]


def test_anonymisation_leaves_nothing_in_any_file(erasure_app, tmp_path):
    app = erasure_app
    citizen_id, centre_id = _citizen(app)
    with db_session(app) as db:
        create_user(
            session=db,
            username="leder",
            display_name="Leder",
            password=PASSWORD,
            role=Role.LEADER,
            centre_id=centre_id,
        )
    client = app.test_client()
    login(client, "leder")
    report = f"/reports/report?kind=documentation&scope=centre:{centre_id}&period=2026Q4"
    client.get(report)
    client.get(f"/citizens/{citizen_id}")  # asks for the profile charts
    assert _run_queue(app) >= 2
    assert SECRETS["name"] in client.get(report).get_data(as_text=True)  # the overdue list
    stored = _files_holding(tmp_path / "store", SECRETS["name"])
    assert stored, "the test needs a stored build that names the citizen"
    assert _files_holding(tmp_path / "store", SECRETS["goal title"])  # the charts

    # As SQLite's automatic checkpoints do in time: everything into the database file itself.
    with sqlite3.connect(tmp_path / "del.sqlite3") as connection:
        assert connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    assert "del.sqlite3" in _files_holding(tmp_path, SECRETS["name"])

    result = app.test_cli_runner().invoke(args=["privacy", "anonymise", str(citizen_id), "--yes"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    _run_queue(app)  # whatever the anonymisation queued (redrawing, rebuilding) runs too
    with db_session(app) as db:
        assert (
            db.exec(select(Citizen.name).where(Citizen.id == citizen_id)).one() != (SECRETS["name"])
        )
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert "del.sqlite3" in files and "jobs.sqlite3" in files
    found = {what: _files_holding(tmp_path, text) for what, text in SECRETS.items()}
    assert found == {what: [] for what in SECRETS}, files


def test_a_checkpoint_held_up_by_a_reader_is_retried_and_reported(erasure_app, tmp_path):
    app = erasure_app
    citizen_id, _centre = _citizen(app)
    reader = sqlite3.connect(tmp_path / "del.sqlite3", isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM citizens").fetchone()  # holds a read snapshot
        with db_session(app) as db:
            db.get(Citizen, citizen_id).name = "Ny Navnesen"  # a write after the snapshot
        with app.app_context():
            assert checkpoint_wal(attempts=2, pause=0, wait_ms=10) is False
        result = app.test_cli_runner().invoke(
            args=["privacy", "anonymise", str(citizen_id), "--yes"]
        )
        assert result.exit_code == 0 and "warning: readers kept" in result.output
    finally:
        reader.close()
    again = app.test_cli_runner().invoke(args=["privacy", "anonymise", str(citizen_id), "--yes"])
    assert "already anonymised" in again.output and "warning" not in again.output
    assert (tmp_path / "del.sqlite3-wal").stat().st_size == 0
