"""The shared store's backends behave alike: values with expiry, leases, prefixes, erasure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from del_tool.store import Store
from del_tool.store.backends import Backend, FolderBackend, MemoryBackend, RedisBackend

REDIS_URL = os.environ.get("DEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "folder", "redis"])
def backend(request, tmp_path) -> Iterator[tuple[Backend, Clock | None]]:
    """Each backend; Redis in a namespace of its own, removed afterwards."""
    if request.param == "redis":
        redis = RedisBackend(REDIS_URL, namespace=f"del-test:{uuid.uuid4().hex}:")
        yield redis, None
        redis.clear()
        return
    clock = Clock()
    if request.param == "memory":
        yield MemoryBackend(clock=clock), clock
    else:
        yield FolderBackend(tmp_path / "store", clock=clock), clock


def test_values_can_be_read_back_and_forgotten(backend):
    store, _ = backend
    store.put("build:a", b"one", 60)
    store.put("build:b", b"two", 60)
    store.put("recent:a", b"three", 60)
    assert store.get("build:a") == b"one" and store.get("build:missing") is None
    assert sorted(store.values("build:")) == [b"one", b"two"]
    store.delete("build:a")
    assert store.get("build:a") is None
    store.clear()
    assert store.get("build:b") is None and store.values("recent:") == []


def test_only_one_caller_gets_a_lease_until_it_expires(backend):
    store, clock = backend
    assert store.add("lease:x", b"first", 30)
    assert not store.add("lease:x", b"second", 30)
    assert store.get("lease:x") == b"first"
    if clock is None:  # Redis keeps real time: a deleted lease can be taken again
        store.delete("lease:x")
    else:  # a dead worker's lease expires
        clock.now += 31
        assert store.get("lease:x") is None
    assert store.add("lease:x", b"third", 30)
    assert store.get("lease:x") == b"third"


@pytest.mark.parametrize("kind", ["memory", "folder"])
def test_values_expire(kind, tmp_path):
    clock = Clock()
    store = MemoryBackend(clock=clock) if kind == "memory" else FolderBackend(tmp_path, clock=clock)
    store.put("file:a", b"pdf", 10)
    clock.now += 9
    assert store.get("file:a") == b"pdf"
    clock.now += 2
    assert store.get("file:a") is None and store.values("file:") == []


def test_the_folder_backend_never_shows_half_a_value_and_sweeps_what_expired(tmp_path):
    clock = Clock()
    folder = FolderBackend(tmp_path, clock=clock)
    folder.put("build:a", b"x" * 100_000, 10)
    folder.put("build:b", b"y", 100)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []
    clock.now += 50
    assert folder.sweep() == 1
    assert folder.get("build:b") == b"y"


def test_documents_are_json_never_pickles(tmp_path):
    store = Store(FolderBackend(tmp_path), ttl=60)
    store.put_json("packs:1", {"done": 3, "names": ["Odense"]})
    assert store.get_json("packs:1") == {"done": 3, "names": ["Odense"]}
    raw = next(p for p in tmp_path.iterdir()).read_bytes()
    assert raw[8:].startswith(b"{")  # after the expiry header: plain JSON
    with pytest.raises(TypeError):
        store.put_json("packs:2", {"object": object()})
