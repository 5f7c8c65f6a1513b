"""gunicorn.conf.py: workers from the cores, sync workers, an access log without query strings."""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

GUNICORN = Path(sys.executable).with_name("gunicorn")


def _settings(repo_root: Path) -> dict[str, Any]:
    return runpy.run_path(str(repo_root / "gunicorn.conf.py"))


def test_one_sync_worker_per_usable_core(repo_root, monkeypatch):
    monkeypatch.delenv("DEL_WEB_WORKERS", raising=False)
    settings = _settings(repo_root)
    assert settings["workers"] == len(os.sched_getaffinity(0))
    assert (settings["worker_class"], settings["threads"]) == ("sync", 1)
    assert settings["wsgi_app"] == "del_tool:create_app()"
    assert settings["preload_app"] is False
    assert settings["timeout"] > 30  # longer than SQLite's busy timeout


def test_workers_can_be_set_in_the_environment(repo_root, monkeypatch):
    monkeypatch.setenv("DEL_WEB_WORKERS", "3")
    assert _settings(repo_root)["workers"] == 3


def test_access_log_has_no_query_string_or_referrer(repo_root):
    log_format = _settings(repo_root)["access_log_format"]
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%({"):
        assert atom not in log_format


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str, deadline: float) -> int:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                return int(response.status)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_gunicorn_serves_with_the_config_and_logs_paths_only(repo_root, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DEL_SECRET_KEY": "g" * 40,
        "DEL_AUDIT_KEY": "h" * 40,  # the app refuses to start without the history's key
        "DEL_DATABASE_URL": f"sqlite:///{tmp_path / 'del.sqlite3'}",
        "DEL_JOBS_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "DEL_STORE_URL": f"file://{tmp_path / 'store'}",
        "DEL_WEB_WORKERS": "1",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
            cwd=repo_root,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}/healthz?q=Jens+Hansen"
            assert _get(url, time.monotonic() + 60) == 200
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text("utf-8")
    assert '"GET /healthz HTTP/1.1" 200' in text
    assert "Jens" not in text
    assert "Booting worker" in text


def test_readme_deploys_with_the_config(repo_root):
    readme = (repo_root / "README.md").read_text("utf-8")
    assert "gunicorn -c gunicorn.conf.py" in readme and "DEL_WEB_WORKERS" in readme
