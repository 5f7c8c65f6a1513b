"""Accessibility checks run in the page: axe-core, charts, form controls and form errors.

axe is injected with `page.evaluate` of the file's source. That runs through the DevTools
protocol, which the page's Content-Security-Policy does not govern, so the browser contexts keep
the app's real CSP (no `bypass_csp`) and a CSP refusal on any page still fails the check.
The other checks cover what axe cannot see: charts need alt text and their data as a table;
radio buttons and checkboxes must be drawn somewhere; form errors must be announced and linked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: axe-core's tags for the WCAG 2.1 level A and AA success criteria (2.0 ones included).
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_RUN_AXE = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact || "",
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ") + " -> " + (n.failureSummary || "")),
  }));
}"""


@dataclass(frozen=True, slots=True)
class Violation:
    """One axe-core rule a page breaks, with the elements that break it."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        """The rule, its help text and each offending element, one per line."""
        nodes = "\n".join(f"      {target}" for target in self.targets)
        return f"  {self.rule} ({self.impact}): {self.help}\n{nodes}"


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[Violation]:
    """Run axe-core's WCAG 2.1 A/AA rules in `page`; the violations it reports."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    found = page.evaluate(_RUN_AXE, list(AXE_TAGS))
    return [Violation(v["rule"], v["impact"], v["help"], tuple(v["targets"])) for v in found]


def assert_accessible(page: Any, where: str) -> None:
    """Fail, listing every violation, unless axe finds none in `page`."""
    violations = axe_violations(page)
    if violations:
        listing = "\n".join(str(v) for v in violations)
        raise AssertionError(
            f"axe: {len(violations)} WCAG 2.1 A/AA violations on {where}:\n{listing}"
        )


#: Charts are SVG data URIs (del_tool/charts.py): each needs alt text and its data as a table.
_CHARTS = """() => [...document.querySelectorAll('img[src^="data:image/svg"]')].map((img) => {
  const figure = img.closest("figure");
  const rows = figure ? figure.querySelectorAll("table tbody tr").length : 0;
  return {alt: img.alt.trim(), rows, caption: figure ? figure.innerText.split("\\n")[0] : ""};
})"""

#: Radio buttons and checkboxes a sighted user can see: the native box or the design system's
#: box drawn by the label's ::before (a class typo once left admin checkboxes invisible).
_UNDRAWN_CONTROLS = """() => [...document.querySelectorAll("[type=radio], [type=checkbox]")]
  .filter((el) => el.closest("details:not([open])") === null && el.offsetParent !== null)
  .filter((el) => {
    const own = el.getBoundingClientRect();
    if (own.width >= 12 && own.height >= 12 && getComputedStyle(el).opacity !== "0") return false;
    const label = el.labels && el.labels[0];
    if (!label) return true;
    const box = getComputedStyle(label, "::before");
    return !(box.content !== "none" && parseFloat(box.width) >= 12 && box.borderStyle !== "none");
  })
  .map((el) => el.id || el.name)"""

#: The error summary and the links between messages and fields.
_ERRORS = """() => {
  const summary = document.getElementById("error-summary");
  const byId = (id) => document.getElementById(id);
  const messages = [...document.querySelectorAll(".form-error-message")].map((m) => {
    const owners = [...document.querySelectorAll("[aria-describedby]")].filter((el) =>
      el.getAttribute("aria-describedby").split(/\\s+/).includes(m.id));
    return {id: m.id, text: m.textContent.trim(),
            owners: owners.map((o) => o.tagName.toLowerCase() + "#" + (o.id || o.name))};
  });
  const invalid = [...document.querySelectorAll("[aria-invalid=true]")].map((el) => {
    const ids = (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
    const errors = ids.filter((id) => byId(id) && byId(id).matches(".form-error-message"));
    return {id: el.id, errors};
  });
  return {
    summary: !!summary,
    announced: !!summary && (summary.getAttribute("role") === "alert"
      || ["assertive", "polite"].includes(summary.getAttribute("aria-live"))),
    focused: !!summary && document.activeElement === summary,
    links: summary ? [...summary.querySelectorAll("a[href^='#']")].map((a) => {
      const target = byId(a.getAttribute("href").slice(1));
      return {href: a.getAttribute("href"), exists: !!target,
              field: !!target && (target.matches("input, select, textarea, fieldset, section")
                                  || !!target.querySelector("input, select, textarea"))};
    }) : [],
    messages, invalid,
  };
}"""


def assert_charts_described(page: Any, where: str) -> int:
    """Every chart has alt text and its data in a table; returns how many charts there are."""
    charts = page.evaluate(_CHARTS)
    for chart in charts:
        assert len(chart["alt"]) > 20, f"{where}: chart without useful alt text: {chart}"
        assert chart["rows"] > 0, f"{where}: chart without a data table: {chart}"
    return len(charts)


def assert_errors_announced(page: Any) -> list[str]:
    """The error summary is announced (role=alert), has focus and links to existing fields;
    every message beside a field is referenced by that field's aria-describedby, and every
    field marked invalid points at its message. Returns the summary's link targets."""
    found = page.evaluate(_ERRORS)
    assert found["summary"], "no error summary on a form with errors"
    assert found["announced"], "the error summary is neither role=alert nor aria-live"
    assert found["focused"], "the error summary does not receive focus"
    assert found["links"], "the error summary links to no field"
    for link in found["links"]:
        assert link["exists"] and link["field"], f"error summary link to nothing: {link}"
    assert found["messages"], "no error message beside any field"
    for message in found["messages"]:
        assert message["id"] and message["text"], f"error message without id or text: {message}"
        assert message["owners"], f"error message no field refers to: {message}"
    for field in found["invalid"]:
        assert field["errors"], f"invalid field without a linked message: {field}"
    return [link["href"] for link in found["links"]]


def assert_controls_drawn(page: Any, where: str) -> None:
    """Every visible radio button and checkbox is drawn (natively or by the label's box)."""
    undrawn = page.evaluate(_UNDRAWN_CONTROLS)
    assert undrawn == [], f"{where}: radio buttons or checkboxes drawn nowhere: {undrawn}"
