"""Staff, keyboard only: find a citizen, add a goal, record a follow-up, see it on the chart.

After the login every action is a key press (Tab, Shift+Tab, Space, Enter, arrow keys, typing);
the test only reads the page. Every page is checked with axe in Danish and English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from del_tool.modelbase import local_today
from tests.browser.a11y import assert_errors_announced
from tests.browser.keyboard import (
    FocusStop,
    choose_radio,
    fill_by_keyboard,
    focus_matches,
    press_and_load,
    start_focus_tracking,
    tab_to,
)
from tests.browser.support import BrowserTab
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

SAVE = "main form[method=post] button.button-primary[type=submit]"
#: The functioning profile's answers (0 is best) and their mean as the chart table shows it.
FUNCTIONING = {
    "relations": "1",
    "communication": "2",
    "mobility": "0",
    "self_care": "1",
    "community_life": "3",
    "practical_tasks": "1",
}
FUNCTIONING_ROW = ["1,0", "2,0", "0,0", "1,0", "3,0", "1,0", "1,3"]
#: WHO-5: five items answered 3 give a raw sum of 15, a score of 60.
WHO5_ROW = "60,0"
GOAL_TITLE = "Handle ind i Netto på egen hånd"


def _citizen_with_history(page: Any) -> tuple[str, str]:
    """Name and profile path of the first caseload citizen who has had a follow-up."""
    found = page.evaluate(
        """() => {
          for (const row of document.querySelectorAll("table.del-caseload tbody tr")) {
            if (/\\d\\d\\.\\d\\d\\.\\d{4}/.test(row.cells[4].innerText)) {
              const link = row.querySelector("th a");
              return [link.innerText.trim(), link.getAttribute("href")];
            }
          }
          return null;
        }"""
    )
    assert found, "no citizen on the caseload has a follow-up"
    return found[0], found[1]


def _assert_focus_path(stops: list[FocusStop]) -> None:
    """Every Tab stop moved forward in document order, on screen and visibly focused."""
    for stop in stops:
        assert stop.forward, f"focus jumped backwards to {stop.element}"
        assert stop.on_screen, f"focused element scrolled out of view: {stop.element}"
        assert stop.visible, f"no visible focus on {stop.element}: {stop.style}"


def _chart_rows(page: Any, title: str) -> list[list[str]]:
    """The data-table rows of the chart whose caption starts with `title`."""
    rows: list[list[str]] = page.evaluate(
        """(title) => {
          const figure = [...document.querySelectorAll("figure")]
            .find((f) => f.querySelector("figcaption").innerText.startsWith(title));
          return figure ? [...figure.querySelectorAll("tbody tr")]
            .map((r) => [...r.cells].map((c) => c.textContent.trim())) : [];
        }""",
        title,
    )
    return rows


def _add_goal(tab: BrowserTab) -> None:
    """New goal: submit empty first (errors), then fill the form with the keyboard."""
    page = tab.page
    tab_to(page, "main a[href^='/goals/new/']")
    press_and_load(page)
    tab.check_both_languages("goal-form", screenshot=True)
    # The errors of an empty form, in English and then in Danish (a POST's answer has no
    # address of its own to switch language on, so each language submits once).
    for lang in ("en", "da"):
        tab.switch_language(lang)
        tab_to(page, SAVE)
        press_and_load(page)
        links = assert_errors_announced(page)
        assert "#title" in links and "#direction" in links
        tab.check("goal-form-errors")
    tab.screenshot("goal-form-errors")
    start_focus_tracking(page)
    plan = {
        "theme": "practical_tasks",
        "title": GOAL_TITLE,
        "direction": "develop",
        "baseline_level": "3",
        "target_level": "1",
    }
    _assert_focus_path(fill_by_keyboard(page, plan, SAVE))
    press_and_load(page)
    assert "/citizens/" in page.url
    tab.check("profile-with-new-goal")
    assert page.locator("main table th", has_text=GOAL_TITLE).count() == 1


def _record_follow_up(tab: BrowserTab) -> None:
    """The follow-up form by keyboard: one goal left out, the error fixed from the summary."""
    page = tab.page
    tab_to(page, "main a.button-primary[href^='/followups/new/']")
    press_and_load(page)
    tab.check_both_languages("followup-form", screenshot=True)
    goals = page.evaluate(
        "() => [...document.querySelectorAll('main .del-review')]"
        ".map((s) => [s.id.replace('-section', ''), s.querySelector('h3').innerText])"
    )
    new = [field for field, title in goals if title == GOAL_TITLE]
    assert len(new) == 1, f"the new goal is not on the follow-up form: {goals}"
    new_goal = new[0]
    plan = {"kind": "follow_up"}
    for field, _title in goals:
        plan[f"{field}-motivation"] = "4"
        if field != new_goal:
            plan[f"{field}-level"] = "2"
    plan.update({f"q_del_functioning-{item}": value for item, value in FUNCTIONING.items()})
    plan.update({f"q_who5-q{n}": "3" for n in range(1, 6)})
    plan["note"] = "Opfølgning registreret med tastaturet."
    start_focus_tracking(page)
    stops = fill_by_keyboard(page, plan, SAVE)
    _assert_focus_path(stops)
    assert len(stops) > 30
    page.keyboard.press("Shift+Tab")
    assert focus_matches(page, "textarea[name=note]"), "Shift+Tab from Save is not the note"
    page.keyboard.press("Tab")
    press_and_load(page)

    assert assert_errors_announced(page) == [f"#{new_goal}-level"]
    tab.check("followup-form-errors")
    # From the summary (focused), Tab to its link; Enter moves to the goal's level group.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focus_matches(page, f"input[type=radio][name='{new_goal}-level']")
    choose_radio(page, "2")
    tab_to(page, SAVE)
    press_and_load(page)
    assert page.url.endswith("/citizens/"), page.url
    assert page.locator(".alert-success").count() == 1


def test_staff_records_a_follow_up_with_the_keyboard(
    open_tab: Callable[[], BrowserTab],
) -> None:
    """Caseload -> search -> profile -> new goal -> follow-up -> the new point on the charts."""
    tab = open_tab()
    page = tab.page
    tab.login("staff", DEMO_PASSWORD)
    assert page.url.endswith("/citizens/")
    tab.check_both_languages("caseload", screenshot=True)
    name, profile = _citizen_with_history(page)

    tab_to(page, "#q")
    page.keyboard.type(name)
    press_and_load(page)
    tab.check_both_languages("caseload-search")
    tab_to(page, f"main a[href='{profile}']")
    press_and_load(page)
    tab.check_both_languages("profile", screenshot=True)
    before = _chart_rows(page, "Funktionsevne")
    assert before, "the citizen has no functioning chart to add to"

    _add_goal(tab)
    _record_follow_up(tab)
    # Pages seen before in both languages (same address) are checked again in Danish only.
    tab.check("caseload-after-save")

    today = local_today().strftime("%d.%m.%Y")
    tab_to(page, f"main a[href='{profile}']")
    press_and_load(page)
    tab.check("profile-after-followup")
    tab_to(page, "main figure summary")
    page.keyboard.press("Enter")
    rows = _chart_rows(page, "Funktionsevne")
    assert len(rows) == len(before) + 1
    assert rows[-1] == [today, *FUNCTIONING_ROW]
    assert page.locator("main figure details[open] table").first.is_visible()
    who5 = _chart_rows(page, "WHO-5")
    assert who5 and who5[-1][:2] == [today, WHO5_ROW]
    goal_rows = [row for row in _chart_rows(page, "Mål") if GOAL_TITLE in " ".join(row)]
    assert goal_rows, "the new goal is not in the goal chart's table"
