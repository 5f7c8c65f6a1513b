"""Council: the municipality's summary, its PDF, and a citizen's page refused."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from del_tool.citizens.models import Citizen
from del_tool.db import get_db
from tests.browser.conftest import LiveServer
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

MUNICIPALITY = "Odense Kommune"


def _some_citizen(live_server: LiveServer) -> tuple[int, str]:
    """Id and name of a citizen, as a curious council user might guess the id."""
    with live_server.app.app_context(), get_db(live_server.app).session(write=False) as db:
        citizen = db.exec(select(Citizen).order_by(col(Citizen.id))).first()
        assert citizen is not None and citizen.id is not None
        return citizen.id, citizen.name


def test_council_reads_its_summary_and_no_citizen(
    open_tab: Callable[[], BrowserTab], live_server: LiveServer
) -> None:
    """Landing on the summary -> PDF download -> a citizen URL answers 403."""
    tab = open_tab()
    page = tab.page
    tab.login("council", DEMO_PASSWORD)
    assert "/reports/council" in page.url
    tab.check_both_languages("council-summary", screenshot=True)
    summary = page.locator("main").inner_text()
    assert MUNICIPALITY in summary

    with page.expect_download(timeout=90_000) as info:
        page.locator("main a.button", has_text="PDF").click(timeout=90_000)
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    path = tab.downloads / download.suggested_filename
    download.save_as(path)
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert MUNICIPALITY in text

    citizen_id, name = _some_citizen(live_server)
    tab.goto(f"/citizens/{citizen_id}", status=403)
    tab.check_both_languages("council-refused", screenshot=True)
    refused = page.locator("body").inner_text()
    assert "Ingen adgang" in refused and name not in refused
