"""The job queue: JSON messages, retries and recorded failures, and a real worker process."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey.registry import Message

from del_tool import ConfigError, create_app
from del_tool.db import get_db
from del_tool.jobs import JsonSerializer, make_huey
from del_tool.reports import services
from tests.conftest import DEMO_PASSWORD, TEST_AUDIT_KEY, TEST_SECRET, login, make_config

EFFECT = "/reports/report?kind=effect&scope=region&period=2026"
REDIS_QUEUE = os.environ.get("DEL_TEST_REDIS_QUEUE_URL", "redis://127.0.0.1:6379/14")
REFRESH = 'http-equiv="refresh"'


def test_messages_are_json_and_refuse_anything_else():
    serializer = JsonSerializer()
    eta = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
    message = Message(
        "id-1",
        "build_report",
        eta,
        2,
        5,
        None,
        (),
        {"request": {"kind": "effect"}},
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )
    data = serializer.serialize(message)
    assert data.startswith(b"{") and b"build_report" in data
    assert serializer.deserialize(data) == message
    with pytest.raises(TypeError):
        serializer.serialize(message._replace(kwargs={"report": object()}))
    with pytest.raises(UnicodeDecodeError):  # a pickle is not a message
        serializer.deserialize(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.")


def test_an_unknown_queue_or_store_url_is_refused_in_one_line(databases):
    url = databases.fresh("seeded")
    with pytest.raises(ConfigError, match="JOBS_URL must be"):
        create_app(make_config(url, JOBS_URL="amqp://somewhere"))
    with pytest.raises(ConfigError, match="STORE_URL must be"):
        create_app(make_config(url, STORE_URL="s3://bucket"))
    databases.drop(url)


def test_the_redis_queue_carries_json_messages_to_a_consumer():
    huey = make_huey(REDIS_QUEUE, instance_path="unused")
    huey.flush()
    done = []

    @huey.task(name="note")
    def note(*, value: int) -> None:
        done.append(value)

    note(value=41)
    raw = huey.storage.conn.lrange(huey.storage.queue_key, 0, -1)
    assert len(raw) == 1 and raw[0].startswith(b"{")
    huey.execute(huey.dequeue())
    assert done == [41]
    huey.flush()


def test_a_build_that_keeps_failing_shows_its_message_not_a_hang(demo_client, monkeypatch):
    attempts = []

    def broken(*args, **kwargs):
        attempts.append(1)
        raise RuntimeError("the statistics fell over")

    monkeypatch.setattr(services, "build_report", broken)
    login(demo_client, "analyst", DEMO_PASSWORD)
    page = demo_client.get(EFFECT)
    assert page.status_code == 503 and REFRESH not in page.text
    assert "Rapporten kunne ikke dannes" in page.text
    assert "RuntimeError: the statistics fell over" in page.text
    assert len(attempts) == 3  # the first try and two retries
    again = demo_client.get(EFFECT)  # remembered for a minute: no new attempts meanwhile
    assert again.status_code == 503 and len(attempts) == 3


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from del_tool.cli import main; main()", "worker"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _until_built(client, url: str, seconds: float = 120):
    deadline = time.monotonic() + seconds
    response = client.get(url)
    while response.mimetype == "text/html" and REFRESH in response.text:
        assert time.monotonic() < deadline, "the worker did not build the report in time"
        time.sleep(0.5)
        response = client.get(url)
    return response


@pytest.mark.slow
def test_a_worker_process_builds_what_a_page_asked_for(databases, tmp_path: Path):
    url = databases.fresh("demo")
    queue, store = f"sqlite:///{tmp_path / 'jobs.sqlite3'}", f"file://{tmp_path / 'store'}"
    app = create_app(make_config(url, JOBS_URL=queue, STORE_URL=store))
    env = {
        **os.environ,
        "DEL_DATABASE_URL": url,
        "DEL_JOBS_URL": queue,
        "DEL_STORE_URL": store,
        "DEL_SECRET_KEY": TEST_SECRET,
        "DEL_AUDIT_KEY": TEST_AUDIT_KEY,  # a worker, like the app, refuses to start without it
    }
    worker = _worker(env)
    try:
        client = app.test_client()
        login(client, "analyst", DEMO_PASSWORD)
        first = client.get(EFFECT)
        assert first.status_code == 200 and REFRESH in first.text
        assert "Rapporten bliver dannet" in first.text
        page = _until_built(client, EFFECT)
        assert page.status_code == 200 and "Effekt" in page.text and REFRESH not in page.text
        pdf = _until_built(client, EFFECT + "&format=pdf")
        assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
        niceness = int(Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
        assert niceness >= os.nice(0) + 10  # the worker yields the cores to the web
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
        get_db(app).dispose()
        databases.drop(url)
    assert "Traceback" not in output, output


def test_what_a_reader_waits_for_runs_before_background_drawings(tmp_path):
    huey = make_huey(f"sqlite:///{tmp_path / 'jobs.sqlite3'}", instance_path=str(tmp_path))

    @huey.task(name="work")
    def work(*, what: str) -> str:
        return what

    work(what="sweep drawing", priority=0)
    work(what="report build", priority=100)
    work(what="saved citizen's drawing", priority=60)
    order = [huey.dequeue().kwargs["what"] for _ in range(3)]
    assert order == ["report build", "saved citizen's drawing", "sweep drawing"]


def test_a_pdf_asked_for_is_not_left_behind_a_prepared_render_still_queued(
    demo_app, demo_client, monkeypatch
):
    """The M benchmark found every PDF download waiting a minute: the worker, busy drawing
    charts, had not yet run the PDF queued ahead of time, and the reader's own request shared
    its marker, so no render at reader priority was queued."""
    from del_tool.jobs import get_jobs
    from del_tool.reports import tasks
    from del_tool.reports.builds import BuildRequest, stored_entry
    from del_tool.store import get_store

    login(demo_client, "analyst", DEMO_PASSWORD)
    assert demo_client.get(EFFECT).status_code == 200  # built (jobs run at once here)
    with demo_app.app_context():
        (document,) = get_store().documents("recent:")
        wanted = BuildRequest.from_json(document)
        jobs = get_jobs()
        with monkeypatch.context() as patch:  # queued, but the busy worker has not run it
            patch.setattr(jobs, "enqueue", lambda *a, **k: None)
            tasks.prepare_pdf(wanted, stored_entry(wanted)["id"])
    pdf = demo_client.get(EFFECT + "&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
