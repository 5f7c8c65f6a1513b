"""Security headers on every response (error pages included), and the reverse-proxy fix."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

#: Endpoints whose responses carry no personal data and may be cached (static assets).
CACHEABLE_ENDPOINTS = frozenset({"static"})


def set_security_headers(response: Response) -> Response:
    """after_request: CSP, nosniff, referrer policy, framing, HSTS over TLS, no-store."""
    config = current_app.config
    headers = response.headers
    headers["Content-Security-Policy"] = config["CONTENT_SECURITY_POLICY"]
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = f"max-age={int(config['HSTS_MAX_AGE'])}"
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        # Pages may show personal data; nothing but static assets is kept by browsers or proxies.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def install_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* from as many proxies as configured (none by default)."""
    counts = {
        "x_for": int(app.config["PROXY_FIX_X_FOR"]),
        "x_proto": int(app.config["PROXY_FIX_X_PROTO"]),
        "x_host": int(app.config["PROXY_FIX_X_HOST"]),
    }
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]
