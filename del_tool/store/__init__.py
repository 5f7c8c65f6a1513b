"""The shared store: built reports, rendered files, drawn charts and job progress.

One store for every web and worker process (and machine, with Redis), so a report is built once
and read everywhere. `STORE_URL` chooses where it lives:

- unset: a folder in the instance folder (`instance/store/`), for one box;
- ``redis://host:port/db``: Redis, for several machines;
- ``memory://``: this process only (tests).

Everything is stored as JSON or as the bytes of a rendered file, never as pickles, so a writable
store cannot make DEL run code. Every entry expires (`STORE_TTL`); `clear` forgets everything
and is what an anonymisation calls (DESIGN §8: the store is reachable by erasure), except the
operations records (`OPERATIONS_KEYS`: when the history was last verified, the last backup and
restore drill), which hold times and counts only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from del_tool.store.backends import Backend, FolderBackend, MemoryBackend, RedisBackend

EXTENSION_KEY = "del_store"
#: Records of operations (times and counts, nothing about citizens) that an erasure keeps.
OPERATIONS_KEYS = ("ops:history", "ops:backup", "ops:drill")
#: How long an operations record lives: until the next one replaces it, or 400 days.
OPERATIONS_TTL = 400 * 24 * 3600


class Store:
    """JSON documents, files and leases over a backend."""

    def __init__(self, backend: Backend, ttl: float) -> None:
        self.backend = backend
        self.ttl = ttl
        #: Told of every read of a document or file (key, hit): the metrics' hits and misses.
        self.observe: Callable[[str, bool], None] | None = None

    def _read(self, key: str) -> bytes | None:
        data = self.backend.get(key)
        if self.observe is not None:
            self.observe(key, data is not None)
        return data

    def get_json(self, key: str) -> Any:
        """The document stored under `key`, or None."""
        data = self._read(key)
        return json.loads(data) if data is not None else None

    def put_json(self, key: str, value: Any, ttl: float | None = None) -> None:
        """Store a JSON document."""
        data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        self.backend.put(key, data, self.ttl if ttl is None else ttl)

    def add_json(self, key: str, value: Any, ttl: float) -> bool:
        """Store a document only if `key` is absent; whether it was stored (a lease or marker)."""
        return self.backend.add(key, json.dumps(value).encode("utf-8"), ttl)

    def documents(self, prefix: str) -> list[Any]:
        """Every live document under keys beginning with `prefix` ("name:")."""
        return [json.loads(v) for v in self.backend.values(prefix)]

    def get_file(self, key: str) -> bytes | None:
        """The file stored under `key`, or None."""
        return self._read(key)

    def put_file(self, key: str, data: bytes, ttl: float | None = None) -> None:
        """Store a file's bytes."""
        self.backend.put(key, data, self.ttl if ttl is None else ttl)

    def delete(self, key: str) -> None:
        """Forget `key`."""
        self.backend.delete(key)

    def clear(self) -> None:
        """Forget everything (erasure) but the operations records."""
        kept = {key: self.backend.get(key) for key in OPERATIONS_KEYS}
        self.backend.clear()
        for key, data in kept.items():
            if data is not None:
                self.backend.put(key, data, OPERATIONS_TTL)


def make_backend(url: str | None, *, instance_path: str) -> Backend:
    """The backend for `STORE_URL` (see the module docstring)."""
    if not url:
        return FolderBackend(Path(instance_path) / "store")
    if url == "memory://":
        return MemoryBackend()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBackend(url)
    if url.startswith("file://"):
        return FolderBackend(Path(url.removeprefix("file://")))
    raise ValueError(f"STORE_URL must be empty, file://, redis:// or memory://, not {url!r}")


def init_app(app: Flask) -> None:
    """Create the app's store from `STORE_URL`."""
    backend = make_backend(app.config.get("STORE_URL"), instance_path=app.instance_path)
    app.extensions[EXTENSION_KEY] = Store(backend, float(app.config["STORE_TTL"]))


def get_store(app: Flask | None = None) -> Store:
    """The store of `app` (default: the current app)."""
    store: Store = (app or current_app).extensions[EXTENSION_KEY]
    return store
