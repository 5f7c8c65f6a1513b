"""`del-tool audit ...` (the history and the access log) and `del-tool witness ...` (checkpoints).

`witness` runs without the app (no SECRET_KEY, no AUDIT_KEY): it is meant to run as another OS
user, with its own private key and a database login that may only read the history.
"""

from __future__ import annotations

import json
import syslog
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import create_engine
from sqlmodel import col, select

import del_tool
from del_tool.audit.integrity import check_history
from del_tool.audit.keys import audit_keys
from del_tool.audit.models import AccessEvent, AuditEvent
from del_tool.audit.services import chain_link, to_jsonable
from del_tool.audit.witness import (
    Checkpoint,
    generate_key,
    load_private_key,
    load_public_key,
    parse_every,
    read_checkpoints,
    witness_once,
)
from del_tool.config import ConfigError
from del_tool.db import write_session

#: The embedded default of the checkpoint file, under the instance folder.
CHECKPOINT_FILE = Path("witness") / "checkpoints.jsonl"


@click.group("audit")
def audit_group() -> None:
    """The change history and the access log."""


def _checkpoints(
    option: Path | None,
) -> tuple[list[Checkpoint] | None, list[str], list[str]]:
    """(checkpoints or None without a witness, problem lines, notice lines)."""
    config = current_app.config
    public = config.get("WITNESS_PUBLIC_KEY")
    if not public:
        if option is not None:
            raise ConfigError("--checkpoints needs WITNESS_PUBLIC_KEY to check their signatures")
        return (
            None,
            [],
            [
                "witness: no WITNESS_PUBLIC_KEY, so no checkpoints: a holder of AUDIT_KEY "
                'could rewrite the history undetected (README "The change history")'
            ],
        )
    path = option or Path(
        config.get("WITNESS_CHECKPOINT_FILE") or Path(current_app.instance_path) / CHECKPOINT_FILE
    )
    if not path.exists():
        return [], [f"witness: no checkpoint file {path}: is `del-tool witness run` running?"], []
    checkpoints, problems = read_checkpoints(path, load_public_key(str(public)))
    return checkpoints, problems, []


@audit_group.command("verify")
@click.option(
    "--checkpoints",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Checkpoint file to compare with (default: WITNESS_CHECKPOINT_FILE), e.g. a SIEM copy.",
)
@with_appcontext
def audit_verify(checkpoints: Path | None) -> None:
    """Check the keyed chain, its segments, its head, tombstones and the witness's checkpoints.

    One line per problem (its kind and the events it concerns); exit status 1 on any problem.
    Notes (events not yet witnessed, a legacy unkeyed segment) do not fail.
    """
    try:
        keys = audit_keys()
        witnessed, problems, notices = _checkpoints(checkpoints)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    with write_session() as session:
        report = check_history(session, keys=keys, checkpoints=witnessed)
    problems = [str(problem) for problem in report.problems] + problems
    from del_tool.logs import security_event
    from del_tool.metrics.operations import record_history_verification

    security_event("audit.verified", problems=len(problems), events=report.state.event_count)
    record_history_verification(problems=len(problems), events=report.state.event_count)
    for notice in [str(notice) for notice in report.notices] + notices:
        click.echo(f"  note: {notice}")
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        raise click.ClickException(f"the history has {len(problems)} problem(s)")
    state = report.state
    click.echo(f"History intact: {state.event_count} events; head {state.last_hash}.")


@audit_group.command("rekey")
@with_appcontext
def audit_rekey() -> None:
    """Start the segment of the current AUDIT_KEY now (after a key rotation; otherwise the next
    change does it). The rekey event carries the previous key's endorsement of its head."""
    try:
        keys = audit_keys()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    with write_session() as session:
        chain_link(session, keys)
        last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    where = f"event {last.id}" if last is not None else "the first event"
    click.echo(f"The history is under key {keys.current_id} from {where} on.")


@audit_group.command("citizen")
@click.argument("citizen_id", type=int)
@with_appcontext
def audit_citizen(citizen_id: int) -> None:
    """Print the history and access log of CITIZEN_ID as JSON (for a right-of-access request)."""
    with write_session() as session:
        history = session.exec(
            select(AuditEvent)
            .where(AuditEvent.citizen_id == citizen_id)
            .order_by(col(AuditEvent.id))
        ).all()
        access = session.exec(
            select(AccessEvent)
            .where(AccessEvent.citizen_id == citizen_id)
            .order_by(col(AccessEvent.id))
        ).all()
        result = {
            "citizen_id": citizen_id,
            "history": [{k: to_jsonable(v) for k, v in e.model_dump().items()} for e in history],
            "access_log": [{k: to_jsonable(v) for k, v in e.model_dump().items()} for e in access],
        }
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


# -- the witness (no app) ---------------------------------------------------------------------


@click.group("witness")
def witness_group() -> None:
    """The history's witness: signs checkpoints with a key the web app does not hold."""


def _default_checkpoints() -> Path:
    """The embedded default, in the instance folder Flask gives the app."""
    return Path(del_tool.__file__).resolve().parent.parent / "instance" / CHECKPOINT_FILE


@witness_group.command("keygen")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where the private key goes (created 0600; never overwritten).",
)
def witness_keygen(out: Path) -> None:
    """Make the witness's Ed25519 key pair; prints the public key for the app's config."""
    try:
        public = generate_key(out)
    except FileExistsError:
        raise click.ClickException(f"{out} exists; not overwritten") from None
    click.echo(f"Wrote the private key to {out}. Give the app only the public key:")
    click.echo(f"WITNESS_PUBLIC_KEY = {public!r}")


@witness_group.command("run")
@click.option(
    "--database-url",
    envvar="DEL_DATABASE_URL",
    required=True,
    help="The database (env DEL_DATABASE_URL); a login that may only read the history.",
)
@click.option(
    "--key-file",
    envvar="DEL_WITNESS_KEY_FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The witness's private key (env DEL_WITNESS_KEY_FILE), readable by the witness only.",
)
@click.option(
    "--checkpoints",
    envvar="DEL_WITNESS_CHECKPOINT_FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The checkpoint file (env DEL_WITNESS_CHECKPOINT_FILE; default "
    "instance/witness/checkpoints.jsonl), in a folder the app's user cannot write.",
)
@click.option("--every", default=None, help="Run until stopped, once per interval (90s, 5m, 1h).")
@click.option("--syslog", "to_syslog", is_flag=True, help="Also send each checkpoint to syslog.")
def witness_run(
    database_url: str, key_file: Path, checkpoints: Path | None, every: str | None, to_syslog: bool
) -> None:
    """Sign a checkpoint of the history's head (when it changed) and append it to the file.

    Refuses, with exit status 1, when the history no longer continues the last checkpoint.
    """
    try:
        key = load_private_key(key_file)
        interval = parse_every(every) if every else None
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    path = checkpoints or _default_checkpoints()
    engine = create_engine(database_url)
    try:
        while True:
            try:
                with engine.connect() as conn:
                    line = witness_once(conn, key, path)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
            if line is not None:
                click.echo(line)
                if to_syslog:
                    syslog.openlog("del-witness", 0, syslog.LOG_AUTH)
                    syslog.syslog(syslog.LOG_NOTICE, line)
            if interval is None:
                return
            time.sleep(interval)
    finally:
        engine.dispose()
