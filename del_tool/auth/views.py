"""Login and logout."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from del_tool.auth.forms import LoginForm
from del_tool.auth.permissions import Permission, public, requires
from del_tool.auth.services import authenticate
from del_tool.db import get_session
from del_tool.security.sessions import end_all_sessions, end_current_session, start_session
from del_tool.security.throttle import login_throttled, record_throttled
from del_tool.security.twofactor import begin_second_factor

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the login form; on valid credentials start a fresh session and go home.

    Too many failed attempts for the username or from the address answer 429 whether or not
    the account exists. A user with a second factor continues to the code page.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        username, address = form.username.data or "", request.remote_addr or ""
        if login_throttled(session=db, username=username, address=address):
            record_throttled(session=db, username=username, address=address)
            db.commit()
            form.password.errors.append(
                _("For mange mislykkede forsøg. Vent et kvarter, og prøv så igen.")
            )
            return render_template("auth/login.html", form=form), 429
        user = authenticate(
            session=db, username=username, password=form.password.data or "", address=address
        )
        db.commit()
        if user is not None and user.totp_secret:
            begin_second_factor(user)
            return redirect(url_for("account.two_factor"))
        if user is not None:
            start_session(user)
            return redirect(url_for("main.index"))
        form.password.errors.append(_("Forkert brugernavn eller adgangskode."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(Permission.AUTHENTICATED)
def logout():
    """End the session (POST only: no state change on GET).

    Sessions are signed cookies, so a copy of this one would stay valid after logout; bumping
    the session version ends every session of the user instead.
    """
    db = get_session()
    end_all_sessions(session=db, user=current_user)
    db.commit()
    end_current_session()
    flash(_("Du er logget ud."), "success")
    return redirect(url_for("auth.login"))
