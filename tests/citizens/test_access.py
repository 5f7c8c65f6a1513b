"""Who reaches which citizen: roles, own and other scope, missing ids (403 / 404 consistently)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from del_tool.auth.access import AccessDeniedError, NotFoundError
from del_tool.auth.models import User
from del_tool.citizens.access import Actor, get_citizen, get_stay, units_in_scope
from del_tool.db import get_db
from tests.support.staff import World, text

MISSING = 999_999
HUGE = 10**20


class _ReadOnly:
    """Pages that only answer GET: the profile and the follow-up page."""

    def __contains__(self, url: object) -> bool:
        parts = str(url).strip("/").split("/")
        return len(parts) == 2 and parts[0] in ("citizens", "followups")


READ_ONLY = _ReadOnly()


def _actor(app, user: User) -> Actor:
    with app.app_context(), get_db(app).session(write=False) as db:
        return Actor.of(db.exec(select(User).where(User.id == user.id)).one(), session=db)


def test_citizen_in_scope_means_a_stay_current_or_recently_past_in_a_unit_in_scope(
    app, world, user_as
):
    staff = _actor(app, user_as("staff"))
    staff_b = _actor(app, user_as("staff_b"))
    leader = _actor(app, user_as("leader"))
    # Mona's a1 stay ended 265 days ago: beyond the default 90 days, within 400.
    app.config["FORMER_STAY_ACCESS_DAYS"] = 400
    with app.app_context(), get_db(app).session(write=False) as db:
        assert get_citizen(db, staff, world.citizen_a).id == world.citizen_a
        assert get_citizen(db, staff, world.citizen_moved)  # by the past stay in a1
        assert get_citizen(db, staff_b, world.citizen_moved)  # by the current stay in b
        assert get_citizen(db, leader, world.citizen_a)
        with pytest.raises(AccessDeniedError):
            get_citizen(db, staff, world.citizen_b)
        with pytest.raises(AccessDeniedError):
            get_citizen(db, leader, world.citizen_b)
        with pytest.raises(NotFoundError):
            get_citizen(db, staff, MISSING)
        # Changing a stay needs the stay's own unit: a1 staff read Mona, but not her stay in b.
        assert get_stay(db, staff, world.stay_moved_old).id == world.stay_moved_old
        with pytest.raises(AccessDeniedError):
            get_stay(db, staff, world.stay_moved_new)
    app.config["FORMER_STAY_ACCESS_DAYS"] = 90
    with app.app_context(), get_db(app).session(write=False) as db:
        with pytest.raises(AccessDeniedError):
            get_citizen(db, staff, world.citizen_moved)
        with pytest.raises(AccessDeniedError):
            get_stay(db, staff, world.stay_moved_old)
        assert get_citizen(db, staff_b, world.citizen_moved)


@pytest.mark.parametrize("role", ["analyst", "council", "admin"])
def test_roles_without_row_level_access_reach_no_citizen(app, world, user_as, role):
    actor = _actor(app, user_as(role))
    with app.app_context(), get_db(app).session(write=False) as db:
        with pytest.raises(AccessDeniedError):
            get_citizen(db, actor, world.citizen_a)
        with pytest.raises(AccessDeniedError):
            units_in_scope(db, actor)


def test_units_in_scope_per_role(app, world, user_as):
    with app.app_context(), get_db(app).session(write=False) as db:
        staff = units_in_scope(db, _actor(app, user_as("staff")))
        leader = units_in_scope(db, _actor(app, user_as("leader")))
    assert [u.id for u in staff] == [world.unit_a1]
    assert {world.unit_a1, world.unit_a2} <= {u.id for u in leader}
    assert world.unit_b not in {u.id for u in leader}


def _urls(world: World, which: str) -> list[str]:
    """Every staff-workflow page with an id, for the citizen `which` ("own", "other", "missing")."""
    ids = {
        "own": (world.citizen_a, world.stay_a, world.goal_develop, world.follow_up_a),
        "other": (world.citizen_b, world.stay_b, world.goal_b, world.follow_up_b),
        "missing": (MISSING, MISSING, MISSING, MISSING),
        # Beyond INTEGER: PostgreSQL would answer a query with an error, DEL with a 404.
        "huge": (HUGE, HUGE, HUGE, HUGE),
    }[which]
    citizen, stay, goal, follow_up = ids
    return [
        f"/citizens/{citizen}",
        f"/citizens/{citizen}/edit",
        f"/citizens/{citizen}/stays/new",
        f"/citizens/stays/{stay}/edit",
        f"/citizens/stays/{stay}/end",
        f"/citizens/stays/{stay}/move",
        f"/goals/new/{citizen}",
        f"/goals/{goal}/edit",
        f"/goals/{goal}/close",
        f"/followups/new/{citizen}",
        f"/followups/{follow_up}",
        f"/followups/{follow_up}/edit",
    ]


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_own_scope_pages_open_other_scope_403_missing_404(world, client_as, role):
    client = client_as(role)
    for url in _urls(world, "own"):
        assert client.get(url).status_code == 200, url
    for url in _urls(world, "other"):
        assert client.get(url).status_code == 403, url
        if url not in READ_ONLY:
            assert client.post(url, data={"version": "1"}).status_code == 403, url
    for url in _urls(world, "missing") + _urls(world, "huge"):
        assert client.get(url).status_code == 404, url
        if url not in READ_ONLY:
            assert client.post(url, data={"version": "1"}).status_code == 404, url


@pytest.mark.parametrize("role", ["analyst", "council", "admin"])
def test_roles_without_citizen_permissions_get_403_everywhere(world, client_as, role):
    client = client_as(role)
    for url in ["/citizens/", "/citizens/new", *_urls(world, "own")]:
        assert client.get(url).status_code == 403, url
    assert client.post("/citizens/new", data={"name": "X"}).status_code == 403


def test_a_huge_unit_id_in_a_form_is_an_error_beside_the_field(db, world, staff):
    from tests.support.staff import counts

    before = counts(db)
    data = {
        "unit_id": str(HUGE),
        "municipality_code": "461",
        "legal_section": "85",
        "start_date": "2020-01-01",
        "end_date": "2020-02-01",
    }
    response = staff.post(f"/citizens/{world.citizen_a}/stays/new", data=data)
    assert response.status_code == 200 and "Vælg et af dine tilbud." in text(response)
    assert counts(db) == before


def test_anonymous_users_are_sent_to_the_login(world, client_as):
    client = client_as("anonymous")
    for url in ["/citizens/", *_urls(world, "own")]:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_staff_of_another_centre_cannot_write_in_a_citizen_they_only_read(world, client_as):
    """Staff of b see Mona (current stay in b) but her old a1 stay and a1 records stay closed."""
    client = client_as("staff_b")
    assert client.get(f"/citizens/{world.citizen_moved}").status_code == 200
    assert client.get(f"/citizens/stays/{world.stay_moved_old}/edit").status_code == 403
    page = text(client.get(f"/citizens/{world.citizen_moved}"))
    assert f"/citizens/stays/{world.stay_moved_old}/edit" not in page
    assert f"/citizens/stays/{world.stay_moved_new}/edit" in page
