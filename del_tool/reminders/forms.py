"""The account page's reminder form: the address and whether the weekly digest is on."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import Email, Length, Optional

from del_tool.forms import DelForm


class ReminderForm(DelForm):
    """E-mail address and the weekly digest on or off (an address is needed to turn it on)."""

    email = StringField(
        _l("E-mailadresse"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(max=254, message=_l("Højst 254 tegn.")),
            Email(
                message=_l("Skriv en e-mailadresse som navn@eksempel.dk."),
                check_deliverability=False,
            ),
        ],
    )
    weekly = BooleanField(_l("Send mig en ugentlig oversigt over forfaldne opfølgninger"))

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        """The digest needs an address."""
        valid = super().validate(extra_validators)
        if self.weekly.data and not self.email.data and not self.email.errors:
            self.email.errors = [_l("Skriv den adresse, oversigten skal sendes til.")]
            return False
        return valid
