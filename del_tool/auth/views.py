"""Login and logout."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
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


def _sso_options() -> dict[str, object]:
    """What the login page offers besides the form: the SSO button, the form folded away."""
    config = current_app.config
    return {
        "sso_name": config["OIDC_DISPLAY_NAME"] if config.get("OIDC_ISSUER") else None,
        "local_login": bool(config.get("LOCAL_LOGIN", True)),
    }


def _delayed(form: LoginForm, seconds: int) -> ResponseReturnValue:
    """The login form again with the wait (429), offering password and code together."""
    form.password.errors.append(
        _("For mange mislykkede forsøg. Prøv igen om %(seconds)s sekunder.", seconds=seconds)
    )
    page = render_template("auth/login.html", form=form, offer_code=True, **_sso_options())
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
        return render_template(
            "auth/login.html", form=form, offer_code=bool(form.code.data), **_sso_options()
        )
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
    return render_template("auth/login.html", form=form, **_sso_options())


@bp.route("/logout", methods=["POST"])
@requires(Permission.AUTHENTICATED)
def logout():
    """End the session (POST only: no state change on GET).

    Sessions are signed cookies, so a copy of this one would stay valid after logout; bumping
    the session version ends every session of the user instead. After an SSO login the browser
    goes on to the provider's end_session_endpoint (RP-initiated logout).
    """
    db = get_session()
    id_token = session.get("_oidc_id_token") if current_app.config.get("OIDC_ISSUER") else None
    end_all_sessions(session=db, user=current_user)
    db.commit()
    end_current_session()
    flash(_("Du er logget ud."), "success")
    if id_token:
        # RP-initiated logout: the provider ends its session too and sends the browser back.
        from del_tool.sso.client import end_session_url

        back = current_app.config.get("OIDC_POST_LOGOUT_REDIRECT_URI") or url_for(
            "auth.login", _external=True
        )
        url = end_session_url(id_token=id_token, post_logout_redirect_uri=back)
        if url:
            return redirect(url)
    return redirect(url_for("auth.login"))
