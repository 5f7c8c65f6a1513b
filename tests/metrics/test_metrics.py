"""Issue #20 item 2: `/metrics` in Prometheus's text format behind a bearer token, with requests
per Flask endpoint, jobs, store hits and misses, logins, the union audit's withholdings and the
history's last verification; labels are names from the code, never ids or names.

Metrics files are per process and the counters live as long as the process, so each test
compares a scrape after what it does with one before (a delta), whatever earlier tests counted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from del_tool import ConfigError, create_app
from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_db
from del_tool.metrics.multiprocess import VARIABLE
from tests.conftest import DEMO_PASSWORD, login, make_config
from tests.security.helpers import db_session

TOKEN = "metrics-token-for-the-tests-0123456789abcdef"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
EFFECT = "/reports/report?kind=effect&scope=region&period=2026"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module", autouse=True)
def multiprocess_folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The process's metrics folder: set once, before prometheus_client is first imported, and
    kept for the rest of the process (prometheus_client reads it for every new series)."""
    return os.environ.setdefault(VARIABLE, str(tmp_path_factory.mktemp("prometheus")))


@pytest.fixture
def metrics_app(databases: Any) -> Iterator[Flask]:
    """The demo region with metrics on."""
    url = databases.fresh("demo")
    app = create_app(make_config(url, METRICS_TOKEN=TOKEN))
    yield app
    get_db(app).dispose()
    databases.drop(url)


def scrape(client: Any) -> Samples:
    """Every sample of an authorised scrape, by name and labels."""
    from prometheus_client.parser import text_string_to_metric_families

    answer = client.get("/metrics", headers=BEARER)
    assert answer.status_code == 200, answer.text
    assert answer.content_type.startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when the series does not exist yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_without_a_token_configured_the_endpoint_does_not_exist(demo_client):
    assert demo_client.get("/metrics").status_code == 404
    assert demo_client.get("/metrics", headers=BEARER).status_code == 404


def test_a_scrape_needs_the_bearer_token(metrics_app):
    client = metrics_app.test_client()
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
    ):
        answer = client.get("/metrics", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert "del_http" not in answer.text
    assert client.get("/metrics", headers=BEARER).status_code == 200


def test_a_short_token_is_refused_at_start(databases):
    url = databases.fresh("seeded")
    with pytest.raises(ConfigError, match="METRICS_TOKEN is too short"):
        create_app(make_config(url, METRICS_TOKEN="short"))
    databases.drop(url)


def _own_citizen(app: Flask) -> tuple[int, str]:
    from tests.security.endpoints import scoped_ids

    with db_session(app) as db:
        citizen_id = scoped_ids(db)["own"]["citizen_id"]
        return citizen_id, db.get(Citizen, citizen_id).name


def test_requests_logins_jobs_and_the_store_are_counted(metrics_app):
    """After: two health checks, a page of an unknown URL, a failed and a good login, a
    citizen's page and the region's effect report (built by a job, read from the store)."""
    client = metrics_app.test_client()
    before = scrape(client)
    citizen_id, _name = _own_citizen(metrics_app)
    client.get("/healthz")
    client.get("/healthz")
    assert client.get("/no-such-page/4711").status_code == 404
    login(client, "staff", "not the password")
    login(client, "staff", DEMO_PASSWORD)
    assert client.get(f"/citizens/{citizen_id}").status_code == 200
    analyst = metrics_app.test_client()
    login(analyst, "analyst", DEMO_PASSWORD)
    assert analyst.get(EFFECT).status_code == 200
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "del_http_requests_total"
    assert delta(requests, endpoint="main.healthz", method="GET", status="200") == 2
    assert delta(requests, endpoint="unmatched", method="GET", status="404") == 1
    assert delta(requests, endpoint="auth.login", method="POST", status="302") == 2
    assert delta(requests, endpoint="citizens.profile", method="GET", status="200") == 1
    # The scrape before this one is counted too, with its duration.
    assert delta(requests, endpoint="metrics.scrape", method="GET", status="200") == 1
    duration = "del_http_request_duration_seconds_count"
    assert delta(duration, endpoint="main.healthz", method="GET") == 2
    assert delta("del_http_request_duration_seconds_sum", endpoint="main.healthz", method="GET") > 0

    assert delta("del_login_failures_total", reason="wrong_password") == 1
    assert delta("del_logins_total") == 2  # staff and analyst
    assert delta("del_security_events_total", event="login") == 3

    assert delta("del_job_duration_seconds_count", job="build_report", outcome="ok") == 1
    assert delta("del_store_reads_total", kind="build", result="miss") >= 1
    assert delta("del_store_reads_total", kind="build", result="hit") >= 1
    assert value(after, "del_jobs_queue_up") == 1 and value(after, "del_jobs_queued") == 0


def test_labels_carry_endpoint_names_and_code_names_only(metrics_app):
    client = metrics_app.test_client()
    citizen_id, name = _own_citizen(metrics_app)
    login(client, "staff", DEMO_PASSWORD)
    client.get(f"/citizens/{citizen_id}?q={name.split()[0]}")
    client.get(f"/citizens/{citizen_id + 100000}")
    client.get("/citizens/Jens-Hansen")
    text = client.get("/metrics", headers=BEARER).text
    samples = scrape(client)
    endpoints = set(metrics_app.view_functions) | {"unmatched"}
    label_names = {"endpoint", "method", "status", "job", "outcome", "kind", "result", "reason"}
    for (metric, labels), _value in samples.items():
        assert metric.startswith("del_"), metric
        for label, shown in labels:
            assert label in label_names | {"le", "event"}, (metric, label)
            if label == "endpoint":
                assert shown in endpoints, shown
            elif label == "status":
                assert re.fullmatch(r"[1-5]\d\d", shown), shown
            elif label == "method":
                assert shown in {"GET", "HEAD", "POST", "other"}, shown
            elif label != "le":
                assert re.fullmatch(r"[a-z][a-z0-9_.-]*", shown), (label, shown)
    with db_session(metrics_app) as db:
        names = [n for n in db.exec(select(Citizen.name)).all() if n]
        stay_ids = [str(i) for i in db.exec(select(Stay.id)).all()]
    assert not [n for n in names if n in text]
    assert f"/citizens/{citizen_id}" not in text and "Jens" not in text
    assert not [i for i in stay_ids if re.search(rf'"{i}"', text)]  # no id is a label value


def test_the_history_verification_is_shown_after_audit_verify(metrics_app):
    client = metrics_app.test_client()
    result = metrics_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    events = int(re.search(r"History intact: (\d+) events", result.output).group(1))
    samples = scrape(client)
    assert value(samples, "del_history_verification_problems") == 0
    assert value(samples, "del_history_verification_events") == events > 0
    assert value(samples, "del_history_verification_timestamp_seconds") > 1.7e9
    from del_tool.store import get_store

    with metrics_app.app_context():
        get_store().clear()  # an anonymisation empties the store, but not this record
    assert value(scrape(client), "del_history_verification_events") == events


def test_the_union_audit_counts_withheld_cells_and_refusals(metrics_app, monkeypatch):
    """Publishing Q1, Q2 and then H1 for Odense withholds cells of H1 (differencing, see
    tests/security/test_union_audit.py); a refusal is counted when even that is not enough."""
    from del_tool.reports.common.period import parse_period
    from del_tool.reports.council import union
    from del_tool.reports.council.publication import publish
    from del_tool.reports.models import CouncilPublication

    client = metrics_app.test_client()
    before = scrape(client)
    with metrics_app.test_request_context():
        for key in ("2026Q1", "2026Q2", "2026H1"):
            publish("461", parse_period(key))
        with get_db(metrics_app).session(write=False) as session:
            withheld = sum(
                len(content["audit"]["withheld"])
                for content in session.exec(select(CouncilPublication.content)).all()
            )
    after = scrape(client)
    assert withheld > 0
    assert (
        value(after, "del_council_cells_withheld_total")
        - value(before, "del_council_cells_withheld_total")
        == withheld
    )

    class Finding:
        cells = ("x",)

        def describe(self) -> str:
            return "a finding no withholding can answer"

    monkeypatch.setattr(union, "audit", lambda *a, **k: [Finding()])
    monkeypatch.setattr(union, "_to_withhold", lambda *a: None)
    monkeypatch.setattr(
        union, "read_cell", lambda report, spec, k, period: type("Cell", (), {"key": "x"})()
    )
    with metrics_app.app_context(), pytest.raises(union.PublicationRefusedError):
        union.audited(None, [None], ("", ""), [], k=5, min_n=10, protection=0.5)  # type: ignore[arg-type]
    refused = "del_council_publications_refused_total"
    assert value(scrape(client), refused) - value(after, refused) == 1


def test_a_failed_job_is_counted_as_an_error(metrics_app):
    from del_tool.jobs import get_jobs

    client = metrics_app.test_client()
    before = scrape(client)
    with metrics_app.test_request_context():
        get_jobs().enqueue("build_report", request={})  # no kind: a KeyError, retried twice
    after = scrape(client)
    series = {"job": "build_report", "outcome": "error"}
    name = "del_job_duration_seconds_count"
    assert value(after, name, **series) - value(before, name, **series) == 3
