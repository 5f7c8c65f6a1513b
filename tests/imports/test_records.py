"""Goals, follow-ups, goal reviews and questionnaire answers (#18): counts per sheet, what is
written (with its history and scores), refusals with their reasons, idempotency, and undo."""

from __future__ import annotations

from sqlmodel import col, select

from del_tool.audit.integrity import verify_history
from del_tool.audit.models import AuditEvent
from del_tool.auth.scope import Scope
from del_tool.citizens.access import Actor
from del_tool.db import get_db
from del_tool.followups.models import (
    Assessment,
    AssessmentScore,
    FollowUp,
    FollowUpKind,
    GoalReview,
)
from del_tool.goals.models import Goal, GoalDirection, GoalStatus, Theme
from del_tool.imports.models import ImportReference
from del_tool.imports.undo import undo_batch
from tests.imports.records import (
    ANSWERS,
    FOLLOWUPS,
    GOALS,
    REVIEWS,
    SHEETS,
    book,
    counts,
    import_file,
    use_questionnaires,
)

ENGTOFTEN = "Bostedet Engtoften"


def _all(app, model):
    with app.app_context(), get_db(app).session(write=False) as db:
        rows = db.exec(select(model).order_by(col(model.id))).all()
        for row in rows:
            db.expunge(row)
        return rows


def _setup(app, make_user, units):
    unit = units[ENGTOFTEN]
    use_questionnaires(app, unit, "del_functioning", "who5")
    return make_user("leader", centre_id=_centre(app, unit)), unit


def _centre(app, unit_id):
    from del_tool.organisation.models import Unit

    with app.app_context(), get_db(app).session(write=False) as db:
        return db.get(Unit, unit_id).centre_id


def test_every_sheet_is_written_with_history_and_scores(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    plan, batch = import_file(app, user.id, unit, book())
    assert not plan.refusals, [(r.sheet, r.row, r.column, str(r.reason)) for r in plan.refusals]
    assert counts(plan) == {
        "citizens": (2, 0, 0, 0),
        "stays": (2, 0, 0, 0),
        "stay_purposes": (0, 0, 0, 0),
        "goals": (3, 0, 0, 0),
        "follow_ups": (3, 0, 0, 0),
        "goal_reviews": (4, 0, 0, 0),
        "assessments": (17, 0, 0, 0),
    }
    goals = {g.title: g for g in _all(app, Goal)}
    assert goals["Lave mad"].theme is Theme.PRACTICAL_TASKS and goals["Lave mad"].has_gas
    assert goals["Ringe til søster"].direction is GoalDirection.MAINTAIN
    done = goals["Tage bussen"]
    assert (done.status, str(done.closed_on)) == (GoalStatus.ACHIEVED, "2024-10-01")
    follow_ups = _all(app, FollowUp)
    assert [f.kind for f in follow_ups] == [
        FollowUpKind.BASELINE,
        FollowUpKind.FOLLOW_UP,
        FollowUpKind.FOLLOW_UP,
    ]
    assert {f.recorded_by_id for f in follow_ups} == {user.id}
    reviews = _all(app, GoalReview)
    assert {(r.level, r.gas_score) for r in reviews} == {(1, None), (2, 0), (2, None), (3, -1)}
    assessments = _all(app, Assessment)
    assert len(assessments) == 3  # del_functioning twice, who5 once
    assert {a.questionnaire_id: a.completeness for a in assessments} == {
        "del_functioning": 1.0,
        "who5": 1.0,
    }
    who5 = next(a for a in assessments if a.questionnaire_id == "who5")
    [score] = [s for s in _all(app, AssessmentScore) if s.assessment_id == who5.id]
    assert score.value == 60.0  # 5 x 3, times 4
    with app.app_context(), get_db(app).session(write=False) as db:
        events = db.exec(select(AuditEvent).where(AuditEvent.action == "create")).all()
        created = {(e.entity, e.user_id) for e in events}
        assert {"goals", "follow_ups", "goal_reviews", "assessments", "assessment_scores"} <= {
            entity for entity, user_id in created if user_id == user.id
        }
        assert all(e.citizen_id is not None for e in events)
        refs = db.exec(select(ImportReference)).all()
        assert sorted({r.sheet for r in refs}) == sorted(batch.summary)
        assert {r.external_ref for r in refs if r.sheet == "goal_reviews"} >= {"F1/M1", "F3/M3"}
        _state, problems = verify_history(db)
        assert problems == []


def test_refusals_name_sheet_row_column_and_reason(app, make_user, units, plan_of):
    _user, unit = _setup(app, make_user, units)
    goals = [
        *GOALS,
        ["M4", "O9", "Relationer", "Uden ophold", "Udvikle", 3, 2, "15.02.2025", "", "", ""],
        ["M5", "O1", "Relationer", "Ring 010190-1234", "Udvikle", 3, 2, "15.02.2025", "", "", ""],
        ["M6", "O2", "Relationer", "Efter opholdet", "Udvikle", 3, 2, "15.02.2025", "", "", ""],
        ["M7", "O1", "Relationer", "Baglæns", "Udvikle", 2, 3, "15.02.2025", "", "", ""],
        [
            "M8",
            "O1",
            "Kommunikation",
            "Skrive sms",
            "Udvikle",
            3,
            2,
            "15.02.2025",
            "",
            "Afsluttet",
            "01.05.2025",
        ],
    ]
    follow_ups = [
        *FOLLOWUPS,
        ["F4", "O2", "01.02.2025", "Opfølgning", ""],  # after the stay ended
        ["F5", "O1", "01.03.2025", "Opfølgning", ""],  # B1 has F1 that day
    ]
    reviews = [
        *REVIEWS,
        ["F2", "M2", 5, "", "", ""],  # level out of range
        ["F2", "M2", 2, "", 6, ""],  # rating out of range (and the same pair twice)
        ["F3", "M1", 2, "", "", ""],  # M1 is O1's goal, F3 is O2's follow-up
        ["F2", "M8", 2, "", "", ""],  # M8 ended before F2
        ["F2", "M9", 2, "", "", ""],
    ]
    answers = [
        *ANSWERS,
        ["F3", "phq9", "q1", 1],  # the unit does not use the PHQ-9
        ["F3", "who5", "q1", 9],
        ["F3", "who5", "q7", 1],
        ["F3", "noget", "q1", 1],
    ]
    file = book(Mål=goals, Opfølgninger=follow_ups, Målvurderinger=reviews, Svar=answers)
    with app.app_context():
        plan = plan_of(file, scope={unit})
        refusals = [(r.sheet, r.row, r.column, str(r.reason)) for r in plan.refusals]
    no_stay = (
        "Intet ophold med dette id i filen (eller rækken er afvist) eller fra før i dine tilbud."
    )
    assert refusals == [
        ("Mål", 5, "Ophold-ID", no_stay),
        ("Mål", 6, "Mål", "DEL gemmer ikke CPR-numre. Fjern nummeret fra cellen."),
        ("Mål", 7, "Startdato", "Startdatoen skal ligge inden for opholdet."),
        (
            "Mål",
            8,
            "Målniveau",
            "Et mål om at udvikle skal have et målniveau, der er bedre (lavere) end "
            "udgangsniveauet.",
        ),
        ("Målvurderinger", 6, "Niveau", "Skriv et helt tal fra 0 til 4."),
        ("Målvurderinger", 7, "Borgerens vurdering", "Skriv et helt tal fra 1 til 5."),
        ("Målvurderinger", 8, "Mål-ID", "Målet hører ikke til opfølgningens ophold."),
        ("Målvurderinger", 9, "Mål-ID", "Målet var ikke i gang på opfølgningens dato."),
        (
            "Målvurderinger",
            10,
            "Mål-ID",
            "Intet mål med dette id i filen (eller rækken er afvist) eller fra før i dine tilbud.",
        ),
        ("Svar", 19, "Skema", "Skemaet bruges ikke i dette tilbud."),
        ("Svar", 20, "Svar", "Svaret skal være et af 0, 1, 2, 3, 4, 5."),
        ("Svar", 21, "Spørgsmål", "Skemaet who5 har intet spørgsmål q7."),
        ("Svar", 22, "Skema", "Ukendt skema. Vælg et fra listen."),
        # Sheets are listed in the order their first refusal was found (as before).
        ("Opfølgninger", 5, "Dato", "Datoen skal ligge inden for opholdet."),
        ("Opfølgninger", 6, "Dato", "Borgeren har en anden opfølgning samme dag (række 2)."),
    ]
    assert counts(plan)["goal_reviews"] == (4, 0, 0, 5)
    assert counts(plan)["follow_ups"] == (3, 0, 0, 2)


def test_rows_twice_in_the_file_are_refused(app, make_user, units, plan_of):
    _user, unit = _setup(app, make_user, units)
    reviews = [*REVIEWS, ["F1", "M1", 2, "", "", ""]]
    with app.app_context():
        plan = plan_of(book(Målvurderinger=reviews), scope={unit})
    assert [(r.row, str(r.reason)) for r in plan.refusals] == [
        (2, "Samme id som række 6 i filen."),
        (6, "Samme id som række 2 i filen."),
    ]


def test_the_same_file_twice_changes_nothing_and_an_edit_updates_only_it(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    import_file(app, user.id, unit, book())
    again, batch = import_file(app, user.id, unit, book())
    assert all(c[0] == c[1] == c[3] == 0 for c in counts(again).values()), counts(again)
    assert batch.result["created"]["assessment_scores"] == []
    goals = [row[:] for row in GOALS]
    goals[2][3] = "Ringe til søster hver uge"
    answers = [row[:] for row in ANSWERS]
    answers[-1][3] = 5  # who5 q5
    edited, batch = import_file(app, user.id, unit, book(Mål=goals, Svar=answers))
    assert counts(edited)["goals"] == (0, 1, 2, 0)
    assert counts(edited)["assessments"] == (0, 1, 16, 0)
    assert counts(edited)["goal_reviews"] == (0, 0, 4, 0)
    who5 = next(a for a in _all(app, Assessment) if a.questionnaire_id == "who5")
    assert who5.answers["q5"] == 5 and batch.result["updated"]["assessments"] == [who5.id]
    [score] = [s for s in _all(app, AssessmentScore) if s.assessment_id == who5.id]
    assert score.value == 68.0 and batch.result["updated"]["assessment_scores"] == [score.id]


def _undo(app, user, unit, batch):
    actor = Actor(user_id=user.id, scope=Scope(unit_ids=frozenset({unit})))
    with app.app_context(), get_db(app).session(write=True) as db:
        undo_batch(db, db.merge(batch), actor=actor)
        db.commit()
        _state, problems = verify_history(db)
    assert problems == []


def test_undo_removes_goals_follow_ups_reviews_and_answers(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    _plan, batch = import_file(app, user.id, unit, book())
    _undo(app, user, unit, batch)
    for model in (Goal, FollowUp, GoalReview, Assessment, AssessmentScore, ImportReference):
        assert _all(app, model) == [], model
    # Imported again after the undo, everything is new again.
    again, _batch = import_file(app, user.id, unit, book())
    assert counts(again)["assessments"] == (17, 0, 0, 0)


def test_undo_restores_answers_and_scores_and_removes_a_new_follow_up(app, make_user, units):
    user, unit = _setup(app, make_user, units)
    import_file(app, user.id, unit, book())
    answers = [row[:] for row in ANSWERS]
    answers[-1][3] = 5
    follow_ups = [*FOLLOWUPS, ["F4", "O1", "01.11.2025", "Opfølgning", ""]]
    reviews = [*REVIEWS, ["F4", "M1", 1, 1, "", ""]]
    _plan, second = import_file(
        app, user.id, unit, book(Svar=answers, Opfølgninger=follow_ups, Målvurderinger=reviews)
    )
    assert len(_all(app, FollowUp)) == 4 and len(_all(app, GoalReview)) == 5
    _undo(app, user, unit, second)
    who5 = next(a for a in _all(app, Assessment) if a.questionnaire_id == "who5")
    assert who5.answers["q5"] == 3  # as the first import left it
    [score] = [s for s in _all(app, AssessmentScore) if s.assessment_id == who5.id]
    assert score.value == 60.0
    assert len(_all(app, FollowUp)) == 3 and len(_all(app, GoalReview)) == 4


def test_undo_is_refused_after_a_review_added_in_del(app, make_user, units):
    """A follow-up the import created that has a review the import did not make."""
    user, unit = _setup(app, make_user, units)
    _plan, batch = import_file(app, user.id, unit, book())
    actor = Actor(user_id=user.id, scope=Scope(unit_ids=frozenset({unit})))
    with app.app_context(), get_db(app).session(write=True) as db:
        follow_up = db.exec(select(FollowUp).order_by(col(FollowUp.id).desc())).first()
        goal = db.exec(select(Goal).where(Goal.title == "Lave mad")).one()
        db.add(GoalReview(follow_up_id=follow_up.id, goal_id=goal.id, level=2))
        db.commit()
        refused = None
        try:
            undo_batch(db, db.merge(batch), actor=actor)
        except ValueError as error:
            refused = str(error)
    assert refused is not None and f"opfølgning {follow_up.id} har nu målvurderinger" in refused


def test_goals_and_follow_ups_of_stays_imported_before(app, make_user, units):
    """A later file with only goals, follow-ups, reviews and answers finds its stays (and,
    for reviews, its goals and follow-ups) among what was imported before, in the scope only."""
    user, unit = _setup(app, make_user, units)
    first, _batch = import_file(app, user.id, unit, book(), sheets=["Borgere", "Ophold"])
    assert sorted(first.kinds) == ["citizens", "stays"]
    later = {k: v for k, v in SHEETS.items() if k not in ("Borgere", "Ophold")}
    plan, _batch = import_file(app, user.id, unit, _only(later))
    assert not plan.refusals, [str(r.reason) for r in plan.refusals]
    assert counts(plan)["goals"] == (3, 0, 0, 0) and counts(plan)["assessments"] == (17, 0, 0, 0)
    # Reviews alone find their follow-ups and goals from before; an edited one is updated.
    reviews = [REVIEWS[0], ["F3", "M3", 2, "", "", ""]]
    plan, _batch = import_file(app, user.id, unit, _only({"Målvurderinger": reviews}))
    assert counts(plan)["goal_reviews"] == (0, 1, 0, 0)
    # Another unit's import does not see this unit's stays.
    other = units["Autismecentret Vestkysten"]
    with app.app_context():
        from del_tool.imports.plan import plan_import

        with get_db(app).session(write=False) as db:
            plan = plan_import(db, [_only({"Mål": GOALS})], scope={other})
    assert [r.column for r in plan.refusals] == ["Ophold-ID"] * 3


def _only(sheets):
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return "senere.xlsx", out.getvalue()
