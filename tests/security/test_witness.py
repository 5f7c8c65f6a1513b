"""Issue 14 section 2: the history is anchored outside the app's reach. A witness process signs
checkpoints (count, last id, last MAC) with a key the app does not hold; `del-tool audit verify`
compares the chain with them, so truncation and rewrites since a checkpoint are reported with
their range even by someone who holds the app's MAC key (docs/SECURITY-history.md)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlmodel import col, select

from del_tool.audit.chain import event_content, event_mac
from del_tool.audit.keys import AuditKeys
from del_tool.audit.models import AuditEvent
from del_tool.audit.services import record_change
from del_tool.cli import cli
from tests.conftest import TEST_AUDIT_KEY
from tests.security.helpers import db_session, without_guards


@pytest.fixture
def witnessed(app, tmp_path):
    """The app with a witness key pair; returns a function that runs the witness once."""
    key_file = tmp_path / "witness" / "key.pem"
    result = CliRunner().invoke(cli, ["witness", "keygen", "--out", str(key_file)])
    assert result.exit_code == 0, result.output
    public = result.output.split("WITNESS_PUBLIC_KEY = ")[1].strip().strip("'")
    checkpoints = tmp_path / "witness" / "checkpoints.jsonl"
    app.config.update(WITNESS_PUBLIC_KEY=public, WITNESS_CHECKPOINT_FILE=str(checkpoints))

    def run():
        args = ["witness", "run", "--database-url", app.config["DATABASE_URL"]]
        args += ["--key-file", str(key_file), "--checkpoints", str(checkpoints)]
        return CliRunner().invoke(cli, args)

    run.checkpoints = checkpoints
    return run


def _events(app, n: int) -> None:
    with db_session(app) as db:
        for i in range(n):
            record_change(
                session=db,
                user_id=None,
                action="update",
                entity="users",
                entity_id=i,
                citizen_id=None,
                changes={"role": ["staff", f"r{i}"]},
            )


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_witnessed_history_verifies_and_newer_events_are_listed(app, witnessed):
    _events(app, 4)
    assert witnessed().exit_code == 0
    assert witnessed().output == ""  # unchanged head: nothing signed
    _events(app, 2)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "note: unwitnessed: events 5–6: 2 event(s) written after the newest checkpoint" in (
        result.output
    )


def _head_matching_chain(app) -> str:
    """The head row set to what the chain holds (what a careful forger would do)."""
    return (
        "UPDATE audit_chain_head SET event_count = (SELECT count(*) FROM audit_events), "
        "last_id = (SELECT max(id) FROM audit_events), last_hash = (SELECT hash FROM "
        "audit_events WHERE id = (SELECT max(id) FROM audit_events))"
    )


def test_truncation_since_a_checkpoint_is_reported_with_its_range(app, witnessed):
    _events(app, 6)
    assert witnessed().exit_code == 0
    without_guards(app, "DELETE FROM audit_events WHERE id > 4", _head_matching_chain(app))
    result = _verify(app)
    assert result.exit_code == 1
    assert "truncated: events 5–6: witnessed by checkpoint 1" in result.output
    refused = witnessed()
    assert refused.exit_code == 1 and "not signing" in refused.output


def test_a_rewrite_with_the_stolen_mac_key_is_reported_with_its_range(app, witnessed):
    _events(app, 4)
    assert witnessed().exit_code == 0
    _events(app, 2)
    assert witnessed().exit_code == 0
    # The thief of instance/config.py rewrites event 5 and recomputes every MAC after it.
    keys = AuditKeys.from_secrets(TEST_AUDIT_KEY)
    statements = []
    with db_session(app) as db:
        events = db.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        prev = events[3].hash
        for event in events[4:]:
            if event.id == 5:
                event.user_id = 99
            mac = event_mac(keys.current, keys.current_id, prev, event_content(event))
            statements.append(
                f"UPDATE audit_events SET user_id = {event.user_id or 'NULL'}, "
                f"prev_hash = '{prev}', hash = '{mac}' WHERE id = {event.id}"
            )
            prev = mac
        db.expunge_all()
    without_guards(app, *statements, _head_matching_chain(app))
    result = _verify(app)
    assert result.exit_code == 1
    assert "rewritten: events 5–6: removed or rewritten since checkpoint 2" in result.output
    assert "forged" not in result.output  # the chain itself verifies: only the witness knows


def test_a_forged_checkpoint_is_reported(app, witnessed):
    _events(app, 2)
    assert witnessed().exit_code == 0
    line = json.loads(witnessed.checkpoints.read_text())
    line["count"] = 1
    witnessed.checkpoints.write_text(json.dumps(line) + "\n")
    result = _verify(app)
    assert result.exit_code == 1 and "line 1" in result.output
    assert "the signature is forged" in result.output


def test_a_missing_checkpoint_file_is_a_problem(app, witnessed):
    _events(app, 1)
    result = _verify(app)
    assert result.exit_code == 1 and "witness: no checkpoint file" in result.output


def test_without_a_witness_verify_says_the_history_is_not_anchored(app):
    _events(app, 1)
    result = _verify(app)
    assert result.exit_code == 0 and "note: witness: no WITNESS_PUBLIC_KEY" in result.output
