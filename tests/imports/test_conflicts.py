"""Conflicts (#18 item 4): a record changed in DEL since it was imported is never overwritten
silently. The dry run lists it with both values; DEL's are kept unless the user chooses to
overwrite, for all rows or per row, on the command line and on the web."""

from __future__ import annotations

from sqlmodel import select

from del_tool.audit.models import AccessEvent
from del_tool.auth.scope import Scope
from del_tool.citizens import history
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.goals.models import Goal
from del_tool.imports.access import CONFLICT_ACTION
from del_tool.imports.models import ImportBatch, ImportState
from tests.imports.records import GOALS, book, counts, import_file, use_questionnaires
from tests.imports.test_cli import STAYS, _write
from tests.imports.web import centre_of, leader_client, only_batch, upload, workbook

ENGTOFTEN = "Bostedet Engtoften"


def _edit_in_del(app, unit, model, where, values):
    """A form save of a record by a staff member (history and a new version)."""
    with app.app_context(), get_db(app).session(write=True) as db:
        row = db.exec(select(model).where(where)).one()
        actor = Actor(user_id=None, scope=Scope(unit_ids=frozenset({unit})))  # the command line
        history.update(db, actor, row, values, citizen_id=row.citizen_id)
        db.commit()


def _title(app, goal_id):
    with app.app_context(), get_db(app).session(write=False) as db:
        return db.get(Goal, goal_id).title


def _retitled(title):
    goals = [row[:] for row in GOALS]
    goals[1][3] = title
    return book(Mål=goals)


def test_a_goal_changed_in_del_is_kept_listed_and_overwritten_on_request(app, make_user, units):
    unit = units[ENGTOFTEN]
    use_questionnaires(app, unit, "del_functioning", "who5")
    user = make_user("leader", centre_id=centre_of(app, unit))
    _plan, first = import_file(app, user.id, unit, book())
    [goal_id] = [g for g in first.result["created"]["goals"] if _title(app, g) == "Lave mad"]
    _edit_in_del(app, unit, Goal, Goal.id == goal_id, {"title": "Lave mad selv"})
    # The same file again: the file did not change, so DEL's edit simply stands.
    plan, _batch = import_file(app, user.id, unit, book())
    assert not plan.conflicts and counts(plan)["goals"] == (0, 0, 3, 0)
    # An edited file meets DEL's edit: a conflict, kept as DEL has it.
    plan, batch = import_file(app, user.id, unit, _retitled("Lave mad to gange om ugen"))
    [conflict] = plan.conflicts
    assert (conflict.sheet, conflict.row, conflict.entity_id) == ("Mål", 2, goal_id)
    assert conflict.fields == (("title", "Lave mad to gange om ugen", "Lave mad selv"),)
    assert not conflict.overwritten and counts(plan)["goals"] == (0, 0, 3, 0)
    assert _title(app, goal_id) == "Lave mad selv" and batch.result["updated"]["goals"] == []
    # Chosen for the row, it is overwritten (and then imported as it is, so no conflict after).
    plan, batch = import_file(
        app, user.id, unit, _retitled("Lave mad to gange om ugen"), overwrite=["goals:M1"]
    )
    assert plan.conflicts[0].overwritten and counts(plan)["goals"] == (0, 1, 2, 0)
    assert _title(app, goal_id) == "Lave mad to gange om ugen"
    plan, _batch = import_file(app, user.id, unit, _retitled("Lave mad to gange om ugen"))
    assert not plan.conflicts and counts(plan)["goals"] == (0, 0, 3, 0)


def test_the_cli_lists_conflicts_and_overwrites_with_the_flag(
    app, runner, units, make_user, tmp_path
):
    unit = units[ENGTOFTEN]
    user = make_user("leader", centre_id=centre_of(app, unit))
    args = ["import", *_write(tmp_path), "--unit", str(unit), "--user", user.username]
    assert runner.invoke(args=args).exit_code == 0
    _edit_in_del(app, unit, Stay, Stay.start_date == _day("2025-01-01"), {"tariff_level": "B"})
    edited = STAYS.replace("O3;B2;Vejle;108;01.01.2025;", "O3;B2;Vejle;108;01.01.2025;30.06.2025")
    files = _write(tmp_path, stays=edited)
    result = runner.invoke(args=["import", *files, "--unit", str(unit), "--dry-run"])
    assert "Ophold: 0 oprettes, 0 opdateres, 3 uændret, 0 afvist" in result.output
    assert (
        "ophold.csv, række 4: ændret i DEL siden indlæsningen (DEL's værdier beholdes): "
        "Slutdato: filen '30.06.2025', DEL ''; Takstniveau: filen '', DEL 'B'"
    ) in result.output
    result = runner.invoke(args=[*args[:1], *files, *args[3:], "--overwrite-changes"])
    assert result.exit_code == 0, result.output
    assert "Ophold: 0 oprettes, 1 opdateres, 2 uændret, 0 afvist" in result.output
    with app.app_context(), get_db(app).session(write=False) as db:
        stay = db.exec(select(Stay).where(Stay.start_date == _day("2025-01-01"))).one()
        assert (str(stay.end_date), stay.tariff_level) == ("2025-06-30", None)
        logged = db.exec(select(AccessEvent).where(AccessEvent.action == CONFLICT_ACTION)).all()
        assert {e.citizen_id for e in logged} == {stay.citizen_id}


def _day(text):
    from datetime import date

    return date.fromisoformat(text)


def test_the_web_page_shows_both_values_and_the_choice_per_row(app, make_user, units):
    unit = units[ENGTOFTEN]
    client = leader_client(app, make_user, unit)
    upload(client, workbook(), unit=unit)
    client.post(f"/imports/{only_batch(app).id}/confirm")
    _edit_in_del(app, unit, Stay, Stay.start_date == _day("2025-01-01"), {"tariff_level": "B"})
    edited = STAYS.replace("O3;B2;Vejle;108;01.01.2025;", "O3;B2;Vejle;108;01.01.2025;30.06.2025")
    upload(client, workbook(stays=edited), unit=unit)
    with app.app_context(), get_db(app).session(write=False) as db:
        batch = db.exec(select(ImportBatch).where(ImportBatch.state == "planned")).one()
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Ændret i DEL siden sidste indlæsning" in page
    assert "<td>30.06.2025</td>" in page and "<td>B</td>" in page
    assert 'name="overwrite_rows" value="stays:O3"' in page
    assert "Overskriv ændringer i DEL for alle rækkerne" in page
    response = client.post(f"/imports/{batch.id}/confirm", data={"overwrite_rows": "stays:O3"})
    assert response.status_code == 303
    with app.app_context(), get_db(app).session(write=False) as db:
        done = db.get(ImportBatch, batch.id)
        assert done.state == ImportState.DONE, done.message
        assert done.summary["stays"] == {"create": 0, "update": 1, "unchanged": 2, "refused": 0}
        assert done.plan["conflicts"] == [
            {
                "key": "stays:O3",
                "sheet": "Ophold",
                "row": 4,
                "citizen_id": done.plan["conflicts"][0]["citizen_id"],
            }
        ]  # the values are gone once decided
        stay = db.exec(select(Stay).where(Stay.start_date == _day("2025-01-01"))).one()
        assert str(stay.end_date) == "2025-06-30"
        logged = db.exec(select(AccessEvent).where(AccessEvent.action == CONFLICT_ACTION)).all()
        assert [e.endpoint for e in logged] == ["imports.batch"]
    # A choice of a row that is not a conflict is refused (the form is invalid).
    upload(client, workbook(stays=edited), unit=unit)
    with app.app_context(), get_db(app).session(write=False) as db:
        again = db.exec(select(ImportBatch).where(ImportBatch.state == "planned")).one()
    client.post(f"/imports/{again.id}/confirm", data={"overwrite_rows": "stays:O9"})
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.get(ImportBatch, again.id).state == ImportState.PLANNED
