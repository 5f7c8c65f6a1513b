"""Issue #21 item 4: the documentation for Socialtilsynet, per offer and period."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import col, select

from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_db
from del_tool.organisation.models import Unit
from del_tool.reports.common.model import Hidden
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.rendering.spreadsheet import render_report_xlsx
from del_tool.reports.services import build_report
from tests.conftest import DEMO_OPTIONS, DEMO_PASSWORD, login

PERIOD = parse_period("2026H1")
TODAY = DEMO_OPTIONS["today"]


def _build(session, kind, scope):
    return build_report(kind, session=session, scope=scope, period=PERIOD, today=TODAY)


def _figures(report):
    return {f.key: f.value for s in report.sections for f in s.figures}


def test_the_theme_gathers_the_documentation_and_effect_figures_unchanged(demo_app):
    with demo_app.test_request_context(), get_db(demo_app).session(write=False) as session:
        unit = session.exec(select(Unit).order_by(col(Unit.id))).first()
        scope = resolve_scope(f"unit:{unit.id}", session=session)
        supervision = _build(session, "supervision", scope)
        documentation = _build(session, "documentation", scope)
        effect = _build(session, "effect", scope)
        stays = session.exec(select(Stay).where(Stay.unit_id == unit.id)).all()
        citizens = {c.id: c for c in session.exec(select(Citizen)).all()}
        workbook = load_workbook(io.BytesIO(render_report_xlsx(supervision)))
    assert [s.key for s in supervision.sections] == [
        "verdict",
        "target_group",
        "goals",
        "results",
        "use_of_results",
        "glossary",
    ]
    shown = _figures(supervision)
    for key, value in {**_figures(documentation), **_figures(effect)}.items():
        if key in shown:
            assert shown[key] == value, key
    assert {"with_goal", "on_time", "functioning_improved", "goals_met"} <= set(shown)
    tables = {t.key for s in supervision.sections for t in s.tables}
    assert {"documentation_goals", "effect_reliable", "effect_robustness"} <= tables
    assert not any(t.personal for s in supervision.sections for t in s.tables)
    assert supervision.listed_citizens == []
    # The target groups: every citizen in stay in the period once, below k hidden.
    in_period = {
        s.citizen_id
        for s in stays
        if s.start_date <= PERIOD.end and (s.end_date is None or s.end_date >= PERIOD.start)
    }
    table = supervision.table("supervision_target_groups")
    totals = [row[-1] for row in table.rows]
    by_group = {}
    for citizen in in_period:
        group = citizens[citizen].target_group.label
        by_group[str(group)] = by_group.get(str(group), 0) + 1
    for row in table.rows:
        expected = by_group[str(row[0])]
        assert row[-1] == expected if expected >= 5 else isinstance(row[-1], Hidden)
    assert sum(t for t in totals if isinstance(t, int)) <= len(in_period)
    # No citizen's name in any cell of the workbook.
    names = {c.name for c in citizens.values()}
    cells = {str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row}
    assert not names & cells


def test_a_leader_opens_it_and_downloads_the_pdf_and_workbook(demo_client):
    login(demo_client, "leader", DEMO_PASSWORD)
    assert "Til Socialtilsynet" in demo_client.get("/reports/").get_data(as_text=True)
    url = "/reports/report?kind=supervision&scope=centre:2&period=2026H1"
    page = demo_client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Dokumentation til Socialtilsynet" in html
    assert "Borgere i ophold i perioden efter målgruppe og paragraf" in html
    pdf = demo_client.get(url + "&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "DEL-Dokumentation-til-Socialtilsynet" in pdf.headers["Content-Disposition"]
    xlsx = load_workbook(io.BytesIO(demo_client.get(url + "&format=xlsx").data))
    assert xlsx.sheetnames[:3] == [
        "Om rapporten",
        "Borgere i ophold i perioden eft",  # the target groups, cut to Excel's 31 characters
        "Dokumentation pr. tilbud",
    ]
    assert {"Pålidelig ændring efter metode", "Hvem mangler i tallene"} <= set(xlsx.sheetnames)


def test_the_use_of_results_lists_the_actions_of_the_period(demo_app):
    """Brug af resultaterne: the scope's actions in or open during the period, with the figure
    then and now where this report shows it, the owner as entered, status and outcome."""
    from datetime import UTC, date, datetime

    from del_tool.actions.models import Action, ActionStatus

    with demo_app.test_request_context(), get_db(demo_app).session(write=True) as session:
        unit = session.exec(select(Unit).order_by(col(Unit.id))).first()
        scope = resolve_scope(f"unit:{unit.id}", session=session)
        empty = _build(session, "supervision", scope).section("use_of_results")
        assert [str(m) for m in empty.messages] == [
            "Der er ikke registreret handlinger i perioden."
        ]
        earlier = build_report(
            "documentation",
            session=session,
            scope=scope,
            period=parse_period("2025H2"),
            today=TODAY,
        )
        figure = next(f for s in earlier.sections for f in s.figures if f.kind == "pct")
        section_key = next(s.key for s in earlier.sections if figure in s.figures)
        common = {
            "unit_id": unit.id,
            "owner": "Teamleder",
            "due_date": date(2026, 3, 1),
            "report_kind": "documentation",
            "section_key": section_key,
            "figure_key": figure.key,
            "scope_key": scope.key,
            "period_key": "2025H2",
            "period_start": date(2025, 7, 1),
            "period_end": date(2025, 12, 31),
            "figure_label": str(figure.label),
            "figure_value": figure.value if not isinstance(figure.value, Hidden) else None,
            "figure_kind": figure.kind,
            "created_at": datetime(2026, 1, 10, tzinfo=UTC),
        }
        session.add(
            Action(
                what="Opfølgning i ugeplanen",
                status=ActionStatus.DONE,
                outcome_note="Færre forsinkede",
                done_at=datetime(2026, 4, 1, tzinfo=UTC),
                **common,
            )
        )
        old = {**common, "created_at": datetime(2025, 1, 5, tzinfo=UTC)}
        session.add(
            Action(
                what="Lukket før perioden",
                status=ActionStatus.DONE,
                outcome_note="x",
                done_at=datetime(2025, 6, 1, tzinfo=UTC),
                **old,
            )
        )
        session.commit()
        section = _build(session, "supervision", scope).section("use_of_results")
        [table] = section.tables
        [row] = [[str(v) for v in r] for r in table.rows]
        assert row[0] == "Opfølgning i ugeplanen" and row[1] == str(figure.label)
        assert "(2025H2)" in row[2] and "(2026H1)" in row[3]
        assert row[5:] == ["Teamleder", "Gennemført", "Færre forsinkede"]
        names = {c.name for c in session.exec(select(Citizen)).all()}
        assert not any(name in cell for name in names for cell in row)
