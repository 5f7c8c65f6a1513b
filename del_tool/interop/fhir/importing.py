"""Import FFB-shaped FHIR: a Bundle (JSON) or NDJSON (a file, or a folder of `*.ndjson`) read,
translated into the import's rows (`translate`) and planned by the import's own dry run
(`del_tool.imports.plan.plan_rows`) under the source "fhir:<sender>", so the same resources
sent twice write nothing, a changed one updates its record, and the commit is the import's
`commit_plan`. What cannot be read is refused in the plan, naming resource and element.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from del_tool.imports.plan import Plan, Refusal, plan_rows
from del_tool.imports.reading import ReadError
from del_tool.imports.sheets import SHEETS, Kind
from del_tool.interop.fhir.translate import check_resources, translate
from del_tool.organisation.models import Unit

#: Which kind a resource type's problems count under.
KINDS = {
    "Patient": Kind.CITIZENS,
    "CarePlan": Kind.STAYS,
    "Goal": Kind.GOALS,
    "Condition": Kind.GOALS,
    "Encounter": Kind.FOLLOWUPS,
    "Observation": Kind.REVIEWS,
    "QuestionnaireResponse": Kind.ANSWERS,
}
#: At most this many resources in one import (the web import's rows are bounded too).
MAX_RESOURCES = 200_000


@dataclass(slots=True)
class FhirPlan:
    """The import's plan of a FHIR file and the resource types it ignored."""

    plan: Plan
    ignored: dict[str, int] = field(default_factory=dict)


def source_of(sender: str) -> str:
    """The import source of a sending system ("fhir:<sender>")."""
    return f"fhir:{sender}"


def read_resources(files: Iterable[tuple[str, bytes]]) -> list[Any]:
    """The resources of JSON (a Bundle's entries, or one resource) and NDJSON files (one
    resource or Bundle a line). Raises ReadError naming the file (and line) it cannot read."""
    found: list[Any] = []
    for name, data in files:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ReadError(_l("%(name)s er ikke UTF-8-tekst.", name=name)) from None
        if name.lower().endswith(".ndjson"):
            for number, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    found += _entries(_json(line, f"{name}:{number}"))
        else:
            found += _entries(_json(text, name))
        if len(found) > MAX_RESOURCES:
            raise ReadError(_l("Højst %(max)s ressourcer i én indlæsning.", max=MAX_RESOURCES))
    return found


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ReadError(
            _l("%(where)s er ikke JSON (%(why)s).", where=where, why=error.msg)
        ) from None


def _entries(value: Any) -> Iterator[Any]:
    if isinstance(value, dict) and value.get("resourceType") == "Bundle":
        for entry in value.get("entry") or []:
            yield entry.get("resource") if isinstance(entry, dict) else entry
    else:
        yield value


def plan_fhir(
    session: Session,
    raw: list[Any],
    *,
    scope: Iterable[int],
    sender: str,
    user_id: int | None = None,
    overwrite: bool | Iterable[str] = False,
) -> FhirPlan:
    """The dry run of importing the resources `raw` into the units of `scope`."""
    resources, problems = check_resources(raw)
    translated = translate(resources, unit_target_groups=_unit_target_groups(session))
    plan = plan_rows(
        session,
        translated.rows,
        scope=scope,
        source=source_of(sender),
        user_id=user_id,
        overwrite=overwrite,
    )
    refused: set[str] = set()
    refusals = []
    for problem in [*problems, *translated.problems]:
        refusals.append(Refusal(problem.where, 0, problem.element, problem.reason))
        kind = problem.kind or KINDS.get(problem.where.split("/")[0])
        if kind is not None and problem.where not in refused:
            refused.add(problem.where)
            plan.counts[kind].refused += 1
            if kind not in plan.kinds:
                plan.kinds = [k for k in Kind if k in plan.kinds or k is kind]
    plan.refusals[:0] = refusals
    return FhirPlan(plan, translated.ignored)


def _unit_target_groups(session: Session) -> dict[str, str]:
    """Unit name and Tilbudsportalen id -> the unit's target group."""
    found: dict[str, str] = {}
    for unit in session.exec(select(Unit)).all():
        found.setdefault(unit.name, unit.target_group.value)
        if unit.offer_id:
            found[unit.offer_id] = unit.target_group.value
    return found


def shown(plan: Plan, *, user_id: int | None, endpoint: str) -> list[Any]:
    """Access events of the citizens the dry run shows (likely duplicates, conflicts)."""
    from del_tool.imports.access import shown_in_plan

    return shown_in_plan(plan, user_id=user_id, endpoint=endpoint, detail="fhir dry run")


def summary_lines(result: FhirPlan) -> list[str]:
    """The dry run as lines: counts per kind, every refusal (resource, element, reason), the
    possible duplicates and conflicts (by resource), the resource types not used."""
    plan = result.plan
    lines = [
        _(
            "%(sheet)s: %(create)s oprettes, %(update)s opdateres, %(unchanged)s uændret, "
            "%(refused)s afvist",
            sheet=str(SHEETS[kind].title),
            create=plan.counts[kind].create,
            update=plan.counts[kind].update,
            unchanged=plan.counts[kind].unchanged,
            refused=plan.counts[kind].refused,
        )
        for kind in plan.kinds
    ]
    refused: dict[str, int] = {}
    for refusal in plan.refusals:  # an answer's refusal is the same for each of its items
        column = f" {refusal.column}" if refusal.column else ""
        line = f"  {refusal.sheet}{column}: {refusal.reason}"
        refused[line] = refused.get(line, 0) + 1
    lines += [line if n == 1 else f"{line} (x{n})" for line, n in refused.items()]
    for duplicate in plan.duplicates:
        similar = duplicate.similar
        lines.append(
            _(
                "  %(sheet)s: ligner borger %(id)s (%(name)s, født %(year)s, %(unit)s)",
                sheet=duplicate.sheet,
                id=similar.citizen_id,
                name=similar.name,
                year=similar.birth_year,
                unit=similar.unit_name,
            )
        )
    for conflict in plan.conflicts:
        kept = _("overskrives") if conflict.overwritten else _("DEL's værdier beholdes")
        lines.append(
            _(
                "  %(sheet)s: ændret i DEL siden indlæsningen (%(kept)s)",
                sheet=conflict.sheet,
                kept=kept,
            )
        )
    for kind, count in sorted(result.ignored.items()):
        lines.append(_("  %(count)s %(kind)s bruges ikke", count=count, kind=kind))
    return lines
