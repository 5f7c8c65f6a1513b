"""DEL's records as FFB-shaped FHIR resources, each checked by fhir.resources' R4B model.

One function per resource: the citizen as a Patient with only its pseudonym, sex and birth
year; a stay as a care plan ("indsatsforløb", category Social indsats) with the payer as its
author, the unit as the performer of its FFB service (the section's ydelse) and its goals,
follow-ups and next follow-up date as activities; a goal as an FFB intervention goal (måltype
and target functioning level in `target`, its primary condition in `addresses` with rank 1);
that condition with the goal's theme and baseline level as severity; a follow-up as an FFB
follow-up encounter; a goal review as an Observation of the condition's functioning level at
the encounter; a questionnaire as a QuestionnaireResponse. The mapping table is in README
("FHIR (FFB)").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource

from del_tool.citizens.models import Citizen, Stay, StayPurpose
from del_tool.followups.models import Assessment, FollowUp, GoalReview, Perspective
from del_tool.goals.forms import GAS_FIELDS
from del_tool.goals.models import Goal, GoalStatus
from del_tool.interop.fhir import codes as c
from del_tool.interop.fhir.identity import Identity
from del_tool.organisation.models import Centre, Municipality, Unit

GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"


def checked(data: dict[str, Any]) -> Resource:
    """The resource as fhir.resources' R4B model (construction validates: pydantic's
    ValidationError on a wrong type, cardinality, date or missing required element)."""
    model: Any = get_fhir_model_class(data["resourceType"])
    resource: Resource = model.model_validate(data)
    return resource


def ref(kind: str, rid: str) -> dict[str, str]:
    """A relative reference."""
    return {"reference": f"{kind}/{rid}"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A CodeableConcept of one coding."""
    one = {"system": system, "code": code}
    if display:
        one["display"] = display
    return {"coding": [one]}


def patient(ids: Identity, citizen: Citizen) -> Resource:
    """The citizen: the pseudonym for the receiving system, sex and birth year only."""
    pid = ids.id("citizen", _id(citizen.id))
    return checked(
        {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [{"use": "secondary", "system": ids.citizen_system, "value": pid}],
            "gender": c.GENDERS[citizen.sex],
            "birthDate": str(citizen.birth_year),
        }
    )


def target_group(ids: Identity, citizen: Citizen) -> Resource:
    """The citizen's target group as a focus condition (FFB's code where FFB has one)."""
    codings = []
    if citizen.target_group in c.TARGET_GROUPS:
        code, display = c.TARGET_GROUPS[citizen.target_group]
        codings.append({"system": c.FFB, "code": code, "display": display})
    codings.append({"system": c.DEL_CODES, "code": c.target_group_code(citizen.target_group)})
    return checked(
        {
            "resourceType": "Condition",
            "id": ids.id("target-group", _id(citizen.id)),
            "clinicalStatus": coding(c.CONDITION_CLINICAL, "active"),
            "verificationStatus": coding(c.CONDITION_VERIFICATION, "confirmed"),
            "code": {"coding": codings},
            "subject": ref("Patient", ids.id("citizen", _id(citizen.id))),
        }
    )


def unit_organization(unit: Unit, centre: Centre) -> Resource:
    """The unit (tilbud), part of its centre."""
    identifiers = [{"system": f"{c.IDENTIFIER}:unit", "value": str(unit.id)}]
    if unit.offer_id:
        identifiers.append({"system": f"{c.IDENTIFIER}:tilbudsportalen", "value": unit.offer_id})
    return checked(
        {
            "resourceType": "Organization",
            "id": f"unit-{unit.id}",
            "identifier": identifiers,
            "name": unit.name,
            "partOf": ref("Organization", f"centre-{centre.id}"),
        }
    )


def centre_organization(centre: Centre) -> Resource:
    """The centre a unit belongs to."""
    return checked(
        {
            "resourceType": "Organization",
            "id": f"centre-{centre.id}",
            "identifier": [{"system": f"{c.IDENTIFIER}:centre", "value": str(centre.id)}],
            "name": centre.name,
        }
    )


def municipality_organization(municipality: Municipality) -> Resource:
    """A paying municipality with dk-core's municipality code as identifier."""
    code = c.municipality_code(municipality.code)
    return checked(
        {
            "resourceType": "Organization",
            "id": f"municipality-{code}",
            "identifier": [{"system": c.MUNICIPALITY, "value": code}],
            "name": f"{municipality.name} Kommune",
        }
    )


def care_plan(
    ids: Identity,
    stay: Stay,
    *,
    goals: list[Goal],
    purposes: list[StayPurpose],
    follow_ups: list[FollowUp],
    next_due: date | None,
    today: date,
) -> Resource:
    """A stay as an FFB care plan: payer, unit, section, period, goals, follow-ups."""
    pid = ids.id("citizen", stay.citizen_id)
    ended = stay.end_date is not None and stay.end_date < today
    section_code, section_display = c.SECTIONS[stay.legal_section]
    service = {
        "detail": {
            "code": {
                "coding": [
                    {"system": c.FFB, "code": section_code, "display": section_display},
                    {"system": c.DEL_CODES, "code": f"section-{stay.legal_section.value}"},
                ],
                "text": f"SEL § {stay.legal_section.value}",
            },
            "status": "completed" if ended else "in-progress",
            "performer": [ref("Organization", f"unit-{stay.unit_id}")],
        }
    }
    visits = [
        {
            "outcomeReference": [ref("Encounter", ids.id("follow-up", _id(f.id)))],
            "detail": {
                "code": coding(c.CARE_SOCIAL, c.ENCOUNTER_FOLLOW_UP, "opfølgning"),
                "status": "completed",
                "scheduledString": f.followup_date.isoformat(),
            },
        }
        for f in follow_ups
    ]
    if next_due is not None and not ended:
        planned: dict[str, Any] = {
            "code": coding(c.CARE_SOCIAL, c.ENCOUNTER_FOLLOW_UP, "opfølgning"),
            "status": "scheduled",
            "scheduledPeriod": {"start": next_due.isoformat()},
        }
        visits.append({"detail": planned})
    data: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": ids.id("stay", _id(stay.id)),
        "status": "completed" if ended else "active",
        "intent": "plan",
        "category": [coding(c.CARE_SOCIAL, c.CATEGORY_SOCIAL, "Social indsats")],
        "subject": ref("Patient", pid),
        "period": {"start": stay.start_date.isoformat()}
        | ({"end": stay.end_date.isoformat()} if stay.end_date else {}),
        "created": stay.start_date.isoformat(),
        "author": ref(
            "Organization", f"municipality-{c.municipality_code(stay.municipality_code)}"
        ),
        "addresses": [ref("Condition", ids.id("target-group", stay.citizen_id))],
        "activity": [service, *visits],
    }
    listed = [ref("Goal", ids.id("purpose", _id(p.id))) for p in purposes]
    listed += [ref("Goal", ids.id("goal", _id(g.id))) for g in goals]
    if listed:
        data["goal"] = listed
    if stay.tariff_level:
        data["extension"] = [{"url": c.EXT_TARIFF_LEVEL, "valueString": stay.tariff_level}]
    return checked(data)


def purpose_goal(ids: Identity, purpose: StayPurpose, stay: Stay) -> Resource:
    """A purpose of the municipality's action plan (indsatsformål)."""
    return checked(
        {
            "resourceType": "Goal",
            "id": ids.id("purpose", _id(purpose.id)),
            "lifecycleStatus": "active",
            "category": [coding(c.CARE_SOCIAL, c.CATEGORY_PURPOSE, "Indsatsformål")],
            "description": {"text": purpose.text},
            "subject": ref("Patient", ids.id("citizen", stay.citizen_id)),
        }
    )


def goal(ids: Identity, one: Goal) -> Resource:
    """An FFB intervention goal: måltype, target level, its primary condition, DEL's GAS."""
    direction_code, direction_display = c.DIRECTIONS[one.direction]
    level_code, level_display = c.LEVELS[one.target_level]
    level_target: dict[str, Any] = {
        "measure": coding(c.CARE_SOCIAL, c.MEASURE_LEVEL, "funktionsevneniveau"),
        "detailCodeableConcept": coding(c.FFB, level_code, level_display),
    }
    if one.review_date is not None:
        level_target["dueDate"] = one.review_date.isoformat()
    extensions: list[dict[str, Any]] = [{"url": c.EXT_WEIGHT, "valueDecimal": one.weight}]
    for name, score in GAS_FIELDS:
        text = getattr(one, name)
        if text:
            parts = [{"url": "score", "valueInteger": score}, {"url": "text", "valueString": text}]
            extensions.append({"url": c.EXT_GAS, "extension": parts})
    data: dict[str, Any] = {
        "resourceType": "Goal",
        "id": ids.id("goal", _id(one.id)),
        "extension": extensions,
        "lifecycleStatus": "active" if one.status is GoalStatus.ACTIVE else "completed",
        "category": [coding(c.CARE_SOCIAL, c.CATEGORY_FFB_GOAL, "FFB indsatsmål")],
        "description": {"text": one.title},
        "subject": ref("Patient", ids.id("citizen", one.citizen_id)),
        "startDate": one.start_date.isoformat(),
        "target": [
            {
                "measure": coding(c.CARE_SOCIAL, c.MEASURE_DIRECTION, "måltype"),
                "detailCodeableConcept": coding(c.FFB, direction_code, direction_display),
            },
            level_target,
        ],
        "addresses": [
            ref("Condition", ids.id("condition", _id(one.id)))
            | {"extension": [{"url": c.CONDITION_RANK, "valuePositiveInt": 1}]}
        ],
    }
    if one.status is not GoalStatus.ACTIVE:
        achieved = "achieved" if one.status is GoalStatus.ACHIEVED else "not-achieved"
        data["achievementStatus"] = coding(GOAL_ACHIEVEMENT, achieved)
        if one.closed_on is not None:
            data["statusDate"] = one.closed_on.isoformat()
    if one.description:
        data["note"] = [{"text": one.description}]
    return checked(data)


def condition(ids: Identity, one: Goal) -> Resource:
    """The goal's primary condition: its theme, with the baseline level as severity."""
    theme_code, theme_display = c.THEMES[one.theme]
    level_code, level_display = c.LEVELS[one.baseline_level]
    return checked(
        {
            "resourceType": "Condition",
            "id": ids.id("condition", _id(one.id)),
            "clinicalStatus": coding(
                c.CONDITION_CLINICAL, "active" if one.status is GoalStatus.ACTIVE else "inactive"
            ),
            "verificationStatus": coding(c.CONDITION_VERIFICATION, "confirmed"),
            "category": [coding(CONDITION_CATEGORY, "problem-list-item")],
            "code": coding(c.FFB, theme_code, theme_display) | {"text": theme_display},
            "severity": coding(c.FFB, level_code, level_display),
            "subject": ref("Patient", ids.id("citizen", one.citizen_id)),
            "recordedDate": one.start_date.isoformat(),
        }
    )


def encounter(ids: Identity, follow_up: FollowUp, unit_id: int) -> Resource:
    """A follow-up as an FFB follow-up encounter, with DEL's kind and note."""
    extensions: list[dict[str, Any]] = [{"url": c.EXT_KIND, "valueCode": follow_up.kind.value}]
    if follow_up.note:
        extensions.append({"url": c.EXT_NOTE, "valueString": follow_up.note})
    return checked(
        {
            "resourceType": "Encounter",
            "id": ids.id("follow-up", _id(follow_up.id)),
            "extension": extensions,
            "status": "finished",
            "class": {"system": c.ACT_CODE, "code": "HH", "display": "home health"},
            "type": [coding(c.CARE_SOCIAL, c.ENCOUNTER_FOLLOW_UP, "opfølgning")],
            "subject": ref("Patient", ids.id("citizen", follow_up.citizen_id)),
            "period": {"start": follow_up.followup_date.isoformat()},
            "serviceProvider": ref("Organization", f"unit-{unit_id}"),
        }
    )


def review_observation(ids: Identity, review: GoalReview, follow_up: FollowUp) -> Resource:
    """A goal review: the level of the goal's condition at the follow-up, DEL's scores."""
    level_code, level_display = c.LEVELS[review.level]
    components = [
        {"code": coding(c.DEL_CODES, code), "valueInteger": value}
        for code, value in (
            (c.GAS_SCORE, review.gas_score),
            (c.CITIZEN_RATING, review.citizen_rating),
            (c.MOTIVATION, review.motivation),
        )
        if value is not None
    ]
    data: dict[str, Any] = {
        "resourceType": "Observation",
        "id": ids.id("review", _id(review.id)),
        "basedOn": [ref("CarePlan", ids.id("stay", follow_up.stay_id))],
        "status": "final",
        "code": coding(c.CARE_SOCIAL, c.MEASURE_LEVEL, "funktionsevneniveau"),
        "subject": ref("Patient", ids.id("citizen", follow_up.citizen_id)),
        "focus": [ref("Condition", ids.id("condition", review.goal_id))],
        "encounter": ref("Encounter", ids.id("follow-up", _id(follow_up.id))),
        "effectiveDateTime": follow_up.followup_date.isoformat(),
        "valueCodeableConcept": coding(c.FFB, level_code, level_display),
    }
    if components:
        data["component"] = components
    if review.note:
        data["note"] = [{"text": review.note}]
    return checked(data)


def questionnaire_response(ids: Identity, assessment: Assessment, follow_up: FollowUp) -> Resource:
    """A questionnaire answered at a follow-up (the definition's id and version)."""
    pid = ids.id("citizen", follow_up.citizen_id)
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": ids.id("assessment", _id(assessment.id)),
        "questionnaire": f"{c.QUESTIONNAIRE}/{assessment.questionnaire_id}"
        f"|{assessment.questionnaire_version}",
        "status": "completed",
        "subject": ref("Patient", pid),
        "encounter": ref("Encounter", ids.id("follow-up", _id(follow_up.id))),
        "authored": follow_up.followup_date.isoformat(),
    }
    items = [
        {"linkId": item, "answer": [{"valueInteger": value}]}
        for item, value in assessment.answers.items()
        if value is not None
    ]
    if items:
        data["item"] = items
    if assessment.perspective is Perspective.SELF_REPORT:
        data["source"] = ref("Patient", pid)
    return checked(data)


def _id(value: int | None) -> int:
    if value is None:
        raise ValueError("an unsaved record has no id")
    return value
