"""Helpers of the goals and follow-ups import tests: a workbook of all six sheets, an import
planned and written in one go, and the unit's questionnaires."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from flask import Flask
from openpyxl import Workbook

from del_tool.auth.scope import Scope
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.db import get_db
from del_tool.organisation.models import LegalSection, TargetGroup, UnitQuestionnaire

CITIZENS = [
    ["Borger-ID", "Navn", "Fødselsår", "Køn", "Målgruppe"],
    ["B1", "Anna Jensen", 1984, "K", "Autisme"],
    ["B2", "Bo Berg", 1990, "M", "Autisme"],
]
STAYS = [
    ["Ophold-ID", "Borger-ID", "Betalingskommune", "Paragraf", "Startdato", "Slutdato"],
    ["O1", "B1", "Odense", "107", "01.02.2025", ""],
    ["O2", "B2", "Vejle", "108", "01.03.2024", "31.12.2024"],
]
GOALS = [
    [
        "Mål-ID",
        "Ophold-ID",
        "Tema",
        "Mål",
        "Måltype",
        "Udgangsniveau",
        "Målniveau",
        "Startdato",
        "GAS 0 forventet",
        "Status",
        "Slutdato",
    ],
    [
        "M1",
        "O1",
        "Praktiske opgaver",
        "Lave mad",
        "Udvikle",
        3,
        2,
        "15.02.2025",
        "Laver mad",
        "",
        "",
    ],
    ["M2", "O1", "Relationer", "Ringe til søster", "Fastholde", 2, 2, "15.02.2025", "", "", ""],
    [
        "M3",
        "O2",
        "Mobilitet",
        "Tage bussen",
        "Udvikle",
        2,
        1,
        "01.04.2024",
        "",
        "Opnået",
        "01.10.2024",
    ],
]
FOLLOWUPS = [
    ["Opfølgnings-ID", "Ophold-ID", "Dato", "Type", "Notat"],
    ["F1", "O1", "01.03.2025", "Indskrivning", ""],
    ["F2", "O1", "01.09.2025", "Opfølgning", "Godt halvår"],
    ["F3", "O2", "01.06.2024", "Opfølgning", ""],
]
REVIEWS = [
    ["Opfølgnings-ID", "Mål-ID", "Niveau", "GAS-score", "Borgerens vurdering", "Motivation"],
    ["F1", "M1", 3, -1, 3, 4],
    ["F1", "M2", 2, "", "", ""],
    ["F2", "M1", 2, 0, 4, 4],
    ["F3", "M3", 1, "", 5, ""],
]
ANSWERS = [
    ["Opfølgnings-ID", "Skema", "Spørgsmål", "Svar"],
    *[["F1", "del_functioning", item, 3] for item in ("relations", "communication", "mobility")],
    *[["F1", "del_functioning", item, 2] for item in ("self_care", "community_life")],
    ["F1", "del_functioning", "practical_tasks", 3],
    *[["F2", "del_functioning", n, 2] for n in range(1, 7)],  # items by number
    *[["F2", "who5", f"q{n}", 3] for n in range(1, 6)],
]
SHEETS = {
    "Borgere": CITIZENS,
    "Ophold": STAYS,
    "Mål": GOALS,
    "Opfølgninger": FOLLOWUPS,
    "Målvurderinger": REVIEWS,
    "Svar": ANSWERS,
}


def book(**changed: list[list[Any]]) -> tuple[str, bytes]:
    """The six sheets (a sheet given by its name replaced) as an XLSX file."""
    sheets = {**SHEETS, **{name.replace("_", " "): rows for name, rows in changed.items()}}
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return "historik.xlsx", out.getvalue()


def use_questionnaires(app: Flask, unit_id: int, *qids: str) -> None:
    """Let a unit use questionnaires (as the admin's unit page does)."""
    with app.app_context(), get_db(app).session(write=True) as db:
        db.add_all(UnitQuestionnaire(unit_id=unit_id, questionnaire_id=q) for q in qids)
        db.commit()


def import_file(
    app: Flask, user_id: int, unit_id: int, file: tuple[str, bytes], **options: Any
) -> tuple[Any, Any]:
    """Plan and write `file` for one unit as `user_id` (one transaction); (plan, batch)."""
    from del_tool.imports.commit import commit_plan, file_hash
    from del_tool.imports.plan import plan_import

    actor = Actor(user_id=user_id, scope=Scope(unit_ids=frozenset({unit_id})))
    with app.app_context(), get_db(app).session(write=True) as db:
        plan = plan_import(db, [file], scope={unit_id}, user_id=user_id, **options)
        batch = commit_plan(
            db,
            plan,
            actor=actor,
            file_name=file[0],
            digest=file_hash(file[1]),
            all_or_nothing=False,
        )
        db.commit()
        db.refresh(batch)
        db.expunge(batch)
        return plan, batch


def counts(plan: Any) -> dict[str, tuple[int, int, int, int]]:
    """(create, update, unchanged, refused) per kind."""
    return {k.value: (c.create, c.update, c.unchanged, c.refused) for k, c in plan.counts.items()}


def own_citizen(db: Any, unit_id: int) -> tuple[Citizen, Stay]:
    """A citizen of DEL's own (not imported) with a stay in the unit since 2020 (flushed): the
    one staff save follow-ups for while an import runs."""
    citizen = Citizen(
        name="Egen Borger", birth_year=1970, sex=Sex.MALE, target_group=TargetGroup.AUTISM
    )
    db.add(citizen)
    db.flush()
    stay = Stay(
        citizen_id=citizen.id,
        unit_id=unit_id,
        municipality_code="461",
        legal_section=LegalSection.S107,
        start_date=date(2020, 1, 1),
    )
    db.add(stay)
    db.flush()
    return citizen, stay
