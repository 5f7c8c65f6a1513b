"""Report jobs: build a report into the store, render its files, keep recent reports current.

Each job is idempotent: it reads the store first and does nothing when what it would make is
there already, so a retried or doubled job costs a look-up. A job that fails its last attempt
records a one-line reason where the waiting page looks (`failed:` keys), so the reader gets a
message, not an endless wait.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from huey import crontab

from del_tool.db import get_db
from del_tool.jobs import get_jobs, job
from del_tool.reports.builds import (
    FAILURE_SECONDS,
    LEASE_SECONDS,
    BuildRequest,
    ask_for_build,
    file_key,
    needs_rebuild,
    request_versions,
    store_build,
    stored_entry,
)
from del_tool.store import get_store

log = logging.getLogger(__name__)


#: What a reader waits for runs first; packs next; drawings asked for by sweeps last.
READER_PRIORITY = 100
PACKS_PRIORITY = 50
#: Files rendered ahead of a request (the PDF of a fresh build): after drawings someone asked for.
PREPARE_PRIORITY = 30


@job(retries=2, retry_delay=5, priority=READER_PRIORITY)
def build_report(*, request: dict[str, Any], final_attempt: bool) -> None:
    """Build the report `request` names, draw its charts and store them (one build per key)."""
    wanted = BuildRequest.from_json(request)
    store = get_store()
    lease = f"lease:{wanted.key}"
    if not store.add_json(lease, {"at": datetime.now(UTC).isoformat()}, LEASE_SECONDS):
        return  # another worker is building it
    try:
        _build(wanted)
    except Exception as exc:
        if final_attempt:
            _record_failure(wanted, f"failed:{wanted.key}", exc)
        raise
    finally:
        store.delete(lease)
        store.delete(f"queued:{wanted.key}")


def _build(wanted: BuildRequest) -> None:
    from del_tool.reports.services import encoded_build

    with get_db().session(write=False) as session:
        version, privacy = request_versions(session, wanted)
        entry = stored_entry(wanted)
        if entry is not None and entry["version"] == version and entry["privacy"] == privacy:
            return
        encoded_report, encoded_charts = encoded_build(wanted, session=session)
        if request_versions(session, wanted)[1] != privacy:
            return  # a citizen was anonymised meanwhile: never store what may name them
    build_id = store_build(
        wanted, version=version, privacy=privacy, report=encoded_report, charts=encoded_charts
    )
    if not get_jobs().immediate:
        prepare_pdf(wanted, build_id)


def prepare_pdf(wanted: BuildRequest, build_id: str) -> None:
    """Queue the PDF of a fresh build, below what anyone is waiting for: readers often download
    what they just read. Its own marker, so a reader who asks meanwhile still queues a render
    at reader priority instead of waiting behind this one."""
    marker = f"prepared:{file_key(wanted, 'pdf', build_id)}"
    now = datetime.now(UTC).isoformat()
    if get_store().add_json(marker, {"at": now}, LEASE_SECONDS):
        get_jobs().enqueue(
            "render_file",
            priority=PREPARE_PRIORITY,
            request=wanted.to_json(),
            output="pdf",
            build_id=build_id,
        )


@job(retries=2, retry_delay=5, priority=READER_PRIORITY)
def render_file(
    *, request: dict[str, Any], output: str, build_id: str, final_attempt: bool
) -> None:
    """Render the stored build's `output` file (PDF, XLSX or CSV) and store it beside it."""
    wanted = BuildRequest.from_json(request)
    store = get_store()
    name = file_key(wanted, output, build_id)
    try:
        entry = stored_entry(wanted)
        if entry is None or entry["id"] != build_id or store.get_file(name) is not None:
            return  # rebuilt since (the page will ask again) or rendered already
        store.put_file(name, _render(entry, output, wanted.language))
    except Exception as exc:
        if final_attempt:
            _record_failure(wanted, f"failed:{name}", exc)
        raise
    finally:
        store.delete(f"queued:{name}")
        store.delete(f"prepared:{name}")


def _render(entry: dict[str, Any], output: str, language: str) -> bytes:
    from del_tool.reports.codec import decode
    from del_tool.reports.common.labels import rendering_context
    from del_tool.reports.rendering.pages import render_report_pdf
    from del_tool.reports.rendering.spreadsheet import render_report_csv, render_report_xlsx

    report, charts = decode(entry["report"]), decode(entry["charts"])
    with rendering_context(language):
        if output == "pdf":
            return render_report_pdf(report, charts=charts)
        if output == "xlsx":
            return render_report_xlsx(report)
        if output == "csv":
            return render_report_csv(report)
    raise ValueError(f"unknown output {output!r}")


@job(periodic=crontab(minute="*"))
def refresh_reports(*, final_attempt: bool = True) -> int:
    """Rebuild the reports opened in the last hour whose data changed; how many were asked for.

    A build younger than the grace is left alone, so a stream of saves rebuilds a report at
    most once per grace period.
    """
    store = get_store()
    asked = 0
    with get_db().session(write=False) as session:
        for document in store.documents("recent:"):
            wanted = BuildRequest.from_json(document)
            entry = stored_entry(wanted)
            if entry is None:
                continue
            if needs_rebuild(entry, request_versions(session, wanted)[0]):
                ask_for_build(wanted)
                asked += 1
    return asked


def _record_failure(wanted: BuildRequest, key: str, exc: Exception) -> None:
    log.exception("report job failed: %s", key)
    with get_db().session(write=False) as session:
        version, _ = request_versions(session, wanted)
    message = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    get_store().put_json(key, {"version": version, "message": message}, FAILURE_SECONDS)


@job(retries=1, retry_delay=10, priority=PACKS_PRIORITY)
def council_packs(*, pack_id: str, final_attempt: bool) -> None:
    """Build every municipality's council pack for a pack request, counting them done."""
    from del_tool.reports import packs

    state = get_store().get_json(f"packs:{pack_id}")
    if state is None or state["finished"]:
        return
    try:
        _council_packs(state)
    except Exception as exc:
        if final_attempt:
            log.exception("council packs %s failed", pack_id)
            state["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            state["finished"] = True
            packs.save_state(state)
        raise


def _council_packs(state: dict[str, Any]) -> None:
    from del_tool.reports import packs
    from del_tool.reports.common import queries
    from del_tool.reports.common.labels import rendering_context
    from del_tool.reports.common.period import parse_period
    from del_tool.reports.services import build_council_packs, council_municipalities, pack_names

    period = parse_period(state["period"])
    with get_db().session(write=False) as session, rendering_context(state["language"]):
        codes = council_municipalities(session=session, period=period)
        names = queries.municipality_names(session, set(codes))
        state["total"] = len(codes)
        packs.save_state(state)
        finished = {entry["code"] for entry in state["done"] + state["failed"]}
        remaining = [code for code in codes if code not in finished]
        day = date.fromisoformat(state["today"])
        for code, result in build_council_packs(
            session=session, codes=remaining, period=period, today=day
        ):
            name = names.get(code, code)
            if isinstance(result, Exception):
                message = f"{type(result).__name__}: {result}".splitlines()[0][:200]
                state["failed"].append({"code": code, "name": name, "message": message})
            else:
                for file_name, data in zip(pack_names(code, name, period), result, strict=True):
                    packs.store_pack_file(state, file_name, data)
                state["done"].append({"code": code, "name": name})
            packs.save_state(state)
    packs.store_pack_file(state, packs.ZIP_NAME, packs.zip_files(state))
    state["finished"] = True
    packs.save_state(state)


@job(periodic=crontab(minute="7"))
def sweep_store(*, final_attempt: bool = True) -> int:
    """Once an hour: remove what has expired from a folder store (Redis expires keys itself)."""
    from del_tool.store.backends import FolderBackend

    backend = get_store().backend
    return backend.sweep() if isinstance(backend, FolderBackend) else 0


@job(periodic=crontab(hour="2", minute="30"))
def publish_due_council_summaries(*, final_attempt: bool = True) -> int:
    """Nightly: publish (freeze) every paying municipality's summary of the newest quarter
    due by today, so it is frozen on its publication day; how many were published now."""
    from del_tool.modelbase import local_today
    from del_tool.reports.common.context import latest_published_quarter
    from del_tool.reports.council.publication import publish, published_content
    from del_tool.reports.council.report import region_benchmark
    from del_tool.reports.services import council_municipalities

    period = latest_published_quarter(local_today())
    with get_db().session(write=False) as session:
        due = [
            code
            for code in council_municipalities(session=session, period=period)
            if published_content(session, code, period) is None
        ]
        benchmark = region_benchmark(session=session, period=period) if due else None
    for code in due:
        publish(code, period, benchmark=benchmark)
    return len(due)
