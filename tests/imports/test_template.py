"""The import template (#18 item 1): XLSX with a read-me, one sheet per kind, an example row
and drop-down lists; the same columns as CSV in a ZIP; the command and the leaders' download."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from del_tool.imports.sheets import SHEETS, Kind
from tests.conftest import DEMO_PASSWORD, login

SHEET_NAMES = ["Borgere", "Ophold", "Formål", "Mål", "Opfølgninger", "Målvurderinger", "Svar"]


def test_the_command_writes_a_workbook_that_imports_as_it_is(app, runner, units, tmp_path, plan_of):
    out = tmp_path / "skabelon.xlsx"
    unit_ids = [units["Bostedet Engtoften"], units["Autismecentret Vestkysten"]]
    args = ["import", "template", str(out), *[f"--unit={u}" for u in unit_ids]]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["Læs mig", "Lister", *SHEET_NAMES]
    assert book["Lister"].sheet_state == "hidden"
    citizens, stays = book["Borgere"], book["Ophold"]
    assert [c.value for c in citizens[1]] == [str(c.header) for c in SHEETS[Kind.CITIZENS].columns]
    assert [c.value for c in citizens[2]][:5] == ["B1", "Anna Jensen", 1984, "Kvinde", "Autisme"]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in stays.data_validations.dataValidation}
    # Units (C), municipalities (D) and sections (E) are drop-down lists from the hidden sheet.
    assert lists == {
        "C2": "='Lister'!$A$2:$A$3",
        "D2": "='Lister'!$E$2:$E$99",
        "E2": "='Lister'!$B$2:$B$6",
    }
    listed = [book["Lister"].cell(row=r, column=1).value for r in (2, 3)]
    assert sorted(listed) == ["Autismecentret Vestkysten", "Bostedet Engtoften"]
    readme = [row[0] for row in book["Læs mig"].iter_rows(values_only=True) if row[0]]
    assert "Borger-ID" in readme and "Ophold-ID" in readme
    goals = book["Mål"]
    assert [c.value for c in goals[1]][:4] == ["Mål-ID", "Ophold-ID", "Tema", "Mål"]
    goal_lists = {str(v.sqref).split(":")[0] for v in goals.data_validations.dataValidation}
    assert goal_lists == {"C2", "F2", "G2", "H2", "L2"}  # theme, direction, levels, status
    # The seeded units use no questionnaire: the answers sheet has its header and no example.
    assert book["Svar"].max_row == 1
    # The filled-in example imports as it is: one row to create per sheet.
    with app.app_context():
        plan = plan_of(fixture_file(out))
    assert not plan.refusals, [str(r.reason) for r in plan.refusals]
    assert [plan.counts[k].create for k in Kind] == [1, 1, 1, 1, 1, 1, 0]


def fixture_file(path):
    return path.name, path.read_bytes()


def test_the_csv_files_and_english_headers(app, runner, tmp_path, plan_of, units):
    out = tmp_path / "skabelon.zip"
    unit = units["Bostedet Engtoften"]
    assert runner.invoke(args=["import", "template", str(out), f"--unit={unit}"]).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        names = [
            "borgere.csv",
            "ophold.csv",
            "formal.csv",
            "mal.csv",
            "opfolgninger.csv",
            "malvurderinger.csv",
        ]
        assert sorted(archive.namelist()) == sorted([*names, "svar.csv", "laes-mig.txt"])
        files = [(n, archive.read(n)) for n in names]
    assert files[0][1].startswith(b"\xef\xbb\xbfBorger-ID;Navn;")
    with app.app_context():
        plan = plan_of(*files)
    assert not plan.refusals and plan.counts[Kind.STAYS].create == 1
    assert plan.counts[Kind.REVIEWS].create == 1 and plan.counts[Kind.PURPOSES].create == 1
    english = runner.invoke(args=["import", "template", str(tmp_path / "t.xlsx"), "--lang", "en"])
    assert english.exit_code == 0, english.output


def test_leaders_download_it_with_their_centres_units(demo_app, demo_client):
    login(demo_client, "leader", DEMO_PASSWORD)
    page = demo_client.get("/imports/")
    assert page.status_code == 200 and "Hent skabelonen" in page.get_data(as_text=True)
    response = demo_client.get("/imports/template?format=xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[2:] == SHEET_NAMES
    # The demo units use questionnaires: the answers sheet's example is the first one's.
    answers = [c.value for c in book["Svar"][2]]
    assert answers[1:] == ["del_functioning", "relations", 0]
    items = {str(v.sqref).split(":")[0] for v in book["Svar"].data_validations.dataValidation}
    assert items == {"B2", "C2"}
    assert demo_client.get("/imports/template?format=csv").mimetype == "application/zip"
    assert demo_client.get("/imports/template?format=pdf").status_code == 404
