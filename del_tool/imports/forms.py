"""The import pages' forms: the upload (a file, the units, all rows or none), the confirmation
of a dry run (with the choice for records changed in DEL since they were imported), and the
undo of an import. Each posts with its CSRF token (`DelForm`)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, SubmitField

from del_tool.forms import DelForm, select_choices

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


#: What a confirmation does with the records changed in DEL since they were imported.
KEEP, OVERWRITE = "keep", "overwrite"


class ConfirmForm(DelForm):
    """Write a planned import (nothing is written before this is posted); with conflicts, keep
    DEL's values (the default) or overwrite them, for all rows or the rows ticked."""

    conflicts = RadioField(
        _l("Poster, der er ændret i DEL siden indlæsningen"),
        choices=lambda: select_choices(
            [
                (KEEP, _l("Behold ændringerne i DEL (undtagen de rækker, du sætter kryds ved)")),
                (OVERWRITE, _l("Overskriv ændringer i DEL for alle rækkerne")),
            ]
        ),
        default=KEEP,
    )
    overwrite_rows = SelectMultipleField(_l("Overskriv denne række"), choices=[])
    submit = SubmitField(_l("Gem indlæsningen"))

    def __init__(self, *args: Any, keys: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overwrite_rows.choices = select_choices((key, key) for key in keys or [])

    def overwrite(self) -> bool | list[str]:
        """The choice as the plan takes it: every conflict, or the rows ticked."""
        if self.conflicts.data == OVERWRITE:
            return True
        return list(self.overwrite_rows.data or [])


class UndoForm(DelForm):
    """Undo a written import ("Fortryd")."""

    submit = SubmitField(_l("Fortryd"))
