"""API fixtures: a demo app and a factory of tokens for its users."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from del_tool.api.tokens import TokenRequest, create_token
from del_tool.auth.models import User
from del_tool.db import get_db
from del_tool.modelbase import local_today


@pytest.fixture
def make_token(demo_app: Flask) -> Callable[..., str]:
    """Factory: make_token(username, **request fields) commits a token and returns it."""

    def make(username: str, **fields: Any) -> str:
        fields.setdefault("name", f"{username} test")
        fields.setdefault("expires_on", local_today() + timedelta(days=30))
        with demo_app.app_context(), get_db(demo_app).session(write=True) as db:
            owner = db.exec(select(User).where(User.username == username)).one()
            made = create_token(
                session=db, maker_id=owner.id, owner=owner, wanted=TokenRequest(**fields)
            )
            db.commit()
            return made.secret

    return make


@pytest.fixture
def api(demo_app: Flask) -> Callable[..., Any]:
    """call(method, path, token=None, **kwargs): a request to the API with a bearer token."""
    client = demo_app.test_client()

    def call(method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return call
