"""#15 item 2: a new citizen who resembles an existing one is asked about before it is created;
a likely match outside the user's scope is told without saying whom or where, and logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col

from del_tool.citizens.duplicates import CHECK_ACTION, name_score, normalise_name
from del_tool.citizens.models import Citizen
from del_tool.organisation.models import Unit
from tests.support.staff import PAYER, TODAY, access_events, count, get_row, text

WARNING = "Findes borgeren allerede?"
ELSEWHERE = "findes i et andet center"


def _new(world, **overrides):
    data = {
        "name": "Nanna Rasmussen",
        "birth_year": "1993",
        "sex": "female",
        "target_group": "autism",
        "unit_id": str(world.unit_a1),
        "municipality_code": PAYER,
        "legal_section": "107",
        "start_date": (TODAY - timedelta(days=1)).isoformat(),
    }
    return {**data, **overrides}


def _nannas(db):
    return count(db, Citizen, col(Citizen.name).like("%Ras%"))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nanna Rasmussen", "NANNA  RASMUSSEN"),
        ("Søren Ærø Ålund", "Soeren Aeroe Aalund"),
        ("Nánna Rasmußen", "nanna rasmussen"),
        ("Anne-Grethe Holm", "anne grethe holm"),
    ],
)
def test_names_are_compared_after_folding_case_accents_and_danish_letters(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_fuzzy_scores_catch_typos_and_middle_names_but_not_first_names_alone():
    folded = normalise_name
    assert name_score(folded("Nanna Rasmussen"), folded("Nana Rasmusen")) >= 85
    assert name_score(folded("Nanna Rasmussen"), folded("Nanna Marie Rasmussen")) >= 85
    assert name_score(folded("Rasmussen Nanna"), folded("Nanna Rasmussen")) == 100
    assert name_score(folded("Nanna"), folded("Nanna Rasmussen")) < 85
    assert name_score(folded("Nanna Rasmussen"), folded("Karen Kristensen")) < 85


def test_a_second_nanna_rasmussen_in_the_same_unit_is_asked_about_not_created(db, world, staff):
    first = staff.post("/citizens/new", data=_new(world, case_reference="SAG-1"))
    assert first.status_code == 302
    first_id = int(first.headers["Location"].rsplit("/", 1)[1])

    again = staff.post("/citizens/new", data=_new(world))
    assert again.status_code == 200
    page = text(again)
    assert WARNING in page
    assert f'href="/citizens/{first_id}"' in page  # the candidate, to open instead
    assert "SAG-1" in page and "1993" in page  # what tells namesakes apart
    assert _nannas(db) == 1

    checked = staff.post("/citizens/new", data=_new(world))
    assert _nannas(db) == 1 and checked.status_code == 200  # asked again without the tick


def test_confirming_another_person_creates_the_citizen(db, world, staff):
    staff.post("/citizens/new", data=_new(world))
    key = normalise_name("Nanna Rasmussen") + "|1993"
    confirmed = staff.post("/citizens/new", data=_new(world, confirm_new="y", checked_for=key))
    assert confirmed.status_code == 302
    assert _nannas(db) == 2


def test_a_confirmation_for_another_name_does_not_count(db, world, staff):
    staff.post("/citizens/new", data=_new(world))
    key = normalise_name("Karen Kristensen") + "|1993"
    response = staff.post(
        "/citizens/new",
        data=_new(
            world, name="NANNA RASMUSEN", birth_year="1994", confirm_new="y", checked_for=key
        ),
    )
    assert response.status_code == 200 and WARNING in text(response)
    assert _nannas(db) == 1


def test_birth_years_more_than_one_apart_are_other_people(db, world, staff):
    staff.post("/citizens/new", data=_new(world))
    assert staff.post("/citizens/new", data=_new(world, birth_year="1995")).status_code == 302


def test_a_match_in_another_centre_is_told_without_whom_or_where(db, world, staff):
    unit_b = get_row(db, Unit, world.unit_b)
    response = staff.post(
        "/citizens/new", data=_new(world, name="Bent Bertelsen", birth_year="1981")
    )
    page = text(response)
    assert response.status_code == 200 and ELSEWHERE in page
    assert unit_b.name not in page
    assert f"/citizens/{world.citizen_b}" not in page
    assert count(db, Citizen, col(Citizen.name) == "Bent Bertelsen") == 1
    events = [e for e in access_events(db) if e.action == CHECK_ACTION]
    assert ("in_scope=0 elsewhere=1", None) in [(e.detail, e.citizen_id) for e in events]
    assert world.citizen_b in [e.citizen_id for e in events]  # her log shows the check


def test_the_hint_about_other_centres_is_limited_per_day(app, db, world, staff):
    app.config["DUPLICATE_HINTS_PER_DAY"] = 1
    data = _new(world, name="Bent Bertelsen", birth_year="1980")
    assert ELSEWHERE in text(staff.post("/citizens/new", data=data))
    second = staff.post("/citizens/new", data=data)
    assert ELSEWHERE not in text(second)
    assert second.status_code == 302  # nothing left to ask about: created
    events = [e for e in access_events(db) if e.action == CHECK_ACTION and e.citizen_id is None]
    assert [e.detail for e in events] == ["in_scope=0 elsewhere=1", "in_scope=0 elsewhere=0"]


def test_a_citizen_who_left_the_unit_long_ago_is_a_match_elsewhere(db, world, staff):
    page = text(
        staff.post("/citizens/new", data=_new(world, name="Mona Flytter", birth_year="1980"))
    )
    assert ELSEWHERE in page and WARNING in page


def test_namesakes_are_told_apart_on_the_caseload_and_in_the_search(db, world, staff):
    staff.post("/citizens/new", data=_new(world, case_reference="SAG-1"))
    key = normalise_name("Nanna Rasmussen") + "|1993"
    staff.post(
        "/citizens/new",
        data=_new(world, case_reference="SAG-2", confirm_new="y", checked_for=key),
    )
    age = f"1993 ({TODAY.year - 1993} år)"
    for page in (text(staff.get("/citizens/")), text(staff.get("/citizens/?q=nanna"))):
        assert page.count(age) >= 2 and "SAG-1" in page and "SAG-2" in page


def test_a_tampered_unit_is_refused_before_any_check(db, world, staff):
    data = _new(world, name="Bent Bertelsen", birth_year="1980", unit_id=str(world.unit_b))
    assert staff.post("/citizens/new", data=data).status_code == 403
    assert not [e for e in access_events(db) if e.action == CHECK_ACTION]
