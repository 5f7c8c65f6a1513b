"""The application factory and configuration: defaults, overrides, refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from del_tool import ConfigError, create_app
from del_tool.config import DEFAULT_SECRET_KEY
from del_tool.db import get_db
from tests.conftest import TEST_SECRET, make_config


def test_testing_config_is_used(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == TEST_SECRET
    assert app.config["SUPPRESSION_K"] == 5


def test_production_refuses_default_secret():
    with pytest.raises(ConfigError, match="DEL_SECRET_KEY"):
        create_app({"SECRET_KEY": DEFAULT_SECRET_KEY, "DATABASE_URL": "sqlite://"})


def test_production_refuses_short_secret():
    with pytest.raises(ConfigError, match="at least 32"):
        create_app({"SECRET_KEY": "short", "DATABASE_URL": "sqlite://"})


def test_production_accepts_strong_secret():
    app = create_app({"SECRET_KEY": "x" * 40, "AUDIT_KEY": "y" * 40, "DATABASE_URL": "sqlite://"})
    assert not app.testing
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a valid database URL"),
        ("mysql://u@h/db", "supports sqlite and postgresql"),
    ],
)
def test_unusable_database_url_is_refused(url, message):
    with pytest.raises(ConfigError, match=message):
        create_app(make_config(url))


def test_sqlite_default_lives_in_instance_folder():
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET})
    assert app.config["DATABASE_URL"] == f"sqlite:///{Path(app.instance_path) / 'del.sqlite3'}"


def _run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run del-tool in a clean directory with only the given DEL_* variables."""
    base = {k: v for k, v in __import__("os").environ.items() if not k.startswith("DEL_")}
    return subprocess.run(
        [sys.executable, "-c", "from del_tool.cli import main; main()", *args],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_start_with_bad_config_is_one_line_and_nonzero(tmp_path):
    result = _run_cli(
        tmp_path,
        "db",
        "current",
        DEL_SECRET_KEY="y" * 40,
        DEL_DATABASE_URL="oracle://nobody@nowhere/db",
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("Error: DEL_DATABASE_URL uses 'oracle'")


def test_cli_start_without_secret_in_production_fails_clearly(tmp_path):
    result = _run_cli(tmp_path, "db", "current", DEL_DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    assert result.returncode == 1
    assert "DEL_SECRET_KEY is missing or too weak" in result.stderr
    assert "Traceback" not in result.stderr


def test_environment_variables_override(tmp_path, monkeypatch):
    monkeypatch.setenv("DEL_SUPPRESSION_K", "7")
    monkeypatch.setenv("DEL_SECRET_KEY", "z" * 40)
    monkeypatch.setenv("DEL_AUDIT_KEY", "a" * 40)
    monkeypatch.setenv("DEL_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    app = create_app()
    assert app.config["SUPPRESSION_K"] == 7
    assert app.config["DATABASE_URL"].endswith("env.sqlite3")


def test_invalid_questionnaire_definition_stops_start_up(tmp_path):
    (tmp_path / "broken.yaml").write_text("id: broken\nversion: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="questionnaires check"):
        create_app(make_config("sqlite://", QUESTIONNAIRE_DIR=str(tmp_path)))


#: What a web worker must not load at start-up: each is imported where it is used.
HEAVY_LIBRARIES = ("matplotlib", "pandas", "scipy", "statsmodels", "weasyprint", "openpyxl")


@pytest.fixture(scope="module")
def loaded_at_start(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> set[str]:
    """The top-level packages a fresh process holds after `create_app()`, as a worker starts."""
    folder = tmp_path_factory.mktemp("start")
    config = {
        "SECRET_KEY": "x" * 40,
        "AUDIT_KEY": "y" * 40,
        "DATABASE_URL": f"sqlite:///{folder / 'del.sqlite3'}",
        "JOBS_URL": f"sqlite:///{folder / 'jobs.sqlite3'}",
        "STORE_URL": f"file://{folder / 'store'}",
    }
    code = (
        "import sys\n"
        "from del_tool import create_app\n"
        f"create_app({config!r})\n"
        "print(' '.join(sorted({name.partition('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


@pytest.mark.parametrize("library", HEAVY_LIBRARIES)
def test_create_app_loads_no_heavy_library(loaded_at_start, library):
    """A worker starts in well under a second: charts, statistics, PDF and XLSX libraries are
    imported by the code that uses them (reports, charts, exports), not by the app factory."""
    assert library not in loaded_at_start


def test_server_timing_reports_cpu_per_request_only_when_asked(databases):
    url = databases.fresh("seeded")
    apps = [create_app(make_config(url)), create_app(make_config(url, SERVER_TIMING=True))]
    plain, timed = (app.test_client().get("/healthz") for app in apps)
    assert "Server-Timing" not in plain.headers
    assert timed.headers["Server-Timing"].startswith("cpu;dur=")
    for app in apps:
        get_db(app).dispose()
    databases.drop(url)
