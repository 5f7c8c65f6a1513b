"""Leader: bulk import (#18) from the template to the undo. The leader downloads the template,
fills its citizens and stays sheets (here with openpyxl: two citizens with a stay each, and a
third without one, which the dry run refuses), uploads it for one unit, reads the dry run in
Danish and English, confirms with the keyboard, sees what the import wrote (the test server
runs the commit job at once), and undoes it from the list of imports. Every page passes axe."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.browser.keyboard import press_and_load, tab_to
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

#: A unit of the demo leader's centre whose offer (§ 107) takes the stays below.
UNIT = "Rehabiliteringsbostedet Åløkken"
CITIZENS = [
    ["IMP-B1", "Importa Prøvesen", 1981, "Kvinde", "Sindslidelse"],
    ["IMP-B2", "Importus Testrup", 1975, "Mand", "Sindslidelse"],
    ["IMP-B3", "Uden Opholdsen", 1990, "Mand", "Sindslidelse"],  # no stay: refused
]
STAYS = [
    ["IMP-O1", "IMP-B1", None, "Odense", "§ 107", "01.02.2025", None, None],
    ["IMP-O2", "IMP-B2", None, "Vejle", "§ 107", "01.03.2025", "30.11.2025", None],
]
REFUSAL = "Borgeren har intet ophold i filen i et af dine tilbud."
FILE_NAME = "import-rejse.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filled(template: bytes) -> bytes:
    """The template with its example rows replaced by the citizens and stays above."""
    book = load_workbook(BytesIO(template))
    for sheet in book.worksheets:
        if sheet.max_row > 1 and sheet.title not in ("Læs mig", "Lister"):
            sheet.delete_rows(2, sheet.max_row - 1)
    for title, rows in (("Borgere", CITIZENS), ("Ophold", STAYS)):
        for row in rows:
            book[title].append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _download_template(tab: BrowserTab) -> bytes:
    with tab.page.expect_download() as info:
        tab.page.locator("main a", has_text="Hent skabelonen (XLSX").click()
    path = tab.downloads / info.value.suggested_filename
    info.value.save_as(path)
    data = path.read_bytes()
    sheets = load_workbook(BytesIO(data), read_only=True).sheetnames
    assert {"Borgere", "Ophold", "Mål", "Opfølgninger"} <= set(sheets), sheets
    return data


def _counts(tab: BrowserTab) -> dict[str, list[str]]:
    """The counts table: sheet -> [created, updated, unchanged, refused]."""
    rows = tab.page.locator("[aria-labelledby=counts-heading] tbody tr")
    return {
        row.locator("th").inner_text().strip(): [
            c.strip() for c in row.locator("td").all_inner_texts()
        ]
        for row in rows.all()
    }


def test_leader_imports_a_filled_template_and_undoes_it(
    open_tab: Callable[[], BrowserTab],
) -> None:
    tab = open_tab()
    page = tab.page
    tab.login("leader", DEMO_PASSWORD)
    tab.check("leader-start")
    tab.goto("/imports/")
    tab.check("import-index")
    data = _filled(_download_template(tab))

    page.set_input_files("input[type=file]", {"name": FILE_NAME, "mimeType": XLSX, "buffer": data})
    page.select_option("main select", label=UNIT)
    tab_to(page, "main form button[type=submit]")
    press_and_load(page, timeout=30_000)
    assert page.url.rstrip("/").rsplit("/", 1)[-1].isdigit(), page.url  # the batch's page
    tab.check_both_languages("import-dry-run", screenshot=True)
    counts = _counts(tab)
    assert counts["Borgere"] == ["2", "0", "0", "1"], counts
    assert counts["Ophold"] == ["2", "0", "0", "0"], counts
    refusals = page.locator("[aria-labelledby=refusals-heading] tbody tr")
    assert refusals.count() == 1
    assert REFUSAL in refusals.first.inner_text() and "Borgere" in refusals.first.inner_text()

    tab_to(page, "main form[action$='/confirm'] button[type=submit]")
    press_and_load(page, timeout=60_000)
    page.locator("main .alert-success").wait_for(timeout=60_000)
    tab.check("import-done")
    assert "Indlæsningen er gemt" in page.locator("main").inner_text()
    assert _counts(tab)["Borgere"][0] == "2"

    tab_to(page, "main a[href$='/imports/batches']")
    press_and_load(page)
    tab.check("import-list")
    row = page.locator("main tbody tr", has_text=FILE_NAME).first
    assert "Gemt" in row.inner_text()
    tab_to(page, f"main button[aria-label='Fortryd indlæsningen af {FILE_NAME}']")
    press_and_load(page)
    tab.check("import-undone")
    assert "er fortrudt" in page.locator("main").inner_text()
    row = page.locator("main tbody tr", has_text=FILE_NAME).first
    assert "Fortrudt" in row.inner_text()
