"""Forms for a referral and its decision; the choices come from the constructor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from del_tool.forms import (
    DateRange,
    DelForm,
    VersionField,
    date_field,
    optional_int,
    select_choices,
)
from del_tool.organisation.models import LegalSection, ReferralOutcome

Choices = Sequence[tuple[Any, str]]


def _optional_section(value: Any) -> str | None:
    """ "" (no section given) is None; anything else must be a section (else a choice error)."""
    if value in (None, ""):
        return None
    return LegalSection(str(value)).value


class ReferralForm(DelForm):
    """The paying municipality, the legal section (optional) and the day of the referral."""

    municipality_code = SelectField(
        _l("Betalingskommune"), validators=[InputRequired(_l("Vælg betalingskommune."))]
    )
    legal_section = SelectField(
        _l("Paragraf (valgfri)"),
        coerce=_optional_section,
        validators=[Optional()],
        invalid_value_message=_l("Vælg en paragraf fra listen."),
    )
    referred_on = date_field(
        _l("Dato for henvendelsen"),
        InputRequired(_l("Skriv datoen for henvendelsen.")),
        DateRange(),
    )
    version = VersionField()

    def __init__(self, *args: Any, municipalities: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality_code.choices = select_choices([("", _("Vælg kommune")), *municipalities])
        self.legal_section.choices = select_choices(
            [("", _("Ikke oplyst")), *((s.value, s.label) for s in LegalSection)]
        )


class DecisionForm(DelForm):
    """What became of the referral: the outcome, the day of the decision and, when the citizen
    was admitted, the stay."""

    outcome = RadioField(
        _l("Afgørelse"),
        choices=ReferralOutcome.choices,
        validators=[InputRequired(_l("Vælg afgørelsen."))],
    )
    decided_on = date_field(_l("Dato for afgørelsen"), Optional(), DateRange())
    stay_id = SelectField(
        _l("Opholdet, borgeren blev indskrevet i"),
        coerce=optional_int,
        validate_choice=False,  # the service checks unit, day and that it is linked once
        invalid_value_message=_l("Vælg et ophold fra listen."),
    )
    version = VersionField()

    def __init__(self, *args: Any, stays: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stay_id.choices = select_choices([("", _("Vælg ophold")), *stays])

    def validate_decided_on(self, field: Field) -> None:
        """A decision has a day; "pending" has none."""
        if self.outcome.data not in (None, "", ReferralOutcome.PENDING.value) and not field.data:
            raise ValidationError(_("Skriv datoen for afgørelsen."))

    def validate_stay_id(self, field: Field) -> None:
        """An admission names its stay."""
        if self.outcome.data == ReferralOutcome.ADMITTED.value and field.data is None:
            raise ValidationError(_("Vælg opholdet, borgeren blev indskrevet i."))
