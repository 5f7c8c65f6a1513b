"""Fixtures for the whole suite: app, client, runner, session, users, demo data.

Every test gets its own database, copied from a template built once per run: "seeded" holds the
schema (via the real migrations), the 98 municipalities and the region's centres and units;
"demo" adds a small demo region with the five demo users. Set DEL_TEST_POSTGRES_URL to run the
same tests on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session

from del_tool import create_app
from del_tool.auth.models import Role, User
from del_tool.auth.passwords import use_hasher
from del_tool.auth.services import create_user
from del_tool.db import get_db
from tests.support.databases import DatabaseFactory

# Argon2 with production parameters costs 0.1-2 s per hash on a busy 2-core machine, paid at
# every login; the suite hashes with cheap parameters. tests/test_auth.py checks the production
# parameters themselves.
use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))

TEST_SECRET = "test-secret-key-that-is-long-enough-for-checks"
#: The change history's MAC key in tests (docs/SECURITY-history.md).
TEST_AUDIT_KEY = "test-audit-key-that-is-long-enough-for-the-mac-chain"
PASSWORD = "correct horse battery staple"
DEMO_PASSWORD = "demo-password-for-tests"
#: The small demo region the "demo" template holds (deterministic).
DEMO_OPTIONS = {"citizens": 160, "years": 3, "seed": 7, "today": date(2026, 10, 1)}


def make_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    """The test configuration for a database."""
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "AUDIT_KEY": TEST_AUDIT_KEY,
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        # Jobs run at once in the test's process, and each app has a store of its own.
        "JOBS_URL": "memory://",
        "STORE_URL": "memory://",
        **overrides,
    }


def build_template(name: str, url: str) -> None:
    """Fill an empty database for template `name`."""
    from del_tool import migrate
    from del_tool.db import write_session
    from del_tool.demo.generator import DemoOptions, create_demo_users, generate_demo
    from del_tool.organisation.services import seed_all

    app = create_app(make_config(url))
    migrate.upgrade(app)
    with app.app_context(), write_session(app) as session:
        seed_all(session=session)
        if name == "demo":
            generate_demo(
                session=session,
                options=DemoOptions(**DEMO_OPTIONS),
                registry=app.extensions["del_questionnaires"],
            )
            create_demo_users(session=session, password=DEMO_PASSWORD)
    get_db(app).dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    """The per-run database factory; drops its PostgreSQL databases at the end."""
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"), build_template)
    yield factory
    factory.close()


def _app_for(databases: DatabaseFactory, template: str, **overrides: Any) -> Iterator[Flask]:
    url = databases.fresh(template)
    app = create_app(make_config(url, **overrides))
    yield app
    get_db(app).dispose()
    databases.drop(url)


@pytest.fixture
def app(databases: DatabaseFactory) -> Iterator[Flask]:
    """An app on a fresh seeded database (organisation, no citizens, no users)."""
    yield from _app_for(databases, "seeded")


@pytest.fixture
def demo_app(databases: DatabaseFactory) -> Iterator[Flask]:
    """An app on a fresh copy of the small demo region, with the five demo users."""
    yield from _app_for(databases, "demo")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of `app`."""
    return app.test_client()


@pytest.fixture
def demo_client(demo_app: Flask) -> FlaskClient:
    """A test client of `demo_app`."""
    return demo_app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner of `app`."""
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A write session on `app`'s database inside an app context; tests commit themselves."""
    with app.app_context(), get_db(app).session(write=True) as db:
        yield db


@pytest.fixture
def demo_session(demo_app: Flask) -> Iterator[Session]:
    """A write session on the demo database inside an app context."""
    with demo_app.app_context(), get_db(demo_app).session(write=True) as db:
        yield db


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Factory: make_user(role, username=..., **scope) creates and commits a user."""
    counter = iter(range(1, 10_000))

    def make(
        role: Role | str, *, username: str | None = None, password: str = PASSWORD, **scope: Any
    ) -> User:
        role = Role(role)
        with app.app_context(), get_db(app).session(write=True) as db:
            user = create_user(
                session=db,
                username=username or f"{role.value}{next(counter)}",
                display_name=f"Test {role.value}",
                password=password,
                role=role,
                **scope,
            )
            db.commit()
            db.refresh(user)
            db.expunge(user)
            return user

    return make


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Log `client` in through the real login form; returns the response."""
    return client.post("/auth/login", data={"username": username, "password": password})


@pytest.fixture
def login_as() -> Callable[..., Any]:
    """Fixture form of `login`."""
    return login


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return Path(__file__).resolve().parent.parent
