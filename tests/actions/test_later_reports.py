"""A later report of the same kind and scope shows the action beside its figure, then and now,
in the page, the PDF and the workbook; an earlier or filtered report does not."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from pypdf import PdfReader

from del_tool.modelbase import local_today
from tests.actions.test_views import _links, _post
from tests.conftest import DEMO_PASSWORD, login

EARLIER = "/reports/report?kind=learning&scope=centre:2&period=2026Q1"
LATER = "/reports/report?kind=learning&scope=centre:2&period=2026Q2"


def _record(client, *, kind="figure="):
    url, name = next((u, n) for u, n in _links(client, EARLIER) if kind in u)
    due = (local_today() + timedelta(days=20)).isoformat()
    what = "Fast målsamtale hver måned"
    response = _post(client, url, what=what, owner="Teamleder", due_date=due)
    assert response.status_code == 302
    return name


def test_the_later_report_shows_the_action_then_and_now(demo_client):
    login(demo_client, "leader", DEMO_PASSWORD)
    name = _record(demo_client)
    page = html.unescape(demo_client.get(LATER).text)
    assert f"Handling for {name}: »Fast målsamtale hver måned«" in page
    assert "Ansvarlig: Teamleder" in page and "Status: Åben" in page
    said = re.search(r"Dengang (.+?) \(2026Q1[^)]*\), nu (.+?) \(2026Q2[^)]*\)", page)
    assert said, "then (earlier period) and now (this period)"
    assert "Usikkerhed nu:" in page
    assert 'id="section-actions"' in page and 'id="table-actions"' in page
    # The earlier report itself (the one it was recorded from) shows no action.
    assert "Handling for" not in html.unescape(demo_client.get(EARLIER).text)
    # Nor does a filtered later report (its figures are of other citizens).
    filtered = demo_client.get(LATER + "&section=107")
    assert filtered.status_code == 200 and "Handling for" not in filtered.text
    assert "Registrér handling" not in filtered.text  # and records none


def test_the_pdf_and_the_workbook_list_the_actions(demo_client):
    login(demo_client, "leader", DEMO_PASSWORD)
    _record(demo_client)
    _record(demo_client, kind="table=")
    pdf = demo_client.get(LATER + "&format=pdf")
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Handlinger" in text and "Fast målsamtale" in text.replace("\n", " ")
    xlsx = demo_client.get(LATER + "&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert "Handlinger" in book.sheetnames
    sheet = book["Handlinger"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in values if row and row[0] == "Tal")
    assert header[:5] == ["Tal", "Handling", "Ansvarlig", "Frist", "Status"]
    body = [row for row in values[values.index(header) + 1 :] if row[0]]
    assert len(body) == 2 and all(row[1] == "Fast målsamtale hver måned" for row in body)
    assert all(row[6] and "2026Q1" in row[6] and "2026Q2" in row[7] for row in body)
