"""SECURITY.md "Backup and restore commands (SQLite online backup; pg_dump/pg_restore) with a
tested round trip" (on whichever database the suite runs against)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from del_tool.audit.integrity import verify_history
from del_tool.citizens.models import Citizen
from del_tool.security.backup import backup_database
from tests.security.helpers import db_session
from tests.security.test_history import add_citizen


def _fingerprint(app):
    with db_session(app) as db:
        tables = ("citizens", "stays", "audit_events", "audit_chain_head", "municipalities")
        return {t: db.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in tables}


def test_backup_and_restore_round_trip(app, runner, tmp_path):
    with db_session(app) as db:
        kept = add_citizen(db, name="Bevaret Borgesen").id
    before = _fingerprint(app)
    out = tmp_path / "del.backup"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and oct(out.stat().st_mode)[-3:] == "600"

    with db_session(app) as db:  # changes after the backup, which the restore must undo
        add_citizen(db, name="Senere Sørensen")
        db.get(Citizen, kept).name = "Ændret"
    assert _fingerprint(app) != before

    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert _fingerprint(app) == before
    with db_session(app) as db:
        assert db.get(Citizen, kept).name == "Bevaret Borgesen"
        assert verify_history(db)[1] == []
    # The append-only guards came back with the data.
    with pytest.raises(DatabaseError, match="append-only"), db_session(app) as db:
        db.execute(text("DELETE FROM audit_events"))


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path):
    bogus = tmp_path / "bogus.backup"
    bogus.write_text("not a database", encoding="utf-8")
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1 and "not a" in result.output


def _backup_of(url, out):
    """A backup file of the database at `url`, made as `del-tool backup` makes one."""
    backup_database(url, out)
    return out


def test_restore_refuses_a_database_that_is_not_dels(app, runner, databases, tmp_path):
    """Issue 14: a one-table file passed integrity_check and replaced the database (exit 0)."""
    url = databases.empty()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        foreign = _backup_of(url, tmp_path / "foreign.backup")
    finally:
        engine.dispose()
        databases.drop(url)
    before = _fingerprint(app)
    result = runner.invoke(args=["restore", str(foreign), "--yes"])
    assert result.exit_code == 1, result.output
    assert "no schema revision (alembic_version): this is not a DEL database" in result.output
    assert "was not restored" in result.output
    assert _fingerprint(app) == before


def _tampered_backup(app, databases, tmp_path):
    """A backup of a DEL database in which a trigger was dropped and an event rewritten."""
    url = databases.fresh("seeded")
    engine = create_engine(url)
    try:
        with app.app_context(), Session(engine) as db:  # the app holds the history's key
            add_citizen(db, name="Rigtig Rasmussen")
            db.commit()
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER audit_events_only_erasure"))
            else:
                conn.execute(text("DROP TRIGGER audit_events_guard ON audit_events"))
            conn.execute(text("""UPDATE audit_events SET changes = '{"name": [null, "X"]}'"""))
        return _backup_of(url, tmp_path / "tampered.backup")
    finally:
        engine.dispose()
        databases.drop(url)


def test_restore_refuses_a_broken_chain_and_a_dropped_trigger(app, runner, databases, tmp_path):
    """Issue 14: a backup with a broken history and a dropped trigger restored silently."""
    tampered = _tampered_backup(app, databases, tmp_path)
    with db_session(app) as db:
        add_citizen(db, name="Efter Backuppen")
    before = _fingerprint(app)
    result = runner.invoke(args=["restore", str(tampered), "--yes"])
    assert result.exit_code == 1, result.output
    trigger = (
        "audit_events_only_erasure"
        if "sqlite" in app.config["DATABASE_URL"]
        else ("audit_events_guard")
    )
    assert f"trigger {trigger} on audit_events is missing" in result.output
    assert "history: forged: events 1–2" in result.output
    assert _fingerprint(app) == before  # nothing replaced

    forced = runner.invoke(args=["restore", str(tampered), "--yes", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "warning: history: forged: events 1–2" in forced.output
    with db_session(app) as db:
        assert [c.name for c in db.exec(select(Citizen))] == ["Rigtig Rasmussen"]


def test_a_drill_and_verify_check_a_backup_without_touching_the_database(
    app, runner, databases, tmp_path
):
    """Issue #20 item 5: `backup verify FILE` and `restore --drill FILE` restore into a scratch
    database, run the restore's checks and report; the database stays as it is."""
    with db_session(app) as db:
        add_citizen(db, name="Drill Dalgaard")
    good = tmp_path / "good.backup"
    assert runner.invoke(args=["backup", "--out", str(good)]).exit_code == 0
    with db_session(app) as db:
        add_citizen(db, name="Efter Drillen")
    before = _fingerprint(app)
    for args in (["backup", "verify", str(good)], ["restore", "--drill", str(good)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert "is sound" in result.output and "citizens 1" in result.output
    tampered = _tampered_backup(app, databases, tmp_path)
    result = runner.invoke(args=["backup", "verify", str(tampered)])
    assert result.exit_code == 1 and "problem: history: forged: events 1–2" in result.output
    assert _fingerprint(app) == before
