"""The purposes sheet (Formål): the paying municipality's action plan (handleplan, Serviceloven
§ 141), one row per purpose of a stay, tied to its stay by the stay's reference.

A row holds what the purpose form holds: the purpose's text (free text: at most 500 characters,
no CPR-shaped number, as `citizens.purposes.check_purpose` says) and, optionally, the FFB theme
it concerns. A goal row names the purpose it serves in its optional column Formåls-ID
(`sheets_goals`); the dry run checks that the purpose belongs to the goal's own stay.
"""

from __future__ import annotations

from typing import Annotated

from flask_babel import lazy_gettext as _l
from pydantic import model_validator

from del_tool.citizens.models import PURPOSE_MAX_CHARS
from del_tool.citizens.purposes import PurposeData, check_purpose
from del_tool.errors import RuleError
from del_tool.goals.models import Theme
from del_tool.imports.sheets import (
    ColumnSpec,
    ColumnType,
    ImportRow,
    Kind,
    SheetSpec,
    _ref,
    refusal,
)
from del_tool.imports.sheets import text as text_cell
from del_tool.imports.sheets_goals import (
    PURPOSE_REF_SYNONYMS,
    THEME_SYNONYMS,
    labelled,
    stay_ref_column,
)


class PurposeRow(ImportRow):
    """A purpose of a stay's action plan."""

    stay_ref: Annotated[str, text_cell(50)]
    text: Annotated[str, text_cell(PURPOSE_MAX_CHARS)]
    theme: Annotated[
        Theme | None, labelled(Theme, _l("Ukendt tema. Vælg fra listen."), required=False)
    ] = None

    @model_validator(mode="after")
    def _rules(self) -> PurposeRow:
        try:
            check_purpose(PurposeData(text=self.text, theme=self.theme))
        except RuleError as error:
            raise refusal(error.field, error.message) from None
        return self


PURPOSE_COLUMNS = (
    _ref(
        "external_ref",
        _l("Formåls-ID"),
        _l("Formålets id i det system, data kommer fra (eller et løbenummer, fx P1, P2 ...)."),
        "P1",
        *PURPOSE_REF_SYNONYMS,
    ),
    stay_ref_column(_l("Opholdets id som på arket Ophold (eller fra en tidligere indlæsning).")),
    ColumnSpec(
        "text",
        _l("Formål"),
        ("Indsatsformål", "Formålet", "Purpose", "Text"),
        ColumnType.TEXT,
        True,
        _l(
            "Formålet som i kommunens handleplan, højst %(max)s tegn (aldrig et CPR-nummer).",
            max=PURPOSE_MAX_CHARS,
        ),
        "Borgeren bliver mere selvhjulpen i hverdagen",
    ),
    ColumnSpec(
        "theme",
        _l("Tema"),
        THEME_SYNONYMS,
        ColumnType.CHOICE,
        False,
        _l("Valgfrit: temaet i Fælles Faglige Begreber, formålet handler om, fra listen."),
        None,
        "themes",
    ),
)

PURPOSE_SHEET = SheetSpec(
    Kind.PURPOSES,
    _l("Formål"),
    ("Handleplan", "Indsatsformål", "Purposes", "Purpose"),
    PURPOSE_COLUMNS,
    ("external_ref", "stay_ref", "text"),
    PurposeRow,
)
