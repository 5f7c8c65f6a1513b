"""Council packs made from the web: a job per request, its progress and files in the store.

A leader or analyst asks for every municipality's pack for a period; `start_packs` stores the
request's state under a new id and queues the `council_packs` job, which builds the packs one
municipality at a time, storing each PDF and XLSX and counting them done, then a ZIP of all.
The progress page reads the state, so it survives a reload, and only the person who asked sees
it. A retried job carries on where it stopped.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from datetime import UTC, date, datetime
from typing import Any

from del_tool.jobs import get_jobs
from del_tool.store import get_store

_ID = re.compile(r"^[0-9a-f]{32}$")
ZIP_NAME = "zip"


def start_packs(*, period: str, user_id: int, language: str, today: date) -> str:
    """Store a new pack request and queue its job; the request's id."""
    pack_id = uuid.uuid4().hex
    state = {
        "id": pack_id,
        "period": period,
        "user_id": user_id,
        "language": language,
        "today": today.isoformat(),
        "created": datetime.now(UTC).isoformat(),
        "total": None,
        "done": [],
        "failed": [],
        "files": [],
        "finished": False,
    }
    store = get_store()
    store.put_json(f"packs:{pack_id}", state)
    store.put_json(f"packs-latest:{user_id}", {"id": pack_id})
    get_jobs().enqueue("council_packs", pack_id=pack_id)
    return pack_id


def pack_state(pack_id: str, *, user_id: int) -> dict[str, Any] | None:
    """The state of a pack request made by `user_id`, or None (unknown, expired, or theirs)."""
    if not _ID.match(pack_id):
        return None
    state = get_store().get_json(f"packs:{pack_id}")
    if state is None or state["user_id"] != user_id:
        return None
    result: dict[str, Any] = state
    return result


def latest_pack(*, user_id: int) -> dict[str, Any] | None:
    """The user's most recent pack request, if it is still stored."""
    latest = get_store().get_json(f"packs-latest:{user_id}")
    return pack_state(latest["id"], user_id=user_id) if latest else None


def pack_file(state: dict[str, Any], name: str) -> bytes | None:
    """One stored file of a pack request ("zip" for all of them), or None."""
    if name != ZIP_NAME and name not in state["files"]:
        return None
    return get_store().get_file(f"packs:{state['id']}:{name}")


def save_state(state: dict[str, Any]) -> None:
    """Store a pack request's state (the job's progress)."""
    get_store().put_json(f"packs:{state['id']}", state)


def store_pack_file(state: dict[str, Any], name: str, data: bytes) -> None:
    """Store one file of a pack request and list it."""
    get_store().put_file(f"packs:{state['id']}:{name}", data)
    if name != ZIP_NAME and name not in state["files"]:
        state["files"].append(name)


def zip_files(state: dict[str, Any]) -> bytes:
    """Every stored file of a pack request in one ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in state["files"]:
            data = pack_file(state, name)
            if data is not None:
                archive.writestr(name, data)
    return buffer.getvalue()
