"""The app under gunicorn on loopback with a job worker beside it, started and stopped by the
benchmark; the queue and the shared store are fresh for every run."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from bench.data import AUDIT_KEY, SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    """A TCP port on loopback that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class GunicornServer:
    """``gunicorn -c gunicorn.conf.py`` with N workers on a benchmark database."""

    def __init__(self, database_url: str, *, workers: int = 2, log_path: Path | None = None):
        self.database_url = database_url
        self.workers = workers
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._run_dir: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> GunicornServer:
        env = {
            **os.environ,
            "DEL_DATABASE_URL": self.database_url,
            "DEL_SECRET_KEY": SECRET_KEY,
            "DEL_AUDIT_KEY": AUDIT_KEY,
            "DEL_SESSION_COOKIE_SECURE": "false",
            "DEL_REMEMBER_COOKIE_SECURE": "false",
            "DEL_WEB_WORKERS": str(self.workers),  # gunicorn.conf.py, as README deploys it
            "DEL_SERVER_TIMING": "true",  # CPU per request, read from each response
        }
        self._run_dir = tempfile.TemporaryDirectory(prefix="del-bench-run-")
        env["DEL_JOBS_URL"] = f"sqlite:///{self._run_dir.name}/jobs.sqlite3"
        env["DEL_STORE_URL"] = f"file://{self._run_dir.name}/store"
        self._log = open(self.log_path, "wb") if self.log_path else None
        self.worker = subprocess.Popen(
            [sys.executable, "-c", "from del_tool.cli import main; main()", "worker"],
            cwd=ROOT,
            env=env,
            stdout=self._log or subprocess.DEVNULL,
            stderr=self._log or subprocess.DEVNULL,
        )
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log or subprocess.DEVNULL,
            stderr=self._log or subprocess.DEVNULL,
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    # Both workers answer only once each has imported the app.
                    time.sleep(1.0)
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within a minute")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for process in (self.process, self.worker):
            if process is None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
        if self._run_dir is not None:
            self._run_dir.cleanup()
