"""Cross-cutting security: headers, session timeouts, second factor, privacy, backups.

Modules: `headers` (CSP and friends), `sessions` (timeouts, ending sessions), `throttle` (login
rate limits), `totp` and `twofactor` (second factor), `views` (the account pages), `privacy`
(export, anonymisation, retention, pseudonyms), `backup` (backup and restore), `cli`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the proxy fix, the per-request input and session checks, the headers."""
    from del_tool.security.headers import install_proxy_fix, set_security_headers
    from del_tool.security.inputs import reject_control_characters
    from del_tool.security.passwordchoice import enforce_password_choice
    from del_tool.security.sessions import enforce_timeouts
    from del_tool.security.twofactor import enforce_enrolment
    from del_tool.selfreport.lock import enforce_lock

    install_proxy_fix(app)
    app.before_request(reject_control_characters)
    app.before_request(enforce_timeouts)
    app.before_request(enforce_lock)  # a citizen's self-report screen reaches nothing else
    app.before_request(enforce_password_choice)
    app.before_request(enforce_enrolment)
    app.after_request(set_security_headers)
