"""Undo (#18 item 5): an import undone as a whole by the leader who made it, while nothing else
has changed its records since; the undo is an event of the change history, which the chain
check accepts; a later edit refuses it; an undone import can be imported again."""

from __future__ import annotations

from sqlmodel import col, select

from del_tool.audit.integrity import verify_history
from del_tool.audit.models import AuditEvent
from del_tool.auth.scope import Scope
from del_tool.citizens import history
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_db
from del_tool.imports.models import ImportBatch, ImportReference, ImportState
from del_tool.imports.undo import UNDO_ACTION
from tests.imports.test_cli import STAYS, _run, _write
from tests.imports.web import leader_client, only_batch, upload, workbook


def _counts(app):
    with app.app_context(), get_db(app).session(write=False) as db:
        return (
            len(db.exec(select(Citizen)).all()),
            len(db.exec(select(Stay)).all()),
            len(db.exec(select(ImportReference)).all()),
        )


def _imported(app, client, unit, data=None):
    """Upload and confirm a workbook; the batch."""
    upload(client, data or workbook(), unit=unit)
    with app.app_context(), get_db(app).session(write=False) as db:
        batch = db.exec(select(ImportBatch).order_by(col(ImportBatch.id).desc())).first()
    client.post(f"/imports/{batch.id}/confirm")
    with app.app_context(), get_db(app).session(write=False) as db:
        batch = db.get(ImportBatch, batch.id)
        assert batch.state == ImportState.DONE, batch.message
        db.expunge(batch)
        return batch


def _history_intact(app):
    with app.app_context(), get_db(app).session(write=False) as db:
        _state, problems = verify_history(db)
    assert problems == []


def test_undo_removes_what_the_import_created_and_is_in_the_history(app, make_user, units):
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    batch = _imported(app, client, unit)
    assert _counts(app) == (2, 3, 5)
    page = client.get("/imports/batches").get_data(as_text=True)
    assert "borgere.xlsx" in page and "Fortryd" in page
    response = client.post(f"/imports/{batch.id}/undo", follow_redirects=True)
    assert "er fortrudt" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0, 0)
    with app.app_context(), get_db(app).session(write=False) as db:
        undone = db.get(ImportBatch, batch.id)
        assert undone.state == ImportState.UNDONE and undone.undone_at is not None
        [event] = db.exec(select(AuditEvent).where(AuditEvent.action == UNDO_ACTION)).all()
        assert event.entity == "import_batches" and event.entity_id == str(batch.id)
        assert sorted(event.changes["removed"][1]["stays"]) == sorted(
            batch.result["created"]["stays"]
        )
        deletes = db.exec(select(AuditEvent).where(AuditEvent.action == "delete")).all()
        assert (
            sorted((e.entity, e.citizen_id is not None) for e in deletes)
            == [("citizens", True)] * 2 + [("stays", True)] * 3
        )
    _history_intact(app)
    # The same file imports again after the undo, as new.
    redone = _imported(app, client, unit)
    assert redone.summary["citizens"]["create"] == 2 and _counts(app) == (2, 3, 5)
    _history_intact(app)
    # Undone once: a second undo is refused, and the list offers no button.
    response = client.post(f"/imports/{batch.id}/undo", follow_redirects=True)
    assert "Kun en gemt indlæsning" in response.get_data(as_text=True)
    listing = client.get("/imports/batches").get_data(as_text=True)
    assert f'action="/imports/{batch.id}/undo"' not in listing


def test_undo_after_a_later_edit_is_refused_naming_it(app, make_user, units):
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    batch = _imported(app, client, unit)
    stay_id = batch.result["created"]["stays"][0]
    staff = make_user("staff", unit_ids=[unit])
    with app.app_context(), get_db(app).session(write=True) as db:
        stay = db.get(Stay, stay_id)
        actor = Actor(user_id=staff.id, scope=Scope(unit_ids=frozenset({unit})))
        history.update(db, actor, stay, {"tariff_level": "Niveau 2"}, citizen_id=stay.citizen_id)
        db.commit()
    response = client.post(f"/imports/{batch.id}/undo", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "kan ikke fortrydes" in page and f"ophold {stay_id} er ændret" in page
    assert _counts(app) == (2, 3, 5)
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.get(ImportBatch, batch.id).state == ImportState.DONE


def test_undo_restores_what_an_import_updated_and_the_file_imports_again(app, make_user, units):
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    first = _imported(app, client, unit)
    edited = STAYS.replace("O3;B2;Vejle;108;01.01.2025;", "O3;B2;Vejle;108;01.01.2025;30.06.2025")
    second = _imported(app, client, unit, workbook(stays=edited))
    [stay_id] = second.result["updated"]["stays"]
    assert second.result["created"] == {"citizens": [], "stays": []}
    client.post(f"/imports/{second.id}/undo")
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.get(Stay, stay_id).end_date is None  # the value before the second import
        ref = db.exec(select(ImportReference).where(ImportReference.external_ref == "O3")).one()
        assert ref.import_id == first.id
    _history_intact(app)
    # The edited file updates the stay again (its reference is as before the second import).
    again = _imported(app, client, unit, workbook(stays=edited))
    assert again.summary["stays"] == {"create": 0, "update": 1, "unchanged": 2, "refused": 0}
    # The first import's stay was changed since (and changed back): it stays as it is.
    response = client.post(f"/imports/{first.id}/undo", follow_redirects=True)
    assert f"ophold {stay_id} er ændret" in response.get_data(as_text=True)
    assert _counts(app) == (2, 3, 5)


def test_the_cli_undo(app, runner, units, make_user, tmp_path):
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    other = make_user("leader", username="anden", centre_id=client.user.centre_id)
    result = _run(runner, *_write(tmp_path), "--unit", unit, "--user", client.user.username)
    assert result.exit_code == 0, result.output
    batch = only_batch(app)
    refused = runner.invoke(args=["import", "undo", str(batch.id), "--user", other.username])
    assert refused.exit_code == 1 and "Kun den, der lavede indlæsningen" in refused.output
    done = runner.invoke(args=["import", "undo", str(batch.id), "--user", client.user.username])
    assert done.exit_code == 0, done.output
    assert f"Indlæsning {batch.id} er fortrudt: 5 poster" in done.output
    assert _counts(app) == (0, 0, 0)
    missing = runner.invoke(args=["import", "undo", "999", "--user", client.user.username])
    assert missing.exit_code == 1 and "Ingen indlæsning 999" in missing.output
