"""Reading the forms of a page, so tests can fill and send them like a browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    """A form on a page: where it goes, how, and its fields with the values a browser sends."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
            return
        if not self.forms:
            return
        fields = self.forms[-1].fields
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a or name not in fields:
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "image", "file"):
                fields[name] = a.get("value", "")
        elif tag == "button" and name and name not in fields:
            fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in fields or "selected" in a:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data


def parse_forms(html: str) -> list[Form]:
    """Every form of the page."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


#: Forms every page carries (the header's logout and language switch), not the page's own.
LAYOUT_ACTIONS = ("/auth/logout", "/language")


def page_form(html: str, path: str) -> Form | None:
    """The page's own POST form that posts to `path` (query string ignored), if any."""
    for form in parse_forms(html):
        action = form.action.split("?")[0] or path
        if form.method == "post" and action == path and action not in LAYOUT_ACTIONS:
            return form
    return None
