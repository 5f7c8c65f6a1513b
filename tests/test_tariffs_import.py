"""Tariffs from a spreadsheet (#18 item 3): `del-tool organisation import-tariffs` and the checks
the web shares (`del_tool.organisation.tariffs_import`).

Files as people write them: a title above the header, Danish headers, decimal commas, a unit by
its name, by centre and name or by its Tilbudsportalen id; every bad row refused with its row
number, column and reason, and then nothing written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from del_tool.audit.models import AuditEvent
from del_tool.db import get_db
from del_tool.organisation.models import Centre, LegalSection, Tariff, Unit
from del_tool.organisation.offers_import import OfferFileError
from del_tool.organisation.tariffs_import import check_tariffs, read_upload

HEADER = (
    "Tilbuds-ID;Center;Tilbud;Paragraf;Takstniveau;Gælder fra;Gælder til og med;"
    "Takst pr. dag (kr.);Belægningsprocent\n"
)
GOOD = (
    "Takster 2026\n"
    + HEADER
    + ";;Bostedet Engtoften;§ 108;1;01.01.2026;;2.450,75;95\n"
    + ";Center for Socialpsykiatri;Botilbuddet Strandhuse;108;;2026-01-01;31.12.2026;1980,5;\n"
    + "812345-1;;;SEL § 107;;1/1/2026;;3100;92,5 %\n"
)


@pytest.fixture
def offer_unit(app):
    """Give the seeded unit Aktivitetshuset Kilden the Tilbudsportalen id 812345-1."""
    with app.app_context(), get_db(app).session(write=True) as db:
        unit = db.exec(select(Unit).where(Unit.name == "Aktivitetshuset Kilden")).one()
        unit.offer_id = "812345-1"
        db.add(unit)
        db.commit()
        return unit.id


def _run(runner, tmp_path, text, *args, name="takster.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252") if isinstance(text, str) else text)
    return runner.invoke(args=["organisation", "import-tariffs", str(path), *args])


def _tariffs(app):
    with app.app_context(), get_db(app).session(write=False) as db:
        return db.exec(select(Tariff).order_by(col(Tariff.id))).all()


def _events(app, entity):
    with app.app_context(), get_db(app).session(write=False) as db:
        query = select(AuditEvent).where(AuditEvent.entity == entity)
        return db.exec(query.order_by(col(AuditEvent.id))).all()


def _check(app, text, **options):
    with app.app_context(), get_db(app).session(write=False) as db:
        header, rows = read_upload(text.encode("utf-8"), "takster.csv")
        result = check_tariffs(db, header, rows, **options)
        return result, {(p.row, p.column): str(p.reason) for p in result.problems}


def test_a_tariff_file_is_checked_then_written_once(app, runner, tmp_path, offer_unit):
    dry = _run(runner, tmp_path, GOOD)
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output and "3 tariff(s) new" in dry.output
    assert not _tariffs(app)

    done = _run(runner, tmp_path, GOOD, "--commit")
    assert done.exit_code == 0, done.output
    first, second, third = _tariffs(app)
    assert (first.legal_section, first.level, first.valid_from) == (
        LegalSection.S108,
        "1",
        date(2026, 1, 1),
    )
    assert first.daily_amount == Decimal("2450.75") and first.occupancy_basis == Decimal("95")
    assert second.valid_to == date(2026, 12, 31) and second.daily_amount == Decimal("1980.50")
    assert second.occupancy_basis is None and second.level == ""
    assert third.unit_id == offer_unit and third.occupancy_basis == Decimal("92.5")
    assert [e.action for e in _events(app, "tariffs")] == ["create"] * 3
    [summary] = _events(app, "organisation_imports")
    assert summary.changes["kind"] == [None, "tariffs"]
    assert summary.changes["created"] == [None, 3]

    again = _run(runner, tmp_path, GOOD, "--commit")
    assert again.exit_code == 0, again.output
    assert "0 tariff(s) new, 0 changed, 3 unchanged" in again.output
    assert len(_events(app, "tariffs")) == 3 and len(_events(app, "organisation_imports")) == 1

    changed = _run(runner, tmp_path, GOOD.replace("1980,5", "2000"), "--commit")
    assert "0 tariff(s) new, 1 changed, 2 unchanged" in changed.output
    assert _tariffs(app)[1].daily_amount == Decimal("2000.00")
    update = _events(app, "tariffs")[-1]
    assert update.action == "update" and update.changes["daily_amount"] == ["1980.50", "2000.00"]


BAD_ROWS = [
    (";;Ukendt Bosted;108;;01.01.2026;;100;", "Tilbud", "DEL har intet tilbud med dette navn."),
    ("999-9;;;108;;01.01.2026;;100;", "Tilbuds-ID", "DEL har intet tilbud med dette Tilbuds-ID."),
    (";;Bostedet Engtoften;141;;01.01.2026;;100;", "Paragraf", "Ukendt paragraf"),
    (";;Bostedet Engtoften;108;;01.01.2026;;-5;", "Takst pr. dag (kr.)", "negativ"),
    (";;Bostedet Engtoften;108;;01.01.2026;;12,345;", "Takst pr. dag (kr.)", "to decimaler"),
    (";;Bostedet Engtoften;108;;01.01.2026;;mange;", "Takst pr. dag (kr.)", "beløb i kroner"),
    (";;Bostedet Engtoften;108;;;;100;", "Gælder fra", "Skriv en startdato."),
    (";;Bostedet Engtoften;108;;32.13.2026;;100;", "Gælder fra", "Ikke en dato"),
    (";;Bostedet Engtoften;108;;01.01.2026;31.12.2025;100;", "Gælder til og med", "før"),
    (";;Bostedet Engtoften;108;;01.01.2026;;100;120", "Belægningsprocent", "højst 100"),
    # An XLSX cell formatted as 95 % holds 0.95 (not read as 0.95 per cent).
    (";;Bostedet Engtoften;108;;01.01.2026;;100;0,95", "Belægningsprocent", "ikke 0,95"),
    (";;Bostedet Engtoften;108;" + "x" * 41 + ";01.01.2026;;100;", "Takstniveau", "Højst 40"),
    (";;Bostedet Engtoften;108;;01.01.2026;;;", "Takst pr. dag (kr.)", "Skriv taksten"),
]


@pytest.mark.parametrize(("row", "column", "reason"), BAD_ROWS)
def test_each_kind_of_bad_row_is_refused_with_its_column(app, row, column, reason):
    result, problems = _check(app, HEADER + row + "\n")
    assert not result.rows
    assert list(problems) == [(2, _internal(column))]
    assert reason in problems[(2, _internal(column))]


def _internal(header):
    from del_tool.organisation.tariffs_import import HEADERS

    return next(key for key, name in HEADERS.items() if str(name) == header)


def test_overlaps_and_repeats_are_refused_but_a_file_may_end_an_open_tariff(app, add_tariff):
    unit = _unit_id(app, "Bostedet Engtoften")
    add_tariff(unit, date(2025, 1, 1), None, "2000.00", LegalSection.S108)
    overlap = ";;Bostedet Engtoften;108;;01.06.2025;;2100;\n"
    result, problems = _check(app, HEADER + overlap + overlap)
    assert "overlapper" in problems[(2, "valid_from")]
    assert problems[(3, "valid_from")] == "Samme takst som række 2."
    # The same file, with the stored tariff ended the day before the new one starts.
    ended = ";;Bostedet Engtoften;108;;01.01.2025;31.05.2025;2000;\n"
    result, problems = _check(app, HEADER + ended + overlap)
    assert not problems
    assert [r.action for r in result.rows] == ["update", "create"]


def test_a_name_two_centres_share_needs_the_centre(app):
    with app.app_context(), get_db(app).session(write=True) as db:
        centre = db.exec(select(Centre).where(Centre.name == "Center for Socialpsykiatri")).one()
        other = db.exec(select(Unit).where(Unit.name == "Bostedet Engtoften")).one()
        db.add(Unit(centre_id=centre.id, name=other.name, target_group=other.target_group))
        db.commit()
        other_id = other.id
    row = ";;Bostedet Engtoften;108;;01.01.2026;;100;\n"
    _result, problems = _check(app, HEADER + row)
    assert "Skriv centret i kolonnen Center" in problems[(2, "unit")]
    named = ";Center for Socialpsykiatri;Bostedet Engtoften;108;;01.01.2026;;100;\n"
    result, problems = _check(app, HEADER + named)
    assert not problems and result.rows[0].values.unit_id != other_id


def test_another_operators_unit_is_refused_on_the_web(app):
    row = ";;Botilbuddet Rosenlund;107;;01.01.2026;;100;\n"  # Odense Kommune's offer
    _result, problems = _check(app, HEADER + row, operator=None)
    assert problems == {(2, "unit"): "Tilbuddet drives af en anden driftsherre."}
    result, problems = _check(app, HEADER + row, operator="461")
    assert not problems and len(result.rows) == 1


def test_files_that_cannot_be_read(app, runner, tmp_path):
    no_amount = "Tilbud;Paragraf;Gælder fra\nBostedet Engtoften;108;01.01.2026\n"
    result = _run(runner, tmp_path, no_amount, "--commit")
    assert result.exit_code == 1 and "ingen overskriftsrække" in result.output
    no_unit = "Paragraf;Gælder fra;Takst\n108;01.01.2026;100\n"
    result = _run(runner, tmp_path, no_unit, "--commit")
    assert "header, Tilbud: Ingen kolonne Tilbud." in result.output
    assert "filen er tom" in _run(runner, tmp_path, b"", name="tom.csv").output
    assert "XLSX or CSV files only" in _run(runner, tmp_path, "x", name="takster.pdf").output
    with app.app_context(), pytest.raises(OfferFileError, match="ikke et regneark"):
        read_upload(b"PK\x03\x04 not really a workbook", "takster.xlsx")
    assert not _tariffs(app)


def _unit_id(app, name):
    with app.app_context(), get_db(app).session(write=False) as db:
        return db.exec(select(Unit.id).where(Unit.name == name)).one()


@pytest.fixture
def add_tariff(app):
    """Factory: store a tariff directly."""

    def add(unit_id, valid_from, valid_to, amount, section):
        with app.app_context(), get_db(app).session(write=True) as db:
            db.add(
                Tariff(
                    unit_id=unit_id,
                    legal_section=section,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    daily_amount=Decimal(amount),
                )
            )
            db.commit()

    return add
