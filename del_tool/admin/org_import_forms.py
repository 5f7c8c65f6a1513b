"""Forms of the organisation import: the upload (a file; an offer list also the day its places
take effect) and the confirmation of a checked upload (kept server-side under its hash)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, Field, HiddenField, SubmitField
from wtforms.validators import Optional, ValidationError

from del_tool.admin.forms import NOT_A_DATE, check_date
from del_tool.forms import DelForm


class TariffUploadForm(DelForm):
    """A tariff file (XLSX or CSV) to check: a dry run, nothing written."""

    file = FileField(
        _l("Fil (XLSX eller CSV)"), validators=[FileRequired(message=_l("Vælg en fil."))]
    )
    submit = SubmitField(_l("Lav en prøvekørsel"))


class OfferUploadForm(TariffUploadForm):
    """A Tilbudsportalen offer list to check, and the day its places take effect."""

    places_from = DateField(
        _l("Pladserne gælder fra"), validators=[Optional()], invalid_value_message=NOT_A_DATE
    )

    def validate_places_from(self, field: Field) -> None:
        """A date within the years DEL handles (empty: today)."""
        check_date(field)


class ConfirmImportForm(DelForm):
    """Write a checked upload: its hash and the fingerprint of the dry run shown."""

    digest = HiddenField()
    fingerprint = HiddenField()
    submit = SubmitField(_l("Gem indlæsningen"))

    def validate_digest(self, field: Field) -> None:
        """A SHA-256 in hex (anything else names no kept upload)."""
        if len(field.data or "") != 64:
            raise ValidationError(_l("Læg filen op igen."))
