"""gunicorn settings for DEL's web app: `gunicorn -c gunicorn.conf.py` (README, "Deploying").

Options given on the command line override these; so does `GUNICORN_CMD_ARGS`.
"""

from __future__ import annotations

import os


def _usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's cpuset)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # platforms without sched_getaffinity (macOS)
        return os.cpu_count() or 1


def _workers() -> int:
    """`DEL_WEB_WORKERS` if set, else one worker per usable core."""
    configured = os.environ.get("DEL_WEB_WORKERS", "").strip()
    return max(1, int(configured)) if configured else _usable_cores()


# One BLAS thread per worker (see del_tool/cli.py SINGLE_THREADED_BLAS): set here, in the
# master, so every worker inherits it before it imports numpy.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

wsgi_app = "del_tool:create_app()"
bind = "127.0.0.1:8000"  # behind the reverse proxy; `--bind` changes it

# One sync worker per core. A page is mostly Python (templates, forms, translations), so one
# process per core keeps every core busy, and more processes would only queue for the CPU and
# take memory; statistics, charts and PDFs run in `del-tool worker` (README, "Jobs"). Threads
# share one interpreter lock, so they add waiting, not throughput: threads stays 1 (gunicorn
# then runs the sync worker) until a measurement shows otherwise.
workers = _workers()
worker_class = "sync"
threads = 1

# Preloading is off: each worker builds its own app after the fork, so no SQLite connection,
# database pool or queue connection is ever shared between processes, and `kill -HUP` starts
# workers on new code. A worker starts in well under a second (the heavy libraries are imported
# only where they are used), so preloading would save little.
preload_app = False

# A request may wait up to SQLITE_BUSY_TIMEOUT_MS (30 s) for SQLite's write lock and must then
# answer with its 503 page itself, so a worker is killed only after twice that.
timeout = 60
# Time a worker gets to finish its request on a restart or shutdown.
graceful_timeout = 30
# Seconds to wait for the next request on a kept-alive connection. The sync worker closes every
# connection after its response and ignores this; the reverse proxy keeps browsers' connections.
keepalive = 5

# Restart a worker after about 2,000 requests: a worker that once made a PDF or drew a chart
# keeps those libraries in memory, and a fresh one is cheap to start.
max_requests = 2000
max_requests_jitter = 200

# Access log on stdout without query strings or referrers: a search's query string is a
# citizen's name, and logs never get free text (docs/DEVELOPING.md). %(U)s is the path alone.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
proc_name = "del-web"

# Metrics (README "Metrics"): with METRICS_TOKEN configured, every worker writes its numbers to
# PROMETHEUS_MULTIPROC_DIR (instance/prometheus/ unless set), so /metrics adds up all workers
# and `del-tool worker`. The master sets the folder before it forks and clears the files of
# processes that no longer run; a worker that exits is marked dead.
from del_tool.metrics.multiprocess import child_exit, on_starting  # noqa: E402, F401
