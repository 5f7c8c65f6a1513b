"""Filling in a page's POST form the way a person would: every field answered, hidden ones kept.

Radio groups get one of their options (the checked one if there is one, else one at random),
selects their selected option, text fields and text areas their current value unless the caller
gives one, hidden fields (CSRF token, submission token, version) their value as sent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass(slots=True)
class PostForm:
    """The fields of a POST form."""

    action: str | None
    values: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    checked: dict[str, str] = field(default_factory=dict)

    def filled(self, rng: random.Random, **given: str) -> dict[str, str]:
        """The form data to submit: radio groups answered, `given` values put in."""
        data = dict(self.values)
        for name, options in self.radios.items():
            data[name] = self.checked.get(name) or rng.choice(options)
        data.update(given)
        return data


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PostForm] = []
        self.form: PostForm | None = None
        self.textarea: str | None = None
        self.select: str | None = None
        self.chosen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.form = PostForm(a.get("action") or None)
                self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name", "")
        if tag == "option" and self.select is not None:
            first = self.select not in self.chosen
            if first or "selected" in a:
                self.form.values[self.select] = a.get("value", "")
                self.chosen.add(self.select)
        elif not name:
            return
        elif tag == "input":
            self._input(name, a)
        elif tag == "textarea":
            self.textarea = name
            self.form.values[name] = ""
        elif tag == "select":
            self.select = name

    def _input(self, name: str, a: dict[str, str]) -> None:
        assert self.form is not None
        kind = a.get("type", "text").lower()
        if kind == "radio":
            self.form.radios.setdefault(name, []).append(a.get("value", ""))
            if "checked" in a:
                self.form.checked[name] = a.get("value", "")
        elif kind == "checkbox":
            if "checked" in a:
                self.form.values[name] = a.get("value", "y")
        elif kind not in ("submit", "button", "reset", "file", "image"):
            self.form.values[name] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self.form is not None and self.textarea:
            self.form.values[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.form = None


def post_form(html: str) -> PostForm | None:
    """The page's main POST form (the one with the most fields, not the header's log-out
    form), or None."""
    parser = _Parser()
    parser.feed(html)
    if not parser.forms:
        return None
    return max(parser.forms, key=lambda f: len(f.values) + len(f.radios))
