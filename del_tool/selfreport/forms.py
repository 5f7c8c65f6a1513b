"""Forms of the self-report screen: start, one answer, unlock, and the PIN."""

from __future__ import annotations

import itertools

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from del_tool.forms import DelForm
from del_tool.selfreport.services import PIN_LENGTH


class StartForm(DelForm):
    """Hand the screen to the citizen (the button; CSRF only)."""


class AnswerForm(DelForm):
    """One answer; the options are set per question by the view."""

    value = RadioField(_l("Dit svar"), validators=[Optional()], coerce=str, validate_choice=False)


class UnlockForm(DelForm):
    """The starter's password or self-report PIN."""

    secret = PasswordField(
        _l("Medarbejderens adgangskode eller pinkode"),
        validators=[DataRequired(_l("Skriv din adgangskode eller pinkode.")), Length(max=128)],
    )


def _pin_rule(_form: DelForm, field: PasswordField) -> None:
    """Digits only, 4 to 8 of them, and not a guessable row (1111, 1234, 4321)."""
    pin = field.data or ""
    low, high = PIN_LENGTH
    if not pin.isascii() or not pin.isdigit() or not low <= len(pin) <= high:
        raise ValidationError(_l("Pinkoden skal være 4 til 8 cifre."))
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if len(steps) == 1 and steps <= {-1, 0, 1}:
        raise ValidationError(_l("Vælg en pinkode, der ikke er en række som 1111 eller 1234."))


class PinForm(DelForm):
    """Set the PIN that unlocks the self-report screen (the password confirms it is you)."""

    password = PasswordField(
        _l("Din adgangskode"),
        validators=[DataRequired(_l("Skriv din adgangskode.")), Length(max=128)],
    )
    pin = PasswordField(
        _l("Ny pinkode (4 til 8 cifre)"),
        validators=[DataRequired(_l("Skriv en pinkode.")), _pin_rule],
    )
    repeat = PasswordField(
        _l("Gentag pinkoden"),
        validators=[
            DataRequired(_l("Skriv pinkoden igen.")),
            EqualTo("pin", _l("De to pinkoder er ikke ens.")),
        ],
    )
