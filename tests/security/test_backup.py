"""SECURITY.md "Backup and restore commands (SQLite online backup; pg_dump/pg_restore) with a
tested round trip" (on whichever database the suite runs against)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from del_tool.audit.integrity import verify_history
from del_tool.citizens.models import Citizen
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
