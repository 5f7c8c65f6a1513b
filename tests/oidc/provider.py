"""A real OpenID provider for the SSO tests: panva's oidc-provider (OpenID-certified, npm).

`OidcProvider` starts tests/oidc/provider.mjs on a free loopback port with signing keys made
here (so tests can also sign tokens as the provider would, or with a key it does not publish)
and a file of test accounts that the provider reads at every login.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from joserfc.jwk import RSAKey

HERE = Path(__file__).resolve().parent
CLIENT_ID = "del-test"
CLIENT_SECRET = "test-client-secret-that-is-long-enough-for-the-provider"
DEL_ORIGIN = "http://localhost"


def node_missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed (the SSO tests run panva's oidc-provider under node)"
    if not (HERE.parent.parent / "node_modules" / "oidc-provider").is_dir():
        return "oidc-provider is not installed: run npm ci"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OidcProvider:
    """The running provider: its issuer, signing key and editable accounts."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": "provider-key", "use": "sig", "alg": "RS256"}, private=True
        )
        self.accounts_file = workdir / "accounts.json"
        self.set_accounts({})
        settings = {
            "port": self.port,
            "jwks": {"keys": [self.key.as_dict(private=True)]},
            "accounts": str(self.accounts_file),
            "client": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{DEL_ORIGIN}/auth/sso/callback"],
                "post_logout_redirect_uris": [f"{DEL_ORIGIN}/auth/login"],
                "backchannel_logout_uri": f"{DEL_ORIGIN}/auth/sso/backchannel-logout",
                "backchannel_logout_session_required": True,
            },
        }
        settings_file = workdir / "settings.json"
        settings_file.write_text(json.dumps(settings))
        self.process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs"), str(settings_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("ready"):
            self.stop()
            raise RuntimeError(f"oidc-provider did not start: {line!r}")

    def set_accounts(self, accounts: dict[str, dict[str, Any]]) -> None:
        """Replace the test accounts: subject -> claims."""
        self.accounts_file.write_text(json.dumps(accounts))

    def stop(self) -> None:
        """End the node process."""
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()

    def config(self, **overrides: Any) -> dict[str, Any]:
        """DEL's settings for this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_DISPLAY_NAME": "Testregionen",
            "OIDC_ROLE_MAP": {
                "DEL.Staff": "staff",
                "DEL.Leader": "leader",
                "DEL.Analyst": "analyst",
                "DEL.Council": "council",
                "DEL.Admin": "admin",
            },
            **overrides,
        }


def provider_login(del_client: Any, browser: requests.Session, subject: str) -> Any:
    """Log in through the provider as `subject`: DEL's redirect, the provider's login form, the
    provider's redirects, and DEL's callback. Returns the callback's response."""
    start = del_client.get("/auth/sso/login")
    assert start.status_code == 302, start.status_code
    answer = browser.get(start.location, allow_redirects=True, timeout=10)
    match = re.search(r'action="([^"]+)"', answer.text)
    assert match, answer.text[:500]
    answer = browser.post(
        urljoin(answer.url, match.group(1)),
        data={"prompt": "login", "login": subject, "password": "any"},
        allow_redirects=False,
        timeout=10,
    )
    return del_client.get(follow_to_del(browser, answer))


def follow_to_del(browser: requests.Session, answer: requests.Response) -> str:
    """Follow the provider's redirects until one leads to DEL; that address, as DEL's path."""
    for _ in range(10):
        location = urljoin(answer.url, answer.headers["location"])
        if location.startswith(DEL_ORIGIN + "/"):
            return location[len(DEL_ORIGIN) :]
        answer = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back to DEL")
