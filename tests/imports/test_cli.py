"""`del-tool import` (#18 item 7): the dry run's summary and refusals, exit 1 on any refusal,
and the write: in one transaction, through the forms' services with the change history, and
idempotent by the external references."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from del_tool.audit.models import AuditEvent
from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_db
from del_tool.imports.models import ImportBatch, ImportReference
from tests.imports.conftest import FIXTURES

CITIZENS = (
    "Borger-ID;Navn;Fødselsår;Køn;Målgruppe\n"
    "B1;Anna Jensen;1984;K;Autisme\n"
    "B2;Bo Berg;1990;M;Autisme\n"
)
STAYS = (
    "Ophold-ID;Borger-ID;Betalingskommune;Paragraf;Startdato;Slutdato\n"
    "O1;B1;Odense;107;01.02.2025;\n"
    "O2;B2;Vejle;108;01.03.2024;31.12.2024\n"
    "O3;B2;Vejle;108;01.01.2025;\n"
)


def _write(tmp_path: Path, citizens: str = CITIZENS, stays: str = STAYS) -> list[str]:
    (tmp_path / "borgere.csv").write_text(citizens, encoding="utf-8")
    (tmp_path / "ophold.csv").write_text(stays, encoding="utf-8")
    return [str(tmp_path / "borgere.csv"), str(tmp_path / "ophold.csv")]


def _run(runner, *args):
    return runner.invoke(args=["import", *map(str, args)])


def _counts(app):
    with app.app_context(), get_db(app).session(write=False) as db:
        return (
            len(db.exec(select(Citizen)).all()),
            len(db.exec(select(Stay)).all()),
            len(db.exec(select(ImportReference)).all()),
        )


def test_the_dry_run_prints_counts_and_refusals_and_exits_1(app, runner, units):
    files = [FIXTURES / "borgere_cp1252.csv", FIXTURES / "ophold.csv"]
    unit_args = [
        "--unit",
        units["Bostedet Engtoften"],
        "--unit",
        units["Autismecentret Vestkysten"],
    ]
    result = _run(runner, *files, *unit_args, "--dry-run")
    assert result.exit_code == 1, result.output
    assert "Borgere: 3 oprettes, 0 opdateres, 0 uændret, 2 afvist" in result.output
    assert "Ophold: 3 oprettes, 0 opdateres, 0 uændret, 4 afvist" in result.output
    assert "  borgere_cp1252.csv, række 7, Fødselsår: Skriv et helt tal." in result.output
    assert "ophold.csv, række 5, Tilbud: Tilbuddet er ikke et af dem" in result.output
    assert "borgere_cp1252.csv: kolonnen Bemærkning bruges ikke" in result.output
    assert "010190" not in result.output  # a refused CPR-like number is never echoed
    assert "Prøvekørsel: intet er gemt." in result.output
    assert _counts(app) == (0, 0, 0)


def test_bad_files_are_one_line(runner, units):
    for name in ("encrypted.xlsx", "empty.csv", "not_a_spreadsheet.xlsx"):
        result = _run(runner, FIXTURES / name, "--unit", units["Bostedet Engtoften"], "--dry-run")
        assert result.exit_code == 1
        assert result.output.startswith("Error: " + name) and result.output.count("\n") == 1


def test_writing_needs_a_user_in_whose_scope_the_units_are(app, runner, units, make_user, tmp_path):
    unit = units["Bostedet Engtoften"]
    result = _run(runner, *_write(tmp_path), "--unit", unit)
    assert result.exit_code == 1 and "--user" in result.output
    other = make_user(
        "leader",
        username="fremmed",
        centre_id=_centre(app, units["Rehabiliteringsbostedet Åløkken"]),
    )
    result = _run(runner, *_write(tmp_path), "--unit", unit, "--user", other.username)
    assert result.exit_code == 1 and "ikke i brugerens område" in result.output
    assert _counts(app) == (0, 0, 0)


def _centre(app, unit_id):
    from del_tool.organisation.models import Unit

    with app.app_context(), get_db(app).session(write=False) as db:
        return db.get(Unit, unit_id).centre_id


def test_import_writes_once_and_updates_what_changed(app, runner, units, make_user, tmp_path):
    """The first run creates 2 citizens and 3 stays (the file has no unit column: the one
    --unit); the same files again change nothing; an edited end date updates one stay."""
    unit = units["Bostedet Engtoften"]
    user = make_user("leader", centre_id=_centre(app, unit))
    args = ["--unit", unit, "--user", user.username]
    first = _run(runner, *_write(tmp_path), *args)
    assert first.exit_code == 0, first.output
    assert "Borgere: 2 oprettes" in first.output and "Ophold: 3 oprettes" in first.output
    assert _counts(app) == (2, 3, 5)
    with app.app_context(), get_db(app).session(write=False) as db:
        stays = db.exec(select(Stay).order_by(col(Stay.start_date))).all()
        assert {s.unit_id for s in stays} == {unit}
        [batch] = db.exec(select(ImportBatch)).all()
        assert batch.user_id == user.id and batch.source == "regneark"
        events = db.exec(select(AuditEvent).where(col(AuditEvent.user_id) == user.id)).all()
        creates = [(e.entity, e.action) for e in events if e.action == "create"]
        assert sorted(creates) == [("citizens", "create")] * 2 + [("stays", "create")] * 3
        [imported] = [e for e in events if e.action == "import"]
        assert imported.entity == "import_batches" and imported.entity_id == str(batch.id)
        assert sorted(imported.changes["created"][1]["stays"]) == sorted(s.id for s in stays)

    again = _run(runner, *_write(tmp_path), *args)
    assert again.exit_code == 0, again.output
    assert "Borgere: 0 oprettes, 0 opdateres, 2 uændret, 0 afvist" in again.output
    assert "Ophold: 0 oprettes, 0 opdateres, 3 uændret, 0 afvist" in again.output
    assert _counts(app) == (2, 3, 5)

    edited = STAYS.replace("O3;B2;Vejle;108;01.01.2025;", "O3;B2;Vejle;108;01.01.2025;30.06.2025")
    third = _run(runner, *_write(tmp_path, stays=edited), *args)
    assert third.exit_code == 0, third.output
    assert "Ophold: 0 oprettes, 1 opdateres, 2 uændret, 0 afvist" in third.output
    with app.app_context(), get_db(app).session(write=False) as db:
        ended = db.exec(select(Stay).where(col(Stay.end_date).is_not(None))).all()
        assert sorted(str(s.end_date) for s in ended) == ["2024-12-31", "2025-06-30"]
    assert _counts(app) == (2, 3, 5)


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(
    app, runner, units, make_user, tmp_path
):
    unit = units["Bostedet Engtoften"]
    user = make_user("leader", centre_id=_centre(app, unit))
    bad = STAYS + "O4;B1;Odense;107;01.01.2026;01.01.2020\n"
    args = ["--unit", unit, "--user", user.username]
    result = _run(runner, *_write(tmp_path, stays=bad), *args, "--all-or-nothing")
    assert result.exit_code == 1
    assert "Slutdatoen må ikke være før startdatoen." in result.output
    assert _counts(app) == (0, 0, 0)
    # Without --all-or-nothing the accepted rows are written, and the exit status is still 1.
    result = _run(runner, *_write(tmp_path, stays=bad), *args)
    assert result.exit_code == 1 and _counts(app) == (2, 3, 5)
