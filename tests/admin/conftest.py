"""Fixtures for the administration tests: logged-in clients per role, organisation ids, tariffs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from del_tool.audit.models import AuditEvent
from del_tool.auth.models import Role, User
from del_tool.db import get_db
from del_tool.organisation.models import Centre, LegalSection, Municipality, Tariff, Unit
from tests.conftest import login


@dataclass(frozen=True)
class Org:
    """Ids from the seeded organisation: two units of one centre, a unit of another, a council."""

    centre_id: int
    other_centre_id: int
    unit_id: int
    unit2_id: int
    other_unit_id: int
    municipality_code: str


@pytest.fixture
def org(app: Flask) -> Org:
    """Ids of seeded centres, units and a municipality."""
    with app.app_context(), get_db(app).session(write=False) as db:
        centres = db.exec(select(Centre).order_by(col(Centre.id))).all()
        first = db.exec(select(Unit).where(Unit.centre_id == centres[0].id)).all()
        other = db.exec(select(Unit).where(Unit.centre_id == centres[1].id)).all()
        code = db.exec(select(Municipality.code).order_by(col(Municipality.code))).first()
        assert len(first) >= 2 and other and code
        return Org(
            centre_id=centres[0].id,  # type: ignore[arg-type]
            other_centre_id=centres[1].id,  # type: ignore[arg-type]
            unit_id=first[0].id,  # type: ignore[arg-type]
            unit2_id=first[1].id,  # type: ignore[arg-type]
            other_unit_id=other[0].id,  # type: ignore[arg-type]
            municipality_code=code,
        )


@pytest.fixture
def user_for_role(make_user: Callable[..., User], org: Org) -> Callable[[str], User]:
    """Factory: a user of `role` with a valid scope."""

    def make(role: str) -> User:
        scope: dict[str, Any] = {
            "staff": {"unit_ids": [org.unit_id]},
            "leader": {"centre_id": org.centre_id},
            "council": {"municipality_code": org.municipality_code},
        }.get(role, {})
        return make_user(role, **scope)

    return make


@pytest.fixture
def client_for(app: Flask, user_for_role: Callable[[str], User]) -> Callable[[str], FlaskClient]:
    """Factory: a new client logged in as a new user of `role`."""

    def make(role: str) -> FlaskClient:
        user = user_for_role(role)
        client = app.test_client()
        assert login(client, user.username).status_code == 302
        return client

    return make


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    """An administrator."""
    return make_user(Role.ADMIN, username="chief")


@pytest.fixture
def admin_client(app: Flask, admin: User) -> FlaskClient:
    """A client logged in as `admin`."""
    client = app.test_client()
    assert login(client, admin.username).status_code == 302
    return client


@pytest.fixture
def db(app: Flask) -> Iterator[Callable[[], Session]]:
    """Factory of fresh read sessions (each sees what is committed now).

    No app context is pushed: the test client's requests would share it (and its `g`, where
    the logged-in user and the request session are cached).
    """
    opened: list[Session] = []

    def make() -> Session:
        session = get_db(app).session(write=False)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()


@pytest.fixture
def add_tariff(app: Flask) -> Callable[..., int]:
    """Factory: store a tariff directly; returns its id."""

    def add(
        unit_id: int,
        valid_from: date,
        valid_to: date | None = None,
        amount: str = "1000.00",
        section: LegalSection = LegalSection.S107,
    ) -> int:
        with app.app_context(), get_db(app).session(write=True) as session:
            tariff = Tariff(
                unit_id=unit_id,
                legal_section=section,
                valid_from=valid_from,
                valid_to=valid_to,
                daily_amount=Decimal(amount),
            )
            session.add(tariff)
            session.commit()
            return tariff.id  # type: ignore[return-value]

    return add


def history(session: Session, entity: str) -> list[AuditEvent]:
    """The history events of one entity type, oldest first."""
    query = select(AuditEvent).where(AuditEvent.entity == entity).order_by(col(AuditEvent.id))
    return list(session.exec(query).all())


def all_history_text(session: Session) -> str:
    """Every history event's changes as one JSON text (to search for what must not be there)."""
    return json.dumps([e.changes for e in session.exec(select(AuditEvent)).all()])


def page(response: Any) -> str:
    """A response's body as text."""
    return str(response.get_data(as_text=True))
