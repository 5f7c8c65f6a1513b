"""A deployment's questionnaire wording (text overlays) uploaded on an administration page.

An upload is checked with the overlay module's own rules (`read_overlays`), kept in the shared
store under a random token tied to the uploading administrator while it is previewed, and on
saving written atomically to ``<instance>/questionnaires/<id>.<lang>.yaml``. The running process
then reloads its registry; other web workers and the job worker read the file at their next
restart.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from del_tool.questionnaires import EXTENSION_KEY, DefinitionError, load_registry
from del_tool.questionnaires.definition import QuestionnaireDefinition
from del_tool.questionnaires.errors import Problem
from del_tool.questionnaires.overlays import OverlayFile, apply_overlay, read_overlays
from del_tool.questionnaires.registry import Registry, check_definitions
from del_tool.store import get_store

#: The largest overlay file accepted (bytes).
MAX_BYTES = 64 * 1024
#: How long a previewed upload waits for "save" (seconds).
PENDING_TTL = 600
_PREFIX = "wording-upload:"


def overlay_dir(app: Flask) -> Path:
    """Where the app reads its overlays: ``<instance>/questionnaires``."""
    return Path(app.instance_path) / "questionnaires"


def overlay_path(app: Flask, qid: str, lang: str) -> Path:
    """The overlay file of one questionnaire and language."""
    return overlay_dir(app) / f"{qid}.{lang}.yaml"


def base_registry(app: Flask) -> Registry:
    """The definitions without any overlay (what an upload is checked and previewed against)."""
    result = check_definitions(Path(app.config["QUESTIONNAIRE_DIR"]))
    if result.registry is None:
        raise DefinitionError(result.problems)
    return result.registry


def check_upload(
    app: Flask, qid: str, lang: str, data: bytes
) -> tuple[OverlayFile | None, list[Problem]]:
    """Check uploaded overlay bytes as if they were ``<qid>.<lang>.yaml``."""
    registry = base_registry(app)
    versions = {qid: [registry.get(qid, v) for v in registry.versions(qid)]}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{qid}.{lang}.yaml"
        path.write_bytes(data)
        found, problems = read_overlays(Path(folder), versions)
    if problems or not found:
        return None, problems or [Problem(f"{qid}.{lang}.yaml", "(file)", "no overlay found")]
    return found[0], []


def preview(app: Flask, overlay: OverlayFile) -> QuestionnaireDefinition:
    """The current version of the questionnaire with the uploaded wording."""
    return apply_overlay(base_registry(app).get(overlay.qid), overlay)


@dataclass(frozen=True)
class Pending:
    """An upload waiting for the administrator's "save"."""

    user_id: int
    qid: str
    lang: str
    text: str


def keep_pending(pending: Pending) -> str:
    """Store an upload server-side; returns its token."""
    token = secrets.token_urlsafe(24)
    get_store().put_json(_PREFIX + token, pending.__dict__, ttl=PENDING_TTL)
    return token


def take_pending(token: str, *, user_id: int, qid: str, lang: str) -> Pending | None:
    """The upload under `token` if it is this user's for this questionnaire and language."""
    if not token:
        return None
    value: Any = get_store().get_json(_PREFIX + token)
    if not isinstance(value, dict):
        return None
    try:
        pending = Pending(**value)
    except TypeError:
        return None
    if (pending.user_id, pending.qid, pending.lang) != (user_id, qid, lang):
        return None
    return pending


def forget_pending(token: str) -> None:
    """Drop a pending upload."""
    if token:
        get_store().delete(_PREFIX + token)


def save_overlay(app: Flask, qid: str, lang: str, text: str) -> Path:
    """Write the overlay atomically and reload this process's registry.

    Raises DefinitionError (and puts the previous file back) when the definitions and overlays
    no longer load together.
    """
    target = overlay_path(app, qid, lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = target.read_bytes() if target.exists() else None
    _write_atomically(target, text.encode("utf-8"))
    try:
        registry = load_registry(
            Path(app.config["QUESTIONNAIRE_DIR"]), overlay_dir=overlay_dir(app)
        )
    except DefinitionError:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            _write_atomically(target, previous)
        raise
    app.extensions[EXTENSION_KEY] = registry
    return target


def _write_atomically(target: Path, data: bytes) -> None:
    """Write a temporary file beside `target`, then replace `target` with it."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
