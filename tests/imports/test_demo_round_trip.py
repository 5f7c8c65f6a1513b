"""The demo round trip (#18 "Done when"): the demo generator's history of one centre, written into
the template's sheets with openpyxl, imported into an empty database with the same
organisation set up (the units' questionnaires, tariffs, places, settlements, the price index),
gives the same documentation and effect reports as the original, for the busiest unit and for
the centre: every figure, table row, chart and message equal.

The demo is generated for one centre only (as `del-tool demo --centre` does), so that the whole
database is what the file holds: the reports estimate a scale's reliability from every baseline
in the region ("reliability belongs to the instrument", `reports.common.scales`), so a database
with other units' data beside the imported ones could not give the same figures. Special
services (særydelser) are economy data no sheet of the import covers; the test copies them
onto the imported stays (by their references) as the economy pages would enter them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func
from sqlmodel import Session, col, select

from del_tool import create_app
from del_tool.auth.models import Role
from del_tool.auth.scope import Scope
from del_tool.auth.services import create_user
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Stay, StayPurpose, StayService
from del_tool.db import get_db
from del_tool.followups.models import Assessment, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.imports.commit import commit_plan
from del_tool.imports.models import ImportReference
from del_tool.imports.plan import plan_import
from del_tool.imports.sheets import SHEETS, Kind
from del_tool.organisation.models import (
    Centre,
    PriceIndex,
    Settlement,
    Tariff,
    Unit,
    UnitPlaces,
    UnitQuestionnaire,
)
from del_tool.questionnaires import EXTENSION_KEY
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.documentation.report import build_documentation_report
from del_tool.reports.effect.report import build_effect_report
from tests.conftest import DEMO_OPTIONS, PASSWORD, make_config

#: A centre whose units use self-reports (WHO-5, PHQ-9, GAD-7) beside the functioning profile.
CENTRE = "Center for Socialpsykiatri"
CITIZENS = 60
PERIOD = parse_period("2024-10-01..2026-09-30")
TODAY: date = DEMO_OPTIONS["today"]  # type: ignore[assignment]
#: What an administrator sets up before a history is imported (per unit, and the price index).
ORGANISATION = (UnitQuestionnaire, Tariff, UnitPlaces, Settlement, PriceIndex)


@pytest.fixture
def demo_and_empty(databases: Any) -> Iterator[tuple[Flask, Flask]]:
    """Two apps on fresh seeded databases: one with a small demo of one centre, one empty."""
    from del_tool.demo.generator import DemoOptions, generate_demo

    urls = [databases.fresh("seeded"), databases.fresh("seeded")]
    apps = [create_app(make_config(url)) for url in urls]
    with apps[0].app_context(), get_db(apps[0]).session(write=True) as db:
        options = DemoOptions(citizens=CITIZENS, seed=7, today=TODAY, centres=(CENTRE,))
        generate_demo(session=db, options=options, registry=apps[0].extensions[EXTENSION_KEY])
        db.commit()
    yield apps[0], apps[1]
    for url, one in zip(urls, apps, strict=True):
        get_db(one).dispose()
        databases.drop(url)


def _label(value: Any) -> Any:
    label = getattr(value, "label", None)
    return str(label) if label is not None else value


def _rows(db: Session, units: dict[int, str]) -> dict[Kind, list[list[Any]]]:
    """The units' citizens, stays, purposes, goals, follow-ups, reviews and answers as sheet
    rows."""
    stays = db.exec(select(Stay).where(col(Stay.unit_id).in_(units)).order_by(col(Stay.id))).all()
    stay_ids = [s.id for s in stays]
    citizen_ids = {s.citizen_id for s in stays}
    citizens = db.exec(select(Citizen).where(col(Citizen.id).in_(citizen_ids))).all()
    purposes = db.exec(
        select(StayPurpose)
        .where(col(StayPurpose.stay_id).in_(stay_ids))
        .order_by(col(StayPurpose.stay_id), col(StayPurpose.position))
    ).all()
    goals = db.exec(select(Goal).where(col(Goal.stay_id).in_(stay_ids))).all()
    follow_ups = db.exec(select(FollowUp).where(col(FollowUp.stay_id).in_(stay_ids))).all()
    fu_ids = [f.id for f in follow_ups]
    reviews = db.exec(select(GoalReview).where(col(GoalReview.follow_up_id).in_(fu_ids))).all()
    assessments = db.exec(select(Assessment).where(col(Assessment.follow_up_id).in_(fu_ids)))
    return {
        Kind.CITIZENS: [
            [
                f"B{c.id}",
                c.name,
                c.birth_year,
                _label(c.sex),
                _label(c.target_group),
                c.case_reference,
            ]
            for c in citizens
        ],
        Kind.STAYS: [
            [
                f"O{s.id}",
                f"B{s.citizen_id}",
                units[s.unit_id],
                s.municipality_code,
                s.legal_section.value,
                s.start_date,
                s.end_date,
                s.tariff_level,
            ]
            for s in stays
        ],
        Kind.PURPOSES: [[f"P{p.id}", f"O{p.stay_id}", p.text, _label(p.theme)] for p in purposes],
        Kind.GOALS: [
            [
                f"M{g.id}",
                f"O{g.stay_id}",
                _label(g.theme),
                g.title,
                g.description,
                _label(g.direction),
                g.baseline_level,
                g.target_level,
                g.weight,
                g.start_date,
                g.review_date,
                _label(g.status),
                g.closed_on,
                g.gas_minus2,
                g.gas_minus1,
                g.gas_zero,
                g.gas_plus1,
                g.gas_plus2,
                f"P{g.purpose_id}" if g.purpose_id else None,
            ]
            for g in goals
        ],
        Kind.FOLLOWUPS: [
            [f"F{f.id}", f"O{f.stay_id}", f.followup_date, _label(f.kind), f.note]
            for f in follow_ups
        ],
        Kind.REVIEWS: [
            [
                f"F{r.follow_up_id}",
                f"M{r.goal_id}",
                r.level,
                r.gas_score,
                r.citizen_rating,
                r.motivation,
                r.note,
            ]
            for r in reviews
        ],
        Kind.ANSWERS: [
            [f"F{a.follow_up_id}", a.questionnaire_id, item, value]
            for a in assessments.all()
            for item, value in a.answers.items()
            if value is not None
        ],
    }


def _workbook(rows: dict[Kind, list[list[Any]]]) -> bytes:
    """The rows under the template's headers, one sheet per kind."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for kind, spec in SHEETS.items():
        sheet = book.create_sheet(str(spec.title))
        sheet.append([str(c.header) for c in spec.columns])
        for row in rows[kind]:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _organisation(db: Session, units: dict[int, str]) -> list[tuple[Any, str | None, Any]]:
    """(model, unit name or None, values) of the organisation's set-up for the units."""
    out = []
    for model in ORGANISATION:
        query = select(model)
        if hasattr(model, "unit_id"):
            query = query.where(col(model.unit_id).in_(units))
        for row in db.exec(query).all():
            unit = units[row.unit_id] if hasattr(model, "unit_id") else None
            out.append((model, unit, row.model_dump(exclude={"id", "unit_id"})))
    return out


def importer(db: Session, ids: dict[str, int], units: dict[Any, str]) -> tuple[Any, Any, Actor]:
    """The leader of CENTRE in the new database who imports the centre's units (committed);
    with the units' new ids as the import's scope and the leader as its actor."""
    leader = create_user(
        session=db,
        username="importer",
        display_name="Importer",
        password=PASSWORD,
        role=Role.LEADER,
        centre_id=db.exec(select(Centre.id).where(Centre.name == CENTRE)).one(),
    )
    db.commit()
    scope = frozenset(ids[name] for name in units.values())
    return leader, scope, Actor(user_id=leader.id, scope=Scope(unit_ids=scope))


def _set_up(db: Session, organisation: list[tuple[Any, str | None, Any]]) -> dict[str, int]:
    """The same set-up in the empty database (units by name); unit name -> id there."""
    ids = {u.name: int(u.id or 0) for u in db.exec(select(Unit)).all()}
    for model, unit, values in organisation:
        extra = {"unit_id": ids[unit]} if unit is not None else {}
        db.add(model(**values, **extra))
    return ids


def _copy_services(demo: Flask, db: Session) -> None:
    """The demo stays' special services onto the imported stays (no sheet holds them)."""
    new_ids = {
        r.external_ref: r.entity_id
        for r in db.exec(select(ImportReference).where(ImportReference.sheet == "stays")).all()
    }
    with demo.app_context(), get_db(demo).session(write=False) as old:
        services = old.exec(select(StayService)).all()
        copied = [
            StayService(**s.model_dump(exclude={"id", "stay_id"}), stay_id=new_ids[f"O{s.stay_id}"])
            for s in services
            if f"O{s.stay_id}" in new_ids
        ]
    db.add_all(copied)


def _figures(report: Any) -> list[Any]:
    """Every figure, table row, chart and message of a report, as plain values."""
    out: list[Any] = []
    for section in report.sections:
        for figure in section.figures:
            out.append(
                (section.key, figure.key, figure.value, str(figure.reason), str(figure.note))
            )
        for table in section.tables:
            out.append((section.key, table.key, [[str(cell) for cell in r] for r in table.rows]))
        for chart in section.charts:
            out.append((section.key, chart.key, _plain(chart.data)))
        out.append((section.key, [str(m) for m in section.messages]))
    return out


def _plain(value: Any) -> Any:
    """Chart data as plain values (texts translated, numpy values as Python's)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str | date):
        return value
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    return str(value)


def _reports(app: Flask, scope_key: str) -> list[Any]:
    with app.app_context(), get_db(app).session(write=False) as db:
        scope = resolve_scope(scope_key, session=db)
        return [
            _figures(build(session=db, scope=scope, period=PERIOD, today=TODAY))
            for build in (build_documentation_report, build_effect_report)
        ]


def _busiest(db: Session, units: dict[int, str]) -> str:
    """The name of the unit with the most stays."""
    count = func.count(col(Stay.id))
    unit_id = db.exec(
        select(Stay.unit_id)
        .where(col(Stay.unit_id).in_(units))
        .group_by(col(Stay.unit_id))
        .order_by(count.desc(), col(Stay.unit_id))
    ).first()
    return units[int(unit_id or 0)]


def test_a_demo_history_imports_with_every_report_figure_equal(demo_and_empty):
    demo, app = demo_and_empty
    with demo.app_context(), get_db(demo).session(write=False) as db:
        centre = db.exec(select(Centre).where(Centre.name == CENTRE)).one()
        units = {
            int(u.id or 0): u.name
            for u in db.exec(select(Unit).where(Unit.centre_id == centre.id)).all()
        }
        rows = _rows(db, units)
        organisation = _organisation(db, units)
        busiest = _busiest(db, units)
        before = {"unit": f"unit:{_id(units, busiest)}", "centre": f"centre:{centre.id}"}
    assert len(rows[Kind.STAYS]) >= 20 and len(rows[Kind.ANSWERS]) >= 1000  # a real history
    with app.app_context(), get_db(app).session(write=True) as db:
        ids = _set_up(db, organisation)
        leader, scope, actor = importer(db, ids, units)
        plan = plan_import(db, [("demo.xlsx", _workbook(rows))], scope=scope, user_id=leader.id)
        assert [(r.sheet, r.row, r.column, str(r.reason)) for r in plan.refusals] == []
        assert {k: plan.counts[k].create for k in Kind} == {k: len(rows[k]) for k in Kind}
        commit_plan(db, plan, actor=actor, file_name="demo.xlsx", digest="x", all_or_nothing=True)
        _copy_services(demo, db)
        db.commit()
        after = {"unit": f"unit:{ids[busiest]}", "centre": f"centre:{leader.centre_id}"}
    for level in ("unit", "centre"):
        original, imported = _reports(demo, before[level]), _reports(app, after[level])
        for report_before, report_after in zip(original, imported, strict=True):
            assert len(report_before) == len(report_after)
            for one, other in zip(report_before, report_after, strict=True):
                assert one == other, level


def _id(units: dict[int, str], name: str) -> int:
    return next(i for i, n in units.items() if n == name)
