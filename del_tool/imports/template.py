"""The import template (issue #18 item 1): an XLSX workbook with a read-me, one sheet per kind
(headers in the UI's language, a filled-in example row, drop-down lists of the allowed values),
or the same columns as CSV files in a ZIP.

The drop-down lists (openpyxl `DataValidation`) come from a hidden sheet *Lister*: the units
the user may import into, the legal sections, target groups, sexes, municipalities, FFB themes,
goal directions, functioning levels, goal statuses, follow-up kinds, and the questionnaires the
units use with their items (an item's allowed values differ from item to item, so the read-me
names them instead of a list). A list
only helps: the import reads any spelling `del_tool.imports.lookups` knows, and refuses
values outside the lists with a reason.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, select

from del_tool.citizens.models import Sex
from del_tool.followups.models import FollowUpKind
from del_tool.goals.models import LEVEL_MAX, LEVEL_MIN, GoalDirection, GoalStatus, Theme
from del_tool.imports.reading import normalise
from del_tool.imports.sheets import SHEETS, ColumnSpec, ColumnType, Kind, SheetSpec
from del_tool.organisation.models import (
    LegalSection,
    Municipality,
    TargetGroup,
    Unit,
    UnitQuestionnaire,
)
from del_tool.reports.rendering.spreadsheet import neutralise

#: Drop-down lists and data validation cover rows 2 to this one.
LAST_ROW = 10_000


def template_units(session: Session, unit_ids: Iterable[int] | None) -> list[Unit]:
    """The open units for the list of units: those of `unit_ids`, or every one (None)."""
    query = select(Unit).where(col(Unit.active).is_(True)).order_by(col(Unit.name))
    if unit_ids is not None:
        query = query.where(col(Unit.id).in_(sorted(unit_ids)))
    return list(session.exec(query).all())


def choice_lists(session: Session, units: list[Unit]) -> dict[str, list[Any]]:
    """The allowed values per list name, as the template shows them (translated now). The
    questionnaires are those the units use, the items theirs."""
    names = [u.name for u in units]
    shown = [u.name if names.count(u.name) == 1 else str(u.id) for u in units]
    municipalities = session.exec(select(Municipality.name).order_by(col(Municipality.name)))
    definitions = _questionnaires(session, units)
    return {
        "units": shown,
        "sections": [str(s.label) for s in LegalSection],
        "target_groups": [str(g.label) for g in TargetGroup],
        "sexes": [str(s.label) for s in Sex],
        "municipalities": list(municipalities.all()),
        "themes": [str(t.label) for t in Theme],
        "directions": [str(d.label) for d in GoalDirection],
        "levels": list(range(LEVEL_MIN, LEVEL_MAX + 1)),
        "goal_statuses": [str(g.label) for g in GoalStatus],
        "followup_kinds": [str(k.label) for k in FollowUpKind],
        "questionnaires": [d.id for d in definitions],
        "items": list(dict.fromkeys(i.id for d in definitions for i in d.items)),
    }


def _questionnaires(session: Session, units: list[Unit]) -> list[Any]:
    """The current definitions of the questionnaires the units use (known to the registry)."""
    from del_tool.questionnaires import current_registry

    registry = current_registry()
    used = session.exec(
        select(UnitQuestionnaire.questionnaire_id)
        .where(col(UnitQuestionnaire.unit_id).in_([u.id for u in units]))
        .distinct()
    ).all()
    return [registry.get(qid) for qid in sorted(set(used)) if qid in registry]


#: The labelled choices of the example rows.
EXAMPLE_CHOICES = {
    "target_groups": TargetGroup.AUTISM,
    "sexes": Sex.FEMALE,
    "themes": Theme.PRACTICAL_TASKS,
    "directions": GoalDirection.DEVELOP,
    "followup_kinds": FollowUpKind.BASELINE,
}


def _example(column: ColumnSpec, lists: dict[str, list[Any]]) -> Any:
    if column.key == "unit_id" and lists["units"]:
        return lists["units"][0]
    if column.choices == "sections":
        return next(s for s in lists["sections"] if "107" in s)
    if column.choices in EXAMPLE_CHOICES:
        return str(EXAMPLE_CHOICES[column.choices].label)
    if column.choices == "questionnaires":
        return lists["questionnaires"][0] if lists["questionnaires"] else None
    if column.choices == "items" or column.key == "value":
        return _example_answer(column, lists)
    return column.example


def _example_answer(column: ColumnSpec, lists: dict[str, list[Any]]) -> Any:
    """The first item of the first questionnaire, and its first option."""
    from del_tool.questionnaires import current_registry

    if not lists["questionnaires"]:
        return None
    item = current_registry().get(lists["questionnaires"][0]).items[0]
    return item.id if column.key == "item" else item.option_values[0]


def _has_example(spec: SheetSpec, lists: dict[str, list[Any]]) -> bool:
    """Whether the sheet gets an example row (answers: only when a unit uses a questionnaire)."""
    return spec.kind is not Kind.ANSWERS or bool(lists["questionnaires"])


def write_workbook(session: Session, units: list[Unit]) -> bytes:
    """The template as XLSX bytes."""
    lists = choice_lists(session, units)
    book = Workbook()
    readme = book.active
    assert readme is not None  # noqa: S101 - a new workbook has its sheet
    readme.title = _("Læs mig")
    _write_readme(readme)
    ranges = _write_lists(book.create_sheet(_("Lister")), lists)
    for spec in SHEETS.values():
        _write_sheet(book.create_sheet(str(spec.title)), spec, lists, ranges)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_lists(sheet: Worksheet, lists: dict[str, list[Any]]) -> dict[str, str]:
    """One column per list on a hidden sheet; list name -> its range for a validation."""
    sheet.sheet_state = "hidden"
    ranges = {}
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=name)
        for row, value in enumerate(values, start=2):
            shown = value if isinstance(value, int) else neutralise(value)
            sheet.cell(row=row, column=index, value=shown)
        last = max(2, len(values) + 1)
        ranges[name] = f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${last}"
    return ranges


def _write_sheet(
    sheet: Worksheet, spec: SheetSpec, lists: dict[str, list[Any]], ranges: dict[str, str]
) -> None:
    bold = Font(bold=True)
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=str(column.header))
        cell.font = bold
        sheet.column_dimensions[letter].width = max(14, len(str(column.header)) + 4)
        if _has_example(spec, lists):
            target = sheet.cell(row=2, column=index, value=_example(column, lists))
            if column.type is ColumnType.DATE:
                target.number_format = "dd.mm.yyyy"
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1=f"={ranges[column.choices]}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorStyle="warning",
                error=_("Vælg en værdi fra listen."),
            )
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"


def _write_readme(sheet: Worksheet) -> None:
    bold = Font(bold=True)
    lines = readme_lines()
    sheet.cell(row=1, column=1, value=lines[0]).font = Font(bold=True, size=14)
    row = 2
    for text in lines[1:]:
        sheet.cell(row=row, column=1, value=text)
        row += 1
    row += 1
    for spec in SHEETS.values():
        sheet.cell(row=row, column=1, value=_("Arket %(sheet)s", sheet=str(spec.title))).font = bold
        row += 1
        for index, label in enumerate((_("Kolonne"), _("Skal udfyldes"), _("Forklaring")), 1):
            sheet.cell(row=row, column=index, value=label).font = bold
        row += 1
        for column in spec.columns:
            sheet.cell(row=row, column=1, value=str(column.header))
            sheet.cell(row=row, column=2, value=_("ja") if column.required else _("nej"))
            sheet.cell(row=row, column=3, value=str(column.help))
            row += 1
        row += 1
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 100


def readme_lines() -> list[str]:
    """The read-me's title and paragraphs (translated now)."""
    return [
        _("Indlæsning af borgere, ophold, mål og opfølgninger i DEL"),
        _(
            "Udfyld arkene Borgere og Ophold: én række pr. borger og pr. ophold. Række 2 er et "
            "eksempel; skriv oven i den, eller slet den."
        ),
        _(
            "Formål: én række pr. formål i betalingskommunens handleplan for et ophold, med "
            "opholdets Ophold-ID. Et mål kan pege på et formål for sit eget ophold med "
            "Formåls-ID."
        ),
        _(
            "Mål: én række pr. mål, med opholdets Ophold-ID. Opfølgninger: én række pr. "
            "opfølgning, med opholdets Ophold-ID. Målvurderinger: én række pr. mål, der er "
            "vurderet ved en opfølgning (Opfølgnings-ID og Mål-ID). Svar: én række pr. besvaret "
            "spørgsmål i et skema ved en opfølgning (Opfølgnings-ID, skema, spørgsmål og svar). "
            "Ark, du ikke bruger, kan du slette."
        ),
        _(
            "Hver række har et id fra det system, data kommer fra (Borger-ID, Ophold-ID). "
            "Indlæses den samme fil igen, ændres intet; en rettet række opdaterer sin post."
        ),
        _(
            "Et ophold peger på sin borger med Borger-ID. En ny borger skal have mindst ét "
            "ophold i et af de tilbud, indlæsningen gælder."
        ),
        _(
            "Datoer som 31.12.2025, 31-12-2025 eller 2025-12-31. Skriv aldrig CPR-numre: "
            "rækker med noget, der ligner et CPR-nummer, afvises."
        ),
        _(
            "Inden noget gemmes, viser en prøvekørsel, hvor mange rækker der oprettes, "
            "opdateres, er uændrede og afvises, og hvorfor hver afvist række er afvist."
        ),
    ]


def write_csv_zip(session: Session, units: list[Unit]) -> bytes:
    """The template as a ZIP of one CSV per sheet (UTF-8 with BOM, `;`) and the read-me."""
    lists = choice_lists(session, units)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for spec in SHEETS.values():
            text = io.StringIO()
            writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
            writer.writerow([str(c.header) for c in spec.columns])
            if _has_example(spec, lists):
                writer.writerow([_csv_value(_example(c, lists)) for c in spec.columns])
            name = f"{normalise(spec.title)}.csv"
            archive.writestr(name, text.getvalue().encode("utf-8-sig"))
        archive.writestr(_("laes-mig") + ".txt", _readme_text(lists).encode("utf-8-sig"))
    return out.getvalue()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return neutralise(str(value))


def _readme_text(lists: dict[str, list[Any]]) -> str:
    lines = readme_lines()
    lines.append("")
    for spec in SHEETS.values():
        lines.append(_("Arket %(sheet)s", sheet=str(spec.title)))
        for column in spec.columns:
            need = _("skal udfyldes") if column.required else _("valgfri")
            lines.append(f"- {column.header} ({need}): {column.help}")
            if column.choices:
                lines.append("  " + "; ".join(str(v) for v in lists[column.choices]))
        lines.append("")
    return "\r\n".join(lines)
