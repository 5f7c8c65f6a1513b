"""`del-tool serve`, what `make run` ends with, serves the app (with a job worker beside it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import TEST_AUDIT_KEY, TEST_SECRET


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_on_its_port_until_stopped(databases, tmp_path: Path):
    """Under the command line Flask's app.run() returns at once (FLASK_RUN_FROM_CLI): serve
    must run its own server, and keep it up."""
    url = databases.fresh("seeded")
    port = _free_port()
    env = {
        **os.environ,
        "DEL_DATABASE_URL": url,
        "DEL_JOBS_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "DEL_STORE_URL": f"file://{tmp_path / 'store'}",
        "DEL_SECRET_KEY": TEST_SECRET,
        "DEL_AUDIT_KEY": TEST_AUDIT_KEY,
    }
    command = [sys.executable, "-c", "from del_tool.cli import main; main()"]
    server = subprocess.Popen(
        [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, status = time.monotonic() + 30, None
        while status is None and time.monotonic() < deadline:
            assert server.poll() is None, "serve exited instead of serving"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
                    status = answer.status
            except OSError:
                time.sleep(0.3)
        assert status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
        databases.drop(url)
    assert "Traceback" not in output, output
