"""Forms of the price index, places and settlement pages (choices passed to the constructors)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, ValidationError

from del_tool.admin.economy import NOTE_MAX
from del_tool.admin.forms import NOT_A_CHOICE, NOT_A_DATE, check_date, optional_str
from del_tool.admin.organisation_forms import AmountField
from del_tool.admin.rules import (
    PLACES_MAX,
    YEAR_MAX,
    YEAR_MIN,
    percent_problem,
    places_problem,
    settlement_problem,
    year_problem,
)
from del_tool.forms import DelForm, VersionField, optional_int, select_choices, text_field

YEAR_MESSAGE = _l("Skriv et år fra %(min)s til %(max)s.", min=YEAR_MIN, max=YEAR_MAX)


def _year_field() -> IntegerField:
    return IntegerField(
        _l("År"),
        validators=[InputRequired(_l("Skriv året."))],
        invalid_value_message=YEAR_MESSAGE,
    )


def _check(problem: Any | None) -> None:
    if problem is not None:
        raise ValidationError(problem)


class PriceIndexForm(DelForm):
    """A year's price and wage index in per cent, with a note."""

    year = _year_field()
    percent = AmountField(
        _l("Pris- og lønfremskrivning (%)"),
        places=2,
        validators=[InputRequired(_l("Skriv procenten."))],
        invalid_message=_l("Skriv procenten som et tal, f.eks. 2,3."),
    )
    note = text_field(_l("Note"), max_chars=NOTE_MAX)

    def validate_year(self, field: Field) -> None:
        """A year from 2000 to 2100."""
        if field.data is not None:
            _check(year_problem(field.data))

    def validate_percent(self, field: Field) -> None:
        """From -20 to 20 per cent with at most two decimals."""
        if field.data is not None:
            _check(percent_problem(field.data))


class PriceIndexEditForm(PriceIndexForm):
    """An existing year's index, with the version it was loaded with."""

    version = VersionField()


class PlacesForm(DelForm):
    """A change of a unit's places from a day on."""

    valid_from = DateField(
        _l("Gælder fra"),
        validators=[InputRequired(_l("Skriv datoen, ændringen gælder fra."))],
        invalid_value_message=NOT_A_DATE,
    )
    places = IntegerField(
        _l("Antal pladser"),
        validators=[InputRequired(_l("Skriv antallet af pladser."))],
        invalid_value_message=_l("Skriv et helt antal pladser fra 0 til %(max)s.", max=PLACES_MAX),
    )

    def validate_valid_from(self, field: Field) -> None:
        """A date within the years DEL handles."""
        check_date(field)

    def validate_places(self, field: Field) -> None:
        """Not negative, not absurdly many."""
        if field.data is not None:
            _check(places_problem(field.data))


class SettlementForm(DelForm):
    """A year-end settlement of a unit with a paying municipality."""

    unit = SelectField(
        _l("Tilbud"),
        coerce=optional_int,
        validators=[InputRequired(_l("Vælg et tilbud."))],
        invalid_value_message=NOT_A_CHOICE,
        invalid_choice_message=NOT_A_CHOICE,
    )
    municipality = SelectField(
        _l("Betalingskommune"),
        coerce=optional_str,
        validators=[InputRequired(_l("Vælg kommunen."))],
        invalid_choice_message=NOT_A_CHOICE,
    )
    year = _year_field()
    amount = AmountField(
        _l("Beløb (kr.)"),
        places=2,
        validators=[InputRequired(_l("Skriv beløbet."))],
        invalid_message=_l("Skriv et beløb i kroner, f.eks. -12.500,00."),
    )
    note = text_field(_l("Note"), max_chars=NOTE_MAX)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, list[tuple[int, str]]]],
        municipalities: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice(value="", label=str(_l("Vælg tilbud")))] + [
            SelectChoice(value=unit_id, label=name, optgroup=centre)
            for centre, group in units
            for unit_id, name in group
        ]
        self.municipality.choices = select_choices(
            [("", _l("Vælg kommune")), *((code, name) for code, name in municipalities)]
        )

    def validate_unit(self, field: Field) -> None:
        """The empty "choose" option is not a unit."""
        if field.data is None:
            raise ValidationError(_l("Vælg et tilbud."))

    def validate_municipality(self, field: Field) -> None:
        """The empty "choose" option is not a municipality."""
        if not field.data:
            raise ValidationError(_l("Vælg kommunen."))

    def validate_year(self, field: Field) -> None:
        """A year from 2000 to 2100."""
        if field.data is not None:
            _check(year_problem(field.data))

    def validate_amount(self, field: Field) -> None:
        """Kroner, either sign, at most two decimals."""
        if field.data is not None:
            _check(settlement_problem(field.data))


class SettlementEditForm(SettlementForm):
    """An existing settlement, with the version it was loaded with."""

    version = VersionField()
