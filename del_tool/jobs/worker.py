"""`del-tool worker` runs the job consumer at a lower CPU priority than the web; `serve` both."""

from __future__ import annotations

import logging
import os
import signal
import subprocess  # nosec B404
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from del_tool.jobs import get_jobs

log = logging.getLogger(__name__)


def lower_priority(niceness: int) -> int:
    """Raise this process's niceness by `niceness` (so web requests win the cores); the new one."""
    if niceness <= 0 or not hasattr(os, "nice"):
        return os.nice(0) if hasattr(os, "nice") else 0
    return os.nice(niceness)


@click.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=None,
    help="Jobs run at the same time (threads); default JOBS_WORKERS (1).",
)
@click.option(
    "--nice",
    "niceness",
    type=click.IntRange(0, 19),
    default=None,
    help="How much lower than the web this process runs (0-19); default JOBS_NICE (10).",
)
@with_appcontext
def worker_command(workers: int | None, niceness: int | None) -> None:
    """Run the job worker (report builds, files, council packs, charts) until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs = get_jobs(app)
    if jobs.immediate:
        raise click.UsageError("JOBS_URL is memory://: jobs run in the web process, no worker.")
    count = workers or int(app.config.get("JOBS_WORKERS", 1))
    level = lower_priority(niceness if niceness is not None else int(app.config["JOBS_NICE"]))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log.info("DEL worker: %d job thread(s), niceness %d", count, level)
    consumer = jobs.huey.create_consumer(workers=count, worker_type="thread", periodic=True)
    consumer.run()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=5000, show_default=True, help="Port."
)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve DEL on one machine: the web app and a job worker beside it (Ctrl-C stops both).

    For `make run` and trying DEL out; production runs gunicorn and `del-tool worker` apart.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    from del_tool.metrics import EXTENSION_KEY
    from del_tool.metrics.multiprocess import clear_stale

    if EXTENSION_KEY in app.extensions:  # as gunicorn's master does at its start
        clear_stale(app.extensions[EXTENSION_KEY])
    worker = None
    if not get_jobs(app).immediate:
        command = [sys.executable, "-c", "from del_tool.cli import main; main()", "worker"]
        worker = subprocess.Popen(command)  # noqa: S603  # nosec B603 - our own interpreter
    # SIGTERM (systemd, a test) stops both too: as SystemExit, the worker is terminated below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        # Not app.run(): under the `flask`/`del-tool` command line it returns at once
        # (FLASK_RUN_FROM_CLI), so `make run` would set up and then serve nothing.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
