"""Built reports in the shared store: what a page asks for, what it is served, what gets rebuilt.

A `BuildRequest` names one build: the report (kind, scope or municipality, period, filters), the
viewer's privacy class (units, municipality, whether names show: one scope's build is never
served to another), language, today's date and k, but never an output format: the page, the
PDF, the XLSX and the CSV are rendered from the same build and stored beside it.

A page never builds. It reads the stored build (`fetch_build`): when the build's data version
(of the units the report covers, `versions.scope_versions`) is current it is served; when older,
it is still served at once, marked with when it was built, and past `REPORT_CACHE_MAX_AGE`
seconds (the grace) a job rebuilds it. Rebuilds of one key are coalesced: one queued job and one
build at a time. A build older than the privacy version (an anonymisation) is never served. A
report with no build yet is "being prepared"; the page refreshes itself until it is built. The
worker also rebuilds the reports opened in the last hour after their data change
(`tasks.refresh_reports`), so most readers never wait.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from sqlmodel import Session

from del_tool.auth.scope import Scope
from del_tool.charts import Chart
from del_tool.jobs import get_jobs
from del_tool.reports.common.model import Report
from del_tool.reports.common.selection import Filters
from del_tool.reports.versions import scope_versions
from del_tool.store import get_store

#: Seconds a queued job or a build holds its key (a dead worker's lease expires after this).
LEASE_SECONDS = 300
#: Seconds a failed build is remembered (then the next view tries again).
FAILURE_SECONDS = 60
#: Seconds a report counts as recently opened (the worker keeps those up to date).
RECENT_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """One build: report, viewer's privacy class, language, day and k (see the module doc)."""

    kind: str
    period: str
    language: str
    today: str
    k: int
    scope: str | None = None
    municipality: str | None = None
    filters: dict[str, str | None] = field(default_factory=dict)
    viewer_units: tuple[int, ...] | None = None
    viewer_municipality: str | None = None
    viewer_sees_names: bool = False
    #: The units whose data the report reads (None: every unit), for the data version.
    units: tuple[int, ...] | None = None
    #: A published council summary: it never changes with the data (`council.publication`).
    frozen: bool = False

    @property
    def key(self) -> str:
        """A digest of everything the build depends on."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The request as a JSON object (a job's argument)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BuildRequest:
        """The request a job was given."""
        for name in ("viewer_units", "units"):
            if data.get(name) is not None:
                data = {**data, name: tuple(data[name])}
        return cls(**data)

    @property
    def viewer(self) -> Scope:
        """The viewer's scope as the builders take it."""
        units = None if self.viewer_units is None else frozenset(self.viewer_units)
        return Scope(units, self.viewer_municipality, self.viewer_sees_names)

    @property
    def day(self) -> date:
        """The day the report is made for."""
        return date.fromisoformat(self.today)


def make_request(
    *,
    kind: str,
    period: str,
    viewer: Scope,
    language: str,
    today: date,
    k: int,
    scope: str | None = None,
    units: frozenset[int] | None = None,
    municipality: str | None = None,
    filters: Filters | None = None,
    frozen: bool = False,
) -> BuildRequest:
    """A build request from what a view knows."""
    chosen = filters or Filters()
    return BuildRequest(
        kind=kind,
        period=period,
        language=language,
        today=today.isoformat(),
        k=k,
        scope=scope,
        municipality=municipality,
        filters={
            "legal_section": chosen.legal_section.value if chosen.legal_section else None,
            "target_group": chosen.target_group.value if chosen.target_group else None,
            "municipality_code": chosen.municipality_code,
        },
        viewer_units=None if viewer.unit_ids is None else tuple(sorted(viewer.unit_ids)),
        viewer_municipality=viewer.municipality_code,
        viewer_sees_names=viewer.sees_names,
        units=None if units is None else tuple(sorted(units)),
        frozen=frozen,
    )


@dataclass(slots=True)
class Served:
    """What a page gets: a build (maybe older than the data), or why there is none yet."""

    state: str  # "ready", "preparing" or "failed"
    report: Report | None = None
    charts: dict[str, Chart] = field(default_factory=dict)
    built_at: datetime | None = None
    stale: bool = False
    build_id: str | None = None
    since: datetime | None = None
    message: str | None = None


def grace_seconds() -> float:
    """Seconds a build older than its data is served before a rebuild is asked for."""
    return float(current_app.config.get("REPORT_CACHE_MAX_AGE", 60))


def fetch_build(request: BuildRequest, *, session: Session) -> Served:
    """The stored build for `request`, asking for a (re)build when needed (see module doc)."""
    store = get_store()
    version, privacy = request_versions(session, request)
    store.add_json(f"recent:{request.key}", request.to_json(), RECENT_SECONDS)
    entry = store.get_json(f"build:{request.key}")
    if _servable(entry, privacy):
        if needs_rebuild(entry, version):
            ask_for_build(request)
        return _ready(entry, stale=entry["version"] != version)
    failure = store.get_json(f"failed:{request.key}")
    if failure is not None and failure["version"] == version:
        return Served("failed", message=failure["message"])
    since = ask_for_build(request)
    if get_jobs().immediate:
        entry = store.get_json(f"build:{request.key}")
        if _servable(entry, privacy):
            return _ready(entry, stale=False)
        failure = store.get_json(f"failed:{request.key}")
        if failure is not None:
            return Served("failed", message=failure["message"])
    return Served("preparing", since=since)


def request_versions(session: Session, request: BuildRequest) -> tuple[list[int], int]:
    """(data version, privacy version) a build of `request` depends on; a frozen (published)
    summary depends on no data."""
    version, privacy = scope_versions(session, request.units)
    return ([] if request.frozen else version), privacy


def ask_for_build(request: BuildRequest) -> datetime:
    """Queue a build of `request` unless one is queued; when the queued one was asked for."""
    store = get_store()
    now = datetime.now(UTC)
    marker = f"queued:{request.key}"
    if store.add_json(marker, {"at": now.isoformat()}, LEASE_SECONDS):
        get_jobs().enqueue("build_report", request=request.to_json())
        return now
    queued = store.get_json(marker)
    return datetime.fromisoformat(queued["at"]) if queued else now


def fetch_file(
    request: BuildRequest, output: str, *, session: Session
) -> tuple[Served, bytes | None]:
    """The build and its rendered `output` file ("pdf", "xlsx", "csv"), asking for either."""
    served = fetch_build(request, session=session)
    if served.state != "ready" or served.build_id is None:
        return served, None
    store = get_store()
    name = file_key(request, output, served.build_id)
    data = store.get_file(name)
    if data is None:
        if store.add_json(f"queued:{name}", {"at": datetime.now(UTC).isoformat()}, LEASE_SECONDS):
            get_jobs().enqueue(
                "render_file", request=request.to_json(), output=output, build_id=served.build_id
            )
        data = store.get_file(name)
        if data is None:
            failure = store.get_json(f"failed:{name}")
            if failure is not None:
                return Served("failed", message=failure["message"]), None
            return Served("preparing", since=datetime.now(UTC)), None
    return served, data


def file_key(request: BuildRequest, output: str, build_id: str) -> str:
    """Where a build's rendered file is stored."""
    return f"file:{request.key}:{build_id}:{output}"


def store_build(
    request: BuildRequest,
    *,
    version: list[int],
    privacy: int,
    report: Any,
    charts: Any,
) -> str:
    """Store an encoded build with the versions it was read at; its new id."""
    build_id = uuid.uuid4().hex
    get_store().put_json(
        f"build:{request.key}",
        {
            "id": build_id,
            "version": version,
            "privacy": privacy,
            "built_at": datetime.now(UTC).isoformat(),
            "report": report,
            "charts": charts,
        },
    )
    return build_id


def stored_entry(request: BuildRequest) -> Any:
    """The stored build document of `request`, or None."""
    return get_store().get_json(f"build:{request.key}")


def _servable(entry: Any, privacy: int) -> bool:
    return entry is not None and entry.get("privacy") == privacy


def needs_rebuild(entry: dict[str, Any], version: list[int]) -> bool:
    """Whether a stored build is older than its data and past the grace (so a stream of saves
    rebuilds a report at most once per grace period)."""
    built = datetime.fromisoformat(entry["built_at"])
    age = (datetime.now(UTC) - built).total_seconds()
    return bool(entry["version"] != version and age > grace_seconds())


def _ready(entry: dict[str, Any], *, stale: bool) -> Served:
    from del_tool.reports.codec import decode

    return Served(
        "ready",
        report=decode(entry["report"]),
        charts=decode(entry["charts"]),
        built_at=datetime.fromisoformat(entry["built_at"]),
        stale=stale,
        build_id=entry["id"],
    )
