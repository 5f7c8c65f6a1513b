"""Forms for citizens and stays; the unit and municipality choices come from the constructor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from del_tool.citizens.models import Sex
from del_tool.forms import (
    PLANNING_HORIZON,
    DateRange,
    DelForm,
    LocalisedMeta,
    VersionField,
    date_field,
    optional_int,
    select_choices,
    strip_text,
    text_field,
)
from del_tool.modelbase import local_today
from del_tool.organisation.models import LegalSection, TargetGroup
from del_tool.reports.forms import PeriodMixin

Choices = Sequence[tuple[Any, str]]

#: Planned stay dates may lie this far ahead (admissions are agreed in advance).
STAY_AHEAD = timedelta(days=366)


def _coerce_int_or_none(value: Any) -> int | None:
    """Unit ids: whole numbers; anything else (tampering) becomes None and an error."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class EndAfterStart:
    """Validator on an end date: not before the form's `start_date`."""

    def __call__(self, form: Form, field: Field) -> None:
        """Raise ValidationError beside the end date when it is before the start."""
        start = form["start_date"].data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_("Slutdatoen må ikke være før startdatoen."))


class CitizenForm(DelForm):
    """Name, birth year, sex, target group and an optional case reference (never a CPR number)."""

    name = text_field(_l("Navn"), required=_l("Skriv borgerens navn."), max_chars=200)
    birth_year = IntegerField(
        _l("Fødselsår"),
        validators=[InputRequired(_l("Skriv fødselsåret, fx 1984."))],
    )
    sex = RadioField(
        _l("Køn"),
        choices=Sex.choices,
        validators=[InputRequired(_l("Vælg køn."))],
    )
    target_group = SelectField(
        _l("Målgruppe"),
        choices=TargetGroup.choices,
        validators=[InputRequired(_l("Vælg målgruppe."))],
    )
    case_reference = text_field(_l("Sagsnummer (valgfrit)"), max_chars=50)
    version = VersionField()

    def validate_birth_year(self, field: Field) -> None:
        """Between 1900 and this year."""
        if field.data is not None and not 1900 <= field.data <= local_today().year:
            raise ValidationError(
                _("Fødselsåret skal ligge mellem 1900 og %(year)s.", year=local_today().year)
            )


class StayFields(DelForm):
    """The fields of a stay; `units` and `municipalities` are (value, label) choices."""

    unit_id = SelectField(
        _l("Tilbud"),
        coerce=_coerce_int_or_none,
        validate_choice=False,  # the service checks the scope: a foreign unit is a 403
        validators=[InputRequired(_l("Vælg tilbud."))],
    )
    municipality_code = SelectField(
        _l("Betalingskommune"), validators=[InputRequired(_l("Vælg betalingskommune."))]
    )
    legal_section = SelectField(
        _l("Paragraf"),
        choices=LegalSection.choices,
        validators=[InputRequired(_l("Vælg paragraf."))],
    )
    start_date = date_field(
        _l("Startdato"),
        InputRequired(_l("Skriv startdatoen.")),
        DateRange(ahead=STAY_AHEAD),
    )
    contact_user_id = SelectField(
        _l("Kontaktperson (valgfri)"),
        coerce=optional_int,
        validate_choice=False,  # the service checks that the person works in the chosen unit
        invalid_value_message=_l("Vælg en kontaktperson fra listen."),
    )

    def __init__(
        self,
        *args: Any,
        units: Choices,
        municipalities: Choices,
        contacts: Choices = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.unit_id.choices = select_choices([("", _("Vælg tilbud")), *units])
        self.municipality_code.choices = select_choices([("", _("Vælg kommune")), *municipalities])
        self.contact_user_id.choices = select_choices([("", _("Ingen kontaktperson")), *contacts])

    def validate_unit_id(self, field: Field) -> None:
        """A unit must be chosen (an unknown or foreign id is judged by the service)."""
        if field.data is None:
            raise ValidationError(_("Vælg tilbud."))


class StayForm(StayFields):
    """Add or correct a stay: the stay fields, an optional end date and the record version."""

    end_date = date_field(
        _l("Slutdato (tom, hvis opholdet fortsætter)"),
        Optional(),
        DateRange(ahead=PLANNING_HORIZON),
        EndAfterStart(),
    )
    version = VersionField()


class NewCitizenForm(CitizenForm, StayFields):
    """A new citizen with their first stay, so the citizen is in someone's scope from the start.

    When the citizen resembles existing ones the form is shown again with them
    (`del_tool.citizens.duplicates`); `confirm_new` then says "another person", for the name
    and birth year in `checked_for` (set by the server, so a changed name is checked again).
    """

    confirm_new = BooleanField(_l("Det er en anden person. Opret borgeren."))
    checked_for = HiddenField()


class EndStayForm(DelForm):
    """End a stay on a date."""

    end_date = date_field(
        _l("Slutdato"),
        InputRequired(_l("Skriv slutdatoen.")),
        DateRange(ahead=STAY_AHEAD),
    )
    version = VersionField()


class MoveStayForm(StayFields):
    """Move the citizen: the current stay ends the day before `start_date` in the new unit."""

    version = VersionField()


class SearchForm(Form):
    """Search the citizens in scope by name (GET, no CSRF needed)."""

    q = StringField(
        _l("Søg efter navn"),
        filters=[strip_text],
        validators=[Optional(), Length(min=2, max=100, message=_l("Skriv 2 til 100 tegn."))],
    )


class CaseloadFilterForm(Form):
    """Filter and sort the caseload (GET parameters; a value not offered is ignored)."""

    unit = SelectField(_l("Tilbud"))
    contact = SelectField(_l("Kontaktperson"))
    status = SelectField(_l("Status"))
    sort = SelectField(_l("Sortér efter"))

    def __init__(self, *args: Any, units: Choices, contacts: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit.choices = select_choices([("", _("Alle tilbud")), *units])
        self.contact.choices = select_choices(
            [("", _("Alle")), ("none", _("Uden kontaktperson")), *contacts]
        )
        self.status.choices = select_choices(
            [
                ("", _("Alle")),
                ("overdue", _("Forfaldne")),
                ("week", _("Forfalder denne uge")),
                ("soon", _("Snart (inden for 14 dage)")),
                ("later", _("Til tiden")),
            ]
        )
        self.sort.choices = select_choices(
            [("due", _("Næste opfølgning")), ("name", _("Navn")), ("contact", _("Kontaktperson"))]
        )

    def chosen(self) -> dict[str, str]:
        """The valid choices other than the defaults; invalid values are dropped (ignored)."""
        self.validate()
        values = {}
        for field in (self.unit, self.contact, self.status, self.sort):
            if field.errors or not field.data or field.data == field.choices[0].value:
                field.data = field.choices[0].value
                field.errors = []
                continue
            values[field.name] = str(field.data)
        return values


class StatusForm(PeriodMixin, Form):
    """The period and language of a status statement (GET parameters, no CSRF needed).

    The notes to include are ticked beside their text on the page and read by the view, which
    keeps only the follow-ups of the statement's period.
    """

    class Meta(LocalisedMeta):
        """WTForms meta options."""

    period = StringField(
        _l("Periode"),
        filters=[strip_text],
        validators=[InputRequired(), Length(max=30)],
    )
    lang = SelectField(
        _l("Sprog"),
        choices=lambda: select_choices([("da", _("Dansk")), ("en", _("Engelsk"))]),
        default="da",
    )
