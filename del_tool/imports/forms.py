"""The import pages' forms: the upload (a file, the units, all rows or none), the confirmation
of a dry run, and the undo of an import. Each posts with its CSRF token (`DelForm`)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SubmitField

from del_tool.forms import DelForm

#: The unit choice meaning "every unit of mine; the file names each row's unit".
ALL_UNITS = "all"


class UploadForm(DelForm):
    """An XLSX or CSV file to plan (a dry run) for one of the leader's units, or all of them."""

    file = FileField(
        _l("Fil (XLSX eller CSV)"),
        validators=[FileRequired(message=_l("Vælg en fil."))],
    )
    unit = SelectField(
        _l("Tilbud"),
        description=_l(
            "Rækker i andre tilbud afvises. Vælger du alle dine tilbud, skal filen angive "
            "tilbuddet i kolonnen Tilbud."
        ),
    )
    all_or_nothing = BooleanField(
        _l("Alle rækker eller ingen"),
        description=_l("Gem intet, hvis blot én række afvises."),
    )
    submit = SubmitField(_l("Lav en prøvekørsel"))

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit.choices = [(ALL_UNITS, str(_l("Alle mine tilbud")))] + [
            (str(unit_id), name) for unit_id, name in units
        ]

    def chosen_units(self, units: list[tuple[int, str]]) -> frozenset[int]:
        """The import's scope: the chosen unit, or every one of `units`."""
        if self.unit.data == ALL_UNITS:
            return frozenset(unit_id for unit_id, _name in units)
        return frozenset({int(self.unit.data)})


class ConfirmForm(DelForm):
    """Write a planned import (nothing is written before this is posted)."""

    submit = SubmitField(_l("Gem indlæsningen"))


class UndoForm(DelForm):
    """Undo a written import ("Fortryd")."""

    submit = SubmitField(_l("Fortryd"))
