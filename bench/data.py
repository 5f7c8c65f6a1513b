"""Benchmark databases: one per size and backend, filled by the demo generator.

SQLite files live in ``$DEL_BENCH_DIR`` (default: ``del-bench`` in the temporary folder);
PostgreSQL databases are called ``del_bench_<size>`` on the server of ``$DEL_BENCH_POSTGRES_URL``
(default the local server, user postgres) and are created and dropped by the run. With
``reuse`` a database built earlier from the same generator code and options is used again (a
small JSON file beside the SQLite files records what each holds).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bench.sizes import SEED, TODAY, Size
from del_tool import create_app, migrate
from del_tool.auth.models import Role
from del_tool.auth.services import create_user
from del_tool.db import get_db, write_session
from del_tool.demo.generator import DemoOptions, create_demo_users, generate_demo
from del_tool.organisation.models import Centre, Unit
from del_tool.organisation.services import seed_all

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(os.environ.get("DEL_BENCH_DIR") or Path(tempfile.gettempdir()) / "del-bench")
POSTGRES_URL = os.environ.get(
    "DEL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")
#: Password of the demo and benchmark users in benchmark databases (loopback only).
BENCH_PASSWORD = "bench-password-loopback-only"  # noqa: S105 - synthetic users on loopback
SECRET_KEY = secrets.token_hex(32)
#: The change history's MAC key, which the app (like production) refuses to start without.
AUDIT_KEY = secrets.token_hex(32)


@dataclass(frozen=True, slots=True)
class BuiltDatabase:
    """A filled benchmark database."""

    backend: str
    size: Size
    url: str
    counts: dict[str, int]
    build_seconds: float | None  # None when reused from an earlier run
    generate_seconds: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no URL credentials: there are none)."""
        return {
            "backend": self.backend,
            "size": self.size.name,
            "description": self.size.description,
            "citizens": self.size.citizens,
            "years": self.size.years,
            "rows": self.counts,
            "build_seconds": self.build_seconds,
            "generate_seconds": self.generate_seconds,
        }


def database_url(backend: str, size: Size) -> str:
    """Where the benchmark database of `size` lives on `backend`."""
    if backend == "sqlite":
        return f"sqlite:///{BENCH_DIR / f'del-bench-{size.name}.sqlite3'}"
    return (
        make_url(POSTGRES_URL)
        .set(database=f"del_bench_{size.name.lower()}")
        .render_as_string(hide_password=False)
    )


def bench_app(url: str, **overrides: Any) -> Flask:
    """The DEL app on a benchmark database, configured as in production (not testing)."""
    return create_app(
        {
            "SECRET_KEY": SECRET_KEY,
            "AUDIT_KEY": AUDIT_KEY,
            "DATABASE_URL": url,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            **overrides,
        }
    )


def _admin_connection() -> psycopg.Connection[Any]:
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def postgres_version() -> str | None:
    """The server's version string, or None when it does not answer."""
    try:
        with _admin_connection() as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else None
    except psycopg.Error:
        return None


def drop_database(backend: str, size: Size) -> None:
    """Remove the benchmark database of `size` (and its record)."""
    _meta_path(backend, size).unlink(missing_ok=True)
    if backend == "sqlite":
        path = Path(make_url(database_url(backend, size)).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = make_url(database_url(backend, size)).database
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _create_empty(backend: str, size: Size) -> str:
    drop_database(backend, size)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = database_url(backend, size)
    if backend == "postgresql":
        with _admin_connection() as conn:
            conn.execute(f'CREATE DATABASE "{make_url(url).database}"')
    return url


def _meta_path(backend: str, size: Size) -> Path:
    return BENCH_DIR / f"del-bench-{backend}-{size.name}.json"


def _fingerprint(size: Size) -> str:
    """What the data depend on: the options and the generator, questionnaires and migrations."""
    digest = hashlib.sha256(repr((size, SEED, TODAY)).encode())
    for folder, pattern in (
        ("bench", "data.py"),
        ("del_tool/demo", "*.py"),
        ("questionnaires", "*.yaml"),
        ("migrations/versions", "*.py"),
        ("del_tool/organisation/data", "*"),
    ):
        for path in sorted((ROOT / folder).glob(pattern)):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _exists(backend: str, url: str) -> bool:
    if backend == "sqlite":
        return Path(make_url(url).database or "").exists()
    with _admin_connection() as conn:
        name = make_url(url).database
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is not None
        )


def build_database(backend: str, size: Size, *, reuse: bool = False) -> BuiltDatabase:
    """A filled database of `size` on `backend`: migrated, seeded, demo data, benchmark users."""
    url = database_url(backend, size)
    meta = _meta_path(backend, size)
    fingerprint = _fingerprint(size)
    if reuse and meta.exists() and _exists(backend, url):
        recorded = json.loads(meta.read_text())
        if recorded.get("fingerprint") == fingerprint:
            return BuiltDatabase(backend, size, url, recorded["counts"], None, None)
    started = time.perf_counter()
    url = _create_empty(backend, size)
    app = bench_app(url)
    try:
        migrate.upgrade(app)
        with app.app_context(), write_session(app) as session:
            seed_all(session=session)
        generating = time.perf_counter()
        with app.app_context(), write_session(app) as session:
            counts = generate_demo(
                session=session,
                options=DemoOptions(
                    citizens=size.citizens,
                    years=size.years,
                    seed=SEED,
                    today=TODAY,
                    centres=size.centres,
                ),
                registry=app.extensions["del_questionnaires"],
            )
        generate_seconds = time.perf_counter() - generating
        with app.app_context(), write_session(app) as session:
            create_demo_users(session=session, password=BENCH_PASSWORD)
            _create_staff_users(session, size)
    finally:
        get_db(app).dispose()
    built = BuiltDatabase(
        backend, size, url, dict(counts), time.perf_counter() - started, generate_seconds
    )
    meta.write_text(json.dumps({"fingerprint": fingerprint, "counts": built.counts}))
    return built


def staff_usernames(size: Size) -> list[str]:
    """The benchmark's staff logins in a database of `size`; each works in one centre's units."""
    return [f"bench_staff{i:02d}" for i in range(1, size.staff_users + 1)]


def _create_staff_users(session: Any, size: Size) -> None:
    """Staff users who each work in two units of one centre (as the demo's staff user does),
    spread over the centres that hold citizens."""
    centre_ids = session.exec(
        select(Centre.id).where(col(Centre.name).in_(size.centres))
        if size.centres
        else select(Centre.id)
    ).all()
    units_by_centre: dict[int, list[int]] = {}
    for unit_id, centre_id in session.exec(select(Unit.id, Unit.centre_id).order_by(col(Unit.id))):
        if centre_id in centre_ids:
            units_by_centre.setdefault(centre_id, []).append(unit_id)
    pairs = [
        units[i : i + 2]
        for _, units in sorted(units_by_centre.items())
        for i in range(0, len(units), 2)
    ]
    for index, username in enumerate(staff_usernames(size)):
        create_user(
            session=session,
            username=username,
            display_name=f"Benchmark medarbejder {index + 1}",
            password=BENCH_PASSWORD,
            role=Role.STAFF,
            unit_ids=pairs[index % len(pairs)],
        )
