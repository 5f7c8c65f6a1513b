"""Fresh databases for tests: templates built once per session, copied per test.

SQLite: a template file copied per test. PostgreSQL (when DEL_TEST_POSTGRES_URL is set): template
databases cloned with CREATE DATABASE ... TEMPLATE, which takes a fraction of a second.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

POSTGRES_URL_VARIABLE = "DEL_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    """The PostgreSQL URL the suite runs against, or None for SQLite."""
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


class DatabaseFactory:
    """Hands out fresh copies of named templates (each template built on first use)."""

    def __init__(self, workdir: Path, builder: Callable[[str, str], None]) -> None:
        """`builder(template_name, url)` fills an empty database at `url`."""
        self.workdir = workdir
        self.builder = builder
        self.base_url = postgres_url()
        self.prefix = f"deltest_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.templates: dict[str, str] = {}
        self.counter = itertools.count()
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        """'postgresql' or 'sqlite'."""
        return "postgresql" if self.base_url else "sqlite"

    def url_for(self, name: str) -> str:
        """The URL of database `name` on this backend."""
        if self.base_url:
            return make_url(self.base_url).set(database=name).render_as_string(hide_password=False)
        return f"sqlite:///{self.workdir / (name + '.sqlite3')}"

    def _admin(self) -> psycopg.Connection:
        url = make_url(self.base_url).set(drivername="postgresql", database="postgres")  # type: ignore[arg-type]
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def empty(self) -> str:
        """A new empty database; returns its URL."""
        name = f"{self.prefix}_{next(self.counter)}"
        if self.base_url:
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self.created.append(name)
        return self.url_for(name)

    def fresh(self, template: str) -> str:
        """A new database copied from `template` (built on first use); returns its URL."""
        if template not in self.templates:
            url = self.empty()
            self.builder(template, url)
            self.templates[template] = make_url(url).database or url
        source = self.templates[template]
        name = f"{self.prefix}_{next(self.counter)}"
        if self.base_url:
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            self.created.append(name)
        else:
            shutil.copyfile(source, self.workdir / f"{name}.sqlite3")
        return self.url_for(name)

    def drop(self, url: str) -> None:
        """Remove a database made by this factory (PostgreSQL; files go with the tmp dir)."""
        name = make_url(url).database
        if not self.base_url or name not in self.created:
            return
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.remove(name)

    def close(self) -> None:
        """Drop every database this factory made."""
        for name in list(self.created):
            self.drop(self.url_for(name))
