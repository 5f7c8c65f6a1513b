"""Council packs built in several worker processes (forked, so they share the app and benchmark).

Rendering a pack's PDF is CPU-bound Python (WeasyPrint), so one process per core is what makes
a customer-council meeting's 22 packs quick. The workers are forked from the command's process:
each inherits the app, the period and the region's benchmark computed once by the parent,
drops the database connections it inherited (they belong to the parent) and opens its own.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from flask import Flask, current_app

from del_tool.db import get_db

#: What the forked workers inherit; set by `run_forked` just before the pool starts.
_INHERITED: dict[str, Any] = {}


class PackError(Exception):
    """A pack that failed in a worker, described there (the original may not pickle)."""


def can_fork(app: Flask) -> bool:
    """Whether workers can open the app's database themselves (not an in-memory SQLite)."""
    url = get_db(app).engine.url
    return "fork" in multiprocessing.get_all_start_methods() and not (
        url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    )


def run_forked(
    work: Callable[[str], Any],
    codes: list[str],
    jobs: int,
    describe: Callable[[BaseException], str],
) -> Iterator[tuple[str, Any]]:
    """(code, work(code)) in the order of `codes`, computed by up to `jobs` forked workers.

    A code whose work raises yields (code, PackError(description)); the others go on.
    `work` runs inside the app context with its own database connections.
    """
    _INHERITED.update(app=current_app._get_current_object(), work=work, describe=describe)  # type: ignore[attr-defined]
    try:
        with ProcessPoolExecutor(
            max_workers=max(1, min(jobs, len(codes))),
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
        ) as pool:
            futures = [pool.submit(_work, code) for code in codes]
            for code, future in zip(codes, futures, strict=True):
                ok, value = future.result()
                yield code, value if ok else PackError(value)
    finally:
        _INHERITED.clear()


def _start_worker() -> None:  # pragma: no cover - runs in the forked worker
    """Drop the parent's connections (never close them: they are the parent's) and enter the app."""
    app: Flask = _INHERITED["app"]
    get_db(app).engine.dispose(close=False)
    app.app_context().push()


def _work(code: str) -> tuple[bool, Any]:  # pragma: no cover - runs in the forked worker
    """(True, result) or (False, a one-line description of the error)."""
    try:
        return True, _INHERITED["work"](code)
    except Exception as exc:  # reported per municipality by the caller; the run goes on
        return False, _INHERITED["describe"](exc)
