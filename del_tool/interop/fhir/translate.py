"""FFB-shaped FHIR resources read back into the spreadsheet import's rows (`ReadRow`s of each
sheet's kind), so the import's checks, dry run, idempotency, conflicts and undo apply as they
are.

Each resource must read as its R4B model. Patients become citizens (a CPR identifier is never
read: DEL keeps none), care plans stays, FFB goals goals (purposes are not imported),
encounters follow-ups, Observations of the functioning level goal reviews (one per goal whose
primary condition is the Observation's focus), QuestionnaireResponses answers (`rows`). A
goal's stay is the care plan that lists it in `goal`, a follow-up's the care plan that lists it
in an activity's `outcomeReference`; both must be in the same file (DEL's own day bundles carry
them). Organisations and conditions are read where rows point to them; other resource types
are counted and ignored. A problem names the resource ("Goal/g1") and the element.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError

from del_tool.forms import contains_cpr_number
from del_tool.imports.plan import ReadRow
from del_tool.imports.sheets import Kind
from del_tool.interop.fhir.identity import letters

#: An id longer than a reference column (50) is kept as a hash (as `composite_ref` does).
REF_MAX = 50
#: Resource types that become rows, and those read only where rows point to them.
USED = ("Patient", "CarePlan", "Goal", "Encounter", "Observation", "QuestionnaireResponse")
CONTEXT = ("Organization", "Condition")


@dataclass(frozen=True, slots=True)
class Problem:
    """A resource (or element) that cannot be read: where ("Goal/g1"), element, reason."""

    kind: Kind | None
    where: str
    element: str
    reason: Any


@dataclass(slots=True)
class Translated:
    """The rows read, what could not be read, and the resource types ignored (with counts)."""

    rows: list[ReadRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)


def ref_of(resource_id: str) -> str:
    """The import's reference for a resource id: the id, or a hash of it in letters when it
    is longer than a reference column or holds a run of digits shaped like a CPR number (a
    UUID may; the import refuses such text)."""
    if len(resource_id) <= REF_MAX and not contains_cpr_number(resource_id):
        return resource_id
    return "#" + letters(hashlib.sha256(resource_id.encode()).digest())[: REF_MAX - 1]


def target(reference: Any) -> tuple[str, str]:
    """(type, id) of a reference "Type/id" (also a full URL ending so)."""
    text = str((reference or {}).get("reference") or "") if isinstance(reference, dict) else ""
    parts = text.rstrip("/").split("/")
    return (parts[-2], parts[-1]) if len(parts) >= 2 else ("", "")


def codes_of(concept: Any, system: str) -> list[str]:
    """The codes of a CodeableConcept (or a Coding) in `system`."""
    if not isinstance(concept, dict):
        return []
    codings = concept.get("coding", [concept])
    return [str(x.get("code")) for x in codings if x.get("system") == system and x.get("code")]


def extension(resource: dict[str, Any], url: str) -> list[dict[str, Any]]:
    """The resource's extensions of `url`."""
    return [e for e in resource.get("extension", []) if e.get("url") == url]


def check_resources(raw: Iterable[Any]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Each resource checked by its R4B model (kept as its JSON values), and those that fail."""
    good: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for number, item in enumerate(raw, start=1):
        kind = str(item.get("resourceType") or "") if isinstance(item, dict) else ""
        where = f"{kind}/{item.get('id') or number}" if kind else f"#{number}"
        try:
            model: Any = get_fhir_model_class(kind)
        except (KeyError, ValueError):
            problems.append(Problem(None, where, "resourceType", _l("Ukendt ressourcetype.")))
            continue
        try:
            checked = model.model_validate(item)
        except ValidationError as error:
            for one in error.errors()[:5]:
                element = ".".join(str(p) for p in one["loc"]) or kind
                problems.append(Problem(None, where, element, one["msg"]))
            continue
        if not checked.id:
            problems.append(Problem(None, where, "id", _l("Ressourcen har intet id.")))
            continue
        good.append(item)
    return good, problems


def translate(resources: list[dict[str, Any]], *, unit_target_groups: dict[str, str]) -> Translated:
    """The rows of `resources` (checked by `check_resources`), kind by kind.

    `unit_target_groups`: a unit's name or Tilbudsportalen id -> its target group's value, for
    a citizen whose care plans name none.
    """
    from del_tool.interop.fhir.rows import Reader

    out = Translated()
    for one in resources:
        if one["resourceType"] not in USED + CONTEXT:
            out.ignored[one["resourceType"]] = out.ignored.get(one["resourceType"], 0) + 1
    reader = Reader(resources, out, unit_target_groups)
    for kind, name, read in (
        (Kind.CITIZENS, "Patient", reader.citizen),
        (Kind.STAYS, "CarePlan", reader.stay),
        (Kind.GOALS, "Goal", reader.goal),
        (Kind.FOLLOWUPS, "Encounter", reader.follow_up),
        (Kind.REVIEWS, "Observation", reader.reviews),
        (Kind.ANSWERS, "QuestionnaireResponse", reader.answers),
    ):
        for resource in resources:
            if resource["resourceType"] == name:
                read(kind, resource)
    return out
