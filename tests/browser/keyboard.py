"""Keyboard-only use of a page: Tab/Shift-Tab, Space, Enter and the arrow keys, nothing else.

The tests read the page (which element has focus, what it looks like) but change it only by
pressing keys, as a keyboard user would. `fill_by_keyboard` tabs through a form from the
current focus to a stop element, answering the fields named in a plan on the way, and checks
at every stop that focus moved forward in document order and is visibly marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A description of the focused element (None when nothing but the document has focus).
_ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "",
          id: el.id || "", value: el.value ?? "", checked: !!el.checked,
          text: (label || el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 60)};
}"""

#: How focus is drawn on an element: its outline and shadow, and those of its labels and their
#: ::before boxes (Det Fælles Designsystem draws radio and checkbox focus on the label).
_FOCUS_JS = """
window.__delFocusStyle = (el) => {
  const parts = [];
  const boxes = [el, ...(el.labels || [])];
  for (const box of boxes) {
    for (const pseudo of [null, "::before"]) {
      const s = getComputedStyle(box, pseudo);
      const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
      parts.push({outline: outline ? `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}` : "",
                  shadow: s.boxShadow !== "none" ? s.boxShadow : ""});
    }
  }
  return parts;
};
window.__delFocusBaseline = new Map();
const controls = "main a, main button, main input, main select, main textarea, main summary";
for (const el of document.querySelectorAll(controls)) {
  window.__delFocusBaseline.set(el, JSON.stringify(window.__delFocusStyle(el)));
}
window.__delPrevFocus = null;
"""

#: Whether focus is visible on the active element and moved forward in document order.
_FOCUS_STEP = """() => {
  const el = document.activeElement;
  const now = window.__delFocusStyle(el);
  const before = window.__delFocusBaseline.get(el);
  // The last Tab stop inside a date field is Chromium's calendar button, in the field's closed
  // shadow tree: the browser draws its own focus ring there, and the field loses :focus.
  const nativeButton = el.type === "date" && !el.matches(":focus");
  const marked = nativeButton || now.some((p) => p.outline || p.shadow);
  const changed = nativeButton || before === undefined || before !== JSON.stringify(now);
  const prev = window.__delPrevFocus;
  // A date field keeps focus while Tab moves through its day, month and year.
  const forward = !prev || prev === el
    || !!(prev.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
  window.__delPrevFocus = el;
  const r = el.getBoundingClientRect();
  const onScreen = r.bottom > 0 && r.top < window.innerHeight;
  return {visible: marked && changed, forward, onScreen, style: now};
}"""

_RADIO_GROUP = """() => {
  const el = document.activeElement;
  const group = [...el.form.elements].filter((e) => e.type === "radio" && e.name === el.name);
  return {index: group.indexOf(el), values: group.map((r) => r.value),
          checked: group.findIndex((r) => r.checked)};
}"""


def active(page: Any) -> dict[str, Any] | None:
    """The focused element: tag, type, name, id, value, checked and its label text."""
    result: dict[str, Any] | None = page.evaluate(_ACTIVE)
    return result


def focus_matches(page: Any, selector: str) -> bool:
    """Whether the focused element matches the CSS `selector`."""
    return bool(
        page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        )
    )


def tab_to(page: Any, selector: str, *, limit: int = 150, key: str = "Tab") -> None:
    """Press Tab (or `key`, e.g. Shift+Tab) until an element matching `selector` has focus."""
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        if focus_matches(page, selector):
            return
        passed.append(active(page))
    raise AssertionError(f"{selector!r} not reached in {limit} x {key}; last stops: {passed[-8:]}")


def choose_radio(page: Any, value: str) -> None:
    """With a radio button focused, select `value` in its group: Space, then arrow keys."""
    group = page.evaluate(_RADIO_GROUP)
    values, index = group["values"], group["index"]
    assert value in values, f"no option {value!r} in {values}"
    if group["checked"] != index:
        page.keyboard.press("Space")
    for _ in range((values.index(value) - index) % len(values)):
        page.keyboard.press("ArrowDown")
    state = active(page)
    assert state is not None and state["value"] == value and state["checked"], state


def choose_option(page: Any, value: str) -> None:
    """With a select focused, move to the option `value` with the arrow keys."""
    values, index = page.evaluate(
        "() => [[...document.activeElement.options].map((o) => o.value),"
        " document.activeElement.selectedIndex]"
    )
    target = values.index(value)
    key = "ArrowDown" if target > index else "ArrowUp"
    for _ in range(abs(target - index)):
        page.keyboard.press(key)
    assert page.evaluate("() => document.activeElement.value") == value


def press_and_load(page: Any, key: str = "Enter", *, timeout: float | None = None) -> None:
    """Press `key` (Enter on a link or button) and wait for the page it opens (`timeout` ms,
    default the context's)."""
    with page.expect_navigation(timeout=timeout):
        page.keyboard.press(key)


def type_text(page: Any, text: str) -> None:
    """Replace the focused text field's content by typing `text`."""
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


@dataclass
class FocusStop:
    """One Tab stop on the way through a form."""

    element: dict[str, Any]
    visible: bool
    forward: bool
    on_screen: bool
    style: list[dict[str, str]]


def start_focus_tracking(page: Any) -> None:
    """Record every control's unfocused look, so focus styles can be compared with it."""
    page.evaluate(f"() => {{ {_FOCUS_JS} }}")


def fill_by_keyboard(
    page: Any, plan: dict[str, str], stop: str, *, limit: int = 400
) -> list[FocusStop]:
    """Tab to the element matching `stop`, answering the fields named in `plan` on the way.

    Radio groups and selects get the planned value with the arrow keys, text fields are typed
    into. Returns every stop passed (call `start_focus_tracking` first, after the page loaded).
    """
    stops: list[FocusStop] = []
    done: set[str] = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = active(page)
        assert element is not None, "focus left the page"
        step = page.evaluate(_FOCUS_STEP)
        stops.append(
            FocusStop(element, step["visible"], step["forward"], step["onScreen"], step["style"])
        )
        if focus_matches(page, stop):
            missing = set(plan) - done
            assert not missing, f"never reached by Tab: {sorted(missing)}"
            return stops
        name = element["name"]
        if name in plan and name not in done:
            done.add(name)
            if element["type"] == "radio":
                choose_radio(page, plan[name])
            elif element["tag"] == "select":
                choose_option(page, plan[name])
            else:
                type_text(page, plan[name])
    raise AssertionError(f"{stop!r} not reached in {limit} Tab presses")
