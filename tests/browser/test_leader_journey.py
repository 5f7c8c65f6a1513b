"""Leader: the menu at tablet width, the centre's effect report, another period, PDF and XLSX."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.browser.keyboard import press_and_load, tab_to
from tests.browser.support import VIEWPORTS, BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

CENTRE = "Center for Socialpsykiatri"
#: The period the leader changes to, as typed and as the report states it.
NEW_PERIOD = "2026H1"
NEW_PERIOD_TEXT = "01.01.2026–30.06.2026"
NEW_PERIOD_LABEL = "1. halvår 2026"


def _open_reports_from_the_tablet_menu(tab: BrowserTab) -> None:
    """Below the lg breakpoint the menu is a drawer behind a Menu button; use it by keyboard."""
    page = tab.page
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS["tablet"], strict=True)))
    page.locator("button.js-menu-open").wait_for(state="visible")
    assert not page.locator(".navigation-menu .mainmenu").is_visible()
    tab_to(page, "button.js-menu-open")
    page.keyboard.press("Enter")
    drawer = page.locator(".mobile-drawer")
    assert drawer.is_visible()
    assert page.evaluate("() => !!document.activeElement.closest('.mobile-drawer')")
    tab.check("menu-drawer-open")
    tab.screenshot("menu-drawer-open", widths=("tablet",))  # the drawer closes on desktops
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    tab_to(page, "button.js-menu-open")
    page.keyboard.press("Enter")
    tab_to(page, ".mobile-drawer a[href='/reports/']")
    press_and_load(page)
    width, height = VIEWPORTS["desktop"]
    page.set_viewport_size({"width": width, "height": height})


def _download(tab: BrowserTab, name: str) -> Path:
    """Click the download button labelled `name`; the saved file."""
    with tab.page.expect_download(timeout=90_000) as info:
        tab.page.locator("main a.button", has_text=name).click(timeout=90_000)
    download = info.value
    target = tab.downloads / download.suggested_filename
    download.save_as(target)
    return target


def _pdf_text(path: Path) -> str:
    assert path.read_bytes().startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(page.extract_text() for page in reader.pages)


def _xlsx_cells(path: Path) -> list[Any]:
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]


def test_leader_downloads_the_centres_effect_report(open_tab: Callable[[], BrowserTab]) -> None:
    """Report index -> effect report for the centre -> another period -> PDF and XLSX."""
    tab = open_tab()
    page = tab.page
    tab.login("leader", DEMO_PASSWORD)
    tab.check_both_languages("leader-start")
    _open_reports_from_the_tablet_menu(tab)
    assert page.url.endswith("/reports/")
    tab.check_both_languages("reports", screenshot=True)

    page.select_option("#kind", "effect")
    assert page.locator("#scope option:checked").inner_text() == CENTRE
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "kind=effect" in page.url
    tab.check_both_languages("effect-report", screenshot=True)

    page.locator("main summary", has_text="Skift rapport, periode").click()
    page.fill("#period", NEW_PERIOD)
    page.locator("main details button[type=submit]").click()
    page.wait_for_load_state()
    assert f"period={NEW_PERIOD}" in page.url
    tab.check_both_languages("effect-report-new-period")
    header = page.locator("main").inner_text()
    assert CENTRE in header and NEW_PERIOD_LABEL in header and NEW_PERIOD_TEXT in header

    pdf = _pdf_text(_download(tab, "PDF"))
    assert CENTRE in pdf and NEW_PERIOD_TEXT in pdf
    cells = _xlsx_cells(_download(tab, "XLSX"))
    text = " ".join(str(cell) for cell in cells)
    assert CENTRE in text and NEW_PERIOD_LABEL in text
    assert any(isinstance(cell, int | float) for cell in cells), "the workbook has no numbers"
