"""The action plan's purposes in the spreadsheet import: the sheet Formål (its reference, the
stay's, the text, an optional FFB theme) and the goals sheet's Formåls-ID. Counts, what is
written (with its history, after the stay's last purpose), idempotency, every refusal with its
column and reason, conflicts with what was changed in DEL since, a goal given a new purpose
while someone else adds one, goals imported without the column, and undo."""

from __future__ import annotations

from sqlmodel import col, select

from del_tool.audit.integrity import verify_history
from del_tool.audit.models import AuditEvent
from del_tool.auth.scope import Scope
from del_tool.citizens import history
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Stay, StayPurpose
from del_tool.db import get_db
from del_tool.goals.models import Goal, Theme
from del_tool.imports.commit import prepare_commit, publish
from del_tool.imports.models import ImportReference
from del_tool.imports.plan import plan_import
from del_tool.imports.undo import undo_batch
from tests.imports.records import GOALS, book, counts, import_file
from tests.imports.test_records import _setup

PURPOSES = [
    ["Formåls-ID", "Ophold-ID", "Formål", "Tema"],
    ["P1", "O1", "Borgeren klarer mere selv i hjemmet", "Praktiske opgaver"],
    ["P2", "O1", "Borgeren har kontakt til familien", ""],
    ["P3", "O2", "Borgeren kommer ud af huset", "Mobilitet"],
]


def _goals(*purposes: str) -> list[list[object]]:
    """The goals sheet with the column Formåls-ID, M1, M2, M3 naming `purposes`."""
    return [[*GOALS[0], "Formåls-ID"], *[[*r, p] for r, p in zip(GOALS[1:], purposes, strict=True)]]


def _file(purposes=PURPOSES, goals=None):
    return book(Formål=purposes, Mål=goals if goals is not None else _goals("P1", "", "P3"))


def _refs(app, sheet: str) -> dict[str, int]:
    with app.app_context(), get_db(app).session(write=False) as db:
        found = db.exec(select(ImportReference).where(ImportReference.sheet == sheet)).all()
        return {r.external_ref: r.entity_id for r in found}


def _purpose_of(app) -> dict[str, int | None]:
    """Goal reference -> the reference of the purpose it serves."""
    purposes = {i: ref for ref, i in _refs(app, "stay_purposes").items()}
    with app.app_context(), get_db(app).session(write=False) as db:
        return {
            ref: purposes.get(db.get(Goal, goal_id).purpose_id)
            for ref, goal_id in _refs(app, "goals").items()
        }


def _purposes(app) -> dict[str, StayPurpose]:
    with app.app_context(), get_db(app).session(write=False) as db:
        found = {ref: db.get(StayPurpose, i) for ref, i in _refs(app, "stay_purposes").items()}
        for row in found.values():
            db.expunge(row)
        return found


def _verified(app) -> None:
    with app.app_context(), get_db(app).session(write=False) as db:
        _state, problems = verify_history(db)
    assert problems == []


def test_purposes_are_written_with_history_and_goals_linked(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    plan, batch = import_file(app, user.id, unit, _file())
    assert not plan.refusals, [(r.sheet, r.row, r.column, str(r.reason)) for r in plan.refusals]
    assert counts(plan)["stay_purposes"] == (3, 0, 0, 0)
    purposes = _purposes(app)
    assert purposes["P1"].theme is Theme.PRACTICAL_TASKS and purposes["P2"].theme is None
    assert [purposes[r].position for r in ("P1", "P2", "P3")] == [0, 1, 0]
    assert _purpose_of(app) == {"M1": "P1", "M2": None, "M3": "P3"}
    with app.app_context(), get_db(app).session(write=False) as db:
        created = db.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "stay_purposes", AuditEvent.action == "create"
            )
        ).all()
        stays = _refs(app, "stays")
        owners = {db.get(StayPurpose, int(e.entity_id)).stay_id: e.citizen_id for e in created}
        assert {stays["O1"], stays["O2"]} == set(owners) and None not in owners.values()
    assert sorted(batch.result["created"]["stay_purposes"]) == sorted(purposes_ids(app))
    _verified(app)
    again, _batch = import_file(app, user.id, unit, _file())
    assert counts(again)["stay_purposes"] == (0, 0, 3, 0)
    assert counts(again)["goals"] == (0, 0, 3, 0)
    # A corrected text, a new purpose after the stay's others, and a goal given it.
    edited = [row[:] for row in PURPOSES]
    edited[2][2] = "Borgeren ser sin familie hver måned"
    edited.append(["P4", "O1", "Borgeren har et fritidstilbud", "Relationer"])
    third, _batch = import_file(app, user.id, unit, _file(edited, _goals("P1", "P4", "P3")))
    assert counts(third)["stay_purposes"] == (1, 1, 2, 0)
    assert counts(third)["goals"] == (0, 1, 2, 0)
    purposes = _purposes(app)
    assert purposes["P2"].text == "Borgeren ser sin familie hver måned"
    assert purposes["P4"].position == 2
    assert _purpose_of(app) == {"M1": "P1", "M2": "P4", "M3": "P3"}
    _verified(app)


def purposes_ids(app) -> list[int]:
    return list(_refs(app, "stay_purposes").values())


def test_bad_purposes_and_links_are_refused_naming_the_column(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    purposes = [
        PURPOSES[0],
        ["P1", "O9", "Et formål", ""],
        ["P2", "O1", "x" * 501, ""],
        ["P3", "O1", "Ring på 010190-1234", ""],
        ["P4", "O1", "Et formål", "Ukendt tema"],
        ["P5", "O1", "Et formål", ""],
        ["P5", "O2", "Et andet formål", ""],
        ["P6", "O2", "Borgeren kommer ud af huset", ""],
    ]
    plan, _batch = import_file(app, user.id, unit, _file(purposes, _goals("P6", "P99", "P6")))
    refused = [
        (r.sheet, r.row, r.column, str(r.reason))
        for r in plan.refusals
        if r.sheet in ("Formål", "Mål")  # the reviews of the refused goals go too
    ]
    assert refused == [
        (
            "Formål",
            2,
            "Ophold-ID",
            "Intet ophold med dette id i filen (eller rækken er afvist) eller fra før i dine "
            "tilbud.",
        ),
        ("Formål", 3, "Formål", "Højst 500 tegn."),
        ("Formål", 4, "Formål", "DEL gemmer ikke CPR-numre. Fjern nummeret fra cellen."),
        ("Formål", 5, "Tema", "Ukendt tema. Vælg fra listen."),
        ("Formål", 6, "Formåls-ID", "Samme id som række 7 i filen."),
        ("Formål", 7, "Formåls-ID", "Samme id som række 6 i filen."),
        ("Mål", 2, "Formåls-ID", "Formålet hører til et andet ophold end målets."),
        (
            "Mål",
            3,
            "Formåls-ID",
            "Intet formål med dette id i filen (eller rækken er afvist) eller fra før i dine "
            "tilbud.",
        ),
    ]
    assert counts(plan)["stay_purposes"] == (1, 0, 0, 6)
    assert counts(plan)["goals"] == (1, 0, 0, 2)
    assert _purpose_of(app) == {"M3": "P6"}


def _edit(app, unit, model, ref_sheet, ref, values):
    """A form save in DEL of an imported record (history and a new version)."""
    record_id = _refs(app, ref_sheet)[ref]
    with app.app_context(), get_db(app).session(write=True) as db:
        row = db.get(model, record_id)
        owner = row if model is Goal else db.get(Stay, row.stay_id)
        citizen_id = owner.citizen_id
        actor = Actor(user_id=None, scope=Scope(unit_ids=frozenset({unit})))
        history.update(db, actor, row, values, citizen_id=citizen_id)
        db.commit()


def test_what_was_changed_in_del_since_is_a_conflict(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    import_file(app, user.id, unit, _file())
    _edit(app, unit, StayPurpose, "stay_purposes", "P1", {"text": "Rettet i DEL"})
    edited = [row[:] for row in PURPOSES]
    edited[1][2] = "Rettet i filen"
    plan, _batch = import_file(app, user.id, unit, _file(edited))
    assert [c.choice_key for c in plan.conflicts] == ["stay_purposes:P1"]
    assert counts(plan)["stay_purposes"] == (0, 0, 3, 0)
    assert _purposes(app)["P1"].text == "Rettet i DEL"
    plan, _batch = import_file(app, user.id, unit, _file(edited), overwrite=["stay_purposes:P1"])
    assert counts(plan)["stay_purposes"] == (0, 1, 2, 0)
    assert _purposes(app)["P1"].text == "Rettet i filen"
    # A goal given another purpose in DEL: a changed row of the file is a conflict, naming both.
    _edit(app, unit, Goal, "goals", "M1", {"purpose_id": _refs(app, "stay_purposes")["P2"]})
    goals = _goals("P1", "", "P3")
    goals[1][3] = "Lave mad to gange om ugen"
    plan, _batch = import_file(app, user.id, unit, _file(edited, goals))
    [conflict] = plan.conflicts
    assert conflict.choice_key == "goals:M1"
    assert ("purpose_ref", "P1", "P2") in conflict.fields
    assert _purpose_of(app)["M1"] == "P2"


def test_goals_imported_without_the_column_keep_their_purpose(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    import_file(app, user.id, unit, book())  # the sheets of before, without purposes
    import_file(app, user.id, unit, book(Formål=PURPOSES))
    _edit(app, unit, Goal, "goals", "M2", {"purpose_id": _refs(app, "stay_purposes")["P2"]})
    plan, _batch = import_file(app, user.id, unit, book())
    assert counts(plan)["goals"] == (0, 0, 3, 0) and not plan.conflicts
    goals = [row[:] for row in GOALS]
    goals[2][3] = "Ringe til søster hver uge"
    plan, _batch = import_file(app, user.id, unit, book(Mål=goals))
    assert counts(plan)["goals"] == (0, 1, 2, 0) and not plan.conflicts
    assert _purpose_of(app)["M2"] == "P2"  # the file says nothing of it


def test_a_goal_given_a_new_purpose_while_another_is_added_points_to_its_own(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    import_file(app, user.id, unit, _file())
    more = [*PURPOSES, ["P4", "O1", "Borgeren har et fritidstilbud", ""]]
    actor = Actor(user_id=user.id, scope=Scope(unit_ids=frozenset({unit})))
    with app.app_context(), get_db(app).session(write=False) as db:
        plan = plan_import(db, [_file(more, _goals("P1", "P4", "P3"))], scope={unit})
        prepared = prepare_commit(db, plan, actor=actor)
    stay_id = _refs(app, "stays")["O1"]
    with app.app_context(), get_db(app).session(write=True) as db:
        other = StayPurpose(stay_id=stay_id, text="Skrevet i DEL imens", position=5)
        db.add(other)  # takes the id the preparation guessed for P4
        db.commit()
        other_id = other.id
    with app.app_context(), get_db(app).session(write=True) as db:
        publish(db, prepared, file_name="fil.xlsx", digest="x", all_or_nothing=True)
        db.commit()
    new_id = _refs(app, "stay_purposes")["P4"]
    assert new_id != other_id
    assert _purpose_of(app)["M2"] == "P4"
    with app.app_context(), get_db(app).session(write=False) as db:
        goal_id = _refs(app, "goals")["M2"]
        [event] = db.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "goals",
                AuditEvent.entity_id == str(goal_id),
                AuditEvent.action == "update",
            )
        ).all()
        assert event.changes["purpose_id"] == [None, new_id]
    _verified(app)


def _undo(app, user, unit, batch) -> None:
    actor = Actor(user_id=user.id, scope=Scope(unit_ids=frozenset({unit})))
    with app.app_context(), get_db(app).session(write=True) as db:
        undo_batch(db, db.merge(batch), actor=actor)
        db.commit()


def test_undo_removes_the_purposes_and_gives_goals_theirs_back(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    import_file(app, user.id, unit, _file())
    more = [*PURPOSES, ["P4", "O1", "Borgeren har et fritidstilbud", ""]]
    _plan, second = import_file(app, user.id, unit, _file(more, _goals("P1", "P4", "P3")))
    _undo(app, user, unit, second)
    assert set(_purposes(app)) == {"P1", "P2", "P3"}
    assert _purpose_of(app) == {"M1": "P1", "M2": None, "M3": "P3"}
    _verified(app)


def test_undo_of_the_first_import_removes_its_purposes(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    _plan, batch = import_file(app, user.id, unit, _file())
    _undo(app, user, unit, batch)
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.exec(select(col(StayPurpose.id))).all() == []
    _verified(app)
