"""Fixtures for the staff-workflow tests (citizens, goals, follow-ups): a small world of two
centres with citizens, stays, goals and a follow-up, and logged-in clients per role.

Import the fixtures into a test package's conftest.py (`from tests.support.staff import ...`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from del_tool.audit.models import AccessEvent, AuditEvent
from del_tool.auth.models import Role, User
from del_tool.auth.passwords import hash_password
from del_tool.auth.services import set_user_units
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.db import get_db
from del_tool.followups.models import (
    Assessment,
    AssessmentScore,
    FollowUp,
    FollowUpKind,
    GoalReview,
)
from del_tool.goals.models import Goal, GoalDirection, Theme
from del_tool.modelbase import local_today, utcnow
from del_tool.organisation.models import (
    Centre,
    LegalSection,
    Municipality,
    TargetGroup,
    Unit,
    UnitQuestionnaire,
)
from del_tool.security.sessions import LAST_SEEN_KEY, LOGIN_AT_KEY
from tests.conftest import PASSWORD

TODAY = local_today()
#: The municipality every test stay is paid by (Odense).
PAYER = "461"


@dataclass(frozen=True)
class World:
    """Ids of the test world: centre A (units a1, a2), centre B (unit b), citizens and records."""

    centre_a: int
    centre_b: int
    unit_a1: int
    unit_a2: int
    unit_b: int
    #: In a stay in a1 since a year, with two goals (one with GAS) and a baseline follow-up.
    citizen_a: int
    stay_a: int
    goal_develop: int
    goal_gas: int
    follow_up_a: int
    #: In a stay in b (another centre): out of every centre-A user's scope.
    citizen_b: int
    stay_b: int
    goal_b: int
    follow_up_b: int
    #: Had a stay in a1 that ended; now in b. In staff-a's scope by the past stay.
    citizen_moved: int
    stay_moved_old: int
    stay_moved_new: int


def add(db: Session, row: Any) -> Any:
    """Add, flush and return a row."""
    db.add(row)
    db.flush()
    return row


def _citizen(db: Session, name: str, unit: int, start: date, end: date | None = None) -> Any:
    citizen = add(
        db,
        Citizen(name=name, birth_year=1980, sex=Sex.FEMALE, target_group=TargetGroup.AUTISM),
    )
    stay = add(
        db,
        Stay(
            citizen_id=citizen.id,
            unit_id=unit,
            municipality_code=PAYER,
            legal_section=LegalSection.S107,
            start_date=start,
            end_date=end,
        ),
    )
    return citizen, stay


def _goal(db: Session, citizen: Citizen, stay: Stay, **values: Any) -> Goal:
    defaults: dict[str, Any] = {
        "theme": Theme.SELF_CARE,
        "title": "Lave mad selv to gange om ugen",
        "direction": GoalDirection.DEVELOP,
        "baseline_level": 3,
        "target_level": 2,
        "start_date": stay.start_date,
        "review_date": stay.start_date + timedelta(days=182),
    }
    return add(db, Goal(citizen_id=citizen.id, stay_id=stay.id, **{**defaults, **values}))


def build_world(db: Session) -> World:
    """Create the test world in `db` (committed by the caller)."""
    centres = db.exec(select(Centre).order_by(col(Centre.id))).all()
    units_a = db.exec(select(Unit).where(Unit.centre_id == centres[0].id).order_by(col(Unit.id)))
    units_a = list(units_a.all())
    unit_b = db.exec(select(Unit).where(Unit.centre_id == centres[1].id)).first()
    assert db.get(Municipality, PAYER) is not None and unit_b is not None
    a1, a2 = units_a[0], units_a[1]
    for qid in ("del_functioning", "who5"):
        add(db, UnitQuestionnaire(unit_id=a1.id, questionnaire_id=qid))
    start = TODAY - timedelta(days=365)
    citizen_a, stay_a = _citizen(db, "Åse Ørnsholt", a1.id, start)
    goal_develop = _goal(db, citizen_a, stay_a)
    goal_gas = _goal(
        db,
        citizen_a,
        stay_a,
        theme=Theme.RELATIONS,
        title="Ringe til sin søster hver uge",
        direction=GoalDirection.MAINTAIN,
        baseline_level=2,
        target_level=2,
        gas_minus2="Ingen kontakt",
        gas_minus1="Kontakt en gang om måneden",
        gas_zero="Kontakt hver anden uge",
        gas_plus1="Kontakt hver uge",
        gas_plus2="Kontakt flere gange om ugen",
    )
    follow_up_a = add(
        db,
        FollowUp(
            citizen_id=citizen_a.id,
            stay_id=stay_a.id,
            followup_date=start + timedelta(days=10),
            kind=FollowUpKind.BASELINE,
        ),
    )
    add(db, GoalReview(follow_up_id=follow_up_a.id, goal_id=goal_develop.id, level=3))
    citizen_b, stay_b = _citizen(db, "Bent Bertelsen", unit_b.id, start)
    goal_b = _goal(db, citizen_b, stay_b)
    follow_up_b = add(
        db,
        FollowUp(
            citizen_id=citizen_b.id,
            stay_id=stay_b.id,
            followup_date=start,
            kind=FollowUpKind.BASELINE,
        ),
    )
    moved, old = _citizen(db, "Mona Flytter", a1.id, start, start + timedelta(days=100))
    new = add(
        db,
        Stay(
            citizen_id=moved.id,
            unit_id=unit_b.id,
            municipality_code=PAYER,
            legal_section=LegalSection.S108,
            start_date=start + timedelta(days=101),
        ),
    )
    return World(
        centre_a=centres[0].id,  # type: ignore[arg-type]
        centre_b=centres[1].id,  # type: ignore[arg-type]
        unit_a1=a1.id,  # type: ignore[arg-type]
        unit_a2=a2.id,  # type: ignore[arg-type]
        unit_b=unit_b.id,  # type: ignore[arg-type]
        citizen_a=citizen_a.id,
        stay_a=stay_a.id,
        goal_develop=goal_develop.id,  # type: ignore[arg-type]
        goal_gas=goal_gas.id,  # type: ignore[arg-type]
        follow_up_a=follow_up_a.id,
        citizen_b=citizen_b.id,
        stay_b=stay_b.id,
        goal_b=goal_b.id,  # type: ignore[arg-type]
        follow_up_b=follow_up_b.id,
        citizen_moved=moved.id,
        stay_moved_old=old.id,
        stay_moved_new=new.id,
    )


@pytest.fixture
def world(app: Flask) -> World:
    """The test world on the `app` database."""
    with app.app_context(), get_db(app).session(write=True) as db:
        result = build_world(db)
        db.commit()
        return result


@functools.cache
def _password_hash() -> str:
    """One Argon2 hash of the test password for every test user (hashing takes ~0.5 s)."""
    return hash_password(PASSWORD)


@pytest.fixture
def user_as(app: Flask, world: World) -> Callable[[str], User]:
    """Factory: a user of a role, scoped to centre A (staff: unit a1; leader: centre A).

    "staff_b" is staff of unit b (centre B). Users are inserted with a shared password hash.
    """
    cache: dict[str, User] = {}
    scopes: dict[str, dict[str, Any]] = {
        "staff": {"units": [world.unit_a1]},
        "staff_b": {"units": [world.unit_b]},
        "leader": {"centre_id": world.centre_a},
        "council": {"municipality_code": PAYER},
    }

    def make(role: str) -> User:
        if role not in cache:
            scope = dict(scopes.get(role, {}))
            units = scope.pop("units", [])
            with get_db(app).session(write=True) as db:
                user = add(
                    db,
                    User(
                        username=role,
                        display_name=f"Test {role}",
                        password_hash=_password_hash(),
                        role=Role("staff" if role == "staff_b" else role),
                        **scope,
                    ),
                )
                set_user_units(session=db, user=user, unit_ids=units)
                db.commit()
                db.refresh(user)
                db.expunge(user)
            cache[role] = user
        return cache[role]

    return make


@pytest.fixture
def client_as(app: Flask, user_as: Callable[[str], User]) -> Callable[[str], FlaskClient]:
    """Factory: a new test client logged in as a user of `role` ("anonymous": not logged in).

    The session is set up directly (as the login form would), to skip the deliberately slow
    password check in every test; tests/test_auth.py and tests/security cover the login itself.
    """

    def make(role: str) -> FlaskClient:
        client = app.test_client()
        if role != "anonymous":
            user = user_as(role)
            now = utcnow().timestamp()
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
                session[LOGIN_AT_KEY] = now
                session[LAST_SEEN_KEY] = now
        return client

    return make


@pytest.fixture
def staff(client_as: Callable[[str], FlaskClient]) -> FlaskClient:
    """A client logged in as staff of unit a1."""
    return client_as("staff")


@pytest.fixture
def db(app: Flask) -> Callable[[], Session]:
    """Factory: a fresh read session on the app's database (use as a context manager).

    No app context is pushed: a request made while one is pushed would share its `g` (and so
    its database session) with the test and with the other requests.
    """

    def open_session() -> Session:
        return get_db(app).session(write=False)

    return open_session


def count(session_factory: Callable[[], Session], model: Any, *where: Any) -> int:
    """Rows of `model` (matching `where`)."""
    with session_factory() as session:
        query = select(func.count()).select_from(model)
        for clause in where:
            query = query.where(clause)
        return int(session.exec(query).one())


def counts(session_factory: Callable[[], Session]) -> dict[str, int]:
    """Row counts of every table the staff workflow writes."""
    models = (
        Citizen,
        Stay,
        Goal,
        FollowUp,
        GoalReview,
        Assessment,
        AssessmentScore,
        AuditEvent,
    )
    return {m.__tablename__: count(session_factory, m) for m in models}  # type: ignore[attr-defined]


def access_events(session_factory: Callable[[], Session]) -> list[AccessEvent]:
    """Every access-log row, oldest first."""
    with session_factory() as session:
        rows = session.exec(select(AccessEvent).order_by(col(AccessEvent.id))).all()
        session.expunge_all()
        return list(rows)


def audit_events(session_factory: Callable[[], Session], **where: Any) -> list[AuditEvent]:
    """History rows matching equality filters, oldest first."""
    with session_factory() as session:
        query = select(AuditEvent).order_by(col(AuditEvent.id))
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        rows = session.exec(query).all()
        session.expunge_all()
        return list(rows)


def get_row(session_factory: Callable[[], Session], model: Any, row_id: Any) -> Any:
    """One row, detached (attributes loaded)."""
    with session_factory() as session:
        row = session.get(model, row_id)
        if row is not None:
            session.expunge(row)
        return row


def text(response: Any) -> str:
    """A response body as text."""
    return str(response.get_data(as_text=True))


def assert_summary_links_resolve(page: str) -> None:
    """Every link of the error summary points at an element of the page (keyboard users land)."""
    start = page.find('id="error-summary"')
    assert start >= 0, "no error summary"
    summary = page[start : page.find("</ul>", start)]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets, "the error summary links to nothing"
    for target in targets:
        assert page.count(f'id="{target}"') == 1, f"summary link #{target} has no single target"
