"""Login form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional


class LoginForm(FlaskForm):
    """Username and password; while logins are delayed, a code from the app too."""

    username = StringField(
        _l("Brugernavn"), validators=[DataRequired(_l("Skriv dit brugernavn.")), Length(max=150)]
    )
    password = PasswordField(
        _l("Adgangskode"),
        validators=[DataRequired(_l("Skriv din adgangskode.")), Length(max=128)],
    )
    code = StringField(
        _l("Kode fra din app (kun med totrinsbekræftelse)"),
        validators=[Optional(), Length(max=20)],
    )
