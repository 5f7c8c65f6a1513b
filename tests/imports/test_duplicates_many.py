"""The import's duplicate check of its new citizens (#18 item 6): `similar_in_scope_many` finds
for each (name, birth year) exactly what `similar_in_scope` finds one at a time, in a number of
queries that does not grow with the rows (one for the candidates, then only for matches)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from del_tool.auth.scope import Scope
from del_tool.citizens.access import Actor
from del_tool.citizens.duplicates import similar_in_scope, similar_in_scope_many
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.organisation.models import LegalSection, TargetGroup
from tests.imports.conftest import OUTSIDE

PEOPLE = [
    ("Anna Jensen", 1985),  # the one in scope, one year apart
    ("anna  jensén", 1986),  # the same, written otherwise
    ("Bo Berg", 1990),  # only outside the scope
    ("Carl Hansen", 1970),  # the live one, not the record merged into it
    ("Dorte Ny", 2001),  # no one
]


def _citizen(session, name, year, unit_id, *, merged_into=None):
    citizen = Citizen(name=name, birth_year=year, sex=Sex.FEMALE, target_group=TargetGroup.AUTISM)
    citizen.merged_into_id = merged_into
    session.add(citizen)
    session.flush()
    session.add(
        Stay(
            citizen_id=citizen.id,
            unit_id=unit_id,
            municipality_code="461",
            legal_section=LegalSection.S107,
            start_date=date(2024, 1, 1),
        )
    )
    session.flush()
    return citizen


def test_many_at_once_find_what_one_at_a_time_finds(app, session, scope, units):
    inside = min(scope)
    anna = _citizen(session, "Anna Jensen", 1986, inside)
    _citizen(session, "Bo Berg", 1990, units[OUTSIDE])
    carl = _citizen(session, "Carl Hansen", 1970, inside)
    _citizen(session, "Carl Hansen", 1970, inside, merged_into=carl.id)
    session.commit()
    actor = Actor(user_id=1, scope=Scope(unit_ids=scope))
    with app.app_context():
        one_by_one = [similar_in_scope(session, actor, n, y) for n, y in PEOPLE]
        statements: list[str] = []
        engine = session.get_bind()

        def count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            at_once = similar_in_scope_many(session, actor, PEOPLE)
            few = len(statements)
            statements.clear()
            similar_in_scope_many(session, actor, PEOPLE * 40)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert at_once == one_by_one
    assert [[s.citizen_id for s in found] for found in at_once] == [
        [anna.id],
        [anna.id],
        [],
        [carl.id],
        [],
    ]
    # Candidates once; then per person with a match the rows shown (2 queries each).
    assert few == 1 + 2 * 3
    assert len(statements) == 1 + 2 * 3 * 40
