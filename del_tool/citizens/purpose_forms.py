"""Forms of the action plan's purposes on a stay: add or correct one, remove one."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from del_tool.citizens.models import PURPOSE_MAX_CHARS
from del_tool.forms import DelForm, VersionField, select_choices, text_field
from del_tool.goals.models import Theme


def theme_choices() -> list[Any]:
    """No theme, then the FFB themes."""
    return [*select_choices([("", _("Intet bestemt tema"))]), *Theme.choices()]


class PurposeForm(DelForm):
    """A purpose of the municipality's action plan: the text and an optional FFB theme."""

    text = text_field(
        _l("Formål"), required=_l("Skriv formålet."), max_chars=PURPOSE_MAX_CHARS, multiline=True
    )
    theme = SelectField(
        _l("FFB-tema (valgfrit)"),
        choices=theme_choices,
        default="",
        invalid_value_message=_l("Vælg et tema fra listen."),
    )
    version = VersionField()


class RemovePurposeForm(DelForm):
    """Remove a purpose (the version guards against removing one changed since)."""

    version = VersionField()
