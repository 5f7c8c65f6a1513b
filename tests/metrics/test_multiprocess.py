"""Issue #20 item 2: the numbers are the whole deployment's. gunicorn's workers and the job
worker write to one multiprocess folder; a scrape adds them up, a worker that was replaced still
counts, and gunicorn's start clears only the files of processes that no longer run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from del_tool import create_app
from del_tool.db import get_db
from del_tool.jobs import get_jobs
from del_tool.metrics.multiprocess import VARIABLE, clear_stale
from tests.conftest import TEST_AUDIT_KEY, TEST_SECRET, make_config
from tests.test_gunicorn import GUNICORN, _free_port, _get

TOKEN = "metrics-token-for-the-tests-0123456789abcdef"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_start_clears_the_files_of_processes_that_no_longer_run(tmp_path):
    live = tmp_path / f"counter_{os.getpid()}.db"
    dead = [tmp_path / f"counter_{_dead_pid()}.db", tmp_path / f"gauge_livesum_{_dead_pid()}.db"]
    other = tmp_path / "notes.txt"
    for path in (live, *dead, other):
        path.write_bytes(b"x")
    assert sorted(clear_stale(tmp_path)) == sorted(dead)
    assert live.exists() and other.exists()


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _scrape(port: int) -> str:
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback
        return str(answer.read().decode("utf-8"))


def _count(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _until(check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


HEALTH = 'del_http_requests_total{endpoint="main.healthz",method="GET",status="200"}'
SWEEP = 'del_job_duration_seconds_count{job="sweep_store",outcome="ok"}'


@pytest.mark.slow
def test_gunicorn_and_the_job_worker_are_counted_together(databases, repo_root, tmp_path):
    """Three health checks, the gunicorn worker replaced, two more; a job run by `del-tool
    worker`: one scrape shows all five requests and the job."""
    url = databases.fresh("seeded")
    folder = tmp_path / "prometheus"
    queue, store = f"sqlite:///{tmp_path / 'jobs.sqlite3'}", f"file://{tmp_path / 'store'}"
    env = {
        **os.environ,
        "DEL_SECRET_KEY": TEST_SECRET,
        "DEL_AUDIT_KEY": TEST_AUDIT_KEY,
        "DEL_DATABASE_URL": url,
        "DEL_JOBS_URL": queue,
        "DEL_STORE_URL": store,
        "DEL_METRICS_TOKEN": TOKEN,
        "DEL_WEB_WORKERS": "1",
        VARIABLE: str(folder),
    }
    folder.mkdir()
    (folder / f"counter_{_dead_pid()}.db").write_bytes(b"stale")  # a previous run's worker
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=repo_root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = None
    try:
        health = f"http://127.0.0.1:{port}/healthz"
        for _ in range(3):
            assert _get(health, time.monotonic() + 60) == 200
        assert not [p for p in folder.iterdir() if p.read_bytes() == b"stale"]
        (first,) = _children(server.pid)
        os.kill(first, signal.SIGTERM)
        _until(lambda: len(_children(server.pid) - {first}) == 1)
        for _ in range(2):
            assert _get(health, time.monotonic() + 60) == 200
        assert _count(_scrape(port), HEALTH) == 5

        app = create_app(make_config(url, JOBS_URL=queue, STORE_URL=store))
        with app.app_context():
            get_jobs(app).enqueue("sweep_store")
        get_db(app).dispose()
        command = [sys.executable, "-c", "from del_tool.cli import main; main()", "worker"]
        worker = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        _until(lambda: _count(_scrape(port), SWEEP) == 1)
        assert _count(_scrape(port), HEALTH) == 5
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)
        log.close()
        databases.drop(url)
    output = (tmp_path / "gunicorn.log").read_text("utf-8", errors="replace")
    assert "Traceback" not in output, output
