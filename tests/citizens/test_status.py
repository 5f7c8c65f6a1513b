"""The status statement: period, language, chosen notes, the PDF, logging and scope."""

from __future__ import annotations

import subprocess
import time
from datetime import date

from sqlmodel import col, select

from del_tool.audit.models import AccessEvent
from del_tool.citizens.status import default_period
from del_tool.db import get_db
from del_tool.followups.models import FollowUp
from del_tool.reports.rendering import pages
from tests.citizens.test_chart_jobs import _staff_citizen
from tests.conftest import DEMO_PASSWORD, login
from tests.support.pdf_layout import layout_problems

NOTE = "Synthetic note: the citizen cooked dinner twice this week."
SVG = 'src="data:image/svg+xml;base64,'


def _with_note(app, citizen_id: int) -> tuple[int, date]:
    """Give the citizen's newest follow-up a note; its id and date."""
    with get_db(app).session(write=True) as db:
        follow_up = db.exec(
            select(FollowUp)
            .where(FollowUp.citizen_id == citizen_id)
            .order_by(col(FollowUp.followup_date).desc())
        ).first()
        follow_up.note = NOTE
        db.add(follow_up)
        db.commit()
        return follow_up.id, follow_up.followup_date


def _events(app, citizen_id: int) -> list[tuple[str, str]]:
    with get_db(app).session(write=False) as db:
        rows = db.exec(
            select(AccessEvent.action, AccessEvent.endpoint)
            .where(AccessEvent.citizen_id == citizen_id)
            .order_by(col(AccessEvent.id))
        ).all()
        return [(action, endpoint) for action, endpoint in rows]


def test_default_period_is_the_last_six_months():
    period = default_period(date(2026, 5, 15))
    assert (period.start, period.end) == (date(2025, 11, 16), date(2026, 5, 15))
    assert default_period(date(2026, 3, 31)).start == date(2025, 9, 29)


def test_the_statement_shows_goals_scores_and_only_the_chosen_notes(demo_app, demo_client):
    citizen_id = _staff_citizen(demo_app)
    note_id, _day = _with_note(demo_app, citizen_id)
    login(demo_client, "staff", DEMO_PASSWORD)
    started = time.perf_counter()
    page = demo_client.get(f"/citizens/{citizen_id}/status")
    elapsed = time.perf_counter() - started
    assert page.status_code == 200
    assert "Statusudtalelse for" in page.text and "Udgangsniveau" in page.text
    assert page.text.count(SVG) >= 1
    assert f'value="{note_id}"' in page.text and "checked" not in page.text
    assert page.text.count(NOTE) == 1  # beside its checkbox only, not in the statement
    assert elapsed < 3, elapsed  # drawn in the request (generous for a shared test machine)
    chosen = demo_client.get(f"/citizens/{citizen_id}/status?notes={note_id}&lang=en")
    assert chosen.text.count(NOTE) == 2
    assert "Status statement for" in chosen.text and "Baseline level" in chosen.text
    assert _events(demo_app, citizen_id)[-2:] == [
        ("view", "citizens.status"),
        ("view", "citizens.status"),
    ]


def test_a_period_that_cannot_be_read_is_an_error_beside_the_field(demo_app, demo_client):
    citizen_id = _staff_citizen(demo_app)
    login(demo_client, "staff", DEMO_PASSWORD)
    page = demo_client.get(f"/citizens/{citizen_id}/status?period=sidste+sommer")
    assert page.status_code == 200
    assert "Skriv perioden som et kvartal" in page.text
    assert 'value="sidste sommer"' in page.text
    assert "Statusudtalelse for" not in page.text
    pdf = demo_client.get(f"/citizens/{citizen_id}/status.pdf?period=2026-13-01..2026-12-31")
    assert pdf.status_code == 200 and pdf.mimetype == "text/html"
    assert "En af datoerne findes ikke" in pdf.text


def test_the_pdf_is_named_in_its_language_and_logged_as_an_export(
    demo_app, demo_client, tmp_path, monkeypatch
):
    made: list[str] = []
    original = pages.pdf_from_html
    monkeypatch.setattr(pages, "pdf_from_html", lambda html: made.append(html) or original(html))
    citizen_id = _staff_citizen(demo_app)
    note_id, _day = _with_note(demo_app, citizen_id)
    login(demo_client, "staff", DEMO_PASSWORD)
    response = demo_client.get(f"/citizens/{citizen_id}/status.pdf?notes={note_id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''Statusudtalelse-" in disposition and ".pdf" in disposition
    path = tmp_path / "status.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Statusudtalelse for" in text and "Udgangsniveau" in text
    assert "Synthetic note" in text
    assert _events(demo_app, citizen_id)[-1] == ("export", "citizens.status_pdf")
    assert layout_problems(response.data, made[-1]) == []
    english = demo_client.get(f"/citizens/{citizen_id}/status.pdf?lang=en")
    assert "filename*=UTF-8''Status-statement-" in english.headers["Content-Disposition"]
    path.write_bytes(english.data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Status statement for" in text and "Synthetic note" not in text
