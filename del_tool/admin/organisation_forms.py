"""Forms of the unit and tariff pages (choices from the database passed to the constructors)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from del_tool.admin.forms import NOT_A_CHOICE, NOT_A_DATE, check_date
from del_tool.admin.rules import (
    END_BEFORE_START,
    INTERVAL_MAX,
    INTERVAL_MIN,
    LEVEL_MAX,
    amount_problem,
    basis_problem,
)
from del_tool.forms import (
    DelForm,
    VersionField,
    number_text,
    optional_int,
    select_choices,
    text_field,
)
from del_tool.organisation.models import LegalSection, OfferKind


class UnitForm(DelForm):
    """A unit's follow-up interval, active flag, kind of offer and questionnaires."""

    followup_interval_days = IntegerField(
        _l("Opfølgningsinterval (dage)"),
        validators=[
            InputRequired(_l("Skriv et antal dage.")),
            NumberRange(
                INTERVAL_MIN,
                INTERVAL_MAX,
                message=_l(
                    "Skriv et tal fra %(min)s til %(max)s.", min=INTERVAL_MIN, max=INTERVAL_MAX
                ),
            ),
        ],
        invalid_value_message=_l("Skriv et helt antal dage."),
    )
    active = BooleanField(_l("Tilbuddet er aktivt"))
    offer_kind = SelectField(
        _l("Tilbudstype"),
        choices=lambda: [("", str(_l("Ikke angivet"))), *OfferKind.choices()],
        default="",
        invalid_choice_message=NOT_A_CHOICE,
    )
    questionnaires = SelectMultipleField(_l("Spørgeskemaer"), invalid_choice_message=NOT_A_CHOICE)
    version = VersionField()

    def __init__(self, *args: Any, questionnaires: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaires.choices = select_choices(questionnaires)


class AmountField(DecimalField):
    """DKK with up to two decimals; accepts Danish "1.234,50" as well as "1234.50".

    `invalid_message` is shown for text that is not a number (default: an amount in kroner).
    """

    def __init__(self, *args: Any, invalid_message: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or _l("Skriv et beløb i kroner, f.eks. 1234,50.")

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the posted text; anything that is not a finite number is a field error."""
        if not valuelist:
            return
        raw = number_text(valuelist[0])
        self.data = None
        if not raw:
            return
        try:
            value = Decimal(raw) if len(raw) <= 40 else Decimal("NaN")
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            raise ValueError(self.invalid_message)
        self.data = value


class TariffForm(DelForm):
    """A tariff: unit, legal section, period and DKK per day."""

    unit = SelectField(
        _l("Tilbud"),
        coerce=optional_int,
        validators=[InputRequired(_l("Vælg et tilbud."))],
        invalid_value_message=NOT_A_CHOICE,
        invalid_choice_message=NOT_A_CHOICE,
    )
    legal_section = SelectField(
        _l("Paragraf"),
        validators=[DataRequired(_l("Vælg en paragraf."))],
        invalid_choice_message=NOT_A_CHOICE,
    )
    valid_from = DateField(
        _l("Gælder fra"),
        validators=[InputRequired(_l("Skriv en startdato."))],
        invalid_value_message=NOT_A_DATE,
    )
    valid_to = DateField(
        _l("Gælder til og med"), validators=[Optional()], invalid_value_message=NOT_A_DATE
    )
    daily_amount = AmountField(
        _l("Takst pr. dag (kr.)"),
        places=2,
        validators=[InputRequired(_l("Skriv taksten pr. dag."))],
    )
    level = text_field(_l("Takstniveau"), max_chars=LEVEL_MAX)
    occupancy_basis = AmountField(
        _l("Belægningsprocent, taksten er beregnet ud fra"),
        places=2,
        validators=[Optional()],
        invalid_message=_l("Skriv en procent, f.eks. 95 eller 92,5."),
    )

    def __init__(self, *args: Any, units: list[tuple[str, list[tuple[int, str]]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice(value="", label=str(_l("Vælg tilbud")))] + [
            SelectChoice(value=unit_id, label=name, optgroup=centre)
            for centre, group in units
            for unit_id, name in group
        ]
        self.legal_section.choices = [
            *select_choices([("", _l("Vælg paragraf"))]),
            *LegalSection.choices(),
        ]

    def validate_unit(self, field: Field) -> None:
        """The empty "choose" option is not a unit."""
        if field.data is None:
            raise ValidationError(_l("Vælg et tilbud."))

    def validate_valid_from(self, field: Field) -> None:
        """A date within the years DEL handles."""
        check_date(field)

    def validate_valid_to(self, field: Field) -> None:
        """Within range, and not before the start."""
        check_date(field)
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(END_BEFORE_START)

    def validate_daily_amount(self, field: Field) -> None:
        """Not negative, not absurdly large, at most two decimals."""
        if field.data is not None:
            problem = amount_problem(field.data)
            if problem is not None:
                raise ValidationError(problem)

    def validate_occupancy_basis(self, field: Field) -> None:
        """Over 0 and at most 100 per cent, at most two decimals (or left empty)."""
        problem = basis_problem(field.data)
        if problem is not None:
            raise ValidationError(problem)


class TariffEditForm(TariffForm):
    """An existing tariff, with the version it was loaded with."""

    version = VersionField()


class TariffEndForm(DelForm):
    """End a tariff: its last valid day."""

    valid_to = DateField(
        _l("Sidste gyldige dag"),
        validators=[InputRequired(_l("Skriv en slutdato."))],
        invalid_value_message=NOT_A_DATE,
    )
    version = VersionField()

    def validate_valid_to(self, field: Field) -> None:
        """A date within the years DEL handles."""
        check_date(field)
