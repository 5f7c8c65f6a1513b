"""Form building blocks shared by every form in DEL (staff workflow and administration).

`DelForm` gives WTForms' own messages ("Not a valid integer value." ...) in the user's language,
since WTForms ships no Danish catalogue. The validators here keep dates and numbers inside the
ranges DEL accepts, so hostile input gets an error beside the field, never a database error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    FloatField,
    Form,
    HiddenField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from del_tool.errors import RuleError
from del_tool.i18n import format_day
from del_tool.modelbase import local_today
from del_tool.text import clean_text

#: Dates before this are refused everywhere (no stay in DEL starts earlier).
EARLIEST_DATE = date(1980, 1, 1)
#: How far ahead a planned date (stay end, review date) may lie.
PLANNING_HORIZON = timedelta(days=5 * 366)
#: The hidden version of a form is missing or not one DEL gave out.
VERSION_MISSING = _l("Formularen mangler sin version. Indlæs siden igen.")

#: WTForms' built-in messages, in DEL's catalogue.
_WTFORMS_MESSAGES = {
    "Not a valid choice.": _l("Vælg en af mulighederne."),
    "Invalid Choice: could not coerce.": _l("Vælg en af mulighederne."),
    "Not a valid integer value.": _l("Skriv et helt tal."),
    "Not a valid float value.": _l("Skriv et tal."),
    "Not a valid decimal value.": _l("Skriv et tal."),
    "Not a valid date value.": _l("Skriv en gyldig dato (åååå-mm-dd)."),
    "This field is required.": _l("Udfyld feltet."),
    "Invalid input.": _l("Ugyldigt input."),
}


class _Translations:
    """WTForms translations object that answers from DEL's catalogue where it knows the text."""

    def gettext(self, string: str) -> str:
        """The DEL translation of a WTForms message, else the message itself."""
        known = _WTFORMS_MESSAGES.get(string)
        return str(known) if known is not None else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Plural messages are only used by length validators, which DEL gives messages."""
        return self.gettext(singular if n == 1 else plural)


class LocalisedMeta:
    """WTForms meta options: built-in messages from DEL's catalogue."""

    def get_translations(self, form: Form) -> _Translations:
        """DEL's catalogue for WTForms' own messages."""
        return _Translations()


class DelForm(FlaskForm):
    """A FlaskForm whose built-in WTForms messages are in the user's language."""

    class Meta(LocalisedMeta):
        """WTForms meta options."""


class DelSubForm(Form):
    """A form nested with FormField (no CSRF of its own), with localised built-in messages."""

    class Meta(LocalisedMeta):
        """WTForms meta options."""


def select_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (labels translated now).

    A labelled enum gives its choices itself (`LabelledEnum.choices`); put a ("", "Vælg ...")
    pair first for a select that starts empty.
    """
    return [SelectChoice(value=value, label=str(label)) for value, label in pairs]


#: A whole number as posted: optional minus, at most 18 ASCII digits (fits a BIGINT).
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


def optional_int(value: Any) -> int | None:
    """Coerce for optional choices of whole numbers: "" (none chosen) is None.

    Anything else that is not a whole number raises ValueError, which WTForms shows as the
    field's "not a valid choice" error.
    """
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    if not _WHOLE_NUMBER.fullmatch(text):
        raise ValueError(text[:20])
    return int(text)


def number_text(value: Any) -> str:
    """Posted number text made plain: spaces gone, and a Danish "1.234,5" as "1234.5"."""
    raw = str(value).strip().replace(" ", "").replace("\u00a0", "")
    return raw.replace(".", "").replace(",", ".") if "," in raw else raw


class LocalFloatField(FloatField):
    """A number typed the Danish way ("1,5") or with a point ("1.5"), shown in the user's
    language ("1,5" in Danish, never "1.0"); render it as a text input (`inputmode=decimal`),
    since a number input cannot hold a decimal comma."""

    data: Any  # as WTForms' FloatField: a float once validated, None when left empty

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the posted text; what is not a number is the field's error."""
        if not valuelist:
            return
        raw = number_text(valuelist[0])
        self.data = None
        if not raw:
            return
        try:
            self.data = float(raw) if len(raw) <= 40 else float("nan")
        except ValueError as error:
            message = "Not a valid float value."  # WTForms' own, translated by the form's Meta
            raise ValueError(self.gettext(message)) from error

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return str(format_decimal(self.data, format="0.##"))


class VersionField(HiddenField):
    """The hidden `version` of an optimistically locked record, a positive whole number.

    A posted value that is not one (empty, tampered) is an error on the form. Not posted at all
    (a form that also creates records), `data` is None, which a service that needs a version
    refuses like an old one (`ConflictError`).
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse a positive whole number; anything else leaves `data` None and an error."""
        self.data = None
        if not valuelist:
            return
        raw = str(valuelist[0])
        if not (raw.isascii() and raw.isdigit() and len(raw) < 10 and int(raw) > 0):
            raise ValueError(VERSION_MISSING)
        self.data = int(raw)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


def date_field(label: Any, *validators: Any) -> DateField:
    """A date input (ISO format, the browser's date picker)."""
    return DateField(label, validators=list(validators), format="%Y-%m-%d")


class DateRange:
    """Validator: the date lies between EARLIEST_DATE and today (+ `ahead`)."""

    def __init__(self, *, ahead: timedelta = timedelta(0)) -> None:
        self.ahead = ahead

    def __call__(self, form: Form, field: Field) -> None:
        """Raise ValidationError beside the field when out of range."""
        value = field.data
        if value is None:
            return
        latest = local_today() + self.ahead
        if value < EARLIEST_DATE:
            raise ValidationError(
                _("Datoen må ikke være før %(date)s.", date=format_day(EARLIEST_DATE))
            )
        if value > latest:
            if self.ahead:
                raise ValidationError(
                    _("Datoen må ikke være efter %(date)s.", date=format_day(latest))
                )
            raise ValidationError(_("Datoen må ikke ligge i fremtiden."))


def apply_rule_error(form: Form, error: RuleError, *, fallback: str | None = None) -> None:
    """Show a service's RuleError beside its field; "goal_5.level" names a nested field.

    When the form has no such field, the message goes beside `fallback` if given, else among
    the form's own errors (shown in the error summary).
    """
    if fallback is not None and error.field.split(".")[0] not in form:
        error = RuleError(fallback, error.message)
    target: Any = form
    for part in error.field.split("."):
        fields = getattr(target, "_fields", {})
        if part not in fields:
            break
        field = fields[part]
        target = getattr(field, "form", field)
    if isinstance(target, Form):  # no such field: the form's own errors (shown in the summary)
        target.form_errors.append(str(error.message))
        return
    if isinstance(target.errors, tuple):
        target.errors = list(target.errors)
    target.errors.append(str(error.message))


#: A birth date (DDMMYY, optionally as DD.MM.YY or DD-MM-YY), an optional separator and four
#: digits: the shape of a CPR number, after dashes and spaces of every kind are made plain.
_CPR_SHAPE = re.compile(r"(?<!\d)\d{2}([ .-]?)\d{2}\1\d{2}[ .-]?\d{4}(?!\d)")
#: Hyphens, dashes and minus signs (U+2010-2015, U+2212, the small and full-width forms).
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
#: Invisible characters that could be typed between the digits (soft hyphen, zero-width ones).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


def contains_cpr_number(text: str) -> bool:
    """Whether `text` holds something shaped like a CPR number, however it is punctuated:
    "0101901234", "010190-1234", "01.01.90-1234", with a Unicode dash or a no-break space."""
    plain = _DASHES.sub("-", _INVISIBLE.sub("", text))
    plain = re.sub(r"\s", " ", plain)
    return _CPR_SHAPE.search(plain) is not None


#: What a free text holding a CPR-shaped number is told.
CPR_MESSAGE = _l("DEL gemmer ikke CPR-numre. Fjern nummeret fra teksten.")


def text_problem(text: str, *, max_chars: int) -> Any | None:
    """What DEL's free-text rule (`text_field`) says of cleaned `text`: too long, or holding a
    CPR-shaped number; None when it may be stored. For services, so every caller keeps it."""
    if len(text) > max_chars:
        return too_long_message(max_chars)
    if contains_cpr_number(text):
        return CPR_MESSAGE
    return None


class NoCprNumber:
    """Validator: refuse text that contains something shaped like a CPR number.

    DEL stores no CPR numbers (data minimisation); free text is where one would slip in.
    """

    def __call__(self, form: Form, field: Field) -> None:
        """Raise ValidationError beside the field when the text holds a CPR-shaped number."""
        if field.data and contains_cpr_number(str(field.data)):
            raise ValidationError(str(CPR_MESSAGE))


#: The filter of every free-text field (`del_tool.text.clean_text`): trims spaces and invisible
#: characters, so text of only those is empty and a required field says so.
strip_text = clean_text


def text_field(
    label: Any,
    *,
    max_chars: int,
    required: Any = None,
    multiline: bool = False,
    cpr_check: bool = True,
) -> StringField:
    """A free-text field with DEL's one rule: cleaned (`clean_text`), at most `max_chars`.

    `required` is the message for a field left empty (or only spaces); without it the field
    is optional. Free text is checked for CPR numbers unless `cpr_check` is False (search).
    """
    validators: list[Any] = [DataRequired(required) if required is not None else Optional()]
    validators.append(Length(max=max_chars, message=too_long_message(max_chars)))
    if cpr_check:
        validators.append(NoCprNumber())
    kind = TextAreaField if multiline else StringField
    return kind(label, filters=[clean_text], validators=validators)


def too_long_message(max_chars: int) -> Any:
    """The message for text over `max_chars` characters: "Højst 4000 tegn."."""
    return _l("Højst %(max)s tegn.", max=max_chars)
