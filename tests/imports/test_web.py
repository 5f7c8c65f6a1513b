"""The web import (#18 items 3-5): upload with a dry run, confirmation, the commit as a job,
the page's states, and who may see an import."""

from __future__ import annotations

from sqlmodel import select

from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_db
from del_tool.imports.batches import read_progress
from del_tool.imports.models import ImportBatch, ImportFile, ImportState
from tests.imports.test_cli import STAYS
from tests.imports.web import leader_client, only_batch, upload, workbook


def _counts(app):
    with app.app_context(), get_db(app).session(write=False) as db:
        return len(db.exec(select(Citizen)).all()), len(db.exec(select(Stay)).all())


def test_upload_plans_then_the_confirmation_writes(app, make_user, units):
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    response = upload(client, workbook(), unit=unit)
    assert response.status_code == 303, response.get_data(as_text=True)
    batch = only_batch(app)
    assert batch.state == ImportState.PLANNED and batch.unit_ids == [unit]
    assert response.location.endswith(f"/imports/{batch.id}")
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Prøvekørsel: intet er gemt endnu" in page
    assert "Gem indlæsningen" in page
    assert _counts(app) == (0, 0)  # nothing written by the dry run
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.get(ImportFile, batch.id) is not None  # the file is kept server-side
    response = client.post(f"/imports/{batch.id}/confirm")
    assert response.status_code == 303
    assert _counts(app) == (2, 3)
    batch = only_batch(app)
    assert batch.state == ImportState.DONE and batch.finished_at is not None
    with app.app_context():
        progress = read_progress(batch.id)
        assert (progress["done"], progress["total"]) == (5, 5)  # the waiting page's count
    assert batch.summary["stays"]["create"] == 3
    assert sorted(batch.result["created"]["citizens"]) == batch.result["created"]["citizens"]
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.get(ImportFile, batch.id) is None  # dropped once written
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Indlæsningen er gemt" in page
    # Confirming again changes nothing.
    assert client.post(f"/imports/{batch.id}/confirm").status_code == 303
    assert _counts(app) == (2, 3)


def test_the_page_shows_counts_refusals_and_refuses_all_or_nothing(app, make_user, units):
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    bad = STAYS + "O4;B1;Odense;107;01.01.2026;01.01.2020\n"
    upload(client, workbook(stays=bad), unit=unit, all_or_nothing=True)
    batch = only_batch(app)
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Afviste rækker" in page
    assert "Slutdatoen må ikke være før startdatoen." in page
    assert "Intet kan gemmes" in page and "Gem indlæsningen" not in page
    client.post(f"/imports/{batch.id}/confirm")
    assert _counts(app) == (0, 0)
    assert only_batch(app).state == ImportState.PLANNED


def test_a_plan_that_no_longer_holds_is_refused(app, make_user, units):
    """A record imported before is edited between the dry run and the confirmation."""
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    upload(client, workbook(), unit=unit)
    first = only_batch(app)
    client.post(f"/imports/{first.id}/confirm")
    first = only_batch(app)
    edited = STAYS.replace("O3;B2;Vejle;108;01.01.2025;", "O3;B2;Vejle;108;01.01.2025;30.06.2025")
    upload(client, workbook(stays=edited), unit=unit)
    with app.app_context(), get_db(app).session(write=True) as db:
        second = db.exec(select(ImportBatch).where(ImportBatch.id != first.id)).one()
        assert second.summary["stays"]["update"] == 1
        # Meanwhile the stay the file updates is erased in DEL (a stay form's deletion).
        stay = db.get(Stay, first.result["created"]["stays"][-1])
        db.delete(stay)
        db.commit()
        second_id = second.id
    client.post(f"/imports/{second_id}/confirm")
    with app.app_context(), get_db(app).session(write=False) as db:
        second = db.get(ImportBatch, second_id)
        assert second.state == ImportState.REFUSED and second.message == "changed"
    page = client.get(f"/imports/{second_id}").get_data(as_text=True)
    assert "prøvekørslen holder ikke længere" in page
    assert _counts(app) == (2, 2)


def test_another_leaders_import_is_not_found(app, make_user, units):
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    upload(client, workbook(), unit=unit)
    batch = only_batch(app)
    other = leader_client(app, make_user, unit, username="andenleder")
    assert other.get(f"/imports/{batch.id}").status_code == 404
    assert other.post(f"/imports/{batch.id}/confirm").status_code == 404
    assert other.post(f"/imports/{batch.id}/undo").status_code == 404
    assert "borgere.xlsx" not in other.get("/imports/batches").get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_the_waiting_page_reloads_itself_and_a_failed_commit_says_why(
    app, make_user, units, monkeypatch
):
    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    upload(client, workbook(), unit=unit)
    batch = only_batch(app)
    with app.app_context(), get_db(app).session(write=True) as db:
        queued = db.get(ImportBatch, batch.id)
        queued.state = ImportState.QUEUED.value  # confirmed, no worker has taken it yet
        db.commit()
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Indlæsningen venter på at blive gemt." in page
    with app.app_context(), get_db(app).session(write=True) as db:
        db.get(ImportBatch, batch.id).state = ImportState.PLANNED.value
        db.commit()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("del_tool.imports.tasks.publish", broken)
    assert client.post(f"/imports/{batch.id}/confirm").status_code == 303
    failed = only_batch(app)
    assert failed.state == ImportState.FAILED
    assert failed.message == "RuntimeError: disk on fire"
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Indlæsningen mislykkedes" in page and "disk on fire" in page
    assert "http-equiv" not in page
    assert _counts(app) == (0, 0)


def test_a_dry_run_left_unconfirmed_is_dropped_with_its_file(app, make_user, units):
    from datetime import timedelta

    from del_tool.imports.batches import PLAN_HOURS
    from del_tool.modelbase import utcnow

    unit = units["Bostedet Engtoften"]
    client = leader_client(app, make_user, unit)
    upload(client, workbook(), unit=unit)
    old = only_batch(app)
    with app.app_context(), get_db(app).session(write=True) as db:
        db.get(ImportBatch, old.id).created_at = utcnow() - timedelta(hours=PLAN_HOURS + 1)
        db.commit()
    upload(client, workbook(), unit=unit)
    with app.app_context(), get_db(app).session(write=False) as db:
        [kept] = db.exec(select(ImportBatch)).all()  # SQLite may give it the old id again
        assert kept.created_at > utcnow() - timedelta(hours=1)
        assert len(db.exec(select(ImportFile)).all()) == 1
