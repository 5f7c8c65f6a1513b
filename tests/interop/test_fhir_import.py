"""The FHIR import (#19 part 3): a case system's FFB-shaped bundle becomes citizens, stays,
goals, follow-ups and reviews through the spreadsheet import's plan and commit; every refusal
names the resource and the element; the same bundle twice writes nothing; a CPR number sent
is never stored; the command's dry run, write and one-line errors."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlmodel import col, select

from del_tool.auth.models import Role
from del_tool.auth.scope import Scope
from del_tool.auth.services import create_user
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp, GoalReview
from del_tool.goals.models import Goal, GoalDirection, Theme
from del_tool.imports.commit import commit_plan
from del_tool.imports.sheets import Kind
from del_tool.interop.fhir import codes as c
from del_tool.interop.fhir.importing import plan_fhir, read_resources
from del_tool.organisation.models import LegalSection, TargetGroup, Unit
from tests.conftest import PASSWORD

UNIT = "Bostedet Engtoften"
CPR_NUMBER = "0101901234"
PATIENT = "6f1e2d3c-aaaa-4bbb-8ccc-1234567890ab"  # a UUID with a run of ten digits


def _bundle() -> dict[str, Any]:
    """What a case system documenting in FFB sends: a citizen with name and CPR number, a
    stay (§ 107 at the unit, paid by Odense), one goal on a sub-theme, one follow-up."""
    subject = {"reference": f"Patient/{PATIENT}"}

    def concept(system: str, code: str) -> dict[str, Any]:
        return {"coding": [{"system": system, "code": code}]}

    resources: list[dict[str, Any]] = [
        {
            "resourceType": "Patient",
            "id": PATIENT,
            "identifier": [{"system": c.CPR, "value": CPR_NUMBER}],
            "name": [{"use": "official", "family": "Jensen", "given": ["Anna"]}],
            "gender": "female",
            "birthDate": "1990-01-01",
        },
        {"resourceType": "Organization", "id": "org-unit", "name": UNIT},
        {
            "resourceType": "Organization",
            "id": "org-odense",
            "identifier": [{"system": c.MUNICIPALITY, "value": "0461"}],
            "name": "Odense Kommune",
        },
        {
            "resourceType": "Condition",
            "id": "tg1",
            "clinicalStatus": concept(c.CONDITION_CLINICAL, "active"),
            "code": concept(c.FFB, c.TARGET_GROUPS[TargetGroup.AUTISM][0]),
            "subject": subject,
        },
        {
            "resourceType": "CarePlan",
            "id": "cp1",
            "status": "active",
            "intent": "order",
            "subject": subject,
            "period": {"start": "2025-02-01"},
            "author": {"reference": "Organization/org-odense"},
            "addresses": [{"reference": "Condition/tg1"}],
            "goal": [{"reference": "Goal/g1"}],
            "activity": [
                {
                    "detail": {
                        "code": concept(c.FFB, c.SECTIONS[LegalSection.S107][0]),
                        "status": "in-progress",
                        "performer": [{"reference": "Organization/org-unit"}],
                    }
                },
                {
                    "outcomeReference": [{"reference": "Encounter/e1"}],
                    "detail": {"status": "completed"},
                },
            ],
        },
        {
            "resourceType": "Condition",
            "id": "cond1",
            "clinicalStatus": concept(c.CONDITION_CLINICAL, "active"),
            "code": concept(c.FFB, "b947f321-7cdb-4b33-9653-f3ff800572b0"),  # Lave mad
            "severity": concept(c.FFB, c.LEVELS[3][0]),
            "subject": subject,
        },
        {
            "resourceType": "Goal",
            "id": "g1",
            "lifecycleStatus": "active",
            "category": [concept(c.CARE_SOCIAL, c.CATEGORY_FFB_GOAL)],
            "description": {"text": "Lave aftensmad to gange om ugen"},
            "subject": subject,
            "startDate": "2025-02-15",
            "target": [
                {
                    "measure": concept(c.CARE_SOCIAL, c.MEASURE_DIRECTION),
                    "detailCodeableConcept": concept(c.FFB, c.DIRECTIONS[GoalDirection.DEVELOP][0]),
                },
                {
                    "measure": concept(c.CARE_SOCIAL, c.MEASURE_LEVEL),
                    "detailCodeableConcept": concept(c.FFB, c.LEVELS[2][0]),
                },
            ],
            "addresses": [
                {
                    "reference": "Condition/cond1",
                    "extension": [{"url": c.CONDITION_RANK, "valuePositiveInt": 1}],
                }
            ],
        },
        {
            "resourceType": "Encounter",
            "id": "e1",
            "status": "finished",
            "class": {"system": c.ACT_CODE, "code": "HH"},
            "subject": subject,
            "period": {"start": "2025-08-01T10:00:00+02:00"},
        },
        {
            "resourceType": "Observation",
            "id": "o1",
            "status": "final",
            "code": concept(c.CARE_SOCIAL, c.MEASURE_LEVEL),
            "subject": subject,
            "focus": [{"reference": "Condition/cond1"}],
            "encounter": {"reference": "Encounter/e1"},
            "valueCodeableConcept": concept(c.FFB, c.LEVELS[2][0]),
        },
        {
            "resourceType": "MessageHeader",
            "id": "m1",
            "eventCoding": {"code": "x"},
            "source": {"endpoint": "http://x"},
        },
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def _resource(bundle: dict[str, Any], kind: str, rid: str) -> dict[str, Any]:
    return next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == kind and e["resource"]["id"] == rid
    )


@pytest.fixture
def unit_id(app) -> int:
    with app.app_context(), get_db(app).session(write=False) as db:
        return int(db.exec(select(Unit.id).where(Unit.name == UNIT)).one())


@pytest.fixture
def leader(app, unit_id) -> Actor:
    with app.app_context(), get_db(app).session(write=True) as db:
        centre_id = db.exec(select(Unit.centre_id).where(Unit.id == unit_id)).one()
        user = create_user(
            session=db,
            username="leder",
            display_name="Leder",
            password=PASSWORD,
            role=Role.LEADER,
            centre_id=centre_id,
        )
        db.commit()
        return Actor(user_id=user.id, scope=Scope(unit_ids=frozenset({unit_id})))


def _plan(app, bundle: dict[str, Any], unit_id: int) -> Any:
    with app.app_context(), get_db(app).session(write=False) as db:
        raw = read_resources([("b.json", json.dumps(bundle).encode())])
        return plan_fhir(db, raw, scope={unit_id}, sender="nexus").plan


def _refusals(plan: Any) -> list[tuple[str, str, str]]:
    return [(r.sheet, r.column, str(r.reason)) for r in plan.refusals]


def test_a_case_systems_bundle_imports_without_its_cpr_number_and_twice_writes_nothing(
    app, unit_id, leader
):
    bundle = _bundle()
    plan = _plan(app, bundle, unit_id)
    assert _refusals(plan) == []
    assert [(k, plan.counts[k].create) for k in plan.kinds] == [
        (Kind.CITIZENS, 1),
        (Kind.STAYS, 1),
        (Kind.GOALS, 1),
        (Kind.FOLLOWUPS, 1),
        (Kind.REVIEWS, 1),
    ]
    with app.app_context(), get_db(app).session(write=True) as db:
        raw = read_resources([("b.json", json.dumps(bundle).encode())])
        result = plan_fhir(db, raw, scope={unit_id}, sender="nexus", user_id=leader.user_id)
        commit_plan(
            db, result.plan, actor=leader, file_name="b.json", digest="d", all_or_nothing=True
        )
        db.commit()
        citizen = db.exec(select(Citizen)).one()
        stay = db.exec(select(Stay)).one()
        goal = db.exec(select(Goal)).one()
        review = db.exec(select(GoalReview)).one()
        follow_up = db.exec(select(FollowUp)).one()
        dumped = json.dumps([x.model_dump(mode="json") for x in (citizen, stay, goal, follow_up)])
    assert (citizen.name, citizen.birth_year, citizen.sex.value, citizen.target_group.value) == (
        "Anna Jensen",
        1990,
        "female",
        "autism",
    )
    assert CPR_NUMBER not in dumped and citizen.case_reference is None
    assert (stay.unit_id, stay.municipality_code, stay.legal_section.value) == (
        unit_id,
        "461",
        "107",
    )
    assert (goal.theme, goal.direction, goal.baseline_level, goal.target_level) == (
        Theme.PRACTICAL_TASKS,
        GoalDirection.DEVELOP,
        3,
        2,
    )
    assert (str(follow_up.followup_date), review.level, review.goal_id) == (
        "2025-08-01",
        2,
        goal.id,
    )
    again = _plan(app, bundle, unit_id)
    assert {
        k: (again.counts[k].create, again.counts[k].update) for k in again.kinds
    } == dict.fromkeys(again.kinds, (0, 0))
    changed = copy.deepcopy(bundle)
    _resource(changed, "Goal", "g1")["description"]["text"] = "Lave aftensmad tre gange om ugen"
    updated = _plan(app, changed, unit_id)
    assert (updated.counts[Kind.GOALS].update, updated.counts[Kind.STAYS].unchanged) == (1, 1)


def test_each_refusal_names_the_resource_and_the_element(app, unit_id):
    bundle = _bundle()
    _resource(bundle, "Goal", "g1")["target"][1]["detailCodeableConcept"]["coding"][0]["code"] = "7"
    _resource(bundle, "Encounter", "e1")["period"]["start"] = "2025-13-01"
    bundle["entry"].append({"resource": {"resourceType": "Nonsense", "id": "n1"}})
    plan = _plan(app, bundle, unit_id)
    refusals = _refusals(plan)
    assert (
        "Goal/g1",
        "target.detailCodeableConcept (funktionsevneniveau)",
        'Ukendt FFB-funktionsevneniveau "7".',
    ) in refusals
    assert any(r[0] == "Encounter/e1" and r[1].startswith("period") for r in refusals)
    assert ("Nonsense/n1", "resourceType", "Ukendt ressourcetype.") in refusals
    # the review of the refused goal and follow-up is refused too; the citizen and stay are not
    assert (plan.counts[Kind.CITIZENS].create, plan.counts[Kind.STAYS].create) == (1, 1)
    assert plan.counts[Kind.GOALS].create == 0 and plan.counts[Kind.REVIEWS].create == 0


def test_a_goal_or_follow_up_without_its_care_plan_is_refused(app, unit_id):
    bundle = _bundle()
    plan = _resource(bundle, "CarePlan", "cp1")
    plan["goal"] = []
    plan["activity"] = plan["activity"][:1]
    del plan["goal"]
    refusals = _refusals(_plan(app, bundle, unit_id))
    assert (
        "Goal/g1",
        "CarePlan.goal",
        "Ingen CarePlan i filen har målet i CarePlan.goal.",
    ) in refusals
    assert any(
        r[0] == "Encounter/e1" and r[1] == "CarePlan.activity.outcomeReference" for r in refusals
    )


def test_a_stay_of_another_unit_is_refused(app, unit_id):
    with app.app_context(), get_db(app).session(write=False) as db:
        other = db.exec(select(Unit.id).where(col(Unit.id) != unit_id)).first()
    refusals = _refusals(_plan(app, _bundle(), int(other or 0)))
    assert (
        "CarePlan/cp1",
        "activity.detail.performer",
        "Tilbuddet er ikke et af dem, indlæsningen gælder.",
    ) in refusals


def test_the_command_dry_runs_writes_and_refuses_in_one_line(app, unit_id, leader, tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_bundle()))
    runner = app.test_cli_runner()
    base = ["import", "fhir", str(path), "--unit", str(unit_id), "--sender", "nexus"]
    dry = runner.invoke(args=[*base, "--dry-run", "--lang", "en"])
    assert dry.exit_code == 0, dry.output
    assert "1 MessageHeader" in dry.output
    written = runner.invoke(args=[*base, "--user", "leder"])
    assert written.exit_code == 0, written.output
    again = runner.invoke(args=[*base, "--user", "leder"])
    assert again.exit_code == 0 and "0 oprettes, 0 opdateres, 1 uændret" in again.output
    with app.app_context(), get_db(app).session(write=False) as db:
        assert len(db.exec(select(Goal)).all()) == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(
        args=["import", "fhir", str(bad), "--unit", str(unit_id), "--sender", "nexus", "--dry-run"]
    )
    assert result.exit_code == 1 and "bad.json er ikke JSON" in result.output
    assert "Traceback" not in result.output


def test_all_or_nothing_writes_nothing_when_a_resource_is_refused(app, unit_id, leader, tmp_path):
    bundle = _bundle()
    _resource(bundle, "Goal", "g1")["target"][1]["detailCodeableConcept"]["coding"][0]["code"] = "7"
    path = tmp_path / "bundle.ndjson"
    path.write_text("".join(json.dumps(e["resource"]) + "\n" for e in bundle["entry"]))
    result = app.test_cli_runner().invoke(
        args=[
            "import",
            "fhir",
            str(path),
            "--unit",
            str(unit_id),
            "--sender",
            "nexus",
            "--user",
            "leder",
            "--all-or-nothing",
        ]
    )
    assert result.exit_code == 1 and "Goal/g1 target.detailCodeableConcept" in result.output
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.exec(select(Citizen)).all() == []


def test_the_command_holds_the_write_lock_only_to_publish(
    app, unit_id, leader, tmp_path, monkeypatch
):
    """While `del-tool import fhir` prepares its commit, another connection takes the write
    lock without waiting (SQLite busy timeout 0; PostgreSQL the history's chain lock tried):
    the command plans and prepares outside the lock, as `del-tool import` does."""
    from tests.imports.test_cli_publish import _while_preparing

    calls = _while_preparing(monkeypatch, lambda: _take_the_lock_at_once(app))
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_bundle()))
    base = ["import", "fhir", str(path), "--unit", str(unit_id), "--sender", "nexus"]
    result = app.test_cli_runner().invoke(args=[*base, "--user", "leder"])
    assert result.exit_code == 0, result.output
    assert calls == [1] and "er gemt" in result.output
    with app.app_context(), get_db(app).session(write=False) as db:
        assert len(db.exec(select(Goal)).all()) == 1


def _take_the_lock_at_once(app) -> None:
    import sqlite3

    from sqlalchemy.engine import make_url

    from tests.imports.test_publish import CHAIN_LOCK_KEY

    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")  # fails at once while a writer holds the lock
            connection.execute("COMMIT")
        finally:
            connection.close()
        return
    import psycopg

    with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as pg:
        taken = pg.execute("SELECT pg_try_advisory_xact_lock(%s)", (CHAIN_LOCK_KEY,)).fetchone()
        assert taken is not None and taken[0], "the import holds the history's lock"
