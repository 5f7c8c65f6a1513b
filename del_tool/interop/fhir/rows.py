"""One FHIR resource as the import's row(s) of its kind (`translate` calls these in order).

Each row names, per column key, the element it came from, so a refusal reads
"Goal/g1, target.detailCodeableConcept (funktionsevneniveau): ...". A code FFB or DEL does not
know is refused here, naming the code; a resource refused here gives no row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from del_tool.goals.models import GoalStatus
from del_tool.imports.plan import ReadRow
from del_tool.imports.sheets import Kind
from del_tool.interop.fhir import codes as c
from del_tool.interop.fhir.translate import Problem, Translated, codes_of, extension, ref_of, target

LEVEL = _l("FFB-funktionsevneniveau")
GAS_NAMES = {-2: "gas_minus2", -1: "gas_minus1", 0: "gas_zero", 1: "gas_plus1", 2: "gas_plus2"}


@dataclass(slots=True)
class _Row:
    """A row being read from one resource."""

    kind: Kind
    resource: dict[str, Any]
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.resource['resourceType']}/{self.resource['id']}"

    def put(self, key: str, element: str, value: Any) -> None:
        self.columns[key] = element
        self.values[key] = value

    def code(self, key: str, element: str, concept: Any, system: str, read: Any, what: Any) -> None:
        """The DEL value of the concept's first code in `system` (None: no such code)."""
        found = codes_of(concept, system)
        value = read(found[0]) if found else None
        if found and value is None:
            why = _l('Ukendt %(what)s "%(code)s".', what=what, code=found[0])
            self.problems.append(Problem(self.kind, self.where, element, why))
        self.put(key, element, getattr(value, "value", value))

    def refuse(self, element: str, reason: Any) -> None:
        self.problems.append(Problem(self.kind, self.where, element, reason))


class Reader:
    """Reads the resources of one file into rows (`translate`)."""

    def __init__(
        self, resources: list[dict[str, Any]], out: Translated, unit_target_groups: dict[str, str]
    ) -> None:
        self.index = {(r["resourceType"], str(r["id"])): r for r in resources}
        self.positions = {key: n for n, key in enumerate(self.index, start=1)}
        self.out = out
        self.unit_target_groups = unit_target_groups
        self.goal_plans: dict[str, str] = {}
        self.visit_plans: dict[str, str] = {}
        self.primary_goals: dict[str, list[str]] = {}
        for (kind, rid), resource in self.index.items():
            if kind == "CarePlan":
                for listed in resource.get("goal", []):
                    self.goal_plans.setdefault(target(listed)[1], rid)
                for activity in resource.get("activity", []):
                    for outcome in activity.get("outcomeReference", []):
                        self.visit_plans.setdefault(target(outcome)[1], rid)
            elif kind == "Goal" and self._is_ffb_goal(resource):
                condition = self._primary(resource)
                if condition:
                    self.primary_goals.setdefault(condition, []).append(rid)

    def _emit(self, row: _Row) -> None:
        if row.problems:
            self.out.problems += row.problems
            return
        key = (row.resource["resourceType"], str(row.resource["id"]))
        values = {"external_ref": ref_of(key[1]), **row.values}
        columns = {"external_ref": "id", **row.columns}
        self.out.rows.append(ReadRow(row.kind, row.where, self.positions[key], columns, values))

    @staticmethod
    def _is_ffb_goal(goal: dict[str, Any]) -> bool:
        categories = [x for one in goal.get("category", []) for x in codes_of(one, c.CARE_SOCIAL)]
        return c.CATEGORY_PURPOSE not in categories

    @staticmethod
    def _primary(goal: dict[str, Any]) -> str | None:
        """The goal's primary condition: the one addressed with rank 1, else the first."""
        addressed = [a for a in goal.get("addresses", []) if target(a)[0] == "Condition"]
        for one in addressed:
            if any(e.get("valuePositiveInt") == 1 for e in extension(one, c.CONDITION_RANK)):
                return target(one)[1]
        return target(addressed[0])[1] if addressed else None

    def _plans_of(self, patient_id: str) -> list[dict[str, Any]]:
        return [
            p
            for (kind, _rid), p in self.index.items()
            if kind == "CarePlan" and target(p.get("subject"))[1] == patient_id
        ]

    def citizen(self, kind: Kind, patient: dict[str, Any]) -> None:
        row = _Row(kind, patient)
        genders = {v: k.value for k, v in c.GENDERS.items()}
        row.put("name", "name", _name(patient))
        row.put("birth_year", "birthDate", str(patient.get("birthDate") or "")[:4] or None)
        row.put("sex", "gender", genders.get(str(patient.get("gender")), patient.get("gender")))
        row.put("target_group", "CarePlan.addresses (målgruppe)", self._target_group(patient))
        self._emit(row)

    def _target_group(self, patient: dict[str, Any]) -> str | None:
        """The target group of the patient's care plans' focus conditions, else their unit's."""
        plans = self._plans_of(str(patient["id"]))
        for plan in plans:
            for address in plan.get("addresses", []):
                condition = self.index.get(("Condition", target(address)[1]), {})
                for coding in (condition.get("code") or {}).get("coding", []):
                    group = c.target_group_of(coding.get("system"), coding.get("code"))
                    if group is not None:
                        return group.value
        units = [self._unit(plan) for plan in plans]
        return next(
            (self.unit_target_groups[u] for u in units if u in self.unit_target_groups), None
        )

    def _unit(self, plan: dict[str, Any]) -> str | None:
        """The plan's unit: its Tilbudsportalen id when it has one, else its name."""
        for activity in plan.get("activity", []):
            for performer in (activity.get("detail") or {}).get("performer", []):
                org = self.index.get(("Organization", target(performer)[1]))
                if org is None:
                    continue
                for identifier in org.get("identifier", []):
                    if identifier.get("system") == f"{c.IDENTIFIER}:tilbudsportalen":
                        return str(identifier.get("value"))
                return str(org.get("name") or "") or None
        return None

    def stay(self, kind: Kind, plan: dict[str, Any]) -> None:
        row = _Row(kind, plan)
        services = [
            (a.get("detail") or {}).get("code")
            for a in plan.get("activity", [])
            if any(c.section_of(x) for x in codes_of((a.get("detail") or {}).get("code"), c.FFB))
        ]
        element = "activity.detail.code (FFB-ydelse)"
        row.code(
            "legal_section", element, services[0] if services else None, c.FFB, c.section_of, ""
        )
        author = self.index.get(("Organization", target(plan.get("author"))[1]), {})
        found = [
            i.get("value")
            for i in author.get("identifier", [])
            if i.get("system") == c.MUNICIPALITY
        ]
        code = str(found[0]) if found else None
        municipality = str(int(code)) if code and code.isdigit() else code
        row.put("municipality_code", "author.identifier (kommunekode)", municipality)
        row.put("citizen_ref", "subject", ref_of(target(plan.get("subject"))[1]) or None)
        row.put("unit_id", "activity.detail.performer", self._unit(plan))
        period = plan.get("period") or {}
        row.put("start_date", "period.start", _day(period.get("start")))
        row.put("end_date", "period.end", _day(period.get("end")))
        tariff = extension(plan, c.EXT_TARIFF_LEVEL)
        row.put(
            "tariff_level",
            "extension (takstniveau)",
            tariff[0].get("valueString") if tariff else None,
        )
        self._emit(row)

    def goal(self, kind: Kind, goal: dict[str, Any]) -> None:
        if not self._is_ffb_goal(goal):
            return  # an action-plan purpose: DEL's purposes are entered on the stay page
        row = _Row(kind, goal)
        plan = self.goal_plans.get(str(goal["id"]))
        if plan is None:
            row.refuse("CarePlan.goal", _l("Ingen CarePlan i filen har målet i CarePlan.goal."))
        row.put("stay_ref", "CarePlan.goal", ref_of(plan or ""))
        condition = self.index.get(("Condition", self._primary(goal) or ""))
        if condition is None:
            row.refuse("addresses", _l("Målets tilstand (Condition) er ikke i filen."))
            condition = {}
        row.code(
            "theme",
            "addresses → Condition.code",
            condition.get("code"),
            c.FFB,
            c.theme_of,
            _l("FFB-tema"),
        )
        row.code(
            "baseline_level",
            "addresses → Condition.severity",
            condition.get("severity"),
            c.FFB,
            c.level_of,
            LEVEL,
        )
        for one in goal.get("target", []):
            measure = codes_of(one.get("measure"), c.CARE_SOCIAL)
            if c.MEASURE_DIRECTION in measure:
                element = "target.detailCodeableConcept (måltype)"
                row.code(
                    "direction",
                    element,
                    one.get("detailCodeableConcept"),
                    c.FFB,
                    c.direction_of,
                    _l("FFB-måltype"),
                )
            elif c.MEASURE_LEVEL in measure:
                element = "target.detailCodeableConcept (funktionsevneniveau)"
                row.code(
                    "target_level",
                    element,
                    one.get("detailCodeableConcept"),
                    c.FFB,
                    c.level_of,
                    LEVEL,
                )
                row.put("review_date", "target.dueDate", one.get("dueDate"))
        row.put("title", "description.text", (goal.get("description") or {}).get("text"))
        notes = goal.get("note") or [{}]
        row.put("description", "note.text", notes[0].get("text"))
        row.put("start_date", "startDate", goal.get("startDate"))
        row.put("status", "lifecycleStatus", _status(goal).value)
        row.put("closed_on", "statusDate", goal.get("statusDate"))
        weight = extension(goal, c.EXT_WEIGHT)
        row.put("weight", "extension (vægt)", weight[0].get("valueDecimal") if weight else None)
        for level in extension(goal, c.EXT_GAS):
            parts = {e.get("url"): e for e in level.get("extension", [])}
            score = (parts.get("score") or {}).get("valueInteger")
            name = GAS_NAMES.get(score) if isinstance(score, int) else None
            if name:
                row.put(name, "extension (GAS)", (parts.get("text") or {}).get("valueString"))
        self._emit(row)

    def follow_up(self, kind: Kind, encounter: dict[str, Any]) -> None:
        row = _Row(kind, encounter)
        plan = self.visit_plans.get(str(encounter["id"]))
        if plan is None:
            why = _l("Ingen CarePlan i filen har opfølgningen i activity.outcomeReference.")
            row.refuse("CarePlan.activity.outcomeReference", why)
        row.put("stay_ref", "CarePlan.activity.outcomeReference", ref_of(plan or ""))
        row.put("followup_date", "period.start", _day((encounter.get("period") or {}).get("start")))
        kinds = extension(encounter, c.EXT_KIND)
        kind_value = kinds[0].get("valueCode") if kinds else "follow_up"
        row.put("kind", "extension (opfølgningstype)", kind_value)
        notes = extension(encounter, c.EXT_NOTE)
        row.put("note", "extension (notat)", notes[0].get("valueString") if notes else None)
        self._emit(row)

    def reviews(self, kind: Kind, observation: dict[str, Any]) -> None:
        if c.MEASURE_LEVEL not in codes_of(observation.get("code"), c.CARE_SOCIAL):
            self.out.ignored["Observation"] = self.out.ignored.get("Observation", 0) + 1
            return
        focus = [target(f)[1] for f in observation.get("focus", []) if target(f)[0] == "Condition"]
        goals = [g for one in focus for g in self.primary_goals.get(one, [])]
        if not goals:
            where = f"Observation/{observation['id']}"
            why = _l("Ingen Goal i filen har observationens tilstand (focus) som primær tilstand.")
            self.out.problems.append(Problem(kind, where, "focus", why))
            return
        for goal_id in goals:
            row = _Row(kind, observation)
            row.put("followup_ref", "encounter", ref_of(target(observation.get("encounter"))[1]))
            row.put("goal_ref", "focus", ref_of(goal_id))
            concept = observation.get("valueCodeableConcept")
            row.code("level", "valueCodeableConcept", concept, c.FFB, c.level_of, LEVEL)
            for part in observation.get("component", []):
                code = (codes_of(part.get("code"), c.DEL_CODES) or [""])[0]
                key = {c.GAS_SCORE: "gas_score", c.CITIZEN_RATING: "citizen_rating"}.get(code)
                key = key or ("motivation" if code == c.MOTIVATION else None)
                if key:
                    row.put(key, f"component ({code})", part.get("valueInteger"))
            notes = observation.get("note") or [{}]
            row.put("note", "note.text", notes[0].get("text"))
            self._emit(row)

    def answers(self, kind: Kind, response: dict[str, Any]) -> None:
        canonical = str(response.get("questionnaire") or "")
        questionnaire = canonical.split("|")[0].rsplit("/Questionnaire/", 1)[-1]
        for item in response.get("item", []):
            for answer in item.get("answer", [])[:1]:
                row = _Row(kind, response)
                row.put("followup_ref", "encounter", ref_of(target(response.get("encounter"))[1]))
                row.put("questionnaire", "questionnaire", questionnaire or None)
                row.put("item", "item.linkId", item.get("linkId"))
                row.put(
                    "value",
                    f"item[{item.get('linkId')}].answer.valueInteger",
                    answer.get("valueInteger"),
                )
                self._emit(row)


def _status(goal: dict[str, Any]) -> GoalStatus:
    """DEL's status of a goal: active, achieved (completed and achieved) or ended."""
    status = goal.get("lifecycleStatus")
    if status in ("proposed", "planned", "accepted", "active", "on-hold"):
        return GoalStatus.ACTIVE
    achieved = codes_of(
        goal.get("achievementStatus"), "http://terminology.hl7.org/CodeSystem/goal-achievement"
    )
    return GoalStatus.ACHIEVED if achieved[:1] == ["achieved"] else GoalStatus.ENDED


def _name(patient: dict[str, Any]) -> str:
    """The name a case system sends, else a label from the id (DEL's exports send none)."""
    for name in patient.get("name", []):
        text = name.get("text") or " ".join([*name.get("given", []), name.get("family") or ""])
        if text.strip():
            return str(text).strip()
    return f"Borger {patient['id']}"


def _day(value: Any) -> str | None:
    """The date of a FHIR date or dateTime (its first ten characters)."""
    return str(value)[:10] if value else None
