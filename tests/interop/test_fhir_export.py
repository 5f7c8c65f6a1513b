"""The FFB-shaped FHIR export (#19 part 3): resources valid as R4B models, shaped with FFB's
codes, citizens known only by a pseudonym per receiving system, a day's delta, the command."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import date
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import col, func, select

from del_tool.audit.models import AccessEvent
from del_tool.auth.scope import Scope
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_db
from del_tool.followups.models import GoalReview
from del_tool.goals.models import Goal
from del_tool.goals.services import GoalData, update_goal
from del_tool.interop.fhir import codes
from del_tool.interop.fhir.export import Selection, bundle, export_resources, write_ndjson
from del_tool.interop.fhir.identity import Identity, IdentityError
from del_tool.modelbase import local_today

KEY = "a-pseudonym-key-for-the-tests"
TODAY = date(2026, 10, 1)


def _busiest_unit(db: Any) -> int:
    count = func.count(col(Stay.id))
    found = db.exec(
        select(Stay.unit_id).group_by(col(Stay.unit_id)).order_by(count.desc(), col(Stay.unit_id))
    ).first()
    return int(found)


def _by_type(exported: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for one in exported.resources:
        out.setdefault(one.get_resource_type(), []).append(json.loads(one.model_dump_json()))
    return out


def _code(concept: dict[str, Any], system: str) -> str:
    return next(c["code"] for c in concept["coding"] if c["system"] == system)


def test_a_unit_exports_as_a_valid_r4b_bundle_with_ffb_codes(demo_app):
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        unit = _busiest_unit(db)
        ids = Identity.make("kommune-a", KEY)
        exported = export_resources(db, ids, Selection(frozenset({unit})), today=TODAY)
        text = bundle(exported, ids).model_dump_json()
        goals = {
            ids.id("goal", int(g.id or 0)): g
            for g in db.exec(
                select(Goal).join(Stay, col(Stay.id) == Goal.stay_id).where(Stay.unit_id == unit)
            ).all()
        }
        n_reviews = db.exec(
            select(func.count(col(GoalReview.id)))
            .join(Goal, col(Goal.id) == GoalReview.goal_id)
            .join(Stay, col(Stay.id) == Goal.stay_id)
            .where(Stay.unit_id == unit)
        ).one()
        citizen_ids = exported.citizen_ids
    parsed = Bundle.model_validate_json(text)  # the whole bundle reads back as R4B
    assert parsed.type == "collection" and len(parsed.entry) == len(exported.resources)
    found = _by_type(exported)
    assert len(found["Patient"]) == len(citizen_ids) >= 5
    ffb_goals = [g for g in found["Goal"] if g["id"] in goals]
    assert len(ffb_goals) == len(goals) >= 5
    assert len(found["Observation"]) == n_reviews
    conditions = {c["id"]: c for c in found["Condition"]}
    for resource in ffb_goals:
        goal = goals[resource["id"]]
        direction, level = resource["target"]
        assert (
            _code(direction["detailCodeableConcept"], codes.FFB)
            == (codes.DIRECTIONS[goal.direction][0])
        )
        assert (
            _code(level["detailCodeableConcept"], codes.FFB) == codes.LEVELS[goal.target_level][0]
        )
        assert _code(level["measure"], codes.CARE_SOCIAL) == codes.MEASURE_LEVEL
        (primary,) = resource["addresses"]
        assert primary["extension"] == [{"url": codes.CONDITION_RANK, "valuePositiveInt": 1}]
        condition = conditions[primary["reference"].removeprefix("Condition/")]
        assert _code(condition["code"], codes.FFB) == codes.THEMES[goal.theme][0]
        assert _code(condition["severity"], codes.FFB) == codes.LEVELS[goal.baseline_level][0]
    for plan in found["CarePlan"]:
        assert plan["author"]["reference"].startswith("Organization/municipality-0")
        section = plan["activity"][0]["detail"]["code"]
        assert codes.section_of(_code(section, codes.FFB)) is not None


def test_citizens_are_known_by_a_pseudonym_per_receiving_system_only(demo_app):
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        unit = _busiest_unit(db)
        selection = Selection(frozenset({unit}))
        one = export_resources(db, Identity.make("kommune-a", KEY), selection, today=TODAY)
        again = export_resources(db, Identity.make("kommune-a", KEY), selection, today=TODAY)
        other = export_resources(db, Identity.make("kommune-b", KEY), selection, today=TODAY)
        citizens = {c.id: c for c in db.exec(select(Citizen)).all()}
    patients = _by_type(one)["Patient"]
    assert [p["id"] for p in patients] == [p["id"] for p in _by_type(again)["Patient"]]
    assert not {p["id"] for p in patients} & {p["id"] for p in _by_type(other)["Patient"]}
    text = json.dumps([json.loads(r.model_dump_json()) for r in one.resources])
    for citizen_id in one.citizen_ids:
        assert citizens[citizen_id].name not in text
    for patient in patients:
        assert set(patient) == {"resourceType", "id", "identifier", "gender", "birthDate"}
        (identifier,) = patient["identifier"]
        assert identifier["system"] == "urn:del:fhir:kommune-a:citizen"
        assert identifier["value"] == patient["id"] and len(patient["birthDate"]) == 4
        assert not any(str(cid) == patient["id"] for cid in one.citizen_ids)


def test_a_days_delta_holds_what_changed_that_day_and_what_places_it(demo_app):
    with demo_app.app_context(), get_db(demo_app).session(write=True) as db:
        unit = _busiest_unit(db)
        goal = db.exec(
            select(Goal)
            .join(Stay, col(Stay.id) == Goal.stay_id)
            .where(Stay.unit_id == unit, col(Stay.end_date).is_(None))
        ).first()
        data = GoalData(**{f.name: getattr(goal, f.name) for f in fields(GoalData)})
        actor = Actor(user_id=1, scope=Scope(unit_ids=frozenset({unit})))
        changed = asdict(data) | {"title": "Et nyt mål i dag"}
        update_goal(
            session=db, actor=actor, goal_id=goal.id, data=GoalData(**changed), version=goal.version
        )
        db.commit()
        ids = Identity.make("kommune-a", KEY)
        today = export_resources(
            db, ids, Selection(frozenset({unit}), day=local_today()), today=TODAY
        )
        quiet = export_resources(
            db, ids, Selection(frozenset({unit}), day=date(2000, 1, 1)), today=TODAY
        )
        stay_id = goal.stay_id
        citizen_id = goal.citizen_id
    found = _by_type(today)
    assert today.citizen_ids == [citizen_id]
    assert [g["description"]["text"] for g in found["Goal"]] == ["Et nyt mål i dag"]
    assert [c["id"] for c in found["CarePlan"]] == [ids.id("stay", stay_id)]
    assert len(found["Patient"]) == 1 and "Encounter" not in found
    assert quiet.resources == [] and quiet.citizen_ids == []


def test_the_command_writes_a_bundle_or_ndjson_and_logs_each_citizen(demo_app, tmp_path):
    demo_app.config["PSEUDONYM_KEY"] = KEY
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        unit = _busiest_unit(db)
    runner = demo_app.test_cli_runner()
    out = tmp_path / "bundle.json"
    args = ["export", "fhir", "--system", "kommune-a", "--unit", str(unit)]
    result = runner.invoke(args=[*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert Bundle.model_validate_json(out.read_text()).type == "collection"
    result = runner.invoke(args=[*args, "--ndjson", str(tmp_path / "nd")])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "nd" / "Goal.ndjson").read_text().splitlines()
    assert lines and all(json.loads(line)["resourceType"] == "Goal" for line in lines)
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        logged = db.exec(select(AccessEvent).where(AccessEvent.endpoint == "cli:export fhir")).all()
    entries = json.loads(out.read_text())["entry"]
    n_patients = sum(1 for e in entries if e["resource"]["resourceType"] == "Patient")
    assert len(logged) == 2 * n_patients and {e.action for e in logged} == {"export"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--system", "two words", "--unit", "1", "--out", "x.json"], "receiving system's name"),
        (["--system", "a", "--unit", "99999", "--out", "x.json"], "no unit 99999"),
        (["--system", "a", "--unit", "1"], "either --ndjson DIR or --out FILE"),
        (["--system", "a", "--out", "x.json"], "--unit ID"),
    ],
)
def test_the_command_refuses_bad_options_in_one_line(demo_app, tmp_path, args, message):
    demo_app.config["PSEUDONYM_KEY"] = KEY
    result = demo_app.test_cli_runner().invoke(args=["export", "fhir", *args])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_the_command_needs_a_pseudonym_key(demo_app, tmp_path):
    demo_app.config["PSEUDONYM_KEY"] = None
    result = demo_app.test_cli_runner().invoke(
        args=["export", "fhir", "--system", "a", "--unit", "1", "--out", str(tmp_path / "b.json")]
    )
    assert result.exit_code == 1 and "set PSEUDONYM_KEY" in result.output
    with pytest.raises(IdentityError):
        Identity.make("a", "short")


def test_ndjson_files_are_per_resource_type(demo_app, tmp_path):
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        ids = Identity.make("kommune-a", KEY)
        exported = export_resources(db, ids, Selection(frozenset({_busiest_unit(db)})), today=TODAY)
    written = write_ndjson(exported, tmp_path)
    assert {p.stem for p in tmp_path.iterdir()} == set(written)
    assert sum(written.values()) == len(exported.resources)
