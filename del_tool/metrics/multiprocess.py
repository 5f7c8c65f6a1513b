"""The folder where every DEL process of a machine keeps its metrics (prometheus-client's
multiprocess mode), and the gunicorn hooks that look after it.

gunicorn runs several worker processes and `del-tool worker` runs beside them, so a counter in
one process's memory would show only that process's requests. In multiprocess mode each process
writes its numbers to memory-mapped files in `PROMETHEUS_MULTIPROC_DIR`, and `/metrics` adds up
the files of all of them: the numbers are the whole machine's. The variable must be set before
prometheus_client is first imported in a process; DEL sets it (to `instance/prometheus/` unless
it is set already) before it imports it, and gunicorn's master sets it before it forks.

At gunicorn's start the files of processes that no longer run are removed (the previous run's
workers: their counters start again from zero, which Prometheus reads as a restart), while those
of a running `del-tool worker` are kept. When a gunicorn worker exits, `child_exit` marks it
dead, so its live gauges leave the sum; its counters stay in it, as counters must.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

#: prometheus-client's variable: where every process of the machine writes its metrics.
VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
#: The folder under the instance folder when the variable is not set.
DEFAULT_FOLDER = "prometheus"
#: A metrics file's name: kind, optional gauge mode, the writing process's id.
_FILE = re.compile(r"^[a-z]+(?:_[a-z]+)?_(\d+)\.db$")


def directory(instance_path: str | Path) -> Path:
    """The multiprocess folder: the variable if set, else `<instance>/prometheus`; the variable
    is set to it, so this process and the ones it starts use the same folder."""
    configured = os.environ.get(VARIABLE)
    folder = Path(configured) if configured else Path(instance_path) / DEFAULT_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ[VARIABLE] = str(folder)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    return True


def clear_stale(folder: Path) -> list[Path]:
    """Remove the metrics files of processes that no longer run; the files removed."""
    removed = []
    for path in folder.glob("*.db"):
        found = _FILE.match(path.name)
        if found is not None and not _alive(int(found.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def metrics_enabled() -> tuple[bool, str]:
    """Whether this deployment's configuration turns metrics on (a METRICS_TOKEN), and its
    instance folder; read as the app reads it, without building the app."""
    from flask import Flask

    from del_tool.config import load_config

    app = Flask("del_tool", instance_relative_config=True)
    load_config(app, None)
    return bool(app.config.get("METRICS_TOKEN")), app.instance_path


def on_starting(_server: Any = None) -> None:
    """gunicorn's master, before any worker: choose the folder and clear the stale files."""
    enabled, instance_path = metrics_enabled()
    if enabled:
        clear_stale(directory(instance_path))


def child_exit(_server: Any, worker: Any) -> None:
    """gunicorn's master, when a worker has exited: mark its live gauges dead."""
    if not os.environ.get(VARIABLE):
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
