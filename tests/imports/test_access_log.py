"""SECURITY.md "an access log of every view ... of a citizen's data": the dry run shows the
existing citizens a new row resembles (name, birth year, unit), so each one shown gets an access
event, which survives the dry run's rollback."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from del_tool.audit.models import AccessEvent
from del_tool.citizens.duplicates import CHECK_ACTION
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.db import get_db
from del_tool.imports.access import CLI_ENDPOINT
from del_tool.organisation.models import LegalSection, TargetGroup
from tests.imports.test_cli import CITIZENS, STAYS, _centre, _run, _write


def existing_citizen(app, unit_id: int, name: str = "Anna Jensen", birth_year: int = 1985) -> int:
    """A citizen DEL has in `unit_id` (a stay since 2024), committed; their id."""
    with app.app_context(), get_db(app).session(write=True) as db:
        citizen = Citizen(
            name=name, birth_year=birth_year, sex=Sex.FEMALE, target_group=TargetGroup.AUTISM
        )
        db.add(citizen)
        db.flush()
        db.add(
            Stay(
                citizen_id=citizen.id,
                unit_id=unit_id,
                municipality_code="461",
                legal_section=LegalSection.S107,
                start_date=date(2024, 1, 1),
            )
        )
        db.commit()
        return int(citizen.id or 0)


def access_events(app, **where) -> list[AccessEvent]:
    """Access events whose columns have the given values."""
    with app.app_context(), get_db(app).session(write=False) as db:
        query = select(AccessEvent)
        for name, value in where.items():
            query = query.where(col(getattr(AccessEvent, name)) == value)
        return list(db.exec(query).all())


def test_the_cli_dry_run_logs_each_citizen_it_shows(app, runner, units, make_user, tmp_path):
    unit = units["Bostedet Engtoften"]
    anna = existing_citizen(app, unit)
    existing_citizen(app, unit, name="Helt Anden", birth_year=1950)  # resembles no row
    user = make_user("leader", centre_id=_centre(app, unit))
    args = ["--unit", unit, "--user", user.username]
    result = _run(runner, *_write(tmp_path), *args, "--dry-run")
    assert f"ligner borger {anna} (Anna Jensen, født 1985" in result.output
    [event] = access_events(app, endpoint=CLI_ENDPOINT)
    assert (event.citizen_id, event.user_id, event.action) == (anna, user.id, CHECK_ACTION)
    # Without --dry-run the duplicate stops the write, which is rolled back: logged again.
    result = _run(runner, *_write(tmp_path), *args)
    assert result.exit_code == 1 and "Intet er gemt" in result.output
    assert len(access_events(app, endpoint=CLI_ENDPOINT, citizen_id=anna)) == 2
    with app.app_context(), get_db(app).session(write=False) as db:
        assert len(db.exec(select(Citizen)).all()) == 2  # nothing imported
    # Written with --accept-duplicates: logged with the import, in its transaction.
    result = _run(runner, *_write(tmp_path), *args, "--accept-duplicates")
    assert result.exit_code == 0, result.output
    assert len(access_events(app, endpoint=CLI_ENDPOINT, citizen_id=anna)) == 3


def test_the_cli_dry_run_without_a_user_logs_no_user(app, runner, units, tmp_path):
    unit = units["Bostedet Engtoften"]
    anna = existing_citizen(app, unit)
    result = _run(runner, *_write(tmp_path), "--unit", unit, "--dry-run")
    assert result.exit_code == 0, result.output
    [event] = access_events(app, endpoint=CLI_ENDPOINT)
    assert (event.citizen_id, event.user_id) == (anna, None)


def test_nothing_shown_nothing_logged(app, runner, units, tmp_path):
    files = _write(tmp_path, CITIZENS, STAYS)
    result = _run(runner, *files, "--unit", units["Bostedet Engtoften"], "--dry-run")
    assert result.exit_code == 0 and not access_events(app, endpoint=CLI_ENDPOINT)


def test_the_web_dry_run_logs_each_citizen_it_shows(app, make_user, units):
    from tests.imports.web import leader_client, only_batch, upload, workbook

    unit = units["Bostedet Engtoften"]
    anna = existing_citizen(app, unit)
    client = leader_client(app, make_user, unit)
    upload(client, workbook(), unit=unit)
    batch = only_batch(app)
    assert batch.plan["duplicates"] == [{"sheet": "Borgere", "row": 2, "citizen_id": anna}]
    assert not access_events(app, citizen_id=anna)  # the record holds ids; nothing shown yet
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Mulige dubletter" in page and "Anna Jensen" in page and "1985" in page
    [event] = access_events(app, citizen_id=anna)
    assert (event.endpoint, event.user_id, event.action) == (
        "imports.batch",
        client.user.id,
        CHECK_ACTION,
    )
    client.get(f"/imports/{batch.id}")
    assert len(access_events(app, citizen_id=anna)) == 2  # every showing is a read
