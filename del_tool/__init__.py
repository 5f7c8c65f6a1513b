"""DEL (Dokumentation, Effekt og Læring): the application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from del_tool.config import ConfigError, check_config, load_config

__all__ = ["ConfigError", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the DEL application; `test_config` replaces instance config and environment.

    Raises ConfigError (one line) when the configuration cannot run the app.
    """
    app = Flask(__name__, instance_relative_config=True)
    register_converters(app)
    load_config(app, test_config)
    check_config(app)
    register_logs(app)
    register_database(app)
    register_extensions(app)
    register_questionnaires(app)
    register_jobs(app)
    register_metrics(app)
    register_blueprints(app)
    register_security(app)
    register_server_timing(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_converters(app: Flask) -> None:
    """Bounded integer ids in URLs (before any route is added)."""
    from del_tool.main.routing import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter


def register_logs(app: Flask) -> None:
    """JSON log lines with a request id; the security event stream (`del_tool.logs`)."""
    from del_tool import logs

    logs.init_app(app)


def register_database(app: Flask) -> None:
    """Engines and the request-scoped session."""
    from del_tool import db

    db.init_app(app)


def register_extensions(app: Flask) -> None:
    """Bind CSRF, login, translations and the rate limiter."""
    from del_tool.auth.services import load_user_from_session_id
    from del_tool.extensions import babel, csrf, limiter, login_manager
    from del_tool.i18n import select_locale

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user_from_session_id)


def register_questionnaires(app: Flask) -> None:
    """Load and validate the questionnaire definitions; refuse to start on an invalid one."""
    from pathlib import Path

    from del_tool.questionnaires import EXTENSION_KEY, DefinitionError, load_registry

    try:
        app.extensions[EXTENSION_KEY] = load_registry(
            Path(app.config["QUESTIONNAIRE_DIR"]),
            overlay_dir=Path(app.instance_path) / "questionnaires",
        )
    except DefinitionError as exc:
        lines = str(exc).splitlines()
        raise ConfigError(
            f"invalid questionnaire definitions ({lines[0] if lines else exc!r}); "
            "run 'del-tool questionnaires check' to list every problem"
        ) from exc


def register_jobs(app: Flask) -> None:
    """The shared store of built reports and the job queue that fills it."""
    from del_tool import jobs, store

    try:
        store.init_app(app)
        jobs.init_app(app)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def register_metrics(app: Flask) -> None:
    """Prometheus metrics, when METRICS_TOKEN is set (`del_tool.metrics`)."""
    from del_tool import metrics

    metrics.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every feature's blueprint."""
    from del_tool.actions.views import bp as actions_bp
    from del_tool.admin.views import bp as admin_bp
    from del_tool.api.app import init_app as init_api
    from del_tool.api.token_views import bp as tokens_bp
    from del_tool.audit.views import bp as audit_bp
    from del_tool.auth.views import bp as auth_bp
    from del_tool.citizens.views import bp as citizens_bp
    from del_tool.followups.views import bp as followups_bp
    from del_tool.goals.views import bp as goals_bp
    from del_tool.imports.views import bp as imports_bp
    from del_tool.main.views import bp as main_bp
    from del_tool.metrics.views import bp as metrics_bp
    from del_tool.questionnaires.blueprint import bp as questionnaires_bp
    from del_tool.referrals.views import bp as referrals_bp
    from del_tool.reminders.views import bp as reminders_bp
    from del_tool.reports.pack_views import bp as packs_bp
    from del_tool.reports.views import bp as reports_bp
    from del_tool.security.views import bp as account_bp
    from del_tool.selfreport.views import bp as selfreport_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(questionnaires_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(citizens_bp)
    app.register_blueprint(goals_bp)
    app.register_blueprint(followups_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(packs_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(selfreport_bp)
    init_api(app)  # the JSON API's blueprint, with its own authentication and errors
    from del_tool import sso

    sso.init_app(app)  # single sign-on and SCIM, only when configured


def register_security(app: Flask) -> None:
    """Session timeouts, second-factor enrolment, deny-by-default permissions, headers."""
    from del_tool import security
    from del_tool.auth.permissions import enforce_endpoint_permission

    security.init_app(app)
    app.before_request(enforce_endpoint_permission)


def register_server_timing(app: Flask) -> None:
    """CPU time per request in a `Server-Timing` header, when SERVER_TIMING is on."""
    from del_tool.main.timing import init_app

    init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages for HTTP errors; 503 when the database is unavailable."""
    from del_tool.main.errors import init_app

    init_app(app)


def register_template_helpers(app: Flask) -> None:
    """Template globals: navigation, language, labels."""
    from del_tool.main.templating import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    """CLI commands that need the app are registered on the del-tool group in cli.py."""
    from del_tool.cli import register_app_commands

    register_app_commands(app)
