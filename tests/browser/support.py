"""What every browser journey uses: a checked tab, the language switch, screenshots.

`BrowserTab` wraps a Playwright page. `check()` runs the accessibility checks of `a11y` (axe-core's
WCAG 2.1 A and AA rules and DEL's own) and fails on any finding, on a script error or on a
Content-Security-Policy refusal; `check_both_languages()` does that in Danish, switches to
English, checks again and switches back. The tab remembers every page it loaded, and the fixture
that opened it fails the test if one of them was never checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.a11y import (
    assert_accessible,
    assert_charts_described,
    assert_controls_drawn,
)
from tests.browser.keyboard import press_and_load, tab_to, type_text

SCREENSHOT_DIR = Path(__file__).parent / "screenshots"
VIEWPORTS = {"desktop": (1366, 900), "tablet": (820, 1180), "phone": (375, 812)}
#: The widths a screenshot is taken at unless a journey asks for others.
DEFAULT_WIDTHS = ("desktop", "tablet")
_SCREENSHOTS_TAKEN: set[str] = set()

_RESOURCE_STATUS = re.compile(
    r"Failed to load resource: the server responded with a status of (\d+)"
)


class BrowserTab:
    """A page of a journey: checked for accessibility on every load, in both languages."""

    def __init__(self, page: Any, *, downloads: Path) -> None:
        """Wrap `page`; downloads are saved under `downloads`."""
        self.page = page
        self.downloads = downloads
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        self.problems: list[str] = []
        self.expected_status: int | None = None
        page.on("load", lambda p: self.loaded.append(p.url))
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _on_console(self, message: Any) -> None:
        if message.type not in ("error", "warning"):
            return
        status = _RESOURCE_STATUS.search(message.text)
        if status and int(status.group(1)) == self.expected_status:
            return  # the refusal the test asked for, reported by the browser as well
        self.problems.append(f"console {message.type}: {message.text}")

    # -- navigation ------------------------------------------------------------------------

    def goto(self, path: str, *, status: int = 200) -> Any:
        """Open `path` and require the HTTP status (200 unless told)."""
        self.expected_status = status if status >= 400 else None
        response = self.page.goto(path)
        assert response is not None and response.status == status, (
            f"{path}: HTTP {response.status if response else None}, expected {status}"
        )
        return response

    def login(self, username: str, password: str) -> None:
        """Log in with the keyboard through the login form; lands on the role's start page."""
        self.goto("/auth/login")
        self.check_both_languages("login", screenshot=True)
        tab_to(self.page, "#username")
        type_text(self.page, username)
        self.page.keyboard.press("Tab")
        type_text(self.page, password)
        # A council's first login opens its summary, and the test server's job queue runs in
        # the request: every due quarter is published then (about 2 s each, more on a busy
        # two-core machine), so this one wait is longer than the context's 15 s.
        press_and_load(self.page, timeout=60_000)
        assert "/auth/login" not in self.page.url, f"login as {username} failed"

    # -- checks ----------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        """The page's language (the html element's lang)."""
        return str(self.page.evaluate("() => document.documentElement.lang"))

    def check(self, where: str) -> None:
        """axe finds no WCAG 2.1 A/AA violation; charts have alt text and tables; every radio
        button and checkbox is drawn; no script or CSP error was logged."""
        label = f"{where} [{self.lang}] {self.page.url}"
        assert_accessible(self.page, label)
        assert_charts_described(self.page, label)
        assert_controls_drawn(self.page, label)
        assert self.problems == [], f"{label}: {self.problems}"
        self.checked.add(self.page.url)

    def switch_language(self, lang: str) -> None:
        """Reach the header's language button with the keyboard (Tab from the top, Shift+Tab
        from further down) and press Enter; the page must come back in `lang`."""
        at_top = self.page.evaluate("() => document.activeElement === document.body")
        button = f"form.del-language button[value='{lang}']"
        tab_to(self.page, button, key="Tab" if at_top else "Shift+Tab", limit=400)
        press_and_load(self.page)
        assert self.lang == lang, f"expected the page in {lang}, got {self.lang}"

    def check_both_languages(self, where: str, *, screenshot: bool = False) -> None:
        """Check the page in Danish and in English; switch back; screenshots when asked."""
        assert self.lang == "da", f"{where}: expected a Danish page, got {self.lang}"
        url, danish = self.page.url, self._main_text()
        self.check(where)
        if screenshot:
            self.screenshot(where)
        self.switch_language("en")
        assert self.page.url == url, f"the language switch left {url} for {self.page.url}"
        assert self._main_text() != danish, f"{where}: the English page reads as the Danish one"
        self.check(where)
        self.switch_language("da")
        assert self.page.url == url and self._main_text() == danish, f"{where}: not back in Danish"

    def _main_text(self) -> str:
        """The page's text without flash messages (they show once, so a reload drops them)."""
        return str(
            self.page.evaluate(
                """() => { const body = document.body.cloneNode(true);
                  body.querySelectorAll("main > .alert").forEach((el) => el.remove());
                  return body.textContent.replace(/\\s+/g, " ").trim(); }"""
            )
        )

    def screenshot(self, name: str, *, widths: tuple[str, ...] = DEFAULT_WIDTHS) -> None:
        """Full-page screenshots at desktop and tablet width (or only `widths`) under
        tests/browser/screenshots/, once per name and run; axe checks the narrower layouts."""
        if name in _SCREENSHOTS_TAKEN:
            return
        _SCREENSHOTS_TAKEN.add(name)
        SCREENSHOT_DIR.mkdir(exist_ok=True)
        size = self.page.viewport_size
        for label in widths:
            width, height = VIEWPORTS[label]
            self.page.set_viewport_size({"width": width, "height": height})
            if label != "desktop":  # check() ran at desktop width; narrower layouts differ
                assert_accessible(self.page, f"{name} at {label} width ({width}px)")
            self.page.screenshot(path=SCREENSHOT_DIR / f"{name}-{label}.png", full_page=True)
        self.page.set_viewport_size(size)

    def assert_every_page_checked(self) -> None:
        """Every page this tab loaded passed `check` (raised by the fixture at teardown)."""
        unchecked = sorted({url for url in self.loaded if url not in self.checked})
        assert unchecked == [], f"pages loaded but never checked for accessibility: {unchecked}"
