"""CLI commands through Flask's runner (and `init`, which needs no app)."""

from __future__ import annotations

from click.testing import CliRunner
from sqlmodel import select

from del_tool.auth.models import User
from del_tool.cli import cli
from del_tool.db import get_db


def test_init_writes_config_once(tmp_path):
    runner = CliRunner()
    target = tmp_path / "inst"
    result = runner.invoke(cli, ["init", "--instance", str(target)])
    assert result.exit_code == 0, result.output
    text = (target / "config.py").read_text()
    assert "SECRET_KEY = '" in text and "DEMO_PASSWORD" in text
    assert oct((target / "config.py").stat().st_mode & 0o777) == "0o600"
    again = runner.invoke(cli, ["init", "--instance", str(target)])
    assert "left unchanged" in again.output
    assert (target / "config.py").read_text() == text


def test_seed_is_idempotent(runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "Seeded 0 municipalities, 0 centres, 0 units." in result.output


def test_demo_command_and_if_empty(app, runner):
    result = runner.invoke(
        args=[
            "demo",
            "--citizens",
            "12",
            "--years",
            "1",
            "--seed",
            "3",
            "--today",
            "2026-01-31",
            "--password",
            "demo-pass-123",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "12 citizens" in result.output and "staff        / demo-pass-123" in result.output
    again = runner.invoke(args=["demo", "--citizens", "12"])
    assert again.exit_code == 1 and "already holds citizens" in again.output
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert skipped.exit_code == 0 and "not loaded again" in skipped.output


def test_users_create_set_password_and_list(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "Kirsten",
            "--name",
            "Kirsten K",
            "--role",
            "council",
            "--municipality",
            "561",
            "--password",
            "a-long-password",
        ]
    )
    assert result.exit_code == 0, result.output
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "kirsten",
            "--name",
            "K",
            "--role",
            "admin",
            "--password",
            "a-long-password",
        ]
    )
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    short = runner.invoke(args=["users", "set-password", "kirsten", "--password", "short"])
    assert short.exit_code == 2 and "mindst 8 tegn" in short.output
    common = runner.invoke(args=["users", "set-password", "kirsten", "--password", "password123"])
    assert common.exit_code == 2 and "for almindelig" in common.output
    changed = runner.invoke(
        args=["users", "set-password", "kirsten", "--password", "another-long-one"]
    )
    assert changed.exit_code == 0
    listing = runner.invoke(args=["users", "list"])
    assert "kirsten" in listing.output and "council" in listing.output
    with app.app_context(), get_db(app).session(write=False) as db:
        user = db.exec(select(User).where(User.username == "kirsten")).one()
        assert user.session_version == 2 and user.municipality_code == "561"


def test_unknown_user_password_change_is_one_line(runner):
    result = runner.invoke(args=["users", "set-password", "nobody", "--password", "long-enough-1"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no user 'nobody'"


def test_setup_migrates_seeds_and_loads_demo_only_when_empty(app, runner):
    first = runner.invoke(args=["setup", "--demo"])
    assert first.exit_code == 0, first.output
    assert "Database at revision" in first.output
    assert "Seeded 0 municipalities" in first.output
    assert "400 citizens" in first.output
    second = runner.invoke(args=["setup", "--demo"])
    assert second.exit_code == 0, second.output
    assert "not loaded again" in second.output
