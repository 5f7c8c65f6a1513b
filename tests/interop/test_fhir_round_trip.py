"""The FHIR round trip (#19 part 3 "Done when"): one centre of the demo region exported as an
FFB bundle and imported into an empty database with the same organisation set up gives the
same documentation and effect reports, every figure, table row, chart and message, for the
busiest unit and the centre (the figures the spreadsheet round trip compares, with its
set-up: `tests.imports.test_demo_round_trip`). Imported a second time, it writes nothing."""

from __future__ import annotations

from sqlmodel import select

from del_tool.citizens.models import StayService
from del_tool.db import get_db
from del_tool.imports.commit import commit_plan
from del_tool.imports.sheets import Kind
from del_tool.interop.fhir.export import Selection, bundle, export_resources
from del_tool.interop.fhir.identity import Identity
from del_tool.interop.fhir.importing import plan_fhir, read_resources
from del_tool.organisation.models import Centre, Unit
from tests.imports.test_demo_round_trip import (  # noqa: F401 - the fixture
    CENTRE,
    TODAY,
    _busiest,
    _id,
    _organisation,
    _reports,
    _set_up,
    demo_and_empty,
    importer,
)

KEY = "a-pseudonym-key-for-the-round-trip"


def test_a_demo_centre_exported_and_imported_gives_every_report_figure_equal(
    demo_and_empty,  # noqa: F811 - the spreadsheet round trip's fixture, imported above
):
    demo, app = demo_and_empty
    ids = Identity.make("del-b", KEY)
    with demo.app_context(), get_db(demo).session(write=False) as db:
        centre = db.exec(select(Centre).where(Centre.name == CENTRE)).one()
        units = {
            int(u.id or 0): u.name
            for u in db.exec(select(Unit).where(Unit.centre_id == centre.id)).all()
        }
        exported = export_resources(db, ids, Selection(frozenset(units)), today=TODAY)
        data = bundle(exported, ids).model_dump_json().encode()
        organisation = _organisation(db, units)
        busiest = _busiest(db, units)
        before = {"unit": f"unit:{_id(units, busiest)}", "centre": f"centre:{centre.id}"}
        services = [
            (ids.id("stay", s.stay_id), s.model_dump(exclude={"id", "stay_id"}))
            for s in db.exec(select(StayService)).all()
        ]
    kinds = {
        Kind.CITIZENS: "Patient",
        Kind.STAYS: "CarePlan",
        Kind.FOLLOWUPS: "Encounter",
        Kind.REVIEWS: "Observation",
    }
    sent = {
        k: sum(1 for r in exported.resources if r.get_resource_type() == t)
        for k, t in kinds.items()
    }
    assert sent[Kind.STAYS] >= 20 and sent[Kind.REVIEWS] >= 100  # a real history
    with app.app_context(), get_db(app).session(write=True) as db:
        new_ids = _set_up(db, organisation)
        leader, scope, actor = importer(db, new_ids, units)
        raw = read_resources([("bundle.json", data)])
        result = plan_fhir(db, raw, scope=scope, sender="del-a", user_id=leader.id)
        plan = result.plan
        assert [(r.sheet, r.column, str(r.reason)) for r in plan.refusals] == []
        assert {k: plan.counts[k].create for k in kinds} == sent
        assert plan.counts[Kind.ANSWERS].create > 1000
        commit_plan(db, plan, actor=actor, file_name="bundle.json", digest="x", all_or_nothing=True)
        stays = {r.external_ref: r.entity_id for r in _references(db, "stays")}
        db.add_all(
            StayService(**values, stay_id=stays[ref]) for ref, values in services if ref in stays
        )
        db.commit()
        after = {"unit": f"unit:{new_ids[busiest]}", "centre": f"centre:{leader.centre_id}"}
        again = plan_fhir(db, read_resources([("bundle.json", data)]), scope=scope, sender="del-a")
        assert again.plan.refusals == []
        assert all((c.create, c.update) == (0, 0) for c in again.plan.counts.values()), (
            again.plan.counts
        )
        stored = _row_counts(db)
        commit_plan(
            db, again.plan, actor=actor, file_name="bundle.json", digest="y", all_or_nothing=True
        )
        db.commit()
        assert _row_counts(db) == stored
    for level in ("unit", "centre"):
        original, imported = _reports(demo, before[level]), _reports(app, after[level])
        for report_before, report_after in zip(original, imported, strict=True):
            assert len(report_before) == len(report_after)
            for one, other in zip(report_before, report_after, strict=True):
                assert one == other, level


def _row_counts(db):
    from sqlalchemy import func

    from del_tool.audit.models import AuditEvent
    from del_tool.citizens.models import Citizen, Stay
    from del_tool.followups.models import Assessment, FollowUp, GoalReview
    from del_tool.goals.models import Goal

    models = (Citizen, Stay, Goal, FollowUp, GoalReview, Assessment)
    counts = [db.exec(select(func.count()).select_from(m)).one() for m in models]
    changes = db.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action != "import")
    ).one()
    return counts, changes


def _references(db, sheet):
    from del_tool.imports.models import ImportReference

    return db.exec(select(ImportReference).where(ImportReference.sheet == sheet)).all()
