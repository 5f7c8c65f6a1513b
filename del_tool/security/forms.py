"""Forms of the account pages: password change, second factor."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from del_tool.auth.passwords import MAX_LENGTH, password_problems


class PasswordChangeForm(FlaskForm):
    """Current password, and the new one twice."""

    current_password = PasswordField(
        _l("Nuværende adgangskode"),
        validators=[DataRequired(_l("Skriv din nuværende adgangskode.")), Length(max=MAX_LENGTH)],
    )
    new_password = PasswordField(
        _l("Ny adgangskode"),
        validators=[DataRequired(_l("Skriv en ny adgangskode."))],
    )
    confirm = PasswordField(
        _l("Gentag den nye adgangskode"),
        validators=[
            DataRequired(_l("Gentag den nye adgangskode.")),
            EqualTo("new_password", _l("De to adgangskoder er ikke ens.")),
        ],
    )

    def validate_new_password(self, field: Any) -> None:
        """The password rules (length, not a common password)."""
        problems = password_problems(field.data or "")
        if problems:
            raise ValidationError(" ".join(problems))


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Kode"),
        validators=[DataRequired(_l("Skriv koden.")), Length(max=20)],
    )


class PasswordConfirmForm(FlaskForm):
    """The current password, to confirm a sensitive change."""

    password = PasswordField(
        _l("Adgangskode"),
        validators=[DataRequired(_l("Skriv din adgangskode.")), Length(max=MAX_LENGTH)],
    )


#: The label of the choice, on turning the second factor on or off, to end other sessions.
END_OTHER_SESSIONS = _l("Log mig ud på mine andre enheder (computere og telefoner)")


class TotpSetupForm(CodeForm):
    """The first code from the app, and whether to end the user's other sessions."""

    end_other_sessions = BooleanField(END_OTHER_SESSIONS, default=True)


class TotpDisableForm(PasswordConfirmForm):
    """The password, and whether to end the user's other sessions."""

    end_other_sessions = BooleanField(END_OTHER_SESSIONS, default=True)


class EnrolmentStartForm(FlaskForm):
    """Begin (or begin again) an enrolment: a new secret for the app (CSRF only)."""
