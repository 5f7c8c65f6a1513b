"""The registry: the shipped directory, versions, the published-version lock and look-ups."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from del_tool.questionnaires import (
    DefinitionError,
    InvalidAnswers,
    Registry,
    UnknownQuestionnaireError,
    check_definitions,
    definition_from_mapping,
    load_registry,
)
from del_tool.questionnaires.lock import LOCK_FILE, read_lock
from del_tool.questionnaires.registry import publish

from .conftest import SHIPPED_IDS

WriteYaml = Callable[[Path, Any], Path]


def test_shipped_directory_checks_clean_and_is_fully_published(shipped_dir: Path) -> None:
    """The shipped definitions have no problems and every version is in the lock file."""
    result = check_definitions(shipped_dir)
    assert [str(p) for p in result.problems] == []
    assert result.unpublished == []
    assert result.registry is not None
    assert result.registry.ids() == list(SHIPPED_IDS)


def test_shipped_fingerprints_match_the_lock_file(shipped_dir: Path) -> None:
    """Changing a published version's items, options or scales breaks this (and `check`)."""
    entries, problems = read_lock(shipped_dir / LOCK_FILE)
    assert problems == []
    registry = load_registry(shipped_dir)
    assert {d.key: d.fingerprint() for d in registry.definitions()} == entries


def test_current_is_stable_and_versions_are_listed(shipped_registry: Registry) -> None:
    """current() gives one definition per instrument, by id."""
    assert [d.id for d in shipped_registry.current()] == list(SHIPPED_IDS)
    assert shipped_registry.versions("who5") == ["1"]
    assert shipped_registry.get("who5").version == "1"
    assert "who5" in shipped_registry
    assert "who6" not in shipped_registry


def test_unknown_id_and_version_are_key_errors_with_a_message(shipped_registry: Registry) -> None:
    """Look-ups fail with a KeyError subclass whose message says what exists."""
    with pytest.raises(KeyError) as caught:
        shipped_registry.get("who6")
    assert isinstance(caught.value, UnknownQuestionnaireError)
    assert str(caught.value) == (
        "unknown questionnaire 'who6' (known: del_functioning, gad7, phq9, who5)"
    )
    with pytest.raises(UnknownQuestionnaireError) as caught:
        shipped_registry.get("who5", "2")
    assert str(caught.value) == "questionnaire 'who5' has no version '2' (versions: 1)"


def _two_versions(
    directory: Path, data: dict[str, Any], write_yaml: WriteYaml
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Version 1 in versions/, version 2 (one more option) as the current file."""
    old = copy.deepcopy(data)
    new = copy.deepcopy(data)
    new["version"] = "2"
    new["options"].append({"value": 5})
    new["scales"][0]["score_range"] = [0, 20]
    new["scales"][0]["bands"][1]["to"] = 20
    new["scales"][1]["score_range"] = [0, 125]
    write_yaml(directory / "versions" / "tst@1.yaml", old)
    write_yaml(directory / "tst.yaml", new)
    return old, new


def test_old_versions_stay_loadable_and_scorable(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: WriteYaml
) -> None:
    """An assessment stored with version 1 is scored by version 1 after version 2 ships."""
    _two_versions(tmp_path, definition_data, write_yaml)
    registry = load_registry(tmp_path)
    assert registry.versions("tst") == ["1", "2"]
    assert registry.get("tst").version == "2"
    answers = {"a": 4, "b": 0, "c": 4, "d": 0}
    assert registry.get("tst", "1").score(answers).scales["total"].value == 16
    assert registry.get("tst", "2").score(answers).scales["total"].value == 18
    with pytest.raises(InvalidAnswers):
        registry.get("tst", "1").score({"a": 5})


def test_versions_sort_numerically(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: WriteYaml
) -> None:
    """1.10 is newer than 1.9."""
    for version in ("1.9", "1.2"):
        write_yaml(
            tmp_path / "versions" / f"tst@{version}.yaml", {**definition_data, "version": version}
        )
    write_yaml(tmp_path / "tst.yaml", {**definition_data, "version": "1.10"})
    registry = load_registry(tmp_path)
    assert registry.versions("tst") == ["1.2", "1.9", "1.10"]
    assert registry.get("tst").version == "1.10"


def test_superseded_file_name_must_match_id_and_version(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: WriteYaml
) -> None:
    """versions/<id>@<version>.yaml must hold that id and version."""
    write_yaml(tmp_path / "tst.yaml", {**definition_data, "version": "3"})
    path = write_yaml(tmp_path / "versions" / "tst@2.yaml", definition_data)
    assert [str(p) for p in check_definitions(tmp_path).problems] == [
        f"{path}: version: does not match the file name 'tst@2.yaml' (expected tst@1.yaml)"
    ]


def test_current_must_be_newer_than_superseded(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: WriteYaml
) -> None:
    """A superseded version newer than the current file is a mistake in the layout."""
    current = write_yaml(tmp_path / "tst.yaml", definition_data)
    old = write_yaml(tmp_path / "versions" / "tst@2.yaml", {**definition_data, "version": "2"})
    assert [str(p) for p in check_definitions(tmp_path).problems] == [
        f"{current}: version: '1' is not newer than superseded version '2' in {old}"
    ]


def test_a_version_is_defined_once(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: WriteYaml
) -> None:
    """The current file and a superseded file may not both be version 1."""
    current = write_yaml(tmp_path / "tst.yaml", definition_data)
    old = write_yaml(tmp_path / "versions" / "tst@1.yaml", definition_data)
    assert [str(p) for p in check_definitions(tmp_path).problems] == [
        f"{old}: version: tst@1 is also defined in {current}"
    ]


def test_superseded_version_needs_a_current_file(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: WriteYaml
) -> None:
    """Removing an instrument's current file while keeping its old versions is refused."""
    old = write_yaml(tmp_path / "versions" / "tst@1.yaml", definition_data)
    assert [str(p) for p in check_definitions(tmp_path).problems] == [
        f"{old}: id: superseded version without a current definition tst.yaml"
    ]


def test_changed_published_version_is_caught(definitions_dir: Path) -> None:
    """Editing a published version's scoring without bumping the version is refused."""
    assert publish(definitions_dir) == ["tst@1"]
    path = definitions_dir / "tst.yaml"
    path.write_text(path.read_text().replace("min_answered: 3", "min_answered: 4"))
    with pytest.raises(DefinitionError) as caught:
        load_registry(definitions_dir)
    assert str(caught.value) == (
        f"{path}: version: items, options or scales differ from published tst@1 "
        f"({LOCK_FILE}); give this file a new version and keep the published one as "
        "versions/tst@1.yaml"
    )


def test_bumping_the_version_is_the_way_to_change(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: WriteYaml
) -> None:
    """Old version kept under versions/, new version current: check passes, v2 unpublished."""
    write_yaml(tmp_path / "tst.yaml", definition_data)
    publish(tmp_path)
    (tmp_path / "tst.yaml").unlink()
    _two_versions(tmp_path, definition_data, write_yaml)
    result = check_definitions(tmp_path)
    assert result.problems == []
    assert result.unpublished == ["tst@2"]
    assert publish(tmp_path, ["tst"]) == ["tst@2"]
    assert check_definitions(tmp_path).unpublished == []


def test_texts_and_figures_do_not_change_the_fingerprint(definition_data: dict[str, Any]) -> None:
    """Correcting wording, labels, sources or published figures needs no new version."""
    before = definition_from_mapping(definition_data).fingerprint()
    definition_data["title"]["da"] = "Nyt navn"
    definition_data["items"][0]["text"]["en"] = "Reworded"
    definition_data["items"][4]["options"][0]["label"]["en"] = "Nope"
    definition_data["scales"][0]["reliability"]["value"] = 0.85
    definition_data["scales"][0]["mic"] = {"value": 2, "source": "A later study."}
    definition_data["licence"]["name"] = "CC0 1.0"
    assert definition_from_mapping(definition_data).fingerprint() == before


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("scales", 0, "reverse_items"), ["b"]),
        (("scales", 0, "method"), "mean"),
        (("scales", 1, "multiplier"), 20),
        (("scales", 0, "higher_is_better"), True),
        (("items", 0, "required"), False),
        (("perspective",), "staff"),
        (("version",), "1.1"),
    ],
)
def test_scoring_changes_change_the_fingerprint(
    definition_data: dict[str, Any], path: tuple[Any, ...], value: Any
) -> None:
    """Anything that changes what is asked or how it is scored changes the fingerprint."""
    before = definition_from_mapping(definition_data).fingerprint()
    target: Any = definition_data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    if path == ("scales", 0, "method"):
        definition_data["scales"][0].pop("score_range")
        definition_data["scales"][0].pop("bands")
    if path == ("scales", 1, "multiplier"):
        definition_data["scales"][1]["score_range"] = [0, 80]
    assert definition_from_mapping(definition_data).fingerprint() != before


def test_published_version_must_keep_a_file(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: WriteYaml
) -> None:
    """Deleting a published version's file would orphan stored assessments."""
    write_yaml(tmp_path / "tst.yaml", definition_data)
    publish(tmp_path)
    write_yaml(tmp_path / "tst.yaml", {**definition_data, "version": "2"})
    assert [str(p) for p in check_definitions(tmp_path).problems] == [
        f"{tmp_path / LOCK_FILE}: tst@1: published version has no definition file "
        "(keep it as versions/tst@1.yaml)"
    ]


def test_malformed_lock_lines(definitions_dir: Path) -> None:
    """A hand-edited lock file with a bad or repeated line is reported by line."""
    lock = definitions_dir / LOCK_FILE
    publish(definitions_dir)
    entry = lock.read_text().splitlines()[-1]
    lock.write_text(f"{lock.read_text()}{entry}\ntst@2 md5:abc\n")
    assert [str(p) for p in check_definitions(definitions_dir).problems] == [
        f"{lock}: tst@1: recorded twice (line 6)",
        f"{lock}: line 7: expected '<id>@<version> sha256:<64 hex digits>'",
    ]


def test_publish_records_nothing_when_there_are_problems(
    definitions_dir: Path, write_yaml: WriteYaml
) -> None:
    """publish refuses to record anything while a definition is broken."""
    write_yaml(definitions_dir / "bad.yaml", "id: bad\n")
    with pytest.raises(DefinitionError):
        publish(definitions_dir)
    assert not (definitions_dir / LOCK_FILE).exists()


def test_publish_unknown_id(definitions_dir: Path) -> None:
    """Asking to publish an unknown instrument is an error, not a silent no-op."""
    with pytest.raises(UnknownQuestionnaireError):
        publish(definitions_dir, ["nope"])


def test_shipped_directory_copy_can_be_checked_elsewhere(tmp_path: Path, shipped_dir: Path) -> None:
    """The check does not depend on the repository location (a deployment copies the folder)."""
    target = tmp_path / "q"
    shutil.copytree(shipped_dir, target)
    assert load_registry(target).ids() == list(SHIPPED_IDS)


def test_registry_from_definitions(definition_data: dict[str, Any]) -> None:
    """A Registry can be built directly from definitions (tools, tests)."""
    v1 = definition_from_mapping(definition_data)
    v2 = definition_from_mapping({**definition_data, "version": "2"})
    registry = Registry([v2, v1])
    assert registry.versions("tst") == ["1", "2"]
    assert registry.current() == [v2]
    assert registry.definitions() == [v1, v2]
