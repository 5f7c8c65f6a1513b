"""Forms of the administration pages; choices from the database are passed to the constructors.

They build on `del_tool.forms` (WTForms' own messages in the user's language); most validators
still carry a message of their own. Role and scope come only from these validated choices; who
is editing is never taken from the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from del_tool.admin.rules import (
    date_problem,
    scope_problems,
)
from del_tool.auth.models import Role
from del_tool.auth.passwords import password_problems
from del_tool.forms import VERSION_MISSING, DelForm, optional_int, select_choices, text_field
from del_tool.text import clean_text

NOT_A_CHOICE = _l("Vælg en af de viste muligheder.")
#: The scope field each role has (README "Administration"); other roles have none of them.
SCOPE_FIELD_ROLES = {"units": Role.STAFF, "centre": Role.LEADER, "municipality": Role.COUNCIL}
NOT_A_DATE = _l("Skriv datoen som åååå-mm-dd.")
USERNAME_PATTERN = r"^[\w.@-]+$"


@dataclass(frozen=True, slots=True)
class ScopeChoices:
    """What a scope can be chosen from: units (grouped by centre), centres, municipalities."""

    unit_groups: list[tuple[str, list[tuple[int, str]]]] = field(default_factory=list)
    centres: list[tuple[int, str]] = field(default_factory=list)
    municipalities: list[tuple[str, str]] = field(default_factory=list)


def optional_str(value: Any) -> str | None:
    """Coerce a posted code: empty (or absent) means none."""
    if value is None or value == "":
        return None
    return str(value)


def check_new_password(_form: Any, field: Field) -> None:
    """WTForms validator: the password rules of `password_problems`, beside the field."""
    problems = password_problems(field.data or "")
    if problems:
        raise ValidationError(" ".join(problems))


def check_date(field: Field) -> None:
    """Raise ValidationError for a date outside the years DEL handles."""
    problem = date_problem(field.data)
    if problem is not None:
        raise ValidationError(problem)


class UserForm(DelForm):
    """Name, role and scope of a user (edited by the administrator)."""

    display_name = text_field(_l("Navn"), required=_l("Skriv brugerens navn."), max_chars=200)
    role = RadioField(
        _l("Rolle"),
        validators=[InputRequired(_l("Vælg en rolle."))],
        invalid_choice_message=NOT_A_CHOICE,
    )
    units = SelectMultipleField(
        _l("Tilbud"),
        coerce=int,
        invalid_value_message=NOT_A_CHOICE,
        invalid_choice_message=NOT_A_CHOICE,
    )
    centre = SelectField(
        _l("Center"),
        coerce=optional_int,
        invalid_value_message=NOT_A_CHOICE,
        invalid_choice_message=NOT_A_CHOICE,
    )
    municipality = SelectField(
        _l("Kommune"),
        coerce=optional_str,
        invalid_value_message=NOT_A_CHOICE,
        invalid_choice_message=NOT_A_CHOICE,
    )

    def __init__(self, *args: Any, scope_choices: ScopeChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()
        self.units.choices = [
            SelectChoice(value=unit_id, label=name, optgroup=centre)
            for centre, units in scope_choices.unit_groups
            for unit_id, name in units
        ]
        self.centre.choices = select_choices([("", _l("Intet center")), *scope_choices.centres])
        self.municipality.choices = select_choices(
            [("", _l("Ingen kommune")), *scope_choices.municipalities]
        )
        self.unit_groups = scope_choices.unit_groups

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then that the role gets exactly the scope it needs (beside the fields).

        The scope fields that do not apply to the chosen role are emptied first (the page hides
        them; a role change must not leave a centre or units behind that the user must clear).
        """
        self.drop_scope_of_other_roles()
        valid = super().validate(extra_validators)
        if any(self[name].errors for name in ("role", "units", "centre", "municipality")):
            return False
        for name, message in scope_problems(
            role=Role(self.role.data),
            unit_ids=self.units.data or [],
            centre_id=self.centre.data,
            municipality_code=self.municipality.data or None,
        ):
            self[name].errors.append(message)
            valid = False
        return valid

    def drop_scope_of_other_roles(self) -> None:
        """Empty the scope fields the posted role has no use for (`SCOPE_FIELD_ROLES`)."""
        try:
            role = Role(self.role.data)
        except ValueError:
            return  # an unknown role is the role field's error
        for name, owner in SCOPE_FIELD_ROLES.items():
            if role is not owner:
                field = self[name]
                field.data = [] if name == "units" else None
                field.raw_data = []


class UserCreateForm(UserForm):
    """A new user: username and an initial password (generated when left empty)."""

    username = StringField(
        _l("Brugernavn"),
        filters=[lambda s: clean_text(s).lower() if isinstance(s, str) else s],
        validators=[
            DataRequired(_l("Skriv et brugernavn.")),
            Length(max=150, message=_l("Højst 150 tegn.")),
            Regexp(USERNAME_PATTERN, message=_l("Brug kun bogstaver, tal og . _ - @")),
        ],
    )
    password = PasswordField(_l("Adgangskode"), validators=[Optional(strip_whitespace=False)])
    confirm = PasswordField(
        _l("Gentag adgangskoden"),
        validators=[EqualTo("password", message=_l("De to adgangskoder er ikke ens."))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The username comes first on the page, so it comes first in the error summary too.
        self._fields.move_to_end("username", last=False)

    def validate_password(self, field: Field) -> None:
        """The password rules apply to a password the administrator types."""
        check_new_password(self, field)


class UserEditForm(UserForm):
    """An existing user's name, role and scope, with the edit token it was loaded with."""

    edit_token = HiddenField(validators=[InputRequired(VERSION_MISSING)])


class PasswordResetForm(DelForm):
    """Set a new password for a user, or let DEL generate one."""

    mode = RadioField(
        _l("Ny adgangskode"),
        choices=[
            SelectChoice(value="generate", label=_l("Lav en tilfældig adgangskode")),
            SelectChoice(value="set", label=_l("Jeg skriver adgangskoden")),
        ],
        default="generate",
        validators=[InputRequired(_l("Vælg en af mulighederne."))],
        invalid_choice_message=NOT_A_CHOICE,
    )
    password = PasswordField(_l("Adgangskode"))
    confirm = PasswordField(_l("Gentag adgangskoden"))

    def validate_password(self, field: Field) -> None:
        """Required and checked only when the administrator types the password."""
        if self.mode.data != "set":
            return
        if not field.data:
            raise ValidationError(_l("Skriv den nye adgangskode."))
        check_new_password(self, field)

    def validate_confirm(self, field: Field) -> None:
        """The typed password is typed twice."""
        if self.mode.data == "set" and field.data != self.password.data:
            raise ValidationError(_l("De to adgangskoder er ikke ens."))


class ActionForm(DelForm):
    """A button that changes state (deactivate, reactivate): CSRF only."""
