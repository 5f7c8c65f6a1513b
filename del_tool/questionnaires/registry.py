"""The registry of questionnaire definitions: loading a directory, versions, overlays, checks.

Layout of a definitions directory::

    <id>.yaml                    the current version of each instrument (one file per instrument)
    versions/<id>@<version>.yaml superseded versions, kept so that old assessments stay scorable
    published.lock               fingerprints of published versions (see `lock.py`)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from del_tool.questionnaires.definition import QuestionnaireDefinition
from del_tool.questionnaires.errors import DefinitionError, Problem, UnknownQuestionnaireError
from del_tool.questionnaires.loader import read_definition
from del_tool.questionnaires.lock import LOCK_FILE, read_lock, write_lock
from del_tool.questionnaires.overlays import apply_overlay, read_overlays
from del_tool.questionnaires.schema import LANGS

VERSIONS_DIR = "versions"


def default_definitions_dir() -> Path:
    """The repository's ``questionnaires/`` directory."""
    return Path(__file__).resolve().parents[2] / "questionnaires"


def default_overlay_dir() -> Path:
    """The repository's ``instance/questionnaires/`` (the app uses its own instance path)."""
    return Path(__file__).resolve().parents[2] / "instance" / "questionnaires"


def version_key(version: str) -> tuple[int, ...]:
    """``"1.10"`` sorts after ``"1.9"``."""
    return tuple(int(part) for part in version.split("."))


class Registry:
    """All loaded definitions; the current version of an instrument is its highest version."""

    def __init__(self, definitions: Iterable[QuestionnaireDefinition]) -> None:
        self._by_id: dict[str, dict[str, QuestionnaireDefinition]] = {}
        for definition in definitions:
            self._by_id.setdefault(definition.id, {})[definition.version] = definition

    def __contains__(self, qid: object) -> bool:
        """Whether an instrument with this id is loaded."""
        return qid in self._by_id

    def ids(self) -> list[str]:
        """Instrument ids, sorted."""
        return sorted(self._by_id)

    def versions(self, qid: str) -> list[str]:
        """An instrument's versions, oldest first."""
        return sorted(self._versions_of(qid), key=version_key)

    def get(self, qid: str, version: str | None = None) -> QuestionnaireDefinition:
        """One version of an instrument; None means the current one."""
        versions = self._versions_of(qid)
        chosen = version if version is not None else max(versions, key=version_key)
        if chosen not in versions:
            known = ", ".join(self.versions(qid))
            raise UnknownQuestionnaireError(
                f"questionnaire {qid!r} has no version {chosen!r} (versions: {known})"
            )
        return versions[chosen]

    def current(self) -> list[QuestionnaireDefinition]:
        """The current version of every instrument, by id."""
        return [self.get(qid) for qid in self.ids()]

    def definitions(self) -> list[QuestionnaireDefinition]:
        """Every loaded version of every instrument, by id and version."""
        return [self.get(qid, version) for qid in self.ids() for version in self.versions(qid)]

    def _versions_of(self, qid: str) -> dict[str, QuestionnaireDefinition]:
        """The versions of one instrument, or UnknownQuestionnaireError."""
        if qid not in self._by_id:
            raise UnknownQuestionnaireError(
                f"unknown questionnaire {qid!r} (known: {', '.join(self.ids())})"
            )
        return self._by_id[qid]


@dataclass
class CheckResult:
    """What checking a definitions directory found; `registry` is None when there are problems."""

    registry: Registry | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    overlays: list[str] = field(default_factory=list)


def load_registry(definitions_dir: Path, *, overlay_dir: Path | None = None) -> Registry:
    """Load and check all definitions and overlays; raises DefinitionError listing every problem."""
    result = check_definitions(definitions_dir, overlay_dir=overlay_dir)
    if result.registry is None:
        raise DefinitionError(result.problems)
    return result.registry


def check_definitions(definitions_dir: Path, *, overlay_dir: Path | None = None) -> CheckResult:
    """Check every file and collect all problems rather than stopping at the first."""
    result = CheckResult()
    definitions_dir = Path(definitions_dir)
    if not definitions_dir.is_dir():
        result.problems.append(Problem(str(definitions_dir), "(directory)", "does not exist"))
        return result
    loaded, failed_ids = _read_all(definitions_dir, result)
    _check_versions(loaded, result)
    _check_published(definitions_dir, loaded, failed_ids, result)
    by_id: dict[str, list[QuestionnaireDefinition]] = {}
    for definition, _display, _current in loaded:
        by_id.setdefault(definition.id, []).append(definition)
    if overlay_dir is not None and Path(overlay_dir).is_dir():
        overlays, overlay_problems = read_overlays(Path(overlay_dir), by_id, skip=failed_ids)
        result.problems.extend(overlay_problems)
        for overlay in overlays:
            by_id[overlay.qid] = [apply_overlay(d, overlay) for d in by_id[overlay.qid]]
            result.overlays.append(overlay.display)
    if not result.problems:
        result.registry = Registry(d for versions in by_id.values() for d in versions)
        result.notes.extend(_wording_notes(result.registry))
    return result


def publish(definitions_dir: Path, qids: Iterable[str] = ()) -> list[str]:
    """Record the fingerprints of unpublished versions (of `qids`, or all); returns their keys.

    Raises DefinitionError when the definitions have problems (nothing is recorded then).
    """
    result = check_definitions(definitions_dir)
    if result.registry is None:
        raise DefinitionError(result.problems)
    wanted = set(qids)
    registry = result.registry
    unknown = wanted - set(registry.ids())
    if unknown:
        raise UnknownQuestionnaireError(f"unknown questionnaire(s): {', '.join(sorted(unknown))}")
    lock_path = Path(definitions_dir) / LOCK_FILE
    entries, _ = read_lock(lock_path)
    recorded = [key for key in result.unpublished if not wanted or key.split("@", 1)[0] in wanted]
    for key in recorded:
        qid, version = key.split("@", 1)
        entries[key] = registry.get(qid, version).fingerprint()
    if recorded:
        write_lock(lock_path, entries)
    return recorded


Loaded = list[tuple[QuestionnaireDefinition, str, bool]]


def _read_all(definitions_dir: Path, result: CheckResult) -> tuple[Loaded, set[str]]:
    """Parse every current and superseded file; check that file names match id and version."""
    loaded: Loaded = []
    failed_ids: set[str] = set()
    files = [(p, True) for p in sorted(definitions_dir.iterdir()) if p.is_file()]
    versions_dir = definitions_dir / VERSIONS_DIR
    if versions_dir.is_dir():
        files += [(p, False) for p in sorted(versions_dir.iterdir()) if p.is_file()]
    for path, is_current in files:
        display = str(path)
        if path.suffix == ".yml":
            result.problems.append(
                Problem(display, "(file)", "definitions end in .yaml; rename it")
            )
            continue
        if path.suffix != ".yaml":
            continue
        expected_id = path.stem.split("@", 1)[0]
        definition, problems = read_definition(path, display)
        result.problems.extend(problems)
        if definition is None:
            failed_ids.add(expected_id)
            continue
        expected = f"{definition.id}.yaml" if is_current else f"{definition.key}.yaml"
        if path.name != expected:
            where = "id" if is_current or expected_id != definition.id else "version"
            reason = f"does not match the file name {path.name!r} (expected {expected})"
            result.problems.append(Problem(display, where, reason))
            failed_ids.add(expected_id)
            continue
        loaded.append((definition, display, is_current))
    return loaded, failed_ids


def _check_versions(loaded: Loaded, result: CheckResult) -> None:
    """One file per version; superseded versions need a current file with a higher version."""
    seen: dict[str, str] = {}
    current = {d.id: (d, display) for d, display, is_current in loaded if is_current}
    for definition, display, is_current in loaded:
        if definition.key in seen:
            result.problems.append(
                Problem(
                    display,
                    "version",
                    f"{definition.key} is also defined in {seen[definition.key]}",
                )
            )
            continue
        seen[definition.key] = display
        if is_current:
            continue
        if definition.id not in current:
            reason = f"superseded version without a current definition {definition.id}.yaml"
            result.problems.append(Problem(display, "id", reason))
            continue
        newest, newest_display = current[definition.id]
        if version_key(newest.version) <= version_key(definition.version):
            reason = (
                f"{newest.version!r} is not newer than superseded version "
                f"{definition.version!r} in {display}"
            )
            result.problems.append(Problem(newest_display, "version", reason))


def _check_published(
    definitions_dir: Path, loaded: Loaded, failed_ids: set[str], result: CheckResult
) -> None:
    """Published versions keep their fingerprint, and stay loadable."""
    lock_path = definitions_dir / LOCK_FILE
    entries, problems = read_lock(lock_path)
    result.problems.extend(problems)
    present = set()
    for definition, display, _current in loaded:
        present.add(definition.key)
        recorded = entries.get(definition.key)
        if recorded is None:
            result.unpublished.append(definition.key)
            result.notes.append(
                f"{definition.key} is not in {LOCK_FILE} yet; "
                "record it with `del-tool questionnaires publish` once it is final"
            )
        elif recorded != definition.fingerprint():
            reason = (
                f"items, options or scales differ from published {definition.key} ({LOCK_FILE}); "
                f"give this file a new version and keep the published one as "
                f"{VERSIONS_DIR}/{definition.key}.yaml"
            )
            result.problems.append(Problem(display, "version", reason))
    for key in sorted(set(entries) - present):
        if key.split("@", 1)[0] not in failed_ids:
            reason = (
                f"published version has no definition file (keep it as {VERSIONS_DIR}/{key}.yaml)"
            )
            result.problems.append(Problem(str(lock_path), key, reason))


def _wording_notes(registry: Registry) -> list[str]:
    """A note per current instrument whose licensed wording has no overlay in some language."""
    notes = []
    for definition in registry.current():
        if not definition.licence.wording_by_overlay:
            continue
        missing = [lang for lang in LANGS if not definition.wording_available(lang)]
        if missing:
            notes.append(
                f"{definition.id}: no wording for {', '.join(missing)} "
                "(add instance/questionnaires/<id>.<lang>.yaml); items show neutral labels"
            )
    return notes
