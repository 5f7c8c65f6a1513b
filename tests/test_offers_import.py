"""Offers, places, ownership and target groups from a Tilbudsportalen list (issue #17 item 1).

Files as people have them: a title above the header, Danish headers in any case, Windows-1252
with semicolons, a totals row under the table; an XLSX with the header on row 3.
"""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from sqlmodel import select

from del_tool.db import get_db
from del_tool.organisation.models import Centre, OfferKind, TargetGroup, Unit, UnitPlaces

CSV = (
    "Udtræk fra Tilbudsportalen\n"
    "TILBUDS-ID;Afdelings-ID;Tilbudsnavn;Afdelingsnavn;Tilbudstype;Målgrupper;Antal pladser;"
    "Ejerforhold;Driftskommune\n"
    "812345;1;Botilbuddet Åkanden;Åkanden Vest;Længerevarende botilbud (SEL § 108);"
    "Udviklingshæmning;12;Kommunal;Vejle\n"
    "812345;2;Botilbuddet Åkanden;Åkanden Øst;Midlertidigt botilbud (SEL § 107);"
    "Udviklingshæmning, autisme;8;Kommunal;630\n"
    "900001;;Center for Hjerneskade Nord;;Aktivitets- og samværstilbud (§ 104);"
    "Erhvervet hjerneskade;20;Regional;\n"
    ";;I alt;;;;40;;\n"
)


def _run(runner, path, *args):
    return runner.invoke(args=["organisation", "import-offers", str(path), *args])


def _units(app):
    with app.app_context(), get_db(app).session(write=False) as db:
        units = {u.offer_id: u for u in db.exec(select(Unit)).all() if u.offer_id}
        centres = {c.id: c for c in db.exec(select(Centre)).all()}
        places = {(p.unit_id, p.valid_from): p.places for p in db.exec(select(UnitPlaces)).all()}
        return units, centres, places


def test_a_tilbudsportalen_list_becomes_centres_units_and_places(app, runner, tmp_path):
    path = tmp_path / "tilbud.csv"
    path.write_bytes(CSV.encode("cp1252"))
    dry = _run(runner, path)
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output and "3 row(s)" in dry.output
    assert "812345-1" not in _units(app)[0]

    done = _run(runner, path, "--commit", "--places-from", "01.01.2026")
    assert done.exit_code == 0, done.output
    units, centres, places = _units(app)
    west, east, north = units["812345-1"], units["812345-2"], units["900001"]
    assert west.name == "Åkanden Vest" and west.offer_kind is OfferKind.RESIDENTIAL
    assert east.target_group is TargetGroup.DEVELOPMENTAL_DISABILITY
    assert west.centre_id == east.centre_id
    assert centres[west.centre_id].operator_code == "630"  # Vejle, by name and by code
    assert centres[north.centre_id].operator_code is None  # the region's
    assert north.offer_kind is OfferKind.DAY
    assert places[(west.id, date(2026, 1, 1))] == 12 and places[(north.id, date(2026, 1, 1))] == 20

    # A second list changes what the first made (places from a new day), keyed by the ids.
    again = CSV.replace(
        "Åkanden Vest;Længerevarende botilbud (SEL § 108);Udviklingshæmning;12",
        "Åkanden Vest;Længerevarende botilbud (SEL § 108);Udviklingshæmning;14",
    )
    path.write_bytes(again.encode("utf-8-sig"))
    done = _run(runner, path, "--commit", "--places-from", "2026-07-01")
    assert done.exit_code == 0, done.output
    assert "0 centre(s) and 0 unit(s) new" in done.output
    units, _centres, places = _units(app)
    assert units["812345-1"].id == west.id
    assert places[(west.id, date(2026, 7, 1))] == 14
    assert (north.id, date(2026, 7, 1)) not in places  # unchanged places are not repeated


def test_an_xlsx_with_the_header_on_row_three(app, runner, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Tilbud i Region Syddanmark"])
    sheet.append([])
    sheet.append(["Tilbudsid", "Tilbudsnavn", "Tilbudstype", "Målgruppe", "Pladser", "Ejerforhold"])
    sheet.append([700001, "Rusmiddelcentret Syd", "§ 107", "Stofmisbrug", 9.0, "Regional"])
    path = tmp_path / "tilbud.xlsx"
    book.save(path)
    done = _run(runner, path, "--commit")
    assert done.exit_code == 0, done.output
    unit = _units(app)[0]["700001"]
    assert unit.target_group is TargetGroup.SUBSTANCE_ABUSE


def test_refused_rows_are_named_and_nothing_is_written(app, runner, tmp_path):
    bad = CSV + (
        "812345;1;Botilbuddet Åkanden;Igen;§ 108;Autisme;3;Kommunal;Vejle\n"
        "555;;Privat Bosted;;§ 108;Autisme;4;Privat;\n"
        "556;;Ukendt;;§ 141;Autisme;4;Regional;\n"
        "557;;Ingen kommune;;§ 108;Autisme;-2;Kommunal;Atlantis\n"
    )
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    result = _run(runner, path, "--commit")
    assert result.exit_code == 1
    assert "row 7, TILBUDS-ID: Samme tilbud som række 3." in result.output
    assert "row 8, Ejerforhold: DEL dækker kun regionale og kommunale tilbud." in result.output
    assert "row 9, Tilbudstype:" in result.output
    assert "row 10, Driftskommune:" in result.output
    assert "row 10, Antal pladser:" in result.output
    assert "nothing was written" in result.output
    assert not _units(app)[0]
    wrong = tmp_path / "tilbud.pdf"
    wrong.write_bytes(b"%PDF")
    assert "XLSX or CSV files only" in _run(runner, wrong).output
