"""``del-tool questionnaires``: check, list, show, publish, run without creating the app."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from del_tool.questionnaires.cli import questionnaires_cli
from del_tool.questionnaires.lock import LOCK_FILE

WriteYaml = Callable[[Path, Any], Path]


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., Result]:
    """Invoke the group with an empty overlay directory unless the test gives one."""
    overlays = tmp_path / "no-overlays"
    overlays.mkdir()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        command = [*args]
        if args and args[0] != "publish" and "--overlays" not in args:
            command += ["--overlays", str(overlays)]
        return CliRunner().invoke(questionnaires_cli, command, env=env)

    return invoke


@pytest.fixture
def shipped_copy(tmp_path: Path, shipped_dir: Path) -> Path:
    """A copy of the shipped definitions that a test may change."""
    return Path(shutil.copytree(shipped_dir, tmp_path / "questionnaires"))


def test_group_is_named_questionnaires() -> None:
    """The lead adds this group to the del-tool command."""
    assert questionnaires_cli.name == "questionnaires"
    assert set(questionnaires_cli.commands) == {"check", "list", "show", "publish"}


def test_check_shipped_is_ok(cli: Callable[..., Result], shipped_dir: Path) -> None:
    """The shipped definitions pass, strictly (every version published), with a summary."""
    result = cli("check", "--strict", "--dir", str(shipped_dir))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "OK: 4 questionnaires, 4 versions (4 published), 0 text overlays."
    )
    assert "note: who5: no wording for da, en" in result.stdout


def test_check_lists_every_problem_and_fails(
    cli: Callable[..., Result],
    tmp_path: Path,
    definition_data: dict[str, Any],
    write_yaml: WriteYaml,
) -> None:
    """All problems in all files, then a count; exit status 1."""
    directory = tmp_path / "broken"
    definition_data["scales"][0]["items"][0] = "x1"
    definition_data["scales"][1]["reverse_items"] = ["zz"]
    first = write_yaml(directory / "tst.yaml", definition_data)
    second = write_yaml(directory / "other.yaml", "id: other\nversion: 2\n")
    result = cli("check", "--dir", str(directory))
    assert result.exit_code == 1
    text = first.read_text().splitlines()
    x1, zz = text.index("  - x1") + 1, text.index("  - zz") + 1
    assert result.stdout.splitlines() == [
        f"{second}: version: must be a string (put it in quotes) (line 2)",
        f"{second}: title: required (line 1)",
        f"{second}: perspective: required (line 1)",
        f"{second}: licence: required (line 1)",
        f"{second}: items: required (line 1)",
        f"{second}: scales: required (line 1)",
        f"{first}: scales[0].items[0]: unknown item 'x1' (line {x1})",
        f"{first}: scales[1].reverse_items[0]: 'zz' is not one of this scale's items (line {zz})",
    ]
    assert result.stderr.strip() == "8 problem(s) in 2 file(s)."


def test_check_catches_a_changed_published_version(
    cli: Callable[..., Result], shipped_copy: Path
) -> None:
    """Changing PHQ-9's items without a new version fails the check."""
    path = shipped_copy / "phq9.yaml"
    path.write_text(path.read_text().replace("  - id: q9\n", "  - id: q9\n  - id: q10\n"))
    result = cli("check", "--dir", str(shipped_copy))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{path}: version: items, options or scales differ from published phq9@1 "
        f"({LOCK_FILE}); give this file a new version and keep the published one as "
        "versions/phq9@1.yaml"
    )


def test_strict_check_fails_on_unpublished_versions(
    cli: Callable[..., Result], definitions_dir: Path
) -> None:
    """Without --strict an unpublished version is a note; with it, a failure."""
    relaxed = cli("check", "--dir", str(definitions_dir))
    assert relaxed.exit_code == 0
    assert "note: tst@1 is not in published.lock yet" in relaxed.stdout
    strict = cli("check", "--strict", "--dir", str(definitions_dir))
    assert strict.exit_code == 1


def test_check_reads_the_directory_from_the_environment(
    cli: Callable[..., Result], definitions_dir: Path
) -> None:
    """DEL_QUESTIONNAIRE_DIR is the same setting the app reads."""
    result = cli("check", env={"DEL_QUESTIONNAIRE_DIR": str(definitions_dir)})
    assert result.exit_code == 0
    assert "OK: 1 questionnaires, 1 versions (0 published)" in result.stdout


def test_check_includes_overlays(
    cli: Callable[..., Result], shipped_dir: Path, tmp_path: Path, write_yaml: WriteYaml
) -> None:
    """Overlay problems are listed like definition problems."""
    bad = write_yaml(tmp_path / "overlays" / "gad7.en.yaml", {"items": {"q8": "x"}})
    good = write_yaml(tmp_path / "overlays" / "who5.en.yaml", {"items": {"q1": "Sample"}})
    result = cli("check", "--dir", str(shipped_dir), "--overlays", str(tmp_path / "overlays"))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{bad}: items.q8: unknown item 'q8' of gad7 "
        "(items are: q1, q2, q3, q4, q5, q6, q7) (line 2)"
    )
    bad.unlink()
    result = cli("check", "--dir", str(shipped_dir), "--overlays", str(good.parent))
    assert result.exit_code == 0
    assert result.stdout.endswith("1 text overlays.\n")


def test_list(cli: Callable[..., Result], shipped_dir: Path) -> None:
    """One line per instrument with versions, perspective, scales, licence and wording."""
    result = cli("list", "--dir", str(shipped_dir))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "versions", "perspective", "scales", "licence", "wording"]
    assert lines[4].split() == [
        "who5", "1", "self_report", "wellbeing", "CC", "BY-NC-SA", "3.0", "IGO",
        "overlay", "(none", "installed)",
    ]  # fmt: skip


def test_show(cli: Callable[..., Result], shipped_dir: Path) -> None:
    """show prints items with their (neutral) labels and each scale's scoring."""
    result = cli("show", "who5", "--lang", "en", "--dir", str(shipped_dir))
    assert result.exit_code == 0
    assert "  q1: Item 1 [0=0, 1=1, 2=2, 3=3, 4=4, 5=5]" in result.stdout
    assert (
        "  scale wellbeing: Well-being, sum of 5 items x 4, 0-100, higher is better, "
        "needs 5 answered"
    ) in result.stdout
    unknown = cli("show", "who6", "--dir", str(shipped_dir))
    assert unknown.exit_code == 2
    assert "unknown questionnaire 'who6'" in unknown.output


def test_list_with_broken_definitions_fails(
    cli: Callable[..., Result], tmp_path: Path, write_yaml: WriteYaml
) -> None:
    """Commands that need a registry print the problems and exit 1."""
    path = write_yaml(tmp_path / "bad" / "bad.yaml", "id: bad\nid: worse\n")
    result = cli("list", "--dir", str(path.parent))
    assert result.exit_code == 1
    assert f"{path}: id: duplicate key (line 2)" in result.stdout


def test_publish_records_then_has_nothing_to_do(
    cli: Callable[..., Result], definitions_dir: Path
) -> None:
    """publish writes the lock file once; running it again records nothing."""
    first = cli("publish", "--dir", str(definitions_dir))
    assert first.exit_code == 0
    assert first.stdout == f"Recorded tst@1 in {definitions_dir / LOCK_FILE}.\n"
    assert "tst@1 sha256:" in (definitions_dir / LOCK_FILE).read_text()
    again = cli("publish", "--dir", str(definitions_dir))
    assert again.stdout == "Nothing to record: every version is already published.\n"
    assert cli("check", "--strict", "--dir", str(definitions_dir)).exit_code == 0


def test_publish_refuses_with_problems_and_unknown_ids(
    cli: Callable[..., Result], definitions_dir: Path, write_yaml: WriteYaml
) -> None:
    """Nothing is recorded while a definition is broken; unknown ids are a usage error."""
    assert cli("publish", "nope", "--dir", str(definitions_dir)).exit_code == 2
    write_yaml(definitions_dir / "bad.yaml", "id: bad\n")
    result = cli("publish", "--dir", str(definitions_dir))
    assert result.exit_code == 1
    assert "Nothing recorded: fix the problems above first." in result.stderr
    assert not (definitions_dir / LOCK_FILE).exists()


def test_commands_do_not_create_the_app(
    cli: Callable[..., Result], shipped_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check must work exactly when the app would refuse to start."""
    import del_tool

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("create_app was called")

    monkeypatch.setattr(del_tool, "create_app", refuse)
    assert cli("check", "--dir", str(shipped_dir)).exit_code == 0
