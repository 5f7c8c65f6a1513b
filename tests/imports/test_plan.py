"""The dry run (#18 item 3): counts per sheet, every refusal with sheet, row, column and
reason, possible duplicates, and nothing written."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.db import get_db
from del_tool.imports.plan import Counts
from del_tool.imports.sheets import Kind
from del_tool.modelbase import local_today
from del_tool.organisation.models import LegalSection, TargetGroup


def _refusals(plan):
    return [(r.sheet, r.row, r.column, str(r.reason)) for r in plan.refusals]


def test_the_messy_csv_files(plan_of, app):
    """borgere_cp1252.csv: B1, B2 and B5 are new (B5's "<b>" is text, escaped on output), B3
    has a CPR-like number in the name, B4's birth year is no number. ophold.csv: O1-O3 are new;
    O4's unit is another centre's, O5's citizen is nowhere, O6 is in the file twice."""
    with app.app_context():
        plan = plan_of("borgere_cp1252.csv", "ophold.csv")
        refusals = _refusals(plan)
    assert plan.counts[Kind.CITIZENS] == Counts(create=3, refused=2)
    assert plan.counts[Kind.STAYS] == Counts(create=3, refused=4)
    assert refusals == [
        ("borgere_cp1252.csv", 6, "Navn", "DEL gemmer ikke CPR-numre. Fjern nummeret fra cellen."),
        ("borgere_cp1252.csv", 7, "Fødselsår", "Skriv et helt tal."),
        ("ophold.csv", 5, "Tilbud", "Tilbuddet er ikke et af dem, indlæsningen gælder."),
        (
            "ophold.csv",
            6,
            "Borger-ID",
            "Ingen borger med dette id i filen (eller rækken er afvist) eller fra før.",
        ),
        ("ophold.csv", 7, "Ophold-ID", "Samme id som række 8 i filen."),
        ("ophold.csv", 8, "Ophold-ID", "Samme id som række 7 i filen."),
    ]
    assert plan.ignored_columns == [("borgere_cp1252.csv", "Bemærkning")]
    citizens = {r.data.external_ref: r.data for r in plan.accepted(Kind.CITIZENS)}
    anna = citizens["B1"]
    # Spaces around values are gone; "1990,0" is 1990; "K" and "kvinde" are female.
    assert (anna.name, anna.birth_year, anna.sex) == ("Anna Jensen", 1984, Sex.FEMALE)
    assert anna.case_reference == "2025-0117" and citizens["B2"].case_reference is None
    assert citizens["B2"].birth_year == 1990 and citizens["B5"].name == "<b>Lis</b> Holm"
    assert citizens["B5"].target_group is TargetGroup.AUTISM
    stays = {r.data.external_ref: r.data for r in plan.accepted(Kind.STAYS)}
    assert stays["O2"].municipality_code == "461" and stays["O3"].municipality_code == "630"
    assert stays["O2"].legal_section is LegalSection.S108
    with app.app_context(), get_db(app).session(write=False) as db:
        assert not db.exec(select(Citizen)).all()  # a dry run writes nothing


def test_the_messy_workbook(plan_of, app):
    """messy.xlsx: B11's birth year is a formula never calculated, so B11 and its stay O11 are
    refused; O10's start is the serial 45658 (1 January 2025), O12's unit comes from the
    merged cell above it; the sheet Noter is listed as not used, the hidden one is not read."""
    with app.app_context():
        plan = plan_of("messy.xlsx")
        refusals = _refusals(plan)
    assert plan.counts[Kind.CITIZENS] == Counts(create=2, refused=1)
    assert plan.counts[Kind.STAYS] == Counts(create=2, refused=1)
    assert refusals[0][:3] == ("Borgere", 5, "Fødselsår")
    assert "formel uden gemt resultat" in refusals[0][3]
    assert refusals[1][:3] == ("Ophold", 4, "Borger-ID")
    assert plan.ignored_sheets == ["Noter"]
    assert plan.ignored_columns == [("Borgere", "Telefon")]
    stays = {r.data.external_ref: r.data for r in plan.accepted(Kind.STAYS)}
    assert stays["O10"].start_date.isoformat() == "2025-01-01"
    assert stays["O12"].unit_id == stays["O10"].unit_id
    assert stays["O12"].end_date.isoformat() == "2025-12-31"


def test_a_unit_outside_the_scope_is_a_security_event(plan_of, app, caplog, units):
    with app.app_context(), caplog.at_level(logging.INFO, logger="del_tool.security"):
        plan_of("borgere_cp1252.csv", "ophold.csv", user_id=7)
    [event] = [r for r in caplog.records if r.getMessage() == "import_unit_outside_scope"]
    assert event.unit_id == units["Rehabiliteringsbostedet Åløkken"]  # type: ignore[attr-defined]
    assert (event.user_id, event.rows) == (7, 1)  # type: ignore[attr-defined]


def test_a_header_row_missing_and_a_column_missing(plan_of, app):
    with app.app_context():
        plan = plan_of(("borgere.csv", b"B1;Anna Jensen;1984;K;Autisme\n"))
        assert _refusals(plan) == [
            (
                "borgere.csv",
                0,
                "",
                "Ingen overskriftsrække med kolonnerne Borger-ID, Navn, Fødselsår.",
            )
        ]
        plan = plan_of(("b.csv", "Borger-ID;Navn;Fødselsår;Køn\nB1;Anna;1984;K\n".encode()))
        assert _refusals(plan) == [("b.csv", 1, "Målgruppe", "Kolonnen mangler.")]
        assert plan.counts[Kind.CITIZENS].refused == 1


def test_rules_of_a_row(plan_of, app):
    """End before start, a date far off, an unknown municipality, a section the unit does not
    offer, blank required text, overlapping stays of one citizen, a citizen with no stay."""
    citizens = (
        "Borger-ID;Navn;Fødselsår;Køn;Målgruppe\n"
        "B1;Anna Jensen;1984;K;Autisme\n"
        "B2;   ;1984;K;Autisme\n"
        "B3;Ib Berg;1850;M;Autisme\n"
        "B4;Uden Ophold;1970;M;Autisme\n"
    )
    stays = (
        "Ophold-ID;Borger-ID;Tilbud;Betalingskommune;Paragraf;Startdato;Slutdato\n"
        "O1;B1;Bostedet Engtoften;Odense;107;01.02.2025;01.01.2025\n"
        "O2;B1;Bostedet Engtoften;Atlantis;107;01.02.2025;\n"
        "O3;B1;Bostedet Engtoften;Odense;103;01.02.2025;\n"
        "O4;B1;Bostedet Engtoften;Odense;107;01.02.1970;\n"
        "O5;B1;Bostedet Engtoften;Odense;107;01.03.2025;\n"
        "O6;B1;Bostedet Engtoften;Odense;108;01.01.2025;31.03.2025\n"
    )
    with app.app_context():
        plan = plan_of(("borgere.csv", citizens.encode()), ("ophold.csv", stays.encode()))
        refusals = [(r.row, r.column, str(r.reason)) for r in plan.refusals]
    assert refusals == [
        (3, "Navn", "Feltet skal udfyldes."),
        (4, "Fødselsår", f"Fødselsåret skal ligge mellem 1900 og {local_today().year}."),
        (5, "Borger-ID", "Borgeren har intet ophold i filen i et af dine tilbud."),
        (2, "Slutdato", "Slutdatoen må ikke være før startdatoen."),
        (
            3,
            "Betalingskommune",
            "Ukendt kommune. Skriv kommunens navn eller kode, fx Odense eller 461.",
        ),
        (
            4,
            "Paragraf",
            "§ 103 Beskyttet beskæftigelse passer ikke til tilbuddets type (Botilbud).",
        ),
        (5, "Startdato", f"Datoen skal ligge mellem 01.01.1980 og {plan_last_day()}."),
        (7, "Startdato", "Opholdet overlapper et andet ophold for borgeren (fra 01.03.2025)."),
    ]
    assert plan.counts[Kind.STAYS] == Counts(create=1, refused=5)


def plan_last_day() -> str:
    """Today plus the 366 days a planned stay may lie ahead, as the reason writes it."""
    return (local_today() + timedelta(days=366)).strftime("%d.%m.%Y")


def test_likely_duplicates_of_citizens_in_scope(plan_of, app, session, scope):
    """A new row like a citizen DEL has in the scope (same name, birth year one apart)."""
    existing = Citizen(
        name="Anna Jensen", birth_year=1985, sex=Sex.FEMALE, target_group=TargetGroup.AUTISM
    )
    session.add(existing)
    session.flush()
    session.add(
        Stay(
            citizen_id=existing.id,
            unit_id=min(scope),
            municipality_code="461",
            legal_section=LegalSection.S107,
            start_date=existing.created_at.date().replace(year=2024),
        )
    )
    session.commit()
    with app.app_context():
        plan = plan_of("borgere_cp1252.csv", "ophold.csv")
    [duplicate] = plan.duplicates
    assert (duplicate.row, duplicate.similar.citizen_id) == (4, existing.id)
    assert plan.counts[Kind.CITIZENS].create == 3  # listed, not refused
