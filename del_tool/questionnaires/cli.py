"""``del-tool questionnaires ...``: check, list, show and publish definitions.

These commands never create the Flask app: the app refuses to start on invalid definitions,
which is exactly when `check` is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from del_tool.questionnaires.errors import DefinitionError, UnknownQuestionnaireError
from del_tool.questionnaires.lock import LOCK_FILE
from del_tool.questionnaires.registry import (
    Registry,
    check_definitions,
    default_definitions_dir,
    default_overlay_dir,
    publish,
)
from del_tool.questionnaires.schema import LANGS

questionnaires_cli = click.Group(
    "questionnaires", help="Check, list, show and publish questionnaire definitions."
)


def _dir_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--dir``: the definitions directory."""
    return click.option(
        "--dir",
        "definitions_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=default_definitions_dir,
        envvar="DEL_QUESTIONNAIRE_DIR",
        help="Definitions directory (default: the repository's questionnaires/; "
        "env DEL_QUESTIONNAIRE_DIR).",
    )(command)


def _overlays_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--overlays``: the directory of licensed text overlays."""
    return click.option(
        "--overlays",
        "overlay_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=default_overlay_dir,
        envvar="DEL_QUESTIONNAIRE_OVERLAY_DIR",
        help="Text overlay directory (default: instance/questionnaires/; "
        "env DEL_QUESTIONNAIRE_OVERLAY_DIR).",
    )(command)


@questionnaires_cli.command("check")
@_dir_option
@_overlays_option
@click.option(
    "--strict", is_flag=True, help=f"Also fail when a version is not yet recorded in {LOCK_FILE}."
)
def check_command(definitions_dir: Path, overlay_dir: Path, strict: bool) -> None:
    """List every problem in the definitions and overlays; exit 1 if there is any."""
    result = check_definitions(definitions_dir, overlay_dir=overlay_dir)
    for problem in result.problems:
        click.echo(str(problem))
    for note in result.notes:
        click.echo(f"note: {note}")
    failed = bool(result.problems) or (strict and bool(result.unpublished))
    if failed:
        count = len(result.problems) + (len(result.unpublished) if strict else 0)
        files = len({p.file for p in result.problems})
        click.echo(f"{count} problem(s) in {files} file(s).", err=True)
        raise click.exceptions.Exit(1)
    registry = result.registry
    assert registry is not None  # noqa: S101 - no problems means a registry was built
    versions = len(registry.definitions())
    published = versions - len(result.unpublished)
    click.echo(
        f"OK: {len(registry.ids())} questionnaires, {versions} versions ({published} published), "
        f"{len(result.overlays)} text overlays."
    )


@questionnaires_cli.command("list")
@_dir_option
@_overlays_option
def list_command(definitions_dir: Path, overlay_dir: Path) -> None:
    """One line per questionnaire: versions, perspective, scales, licence and wording."""
    registry = _load(definitions_dir, overlay_dir)
    rows = [("id", "versions", "perspective", "scales", "licence", "wording")]
    for definition in registry.current():
        if definition.licence.wording_by_overlay:
            langs = [lang for lang in LANGS if definition.wording_available(lang)]
            wording = f"overlay ({', '.join(langs) or 'none installed'})"
        else:
            wording = "included"
        rows.append(
            (
                definition.id,
                ", ".join(registry.versions(definition.id)),
                definition.perspective,
                ", ".join(scale.id for scale in definition.scales),
                definition.licence.name,
                wording,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


@questionnaires_cli.command("show")
@click.argument("qid")
@click.option("--version", default=None, help="Version to show (default: the current one).")
@click.option("--lang", type=click.Choice(LANGS), default=LANGS[0], help="Language of texts.")
@_dir_option
@_overlays_option
def show_command(
    qid: str, version: str | None, lang: str, definitions_dir: Path, overlay_dir: Path
) -> None:
    """Print one questionnaire's items, options and scales as the form and reports use them."""
    registry = _load(definitions_dir, overlay_dir)
    try:
        definition = registry.get(qid, version)
    except UnknownQuestionnaireError as exc:
        raise click.UsageError(str(exc)) from exc
    licence = definition.licence
    click.echo(f"{definition.title(lang)} ({definition.key}, {definition.perspective})")
    click.echo(f"Licence: {licence.name}{f', {licence.holder}' if licence.holder else ''}")
    click.echo(f"Fingerprint: {definition.fingerprint()}")
    for item in definition.items:
        options = ", ".join(f"{o.value}={o.label(lang)}" for o in item.options)
        required = " (required)" if item.required else ""
        click.echo(f"  {item.id}: {item.text(lang)}{required} [{options}]")
    for scale in definition.scales:
        direction = "higher is better" if scale.higher_is_better else "lower is better"
        click.echo(
            f"  scale {scale.id}: {scale.title(lang)}, {scale.method} of {len(scale.items)} "
            f"items x {scale.multiplier:g}, {scale.score_min:g}-{scale.score_max:g}, "
            f"{direction}, needs {scale.min_answered} answered"
        )


@questionnaires_cli.command("publish")
@click.argument("qids", nargs=-1)
@_dir_option
def publish_command(qids: tuple[str, ...], definitions_dir: Path) -> None:
    """Record the fingerprints of unpublished versions (of QIDS, or all) in the lock file."""
    try:
        recorded = publish(definitions_dir, qids)
    except DefinitionError as exc:
        click.echo(str(exc))
        click.echo("Nothing recorded: fix the problems above first.", err=True)
        raise click.exceptions.Exit(1) from exc
    except UnknownQuestionnaireError as exc:
        raise click.UsageError(str(exc)) from exc
    if not recorded:
        click.echo("Nothing to record: every version is already published.")
    for key in recorded:
        click.echo(f"Recorded {key} in {Path(definitions_dir) / LOCK_FILE}.")


def _load(definitions_dir: Path, overlay_dir: Path) -> Registry:
    """The registry, or the list of problems and exit status 1."""
    result = check_definitions(definitions_dir, overlay_dir=overlay_dir)
    if result.registry is None:
        for problem in result.problems:
            click.echo(str(problem))
        click.echo("Run `del-tool questionnaires check` after fixing these.", err=True)
        raise click.exceptions.Exit(1)
    return result.registry
