"""The follow-up sheets: follow-ups (Opfølgninger), their goal reviews (Målvurderinger) and their
questionnaire answers (Svar, in `sheets_answers`).

The shape is the one a spreadsheet holds without wide rows: one row per follow-up (its
reference, its stay, date, kind and note), one row per (follow-up, goal) review (level, GAS
score, the citizen's own rating, motivation, note) and one row per (follow-up, questionnaire,
item) answer. One row per follow-up with a column per goal or per item would need a different
set of columns for every citizen and questionnaire; long rows keep the columns fixed, are what
case systems export, and are easy to filter and check. A review's reference is its follow-up's
and goal's references together, an answer's the follow-up's, the questionnaire's and the
item's (`composite_ref`), so a review or an answer is imported once however often its file is.

The checks of a row alone are here: the levels and scores have the follow-up form's ranges
(level 0-4, GAS -2 to +2, rating and motivation 1-5), an answer's questionnaire, item and
value are checked against the questionnaire's definition in the registry (its current version;
the dry run checks again with the version an assessment was answered with). Whether a date
lies within its stay, a goal belongs to the follow-up's stay, a GAS score has GAS texts to be
scored against, and the unit uses the questionnaire, the dry run checks (`plan_followups`).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, model_validator

from del_tool.followups.models import FollowUpKind
from del_tool.forms import EARLIEST_DATE
from del_tool.imports import lookups
from del_tool.imports.reading import CellProblem, cell_text, parse_int
from del_tool.imports.sheets import (
    ColumnSpec,
    ColumnType,
    ImportRow,
    Kind,
    SheetSpec,
    _choice,
    _problem,
    _ref,
    _text,
    a_date,
    reason,
    refusal,
    text,
)
from del_tool.imports.sheets_goals import level_column, stay_ref_column
from del_tool.modelbase import local_today
from del_tool.text import clean_text

#: A reference longer than this (the column's width) is kept as a hash of its parts.
REF_MAX = 50


def composite_ref(*parts: str) -> str:
    """The reference of a row identified by other rows' references ("F1/M2")."""
    joined = "/".join(parts)
    if len(joined) <= REF_MAX:
        return joined
    return "#" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[: REF_MAX - 1]


def _part(value: Any) -> str:
    if value is None or isinstance(value, CellProblem):
        return ""
    return clean_text(cell_text(value))


def _empty_text(max_chars: int) -> BeforeValidator:
    return BeforeValidator(lambda v: _text(v, required=False, max_chars=max_chars) or "")


def _score(low: int, high: int, *, required: bool) -> BeforeValidator:
    """A whole number from `low` to `high` (blank: None unless `required`)."""

    def check(value: Any) -> int | None:
        _problem(value)
        message = _l("Skriv et helt tal fra %(low)s til %(high)s.", low=low, high=high)
        try:
            number = parse_int(value)
        except ValueError:
            raise reason(message) from None
        if number is None:
            if required:
                raise reason(_l("Feltet skal udfyldes."))
            return None
        if not low <= number <= high:
            raise reason(message)
        return number

    return BeforeValidator(check)


def _kind(value: Any) -> FollowUpKind:
    found: FollowUpKind = _choice(
        value,
        lambda v: lookups.labelled(FollowUpKind, v),
        _l("Skriv Indskrivning, Opfølgning eller Udskrivning."),
    )
    return found


class FollowUpRow(ImportRow):
    """A follow-up of a stay on a date."""

    stay_ref: Annotated[str, text(50)]
    followup_date: Annotated[date, a_date()]
    kind: Annotated[FollowUpKind, BeforeValidator(_kind)]
    note: Annotated[str, _empty_text(4000)] = ""

    @model_validator(mode="after")
    def _date(self) -> FollowUpRow:
        today = local_today()
        if not EARLIEST_DATE <= self.followup_date <= today:
            raise refusal(
                "followup_date",
                _l(
                    "Datoen skal ligge mellem %(first)s og %(last)s.",
                    first=EARLIEST_DATE.strftime("%d.%m.%Y"),
                    last=today.strftime("%d.%m.%Y"),
                ),
            )
        return self


class ReviewRow(ImportRow):
    """The review of one goal at one follow-up; its reference is theirs together."""

    external_ref: str = ""
    followup_ref: Annotated[str, text(50)]
    goal_ref: Annotated[str, text(50)]
    level: Annotated[int, _score(0, 4, required=True)]
    gas_score: Annotated[int | None, _score(-2, 2, required=False)] = None
    citizen_rating: Annotated[int | None, _score(1, 5, required=False)] = None
    motivation: Annotated[int | None, _score(1, 5, required=False)] = None
    note: Annotated[str, _empty_text(4000)] = ""

    @model_validator(mode="before")
    @classmethod
    def _reference(cls, values: Any) -> Any:
        if isinstance(values, dict):
            parts = (_part(values.get("followup_ref")), _part(values.get("goal_ref")))
            values = {**values, "external_ref": composite_ref(*parts) if all(parts) else ""}
        return values


def followup_ref_column(help_text: Any) -> ColumnSpec:
    return _ref(
        "followup_ref",
        _l("Opfølgnings-ID"),
        help_text,
        "F1",
        "Opfølgningsid",
        "Opfølgningsreference",
        "Follow-up ID",
        "Follow-up reference",
    )


def _optional_score(key: str, header: Any, help_text: Any, *synonyms: str) -> ColumnSpec:
    return ColumnSpec(key, header, synonyms, ColumnType.INT, False, help_text, None)


FOLLOWUP_COLUMNS = (
    _ref(
        "external_ref",
        _l("Opfølgnings-ID"),
        _l("Opfølgningens id i det system, data kommer fra (eller et løbenummer, fx F1, F2 ...)."),
        "F1",
        "Opfølgningsid",
        "Opfølgningsreference",
        "Follow-up ID",
        "Follow-up reference",
    ),
    stay_ref_column(_l("Opholdets id som på arket Ophold (eller fra en tidligere indlæsning).")),
    ColumnSpec(
        "followup_date",
        _l("Dato"),
        ("Opfølgningsdato", "Date", "Follow-up date"),
        ColumnType.DATE,
        True,
        _l("Inden for opholdet og ikke i fremtiden; én opfølgning pr. borger og dag."),
        date(2025, 3, 1),
    ),
    ColumnSpec(
        "kind",
        _l("Type"),
        ("Opfølgningstype", "Kind", "Type of follow-up"),
        ColumnType.CHOICE,
        True,
        _l("Indskrivning (baseline), Opfølgning eller Udskrivning."),
        None,
        "followup_kinds",
    ),
    ColumnSpec(
        "note",
        _l("Notat"),
        ("Note", "Bemærkning til opfølgningen"),
        ColumnType.TEXT,
        False,
        _l("Valgfrit: det samlede notat."),
        None,
    ),
)

REVIEW_COLUMNS = (
    followup_ref_column(_l("Opfølgningens id som på arket Opfølgninger.")),
    _ref(
        "goal_ref",
        _l("Mål-ID"),
        _l("Målets id som på arket Mål. Målet hører til opfølgningens ophold."),
        "M1",
        "Målid",
        "Målreference",
        "Goal ID",
        "Goal reference",
    ),
    level_column(
        "level",
        _l("Niveau"),
        _l("Funktionsevnen nu, 0 (ingen nedsættelse) til 4 (fuldstændig)."),
        2,
        "Funktionsevneniveau",
        "Level",
    ),
    _optional_score(
        "gas_score", _l("GAS-score"), _l("Valgfrit: -2 til +2 (kun for mål med GAS)."), "GAS score"
    ),
    _optional_score(
        "citizen_rating",
        _l("Borgerens vurdering"),
        _l("Valgfrit: 1 (meget dårligt) til 5 (meget godt)."),
        "Egen vurdering",
        "Citizen rating",
    ),
    _optional_score(
        "motivation", _l("Motivation"), _l("Valgfrit: 1 (ingen) til 5 (meget motiveret).")
    ),
    ColumnSpec(
        "note",
        _l("Notat"),
        ("Note", "Notat til målet"),
        ColumnType.TEXT,
        False,
        _l("Valgfrit."),
        None,
    ),
)

FOLLOWUP_SHEET = SheetSpec(
    Kind.FOLLOWUPS,
    _l("Opfølgninger"),
    ("Opfølgning", "Follow-ups", "Followups", "Follow-up"),
    FOLLOWUP_COLUMNS,
    ("external_ref", "stay_ref", "followup_date"),
    FollowUpRow,
)
REVIEW_SHEET = SheetSpec(
    Kind.REVIEWS,
    _l("Målvurderinger"),
    ("Målvurdering", "Goal reviews", "Reviews"),
    REVIEW_COLUMNS,
    ("followup_ref", "goal_ref", "level"),
    ReviewRow,
)
