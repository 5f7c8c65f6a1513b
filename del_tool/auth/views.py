"""Login and logout."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from del_tool.auth.forms import LoginForm
from del_tool.auth.permissions import Permission, public, requires
from del_tool.auth.services import authenticate, authenticate_with_code
from del_tool.db import get_session
from del_tool.security.sessions import end_all_sessions, end_current_session, start_session
from del_tool.security.throttle import login_wait, record_throttled
from del_tool.security.twofactor import begin_second_factor

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _delayed(form: LoginForm, seconds: int) -> ResponseReturnValue:
    """The login form again with the wait (429), offering password and code together."""
    form.password.errors.append(
        _("For mange mislykkede forsøg. Prøv igen om %(seconds)s sekunder.", seconds=seconds)
    )
    page = render_template("auth/login.html", form=form, offer_code=True)
    return page, 429, {"Retry-After": str(seconds)}


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the login form; on valid credentials start a fresh session and go home.

    After repeated failures for the username or from the address an attempt must wait (429
    with the seconds left, whether or not the account exists); meanwhile a user with a second
    factor may log in with password and code together. A user with a second factor otherwise
    continues to the code page.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, offer_code=bool(form.code.data))
    db = get_session()
    username, address = form.username.data or "", request.remote_addr or ""
    password, code = form.password.data or "", (form.code.data or "").strip()
    wait = login_wait(session=db, username=username, address=address)
    if wait.seconds and not (code and wait.admitted_with_code):
        record_throttled(session=db, username=username, address=address)
        db.commit()
        return _delayed(form, wait.seconds)
    if wait.seconds:
        user = authenticate_with_code(
            session=db, username=username, password=password, code=code, address=address
        )
        db.commit()
        if user is None:
            form.password.errors.append(_("Adgangskoden eller koden passer ikke."))
            return _delayed(
                form, login_wait(session=db, username=username, address=address).seconds
            )
        start_session(user)
        return redirect(url_for("main.index"))
    user = authenticate(session=db, username=username, password=password, address=address)
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
