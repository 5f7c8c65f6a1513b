"""The forms that make and revoke API tokens (the account page and the administration page)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired

from del_tool.api.models import TokenKind
from del_tool.api.tokens import MAX_LIFETIME, NAME_MAX
from del_tool.forms import DateRange, DelForm, date_field, text_field


class TokenForm(DelForm):
    """A token's name, last day, and for a staff owner the units it covers."""

    name = text_field(_l("Navn"), required=_l("Giv nøglen et navn."), max_chars=NAME_MAX)
    expires_on = date_field(
        _l("Sidste gyldige dag (højst et år frem)"),
        InputRequired(_l("Skriv udløbsdatoen.")),
        DateRange(ahead=MAX_LIFETIME - timedelta(days=1)),
    )
    units = SelectMultipleField(_l("Tilbud (for en medarbejder)"), coerce=int, choices=[])

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units.choices = units


class AdminTokenForm(TokenForm):
    """A token made by an administrator: for which user, and personal or service."""

    user = SelectField(_l("Bruger"), coerce=int, validators=[InputRequired(_l("Vælg brugeren."))])
    kind = RadioField(
        _l("Slags nøgle"),
        choices=TokenKind.choices,
        default=TokenKind.PERSONAL.value,
        validators=[InputRequired(_l("Vælg slags nøgle."))],
    )

    def __init__(
        self, *args: Any, users: list[tuple[int, str]], units: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, units=units, **kwargs)
        self.user.choices = users


class RevokeForm(DelForm):
    """The revoke button (CSRF only)."""
