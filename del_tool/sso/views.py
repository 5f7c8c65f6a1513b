"""Single sign-on routes: the redirect to the provider, its callback, back-channel logout."""

from __future__ import annotations

from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException
from sqlmodel import col, select

from del_tool.auth.models import User
from del_tool.auth.permissions import public
from del_tool.db import get_session
from del_tool.extensions import csrf
from del_tool.security.sessions import end_all_sessions, start_session
from del_tool.sso import client as oidc
from del_tool.sso.claims import ClaimsError
from del_tool.sso.models import ExternalIdentity
from del_tool.sso.provisioning import log_sso_attempt, login_with_claims

bp = Blueprint("sso", __name__, url_prefix="/auth/sso")

#: Session keys: the ID token (for RP-initiated logout) and that the login came by SSO.
ID_TOKEN_KEY = "_oidc_id_token"  # noqa: S105 - a session key
SSO_KEY = "_sso"


def _refused(reason: str, status: int = 403) -> ResponseReturnValue:
    return render_template("sso/refused.html", reason=reason), status


@bp.route("/login")
@public
def login() -> ResponseReturnValue:
    """Send the browser to the provider (authorisation code flow, PKCE S256, state, nonce)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    try:
        oidc.metadata()
        redirect_uri = current_app.url_for("sso.callback", _external=True)
        return oidc.client().authorize_redirect(redirect_uri, nonce=generate_token(32))
    except (oidc.TokenError, RequestException, OAuthError, ValueError):
        current_app.logger.exception("the OpenID provider could not be reached")
        return _refused("unavailable", 503)


@bp.route("/callback")
@public
def callback() -> ResponseReturnValue:
    """The provider's answer: check state, exchange the code, verify the ID token, log in."""
    db = get_session()
    address = request.remote_addr or ""
    state = request.args.get("state", "")
    data = session.get(f"_state_{oidc.NAME}_{state}", {}) if state else {}
    nonce = data.get("data", {}).get("nonce") if isinstance(data, dict) else None
    try:
        if request.args.get("error") or not data or not nonce:
            raise oidc.TokenError("state mismatch or the provider refused")
        # Authlib checks the state and sends the PKCE verifier; DEL verifies the ID token.
        token = oidc.client().authorize_access_token(claims_options={}, leeway=oidc.LEEWAY)
        id_token = token.get("id_token")
        if not id_token:
            raise oidc.TokenError("no ID token")
        claims = oidc.verify_id_token(id_token, nonce=nonce)
    except (oidc.TokenError, AuthlibBaseError, JoseError, RequestException, ValueError) as exc:
        current_app.logger.warning("SSO login refused: %s", exc)
        log_sso_attempt(db, user=None, subject="", address=address, reason="sso_bad_token")
        db.commit()
        return _refused("token")
    try:
        user = login_with_claims(db, issuer=oidc.issuer(), claims=claims, address=address)
    except ClaimsError as exc:
        db.commit()
        return _refused(exc.reason)
    db.commit()
    start_session(user)
    session[ID_TOKEN_KEY] = id_token
    session[SSO_KEY] = True
    return redirect(url_for("main.index"))


def _logout_answer(error: str | None) -> Any:
    body = {"error": error} if error else {}
    response = jsonify(body)
    response.status_code = 400 if error else 200
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/backchannel-logout", methods=["POST"])
@public
@csrf.exempt
def backchannel_logout() -> ResponseReturnValue:
    """OpenID Back-Channel Logout 1.0: the provider ends a user's DEL sessions at once."""
    token = request.form.get("logout_token", "")
    if not token:
        return _logout_answer("invalid_request")
    try:
        claims = oidc.verify_logout_token(token)
    except (oidc.TokenError, RequestException) as exc:
        current_app.logger.warning("back-channel logout refused: %s", exc)
        return _logout_answer("invalid_request")
    db = get_session()
    query = select(ExternalIdentity).where(ExternalIdentity.issuer == oidc.issuer())
    if claims.get("sub"):
        query = query.where(ExternalIdentity.subject == str(claims["sub"]))
    if claims.get("sid"):
        query = query.where(col(ExternalIdentity.last_sid) == str(claims["sid"]))
    for identity in db.exec(query).all():
        user = db.get(User, identity.user_id)
        if user is not None:
            end_all_sessions(session=db, user=user)
            from del_tool.logs import security_event

            security_event("logout.backchannel", user_id=user.id)
    db.commit()
    return _logout_answer(None)
