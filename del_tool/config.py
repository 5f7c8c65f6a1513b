"""Configuration defaults and start-up checks.

Settings come, in increasing priority, from `DefaultConfig`, `instance/config.py`, `DEL_*`
environment variables (`DEL_DATABASE_URL` sets `DATABASE_URL`; values that parse as JSON are
parsed) and the `test_config` mapping given to `create_app`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

#: The secret shipped in code. It is fine for tests and the debugger, never for a deployment.
DEFAULT_SECRET_KEY = "dev-only-insecure-secret"  # noqa: S105 - a known sentinel, refused in production
MIN_SECRET_KEY_LENGTH = 32
SUPPORTED_DATABASES = ("sqlite", "postgresql")


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run the application; the message is one line."""


class DefaultConfig:
    """Defaults; every name here can be overridden by instance/config.py or DEL_<NAME>."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    #: SQLAlchemy URL; None means `sqlite:///<instance>/del.sqlite3`.
    DATABASE_URL: str | None = None
    SQL_ECHO = False
    SQLITE_BUSY_TIMEOUT_MS = 30_000
    #: Where the questionnaire definitions live; None means the repository's `questionnaires/`.
    QUESTIONNAIRE_DIR: str | None = None

    LANGUAGES = ("da", "en")
    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    BABEL_TRANSLATION_DIRECTORIES = "translations"

    #: Counts and statistics over fewer than this many citizens are suppressed for councils.
    SUPPRESSION_K = 5
    #: Council outputs: a mean or share needs at least this many citizens (more than a count:
    #: one more citizen moves a mean, so a small group's mean gives individuals away sooner).
    COUNCIL_MIN_N_STATISTICS = 10
    #: Council outputs cover whole quarters, half-years and years, published this many days
    #: after the period ends (late records count in the next period's status).
    COUNCIL_PUBLICATION_DAYS = 14
    #: The union audit of council publications: a group under COUNCIL_MIN_N_STATISTICS whose
    #: mean two nested figures narrow to less than this share of one value's range is withheld.
    COUNCIL_AUDIT_PROTECTION = 0.5
    #: The council summary shows the range of the share reliably improved over the reliable
    #: change methods when they differ by more than this share (0.05: 5 percentage points).
    COUNCIL_METHOD_MARGIN = 0.05
    #: The benchmark of regional and municipal offers names every offer to every provider
    #: (the operators agreed to it); otherwise each sees its own by name, the others by letter.
    BENCHMARK_OPEN = False
    #: Baselines of a scale needed before the deployment's reference SD and reliability for
    #: reliable change are frozen (until then they are computed afresh and marked provisional).
    REFERENCE_MIN_BASELINES = 30
    #: A single-item scale has no Cronbach's alpha: without a published reliability it gets
    #: the test-retest ICC of each stay's first two measurements at most this many days apart
    #: (once REFERENCE_MIN_BASELINES such pairs exist).
    REFERENCE_RETEST_DAYS = 30
    #: The reliable change index of the effect report's reliable-change table and headline:
    #: JT (Jacobson-Truax), GLN, EN, HLL, NK or HA (README "Statistics"); the robustness table
    #: shows every method whatever is chosen here.
    RELIABLE_CHANGE_METHOD = "JT"
    #: Logs (`del_tool.logs`): "json" lines on stderr, or "text"; the security event stream
    #: also to a file (a JSON line per event) and/or syslog ("/dev/log" or "host:port", UDP).
    LOG_FORMAT = "json"
    SECURITY_LOG_FILE = ""
    SECURITY_SYSLOG = ""
    #: The accessibility statement (/tilgaengelighed): who runs this deployment, where users
    #: report barriers, the official statement's address on was.digst.dk if one is published,
    #: the deployment's own known exceptions (a list of texts) and the date it was reviewed.
    ACCESSIBILITY_ORGANISATION = ""
    ACCESSIBILITY_CONTACT = ""
    ACCESSIBILITY_REPLY_DAYS = 10
    ACCESSIBILITY_STATEMENT_URL = ""
    ACCESSIBILITY_EXCEPTIONS: tuple[str, ...] = ()
    ACCESSIBILITY_UPDATED = ""
    #: Seconds a built report is served after its data changed before a job rebuilds it (the
    #: older build is served, marked, while the job runs); an anonymisation never waits.
    REPORT_CACHE_MAX_AGE = 60
    #: The job queue (README "Jobs"): sqlite:///FILE (relative to the instance folder),
    #: redis://HOST:PORT/DB, or memory:// (jobs run at once in the web process: tests only).
    JOBS_URL = "sqlite:///jobs.sqlite3"
    #: Jobs one `del-tool worker` runs at a time, and how much lower its CPU priority is.
    JOBS_WORKERS = 1
    JOBS_NICE = 10
    #: The shared store of built reports, files and charts: None (instance/store/),
    #: file:///PATH, redis://HOST:PORT/DB or memory:// (this process only: tests).
    STORE_URL: str | None = None
    #: Seconds anything in the store lives after it was written.
    STORE_TTL = 7 * 24 * 3600
    #: Prometheus metrics at /metrics for `Authorization: Bearer <METRICS_TOKEN>` (at least 32
    #: characters); unset, nothing is recorded and /metrics answers 404 (README "Metrics").
    METRICS_TOKEN = ""
    #: Scheduled backups (README "Backups"): "HH:MM" daily, or a five-field cron expression,
    #: in BABEL_DEFAULT_TIMEZONE, run by `del-tool worker`; "" (default) schedules none.
    BACKUP_SCHEDULE = ""
    #: Where scheduled backups go; None means `<instance>/backups`.
    BACKUP_DIR: str | None = None
    #: After each scheduled backup, keep the newest backup of each of this many days, ISO weeks
    #: and months that have one (the newest backup is always kept); delete DEL's other backups.
    BACKUP_KEEP_DAILY = 7
    BACKUP_KEEP_WEEKLY = 4
    BACKUP_KEEP_MONTHLY = 0
    #: Backups are encrypted (AES-256-GCM) when set: at least 32 random characters; keep it
    #: apart from the backups. Earlier keys in BACKUP_RETIRED_KEYS still open older backups.
    BACKUP_ENCRYPTION_KEY: str | None = None
    BACKUP_RETIRED_KEYS: tuple[str, ...] = ()
    #: Reminders (README "Reminders"): the weekly digest of follow-ups overdue and due, sent by
    #: `del-tool worker` at REMINDER_SCHEDULE (as BACKUP_SCHEDULE; in BABEL_DEFAULT_TIMEZONE)
    #: through MAIL_SERVER; no MAIL_SERVER, no mail. Links in the mail start with PUBLIC_URL.
    #: REMINDER_DETAIL "count" says totals and a link; "units" adds each unit's counts.
    MAIL_SERVER = ""
    MAIL_PORT = 587
    MAIL_SECURITY = "starttls"
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = ""
    PUBLIC_URL = ""
    REMINDER_SCHEDULE = "0 7 * * 1"
    REMINDER_DETAIL = "count"
    #: The locked self-report screen (README "The citizen's own answers") ends by itself after
    #: this many minutes without an answer; what was answered is kept.
    SELF_REPORT_IDLE_MINUTES = 5
    #: Add `Server-Timing: cpu;dur=MS` to responses (the benchmark measures CPU per page).
    SERVER_TIMING = False
    #: A report's mixed models use all stays; only if DEL's REML fit does not converge is the
    #: statsmodels fallback fitted, on a random sample of at most this many stays (it says so).
    REPORT_TRAJECTORY_FALLBACK_MAX_STAYS = 100
    DEFAULT_FOLLOWUP_INTERVAL_DAYS = 182
    #: Days after a stay ended that its unit's staff (and centre's leader) still reach the
    #: citizen through it; they then see only that centre's stays (README "Former units").
    FORMER_STAY_ACCESS_DAYS = 90
    #: How often in 24 hours a user creating citizens is told that a likely match exists
    #: outside their scope (never whom or where; README "Duplicate citizens").
    DUPLICATE_HINTS_PER_DAY = 20
    #: A stay whose legal section does not fit its unit's kind of offer (a § 103 stay in a
    #: botilbud): "refuse" it, or "warn" and store it (README "Stays").
    STAY_SECTION_MISMATCH = "refuse"
    #: Imports (`del_tool.imports`): files larger than this many bytes are refused, and a run
    #: of this many empty rows ends a sheet (a sheet formatted down to its last row).
    IMPORT_MAX_BYTES = 50 * 1024 * 1024
    IMPORT_MAX_EMPTY_ROWS = 1000

    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    SESSION_COOKIE_NAME = "del_session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    #: Flask-Limiter storage. "memory://" suits one process; several workers need a shared
    #: store such as "redis://localhost:6379" so limits hold across them.
    RATELIMIT_STORAGE_URI = "memory://"

    # -- security and privacy (README "Security and privacy") ----------------------------
    #: A login ends after this long without a request, and this long after it began.
    IDLE_TIMEOUT = timedelta(minutes=30)
    ABSOLUTE_TIMEOUT = timedelta(hours=12)
    #: Roles that must use a second factor (TOTP); `del-tool init --https` writes a stricter set.
    TOTP_REQUIRED_ROLES: tuple[str, ...] = ()
    TOTP_ISSUER = "DEL"
    #: Failed logins within the window, per username and per address, before each further
    #: attempt must wait: LOGIN_DELAY_START after the newest failure, doubled for every failure
    #: since, at most LOGIN_DELAY_MAX (README "Logins"). Nobody is locked out.
    LOGIN_FAILURE_WINDOW = timedelta(hours=1)
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    LOGIN_DELAY_START = timedelta(seconds=10)
    LOGIN_DELAY_MAX = timedelta(minutes=15)
    #: Key of the hash the login log keeps of unknown usernames; None derives one from
    #: SECRET_KEY (so a new SECRET_KEY starts new hashes).
    LOGIN_LOG_KEY: str | None = None
    #: Number of trusted proxies setting X-Forwarded-For / -Proto / -Host (0: no proxy).
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    HSTS_MAX_AGE = 365 * 24 * 3600
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "font-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'none'"
    )
    #: Anonymisation coarsens the dates of stays, goals and follow-ups to the month (README
    #: "Retention policy"); False keeps them exact (birth years become decades either way).
    ANONYMISE_COARSEN_DATES = True
    #: Retention: citizens are anonymised this many years after their last stay ended.
    RETENTION_YEARS_AFTER_DISCHARGE = 5
    #: A municipality operating offers sets its own period for them: {"461": 10}.
    RETENTION_YEARS_BY_OPERATOR: dict[str, int] = {}
    #: Login events are deleted after this many days; access events after this many years.
    LOGIN_EVENT_RETENTION_DAYS = 400
    ACCESS_EVENT_RETENTION_YEARS = 5
    #: Key of the change history's MAC chain (docs/SECURITY-history.md); never in the database.
    #: Required outside debug/testing; `del-tool init` writes one. A new key starts a new
    #: segment: move the old one to AUDIT_RETIRED_KEYS so older events still verify.
    AUDIT_KEY: str | None = None
    AUDIT_RETIRED_KEYS: tuple[str, ...] = ()
    #: The history witness's Ed25519 public key (base64, from `del-tool witness keygen`); None:
    #: no witness, and `del-tool audit verify` says the history is not anchored.
    WITNESS_PUBLIC_KEY: str | None = None
    #: Where the witness appends its signed checkpoints; None means
    #: `<instance>/witness/checkpoints.jsonl` (the folder must belong to the witness's user).
    WITNESS_CHECKPOINT_FILE: str | None = None
    #: Key of the stable pseudonyms in analysis exports; required by `del-tool export`.
    PSEUDONYM_KEY: str | None = None
    #: The leaders' sample review: how many recent accesses, from how many days back.
    ACCESS_SAMPLE_SIZE = 20
    ACCESS_SAMPLE_DAYS = 30

    # -- single sign-on (README "Single sign-on") -----------------------------------------
    #: The OpenID provider's issuer URL (DEL_OIDC_ISSUER), exactly as its discovery document
    #: (<issuer>/.well-known/openid-configuration) and its ID tokens name it; "" (default):
    #: local accounts only, and nothing below is used.
    OIDC_ISSUER = ""
    #: DEL's client at the provider; the secret authenticates the code exchange.
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    #: Scopes asked for; "openid" is required, the rest decide which claims come.
    OIDC_SCOPES = "openid profile email"
    #: The login page's button: "Log ind med <OIDC_DISPLAY_NAME>".
    OIDC_DISPLAY_NAME = "din organisation"
    #: The claim that keys the user together with the issuer ("sub"; Entra ID: "oid", the
    #: object id SCIM also sends as externalId). Never an e-mail address.
    OIDC_SUBJECT_CLAIM = "sub"
    #: The claim holding the user's roles (Entra ID's app roles: "roles") and how its values
    #: map to DEL's roles: {"DEL.Staff": "staff", "DEL.Leader": "leader", ...}. A user whose
    #: values map to no role, or to more than one, is refused and deactivated.
    OIDC_ROLE_CLAIM = "roles"
    OIDC_ROLE_MAP: dict[str, str] = {}
    #: The claims holding the scope: "units" (unit ids, for staff), "centre" (a centre id, for
    #: leaders) and "municipality" (a municipality code, for councils).
    OIDC_SCOPE_CLAIMS: dict[str, str] = {
        "units": "del_units",
        "centre": "del_centre",
        "municipality": "del_municipality",
    }
    #: After logout the provider sends the browser back here (RP-initiated logout); "" means
    #: DEL's login page. Register it, the redirect URI (<DEL>/auth/sso/callback) and the
    #: back-channel logout URI (<DEL>/auth/sso/backchannel-logout) at the provider.
    OIDC_POST_LOGOUT_REDIRECT_URI = ""
    #: False turns the local login form off: then only LOCAL_LOGIN_USERS (break-glass
    #: administrators, usernames) may log in with a DEL password.
    LOCAL_LOGIN = True
    LOCAL_LOGIN_USERS: tuple[str, ...] = ()
    #: SCIM 2.0 at /scim/v2 for `Authorization: Bearer <SCIM_TOKEN>` (at least 32 characters);
    #: "" (default): no SCIM endpoint.
    SCIM_TOKEN = ""

    #: Password for the demo users; None means one is generated and printed by `del-tool demo`.
    DEMO_PASSWORD: str | None = None


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill `app.config` from defaults, instance/config.py, DEL_* variables and `test_config`."""
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("DEL")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'del.sqlite3'}"
    if not app.config.get("QUESTIONNAIRE_DIR"):
        app.config["QUESTIONNAIRE_DIR"] = str(Path(app.root_path).parent / "questionnaires")


def check_config(app: Flask) -> None:
    """Refuse configurations that cannot run; outside debug/testing also refuse unsafe ones."""
    check_database_url(app.config["DATABASE_URL"])
    check_reliable_change_method(app.config.get("RELIABLE_CHANGE_METHOD", "JT"))
    check_mail(app.config)
    check_self_report(app.config)
    check_sso(app.config)
    if app.debug or app.testing:
        return
    secret = app.config.get("SECRET_KEY") or ""
    if secret == DEFAULT_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "DEL_SECRET_KEY is missing or too weak: set a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters in instance/config.py or the environment"
        )
    audit_key = app.config.get("AUDIT_KEY") or ""
    if len(str(audit_key)) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "DEL_AUDIT_KEY is missing or too weak: the change history is MAC'd with a key kept "
            f"outside the database; set a random value of at least {MIN_SECRET_KEY_LENGTH} "
            "characters in instance/config.py (`del-tool init` adds one) or the environment"
        )


#: The values RELIABLE_CHANGE_METHOD takes (del_tool.stats.reliable_change_methods.METHODS).
RELIABLE_CHANGE_METHODS = ("JT", "GLN", "EN", "HLL", "NK", "HA")


def check_reliable_change_method(method: object) -> None:
    """Raise ConfigError unless `method` is one of RELIABLE_CHANGE_METHODS."""
    if method not in RELIABLE_CHANGE_METHODS:
        raise ConfigError(
            f"DEL_RELIABLE_CHANGE_METHOD is {method!r}; use one of "
            f"{', '.join(RELIABLE_CHANGE_METHODS)} (JT is Jacobson-Truax, the default)"
        )


def check_self_report(config: Any) -> None:
    """Raise ConfigError unless SELF_REPORT_IDLE_MINUTES is a whole number from 1 to 60 (below
    the login's own idle timeout, which would otherwise end the session first)."""
    minutes = config.get("SELF_REPORT_IDLE_MINUTES", 5)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 60:
        raise ConfigError(
            f"DEL_SELF_REPORT_IDLE_MINUTES is {minutes!r}; use a whole number of minutes, 1 to 60"
        )


def check_mail(config: Any) -> None:
    """Raise ConfigError for mail settings that cannot send a digest (only with MAIL_SERVER)."""
    from del_tool.reminders.mail import DETAIL_CHOICES, SECURITY_CHOICES

    if config.get("REMINDER_DETAIL", "count") not in DETAIL_CHOICES:
        raise ConfigError(
            f"DEL_REMINDER_DETAIL is {config.get('REMINDER_DETAIL')!r}; use count or units"
        )
    if not config.get("MAIL_SERVER"):
        return
    if config.get("MAIL_SECURITY", "starttls") not in SECURITY_CHOICES:
        raise ConfigError(
            f"DEL_MAIL_SECURITY is {config.get('MAIL_SECURITY')!r}; use starttls, ssl or none"
        )
    public = str(config.get("PUBLIC_URL") or "")
    if not public.startswith(("https://", "http://")):
        raise ConfigError(
            "DEL_MAIL_SERVER is set but DEL_PUBLIC_URL is not an http(s) address: the reminder "
            "mails link to it (for example https://del.example.dk)"
        )
    if "@" not in str(config.get("MAIL_FROM") or ""):
        raise ConfigError(
            "DEL_MAIL_SERVER is set but DEL_MAIL_FROM is not an address (for example "
            "del@example.dk)"
        )


def check_database_url(url: str) -> None:
    """Raise ConfigError unless `url` is a parseable SQLite or PostgreSQL URL."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(f"DEL_DATABASE_URL is not a valid database URL: {exc}") from None
    if parsed.get_backend_name() not in SUPPORTED_DATABASES:
        raise ConfigError(
            f"DEL_DATABASE_URL uses '{parsed.get_backend_name()}'; "
            f"DEL supports {' and '.join(SUPPORTED_DATABASES)}"
        )


def check_sso(config: Any) -> None:
    """Raise ConfigError for single sign-on and SCIM settings that cannot work."""
    from del_tool.auth.models import Role

    issuer = str(config.get("OIDC_ISSUER") or "")
    scim_token = str(config.get("SCIM_TOKEN") or "")
    if scim_token and len(scim_token) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"DEL_SCIM_TOKEN is too short: use a random value of at least {MIN_SECRET_KEY_LENGTH} "
            "characters"
        )
    if not issuer:
        if not config.get("LOCAL_LOGIN", True):
            raise ConfigError(
                "DEL_LOCAL_LOGIN is off but DEL_OIDC_ISSUER is not set: nobody could log in"
            )
        return
    if not issuer.startswith(("https://", "http://")):
        raise ConfigError(f"DEL_OIDC_ISSUER is {issuer!r}; use the provider's https:// issuer URL")
    if not config.get("OIDC_CLIENT_ID"):
        raise ConfigError(
            "DEL_OIDC_ISSUER is set but DEL_OIDC_CLIENT_ID is not: register DEL "
            "as a client at the provider and set its client id and secret"
        )
    if "openid" not in str(config.get("OIDC_SCOPES") or "").split():
        raise ConfigError("DEL_OIDC_SCOPES must include openid")
    role_map = config.get("OIDC_ROLE_MAP") or {}
    if not isinstance(role_map, dict) or not role_map:
        raise ConfigError(
            "DEL_OIDC_ROLE_MAP must map claim values to DEL roles, for example "
            '{"DEL.Staff": "staff"}'
        )
    roles = {role.value for role in Role}
    wrong = sorted(str(v) for v in role_map.values() if v not in roles)
    if wrong:
        raise ConfigError(
            f"DEL_OIDC_ROLE_MAP maps to unknown roles {', '.join(wrong)}; use "
            f"{', '.join(sorted(roles))}"
        )
    scope_claims = config.get("OIDC_SCOPE_CLAIMS") or {}
    if not isinstance(scope_claims, dict) or set(scope_claims) - {
        "units",
        "centre",
        "municipality",
    }:
        raise ConfigError("DEL_OIDC_SCOPE_CLAIMS takes the keys units, centre and municipality")
