"""Issue #20 item 5: backups encrypted at rest with BACKUP_ENCRYPTION_KEY; `backup verify` and
`restore` decrypt them, and a missing or wrong key is refused in one line."""

from __future__ import annotations

import io
import sqlite3

import pytest
from sqlmodel import select

from del_tool.citizens.models import Citizen
from del_tool.security import backup_crypto
from del_tool.security.backup_crypto import (
    MAGIC,
    EncryptionError,
    decrypt_stream,
    encrypt_stream,
)
from tests.security.helpers import db_session
from tests.security.test_history import add_citizen

KEY = "backup-key-for-the-tests-0123456789abcdef"
OTHER = "another-backup-key-for-the-tests-0123456789"
NAME = "Krypteret Kristensen"


def _round_trip(data: bytes, keys=(KEY,)) -> bytes:
    sealed, opened = io.BytesIO(), io.BytesIO()
    encrypt_stream(io.BytesIO(data), sealed, KEY)
    decrypt_stream(io.BytesIO(sealed.getvalue()), opened, list(keys), "test")
    return opened.getvalue()


def test_chunks_round_trip_and_any_cut_or_swap_is_refused(monkeypatch):
    monkeypatch.setattr(backup_crypto, "CHUNK", 64)
    for data in (b"", b"x", bytes(range(256)) * 3, b"y" * 128):  # empty, short, 12 and 2 chunks
        assert _round_trip(data) == data
    sealed = io.BytesIO()
    encrypt_stream(io.BytesIO(b"z" * 200), sealed, KEY)  # chunks of 64, 64, 64, 8
    blob = sealed.getvalue()
    header, record = backup_crypto.HEADER_BYTES, 4 + 64 + 16
    chunks = [blob[header + i * record : header + (i + 1) * record] for i in range(3)]
    damaged = {
        "cut at a chunk boundary": blob[: header + 3 * record],
        "cut inside a chunk": blob[:-5],
        "two chunks swapped": blob[:header] + chunks[1] + chunks[0] + blob[header + 2 * record :],
        "one bit flipped": blob[:-1] + bytes([blob[-1] ^ 1]),
    }
    for why, data in damaged.items():
        with pytest.raises(EncryptionError, match="damaged, cut short or altered"):
            decrypt_stream(io.BytesIO(data), io.BytesIO(), [KEY], "test")
        assert why


def test_a_wrong_or_short_key_is_refused():
    sealed = io.BytesIO()
    encrypt_stream(io.BytesIO(b"secret"), sealed, KEY)
    with pytest.raises(EncryptionError, match="encrypted with another key"):
        decrypt_stream(io.BytesIO(sealed.getvalue()), io.BytesIO(), [OTHER], "f")
    assert _round_trip(b"secret", keys=(OTHER, KEY)) == b"secret"  # a retired key opens it
    with pytest.raises(EncryptionError, match="too short"):
        encrypt_stream(io.BytesIO(b"x"), io.BytesIO(), "short")


def _encrypted_backup(app, runner, tmp_path):
    with db_session(app) as db:
        add_citizen(db, name=NAME)
    app.config["BACKUP_ENCRYPTION_KEY"] = KEY
    out = tmp_path / "del.backup.enc"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0 and "(encrypted)" in result.output, result.output
    return out


def test_an_encrypted_backup_is_unreadable_without_the_key(app, runner, tmp_path):
    out = _encrypted_backup(app, runner, tmp_path)
    data = out.read_bytes()
    assert data.startswith(MAGIC) and oct(out.stat().st_mode)[-3:] == "600"
    for plain in (b"SQLite format 3", b"PGDMP", NAME.encode(), b"citizens", b"audit_events"):
        assert plain not in data
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(f"file:{out}?mode=ro", uri=True).execute("SELECT * FROM sqlite_master")
    assert not list(tmp_path.glob(".del-backup-*"))  # the plain copy is gone

    app.config["BACKUP_ENCRYPTION_KEY"] = None
    result = runner.invoke(args=["backup", "verify", str(out)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {out} is encrypted: set BACKUP_ENCRYPTION_KEY (or BACKUP_RETIRED_KEYS) to the "
        "key it was made with"
    )


def test_a_wrong_key_is_refused_in_one_line(app, runner, tmp_path):
    out = _encrypted_backup(app, runner, tmp_path)
    app.config["BACKUP_ENCRYPTION_KEY"] = OTHER
    for args in (["backup", "verify", str(out)], ["restore", str(out), "--yes"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert result.output.strip() == (
            f"Error: {out} was encrypted with another key: neither BACKUP_ENCRYPTION_KEY nor "
            "BACKUP_RETIRED_KEYS opens it"
        )
    app.config["BACKUP_RETIRED_KEYS"] = (KEY,)  # after a key change the old one still opens it
    assert runner.invoke(args=["backup", "verify", str(out)]).exit_code == 0


def test_an_encrypted_backup_verifies_drills_and_restores(app, runner, tmp_path):
    out = _encrypted_backup(app, runner, tmp_path)
    for args in (["backup", "verify", str(out)], ["restore", "--drill", str(out)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert "is sound" in result.output and "citizens 1" in result.output
    with db_session(app) as db:
        add_citizen(db, name="Efter Backuppen")
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    with db_session(app) as db:
        assert [c.name for c in db.exec(select(Citizen))] == [NAME]
