"""Single sign-on with OpenID Connect, back-channel logout and SCIM 2.0 (README "Single sign-on").

Nothing here is active by default: the routes exist only when OIDC_ISSUER (login, callback,
back-channel logout) or SCIM_TOKEN (/scim/v2) is set.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the OIDC client and routes, and SCIM, as configured."""
    if app.config.get("OIDC_ISSUER"):
        from del_tool.sso import client
        from del_tool.sso.views import bp

        client.init_app(app)
        app.register_blueprint(bp)
    if app.config.get("SCIM_TOKEN"):
        from del_tool.sso.scim import bp as scim_bp

        app.register_blueprint(scim_bp)


def enabled(app: Flask) -> bool:
    """Whether SSO login is configured."""
    return bool(app.config.get("OIDC_ISSUER"))


def local_login_allowed(app: Flask, username: str) -> bool:
    """Whether `username` may log in with a DEL password (LOCAL_LOGIN, else break-glass only)."""
    if app.config.get("LOCAL_LOGIN", True):
        return True
    allowed = app.config.get("LOCAL_LOGIN_USERS") or ()
    if isinstance(allowed, str):
        allowed = allowed.replace(",", " ").split()
    return username.strip().lower() in {str(name).strip().lower() for name in allowed}
