"""Browser tests: the real app on a loopback port, driven by Debian's Chromium via Playwright.

One server per run (session scope) serves a fresh copy of the demo region with CSRF enabled and
the session cookie allowed over plain HTTP. Each test gets its own browser context, so cookies
and logins never leak between journeys. Without Chromium the tests are skipped with one clear
reason, except under CI (`.ci/run` exports CI=true and installs Chromium), where they fail.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, got_request_exception
from werkzeug.serving import make_server

from del_tool import create_app
from del_tool.db import get_db
from tests.browser.a11y import AXE_PATH
from tests.browser.support import BrowserTab
from tests.conftest import make_config
from tests.support.databases import DatabaseFactory

CHROMIUM = Path(os.environ.get("DEL_CHROMIUM", "/usr/bin/chromium"))
#: Without the background-networking flags Chromium's own connections are refused on a closed
#: network and slow every launch; the rest keep a headless run quiet and reproducible.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 900}
#: Test-only pages (tests/browser/pages/) are served under this prefix, outside the app.
TEST_PAGE_PREFIX = "/__browser_test__/"
CALL_FAILED = pytest.StashKey[bool]()
PAGES_DIR = Path(__file__).parent / "pages"


def _missing_requirement() -> str | None:
    if not CHROMIUM.is_file():
        return f"Chromium not found at {CHROMIUM} (.ci/run installs it)"
    if not AXE_PATH.is_file():
        return f"axe-core not found at {AXE_PATH} (run `npm ci`)"
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember whether the test body failed, so teardown checks do not pile on."""
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests, with the reason, when Chromium or axe-core is missing (not in CI)."""
    reason = _missing_requirement()
    if reason is None or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@dataclass
class LiveServer:
    """The app served on a loopback port; `errors` collects tracebacks of failed requests."""

    url: str
    app: Flask
    errors: list[str] = field(default_factory=list)


def _with_test_pages(app: Flask) -> Callable[..., Iterable[bytes]]:
    """WSGI: serve tests/browser/pages/<name> under TEST_PAGE_PREFIX, everything else by `app`."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(TEST_PAGE_PREFIX):
            page = PAGES_DIR / path.removeprefix(TEST_PAGE_PREFIX)
            if page.parent == PAGES_DIR and page.suffix == ".html" and page.is_file():
                body = page.read_bytes()
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
                return [body]
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        return app.wsgi_app(environ, start_response)

    return wsgi


@pytest.fixture(scope="session")
def live_server(databases: DatabaseFactory) -> Iterator[LiveServer]:
    """The real app (CSRF on, errors handled as in production) on a fresh demo database."""
    url = databases.fresh("demo")
    app = create_app(make_config(url, TESTING=False, WTF_CSRF_ENABLED=True))
    server = make_server("127.0.0.1", 0, _with_test_pages(app), threaded=True)
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)

    def record(_sender: Flask, exception: BaseException, **_extra: Any) -> None:
        live.errors.append("".join(traceback.format_exception(exception)))

    got_request_exception.connect(record, app)
    thread = threading.Thread(target=server.serve_forever, name="del-live-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=10)
    got_request_exception.disconnect(record, app)
    get_db(app).dispose()
    databases.drop(url)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, launched once per run."""
    from playwright.sync_api import sync_playwright

    reason = _missing_requirement()
    if reason is not None:
        pytest.fail(f"CI must run the browser tests: {reason}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_tab(
    chromium: Any, live_server: LiveServer, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], BrowserTab]]:
    """Factory: open_tab() gives a tab in a new browser context (its own cookies).

    At the end of the test every page the tabs loaded must have passed the accessibility
    check, and the server must not have failed a request.
    """
    contexts: list[Any] = []
    tabs: list[BrowserTab] = []
    failures_before = len(live_server.errors)

    def open_one() -> BrowserTab:
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=DESKTOP,
            locale="da-DK",
            timezone_id="Europe/Copenhagen",
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = BrowserTab(context.new_page(), downloads=tmp_path)
        tabs.append(tab)
        return tab

    yield open_one
    for context in contexts:
        context.close()
    assert live_server.errors[failures_before:] == [], "the server failed a request"
    if request.node.stash.get(CALL_FAILED, False):
        return
    for tab in tabs:
        tab.assert_every_page_checked()
