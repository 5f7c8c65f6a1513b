"""Issue #20 item 1: /readyz checks the database, the job queue and the shared store, each with
a timeout; `del-tool doctor` checks a deployment's configuration, one line per problem."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from del_tool import create_app
from del_tool.db import get_db
from del_tool.main import readiness
from del_tool.main.doctor import doctor_command
from tests.conftest import make_config

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_ready_when_every_part_answers(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok", "database": "ok", "jobs": "ok", "store": "ok"}


@pytest.mark.parametrize(("setting", "part"), [("STORE_URL", "store"), ("JOBS_URL", "jobs")])
def test_not_ready_names_the_part_that_is_down(databases, setting, part):
    url = databases.fresh("seeded")
    app = create_app(make_config(url, **{setting: CLOSED}))
    try:
        answer = app.test_client().get("/readyz")
    finally:
        get_db(app).dispose()
        databases.drop(url)
    assert answer.status_code == 503 and answer.json["status"] == "error"
    assert answer.json[part] == "unavailable"
    assert {k: v for k, v in answer.json.items() if k not in (part, "status")} == {
        name: "ok" for name in ("database", "jobs", "store") if name != part
    }
    assert "Connection" not in answer.text  # no details for the caller


def test_a_part_that_hangs_is_cut_off_at_the_timeout():
    started = time.monotonic()
    why = readiness.within(0.2, lambda: time.sleep(3))
    assert why == "no answer within 0.2 s" and time.monotonic() - started < 1.5


def _doctor(monkeypatch, tmp_path, **env):
    for key in ("DEL_SECRET_KEY", "DEL_AUDIT_KEY", "DEL_WITNESS_PUBLIC_KEY"):
        monkeypatch.delenv(key, raising=False)
    base = {
        "DEL_DATABASE_URL": f"sqlite:///{tmp_path}/doctor.sqlite3",
        "DEL_SECRET_KEY": "s" * 40,
        "DEL_AUDIT_KEY": "a" * 40,
        "DEL_JOBS_URL": "memory://",
        "DEL_STORE_URL": "memory://",
        "DEL_SESSION_COOKIE_SECURE": "true",
        "DEL_REMEMBER_COOKIE_SECURE": "true",
        "DEL_DEBUG": "false",
    }
    for key, value in {**base, **env}.items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(doctor_command, [])


def test_doctor_passes_a_sound_configuration(monkeypatch, tmp_path):
    result = _doctor(monkeypatch, tmp_path)
    assert result.exit_code == 0, result.output
    assert "fit to run" in result.output and "note: PROXY_FIX_X_FOR" in result.output


def test_doctor_prints_one_line_per_problem(monkeypatch, tmp_path):
    result = _doctor(
        monkeypatch,
        tmp_path,
        DEL_SECRET_KEY="short",
        DEL_AUDIT_KEY="",
        DEL_STORE_URL=CLOSED,
        DEL_SESSION_COOKIE_SECURE="false",
    )
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 4, result.output
    assert any(p.startswith("problem: SECRET_KEY") for p in problems)
    assert any(p.startswith("problem: AUDIT_KEY") for p in problems)
    assert any(p.startswith("problem: SESSION_COOKIE_SECURE") for p in problems)
    assert any(p.startswith("problem: STORE_URL: the store cannot be reached") for p in problems)
