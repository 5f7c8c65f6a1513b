"""Each operator's users are its own (issue #17 item 1).

A municipality that operates offers is the data controller for them; the deployment's owner (the
region) is its processor. So the region's administrator cannot see, create, change or reset the
municipality's leaders and staff, and the municipality's administrator manages only those.
"""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from del_tool.admin.services import UserScope, create_account
from del_tool.auth.models import Role, User
from del_tool.db import get_db
from del_tool.errors import RuleError
from del_tool.organisation.models import Centre
from tests.admin.conftest import page
from tests.conftest import PASSWORD, login

ODENSE = "461"


@pytest.fixture
def centres(app):
    """(a regional centre, Odense Kommune's centre) from the seeded organisation."""
    with app.app_context(), get_db(app).session(write=False) as db:
        regional = db.exec(
            select(Centre.id).where(col(Centre.operator_code).is_(None)).order_by(col(Centre.id))
        ).first()
        odense = db.exec(select(Centre.id).where(Centre.operator_code == ODENSE)).first()
    assert regional and odense
    return regional, odense


@pytest.fixture
def people(app, make_user, centres):
    """Both operators' administrators and leaders, and a logged-in client for each admin."""
    regional, odense = centres
    region_admin = make_user(Role.ADMIN, username="regionadmin")
    city_admin = make_user(Role.ADMIN, username="byadmin")
    with app.app_context(), get_db(app).session(write=True) as db:
        db.get(User, city_admin.id).operator_code = ODENSE
        db.commit()
    region_leader = make_user(Role.LEADER, username="regionleder", centre_id=regional)
    city_leader = make_user(Role.LEADER, username="byleder", centre_id=odense)
    clients = {}
    for user in (region_admin, city_admin):
        client = app.test_client()
        assert login(client, user.username).status_code == 302
        clients[user.username] = client
    return clients, region_leader, city_leader


def test_each_administrator_sees_and_reaches_only_their_operators_users(people):
    clients, region_leader, city_leader = people
    region, city = clients["regionadmin"], clients["byadmin"]
    region_list, city_list = page(region.get("/admin/users")), page(city.get("/admin/users"))
    assert "regionleder" in region_list and "byleder" not in region_list
    assert "byleder" in city_list and "regionleder" not in city_list
    assert "byadmin" in city_list and "byadmin" not in region_list
    for client, foreign in ((region, city_leader), (city, region_leader)):
        assert client.get(f"/admin/users/{foreign.id}").status_code == 404
        assert client.get(f"/admin/users/{foreign.id}/password").status_code == 404
        reset = client.post(f"/admin/users/{foreign.id}/password", data={"mode": "generate"})
        assert reset.status_code == 404
        assert client.post(f"/admin/users/{foreign.id}/deactivate").status_code in (400, 404)
    assert region.get(f"/admin/users/{region_leader.id}").status_code == 200
    assert city.get(f"/admin/users/{city_leader.id}").status_code == 200


def test_no_administrator_creates_users_for_another_operators_offers(app, people, centres):
    clients, _region_leader, _city_leader = people
    regional, odense = centres
    region, city = clients["regionadmin"], clients["byadmin"]
    password = {"password": PASSWORD, "confirm": PASSWORD}
    new = {"display_name": "Ny Leder", "role": "leader", **password}
    # The other operator's centre is not among the choices, so the form refuses it beside the
    # field (and the service refuses it too: the next test).
    for client, centre, name in ((region, odense, "x1"), (city, regional, "x2")):
        refused = client.post("/admin/users/new", data={**new, "username": name, "centre": centre})
        assert refused.status_code == 200 and 'id="centre-error"' in page(refused)
    analyst = city.post(
        "/admin/users/new",
        data={"display_name": "A", "role": "analyst", "username": "x3", **password},
    )
    assert "oprettes af regionens administrator" in page(analyst)
    made = city.post("/admin/users/new", data={**new, "username": "x4", "centre": odense})
    assert made.status_code == 302
    admin = city.post(
        "/admin/users/new",
        data={"display_name": "B", "role": "admin", "username": "x5", **password},
    )
    assert admin.status_code == 302
    with app.app_context(), get_db(app).session(write=False) as db:
        made_users = {u.username: u for u in db.exec(select(User)).all()}
    assert not {"x1", "x2", "x3"} & set(made_users)
    assert made_users["x4"].centre_id == odense
    assert made_users["x5"].operator_code == ODENSE


def test_the_service_refuses_another_operators_centre_whatever_the_form_offers(
    app, people, centres
):
    _regional, odense = centres
    with app.app_context(), get_db(app).session(write=True) as db:
        region_admin = db.exec(select(User).where(User.username == "regionadmin")).one()
        scope = UserScope(
            role=Role.LEADER, unit_ids=frozenset(), centre_id=odense, municipality_code=None
        )
        with pytest.raises(RuleError) as refused:
            create_account(
                session=db,
                actor=region_admin,
                username="x6",
                display_name="X",
                password=PASSWORD,
                scope=scope,
            )
        assert refused.value.field == "centre"
        assert "driftsherre" in str(refused.value.message)


def test_a_council_summary_leaves_out_the_municipalitys_own_offers(app):
    """Odense's summary covers what it buys from others (the region, Vejle's offer); its own
    offers it sees through their leaders."""
    from del_tool.organisation.operators import operator_units, unit_operators
    from del_tool.reports.common.period import parse_period
    from del_tool.reports.council.report import region_context

    with app.app_context(), get_db(app).session(write=False) as db:
        period = parse_period("2026Q2")
        own, vejle = operator_units(db, ODENSE), operator_units(db, "630")
        assert own and vejle
        covered = region_context(db, period, municipality_code=ODENSE).scope.unit_ids
        assert covered == frozenset(unit_operators(db)) - own and vejle <= covered
        assert region_context(db, period, municipality_code="561").scope.unit_ids is not None
        assert region_context(db, period, municipality_code="101").scope.unit_ids is None


def test_units_tariffs_and_settlements_are_their_operators_too(app, people):
    """The region's administrator neither lists nor opens Odense's units, their tariffs or
    places, nor adds a tariff to one; Odense's administrator manages exactly those."""
    from datetime import date
    from decimal import Decimal

    from del_tool.organisation.models import LegalSection, Tariff, Unit
    from del_tool.organisation.operators import operator_units

    clients, _region_leader, _city_leader = people
    region, city = clients["regionadmin"], clients["byadmin"]
    with app.app_context(), get_db(app).session(write=True) as db:
        own = min(operator_units(db, ODENSE))
        regional = min(operator_units(db, None))
        names = {u: db.get(Unit, u).name for u in (own, regional)}
        tariff = Tariff(
            unit_id=own,
            legal_section=LegalSection.S107,
            valid_from=date(2026, 1, 1),
            daily_amount=Decimal("1500"),
        )
        db.add(tariff)
        db.commit()
        tariff_id = tariff.id
    units_page = page(region.get("/admin/units"))
    assert names[regional] in units_page and names[own] not in units_page
    assert names[own] in page(city.get("/admin/units"))
    assert names[regional] not in page(city.get("/admin/units"))
    for path in (
        f"/admin/units/{own}",
        f"/admin/tariffs/{tariff_id}",
        f"/admin/units/{own}/places",
    ):
        assert region.get(path).status_code == 404, path
        assert city.get(path).status_code == 200, path
    assert city.get(f"/admin/units/{regional}").status_code == 404
    assert names[own] not in page(region.get("/admin/tariffs"))
    refused = region.post(
        "/admin/tariffs/new",
        data={
            "unit": own,
            "legal_section": "107",
            "valid_from": "01.02.2026",
            "daily_amount": "10",
        },
    )
    assert refused.status_code == 200 and 'id="unit-error"' in page(refused)
