"""The OpenID Connect client (Authlib): code flow with PKCE, ID and logout token checks.

The provider's endpoints and signing keys come from its discovery document
(`<OIDC_ISSUER>/.well-known/openid-configuration`). Authlib keeps state, nonce and the PKCE
verifier in the session between the redirect and the callback; the ID token's signature is
checked against the provider's JWKS, its issuer against OIDC_ISSUER, its audience, expiry and
nonce by `verify_id_token`.
"""

from __future__ import annotations

import time
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

NAME = "del_oidc"
EXTENSION_KEY = "del_oidc"
#: Seconds of clock skew allowed on exp and iat.
LEEWAY = 60
#: A logout token older than this is refused (OpenID Back-Channel Logout 1.0 §2.6 step 10).
LOGOUT_TOKEN_MAX_AGE = 300
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
#: Asymmetric algorithms only: a symmetric one would make the client secret a signing key.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


class TokenError(ValueError):
    """A token that failed a check; the message says which (for the log, not the user)."""


def init_app(app: Flask) -> None:
    """Register the provider with Authlib when OIDC_ISSUER is set (discovery is lazy)."""
    oauth = OAuth(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    oauth.register(
        NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"] or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "timeout": 10,
        },
    )
    app.extensions[EXTENSION_KEY] = oauth


def client() -> Any:
    """The registered Authlib client of the app."""
    return getattr(current_app.extensions[EXTENSION_KEY], NAME)


def issuer() -> str:
    """The configured issuer, as ID tokens must name it."""
    return str(current_app.config["OIDC_ISSUER"])


def metadata() -> dict[str, Any]:
    """The provider's discovery document; TokenError if its issuer is not the configured one."""
    data: dict[str, Any] = client().load_server_metadata()
    if data.get("issuer") != issuer():
        raise TokenError(f"discovery names issuer {data.get('issuer')!r}, not {issuer()!r}")
    return data


def _decode(token: str, *, refresh_keys: bool = False) -> Any:
    """Decode and verify a signed JWT with the provider's keys (fetched again for a new kid)."""
    keys = KeySet.import_key_set(client().fetch_jwk_set(force=refresh_keys))
    algorithms = [
        a
        for a in ALGORITHMS
        if a in metadata().get("id_token_signing_alg_values_supported", ALGORITHMS)
    ]
    try:
        return jwt.decode(token, keys, registry=JWSRegistry(algorithms=algorithms))
    except InvalidKeyIdError:
        if not refresh_keys:
            return _decode(token, refresh_keys=True)
        raise TokenError("signed with a key the provider does not publish") from None
    except JoseError as exc:
        raise TokenError(f"signature: {exc}") from None
    except ValueError as exc:
        raise TokenError(f"malformed token: {exc}") from None


def _check_times(claims: dict[str, Any], now: float, *, needs_exp: bool) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(iat, int | float):
        raise TokenError("no iat")
    if iat > now + LEEWAY:
        raise TokenError("issued in the future")
    if needs_exp or exp is not None:
        if not isinstance(exp, int | float):
            raise TokenError("no exp")
        if exp < now - LEEWAY:
            raise TokenError("expired")


def _check_audience(claims: dict[str, Any]) -> None:
    client_id = current_app.config["OIDC_CLIENT_ID"]
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences:
        raise TokenError("audience is not DEL's client id")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise TokenError("several audiences but azp is not DEL's client id")


def verify_id_token(id_token: str, *, nonce: str | None) -> dict[str, Any]:
    """The claims of a valid ID token (OpenID Connect Core §3.1.3.7); TokenError otherwise."""
    claims = dict(_decode(id_token).claims)
    if claims.get("iss") != issuer():
        raise TokenError("issuer mismatch")
    _check_audience(claims)
    _check_times(claims, time.time(), needs_exp=True)
    if not nonce or claims.get("nonce") != nonce:
        raise TokenError("nonce mismatch")
    if not claims.get("sub"):
        raise TokenError("no sub")
    return claims


def verify_logout_token(logout_token: str) -> dict[str, Any]:
    """The claims of a valid logout token (Back-Channel Logout 1.0 §2.6); TokenError otherwise."""
    claims = dict(_decode(logout_token).claims)
    if claims.get("iss") != issuer():
        raise TokenError("issuer mismatch")
    _check_audience(claims)
    now = time.time()
    _check_times(claims, now, needs_exp=False)
    if claims["iat"] < now - LOGOUT_TOKEN_MAX_AGE:
        raise TokenError("logout token too old")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_EVENT), dict):
        raise TokenError("no back-channel logout event")
    if "nonce" in claims:
        raise TokenError("a logout token must not carry a nonce")
    if not claims.get("sub") and not claims.get("sid"):
        raise TokenError("neither sub nor sid")
    return claims


def end_session_url(*, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """The provider's end_session_endpoint with id_token_hint and where to come back to."""
    try:
        endpoint = metadata().get("end_session_endpoint")
    except (TokenError, OSError, ValueError):
        return None
    if not endpoint:
        return None
    result = client().create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
        client_id=current_app.config["OIDC_CLIENT_ID"],
    )
    return str(result["url"])
