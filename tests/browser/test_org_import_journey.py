"""Administrator: tariffs from a spreadsheet (issue #18 item 3), with the keyboard.

The admin opens Administration → Indlæsning, downloads the CSV template, uploads a row for a unit
DEL does not know (the dry run refuses it, with the column and reason, and offers nothing to
save), then the template's own unit with a legal section it has no tariff for: the dry run
counts one tariff to create, and confirming writes it. Every page is checked with axe.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import col, select

from del_tool.db import get_db
from del_tool.organisation.models import LegalSection, Tariff, Unit
from tests.browser.keyboard import press_and_load, tab_to
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PAGE = "/admin/import/tariffs"
UPLOAD = f"main form[action='{PAGE}'] button[type=submit]"


def _upload(tab: BrowserTab, text: str) -> None:
    page = tab.page
    page.set_input_files(
        "input[type=file]",
        {"name": "takster.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")},
    )
    tab_to(page, UPLOAD)
    press_and_load(page)


def _free_section(app, unit_name: str) -> str:
    """A legal section the unit has no tariff for (so a new one overlaps nothing)."""
    with get_db(app).session(write=False) as db:
        unit = db.exec(select(Unit).where(Unit.name == unit_name)).first()
        assert unit is not None
        used = set(db.exec(select(Tariff.legal_section).where(col(Tariff.unit_id) == unit.id)))
    free = [s for s in LegalSection if s not in used]
    assert free, f"{unit_name} has a tariff for every section"
    return free[0].value


def test_admin_imports_a_tariff_after_a_dry_run(
    open_tab: Callable[[], BrowserTab], live_server
) -> None:
    tab = open_tab()
    page = tab.page
    tab.login("admin", DEMO_PASSWORD)
    tab.check("admin-start")
    tab.goto(PAGE)
    tab.check_both_languages("tariff-import")
    template = page.request.get(f"{PAGE}/template?format=csv")
    assert template.ok
    header, example = template.text().lstrip("\ufeff").splitlines()[:2]
    cells = example.split(";")

    unknown = [*cells]
    unknown[0], unknown[2] = "", "Bostedet Findes Ikke"
    _upload(tab, f"{header}\n{';'.join(unknown)}\n")
    tab.check("tariff-import-refused")
    main = page.inner_text("main")
    assert "DEL har intet tilbud med dette navn" in main
    assert page.locator(f"main form[action='{PAGE}/confirm']").count() == 0

    good = [*cells]
    good[3] = _free_section(live_server.app, cells[2])
    good[5] = "01.01.2031"
    _upload(tab, f"{header}\n{';'.join(good)}\n")
    tab.check("tariff-import-dry-run")
    tab_to(page, f"main form[action='{PAGE}/confirm'] button[type=submit]")
    press_and_load(page)
    tab.check("tariff-import-done")
    assert "1 takster oprettet" in page.inner_text("main")
