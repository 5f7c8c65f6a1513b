"""Where the shared store keeps its bytes: a folder, Redis, or (tests) this process's memory.

Each backend keeps values under string keys with a time to live, sets a key only if it is absent
(for leases), lists keys by prefix and forgets everything. Values are bytes the store wrote
(JSON and rendered files); nothing here unpickles or evaluates what it reads.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Protocol

#: A value's header in the folder backend: its expiry time (seconds since the epoch), 8 bytes.
_HEADER = 8


class Backend(Protocol):
    """What the store needs of a key-value store with expiry."""

    def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""

    def put(self, key: str, value: bytes, ttl: float) -> None:
        """Set the value for `ttl` seconds."""

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Set the value only if the key is absent (or expired); whether it was set."""

    def delete(self, key: str) -> None:
        """Forget the key."""

    def values(self, prefix: str) -> list[bytes]:
        """The live values whose keys begin with `prefix` (a key's part up to its first colon)."""

    def clear(self) -> None:
        """Forget every key."""


class MemoryBackend:
    """This process's memory (tests, and jobs in immediate mode); not shared."""

    def __init__(self, clock: Any = time.time) -> None:
        self._items: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _live(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None or item[0] <= self._clock():
            self._items.pop(key, None)
            return None
        return item[1]

    def get(self, key: str) -> bytes | None:
        """The value, or None."""
        with self._lock:
            return self._live(key)

    def put(self, key: str, value: bytes, ttl: float) -> None:
        """Set the value."""
        with self._lock:
            self._items[key] = (self._clock() + ttl, value)

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Set if absent."""
        with self._lock:
            if self._live(key) is not None:
                return False
            self._items[key] = (self._clock() + ttl, value)
            return True

    def delete(self, key: str) -> None:
        """Forget the key."""
        with self._lock:
            self._items.pop(key, None)

    def values(self, prefix: str) -> list[bytes]:
        """Live values by key prefix."""
        with self._lock:
            found = (self._live(k) for k in list(self._items) if k.startswith(prefix))
            return [v for v in found if v is not None]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()


class FolderBackend:
    """One file per key in a folder (the instance folder by default): shared by every process
    on the machine. Writes go to a temporary file renamed into place, so a reader never sees
    half a value; `add` creates its file exclusively, so only one process gets a lease."""

    def __init__(self, folder: Path, clock: Any = time.time) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._clock = clock

    def _path(self, key: str) -> Path:
        prefix = key.partition(":")[0]
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
        return self.folder / f"{prefix}-{digest}"

    def _read(self, path: Path) -> tuple[float, bytes] | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if len(data) < _HEADER:
            return None
        return int.from_bytes(data[:_HEADER], "big") / 1000, data[_HEADER:]

    def _encode(self, value: bytes, ttl: float) -> bytes:
        expires = int((self._clock() + ttl) * 1000)
        return expires.to_bytes(_HEADER, "big") + value

    def get(self, key: str) -> bytes | None:
        """The value, or None (an expired file is removed)."""
        path = self._path(key)
        item = self._read(path)
        if item is None:
            return None
        if item[0] <= self._clock():
            path.unlink(missing_ok=True)
            return None
        return item[1]

    def put(self, key: str, value: bytes, ttl: float) -> None:
        """Write the value atomically."""
        path = self._path(key)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(self._encode(value, ttl))
        os.replace(temporary, path)

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Create the file exclusively; an expired one is replaced (a dead worker's lease)."""
        path = self._path(key)
        for _ in range(2):
            try:
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                item = self._read(path)
                if item is not None and item[0] > self._clock():
                    return False
                path.unlink(missing_ok=True)
                continue
            with os.fdopen(handle, "wb") as out:
                out.write(self._encode(value, ttl))
            return True
        return False

    def delete(self, key: str) -> None:
        """Remove the file."""
        self._path(key).unlink(missing_ok=True)

    def values(self, prefix: str) -> list[bytes]:
        """The live values whose keys share `prefix` (file names keep it before the digest)."""
        head = prefix.partition(":")[0]
        out = []
        for path in self.folder.glob(f"{head}-*"):
            item = self._read(path)
            if item is not None and item[0] > self._clock():
                out.append(item[1])
        return out

    def sweep(self) -> int:
        """Remove expired files; how many."""
        removed = 0
        for path in self.folder.iterdir():
            if path.name.startswith(".tmp-"):
                expired = _modified(path) < self._clock() - 3600  # left by a crashed writer
            else:
                item = self._read(path)
                expired = item is None or item[0] <= self._clock()
            if expired:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def clear(self) -> None:
        """Remove every file."""
        for path in self.folder.iterdir():
            path.unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


class RedisBackend:
    """Redis: shared by every web and worker machine (production)."""

    def __init__(self, url: str, namespace: str = "del:store:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._ns = namespace

    def get(self, key: str) -> bytes | None:
        """The value, or None."""
        value = self._redis.get(self._ns + key)
        return value if isinstance(value, bytes) else None

    def put(self, key: str, value: bytes, ttl: float) -> None:
        """SET with expiry."""
        self._redis.set(self._ns + key, value, px=max(1, int(ttl * 1000)))

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """SET NX with expiry."""
        return bool(self._redis.set(self._ns + key, value, px=max(1, int(ttl * 1000)), nx=True))

    def delete(self, key: str) -> None:
        """DEL."""
        self._redis.delete(self._ns + key)

    def values(self, prefix: str) -> list[bytes]:
        """SCAN by prefix, then MGET."""
        keys = list(self._redis.scan_iter(match=self._ns + prefix + "*", count=500))
        found = self._redis.mget(keys) if keys else []
        return [v for v in found if isinstance(v, bytes)]

    def clear(self) -> None:
        """Delete every key of the namespace."""
        for key in self._redis.scan_iter(match=self._ns + "*", count=500):
            self._redis.delete(key)
