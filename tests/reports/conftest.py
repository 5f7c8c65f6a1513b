"""Fixtures for the report tests: a generated world with known properties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from tests.reports.world import World, build_world


@pytest.fixture
def registry(app: Flask) -> Any:
    """The app's questionnaire registry."""
    return app.extensions["del_questionnaires"]


@pytest.fixture(autouse=True)
def texts(request: pytest.FixtureRequest) -> Iterator[None]:
    """A request context for tests on the seeded app, so lazy report texts can be read."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.test_request_context():
        yield


@pytest.fixture
def world(session: Session, registry: Any) -> World:
    """The generated world, committed to the test database."""
    return build_world(session, registry)
