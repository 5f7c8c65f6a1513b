"""A synthetic import file for the benchmark's import step (issue #18 item 6).

Ten rows per citizen, in the template's six sheets: the citizen, one stay, one goal, one
follow-up, the goal's review at it and the five WHO-5 answers. No CPR numbers and no real
people: names are random combinations of the demo generator's name parts
(`del_tool.demo.names`), birth years and dates drawn from a seeded generator, so the same
arguments give the same file. Written with openpyxl's write-only mode (streamed, little memory).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from del_tool.demo.names import FEMALE_FIRST, MALE_FIRST, SURNAMES

#: Rows per citizen in the file.
ROWS_PER_CITIZEN = 10
#: The questionnaire the answers belong to (the unit must use it) and its items.
QUESTIONNAIRE = "who5"
ITEMS = ("q1", "q2", "q3", "q4", "q5")
#: Stays start in the years before this day.
END = date(2026, 6, 1)

SHEETS: dict[str, list[str]] = {
    "Borgere": ["Borger-ID", "Navn", "Fødselsår", "Køn", "Målgruppe"],
    "Ophold": ["Ophold-ID", "Borger-ID", "Betalingskommune", "Paragraf", "Startdato", "Slutdato"],
    "Mål": [
        "Mål-ID",
        "Ophold-ID",
        "Tema",
        "Mål",
        "Måltype",
        "Udgangsniveau",
        "Målniveau",
        "Startdato",
    ],
    "Opfølgninger": ["Opfølgnings-ID", "Ophold-ID", "Dato", "Type", "Notat"],
    "Målvurderinger": ["Opfølgnings-ID", "Mål-ID", "Niveau", "Borgerens vurdering"],
    "Svar": ["Opfølgnings-ID", "Skema", "Spørgsmål", "Svar"],
}
THEMES = ("Praktiske opgaver", "Relationer", "Mobilitet", "Egenomsorg")
MUNICIPALITIES = ("Odense", "Vejle", "Kolding", "Esbjerg", "Svendborg")


def citizens_for(rows: int) -> int:
    """The citizens a file of about `rows` rows holds (at least one)."""
    return max(1, rows // ROWS_PER_CITIZEN)


def sheet_rows(citizens: int, *, seed: int = 2026) -> dict[str, list[list[Any]]]:
    """The six sheets' rows (headers first) for `citizens` synthetic citizens."""
    rng = random.Random(seed)
    out: dict[str, list[list[Any]]] = {name: [header] for name, header in SHEETS.items()}
    for n in range(1, citizens + 1):
        female = rng.random() < 0.5
        first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
        name = f"{first} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        start = END - timedelta(days=rng.randrange(200, 1500))
        ended = rng.random() < 0.4
        end = start + timedelta(days=rng.randrange(150, 190)) if ended else None
        goal_start = start + timedelta(days=rng.randrange(0, 20))
        followed = goal_start + timedelta(days=rng.randrange(30, 120))
        out["Borgere"].append(
            [f"B{n}", name, rng.randrange(1950, 2004), "K" if female else "M", "Autisme"]
        )
        out["Ophold"].append(
            [f"O{n}", f"B{n}", rng.choice(MUNICIPALITIES), "107", _day(start), _day(end)]
        )
        baseline = rng.randrange(2, 5)
        out["Mål"].append(
            [
                f"M{n}",
                f"O{n}",
                rng.choice(THEMES),
                f"Mål {n}",
                "Udvikle",
                baseline,
                baseline - 1,
                _day(goal_start),
            ]
        )
        out["Opfølgninger"].append([f"F{n}", f"O{n}", _day(followed), "Opfølgning", ""])
        out["Målvurderinger"].append([f"F{n}", f"M{n}", rng.randrange(1, 5), rng.randrange(1, 6)])
        for item in ITEMS:
            out["Svar"].append([f"F{n}", QUESTIONNAIRE, item, rng.randrange(0, 6)])
    return out


def build_import_file(citizens: int, *, seed: int = 2026) -> bytes:
    """An XLSX file of the six sheets for `citizens` synthetic citizens (ten rows each)."""
    book = Workbook(write_only=True)
    for title, rows in sheet_rows(citizens, seed=seed).items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _day(day: date | None) -> str:
    return "" if day is None else day.strftime("%d.%m.%Y")
