"""Text overlays: licensed wording per deployment, neutral labels without it, and their checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from del_tool.questionnaires import DefinitionError, check_definitions, load_registry

WriteYaml = Callable[[Path, Any], Path]

# Made-up wording: the repository holds no third-party item text, not even in tests.
WHO5_OVERLAY = {
    "title": "Trivselsindeks (prøvetekst)",
    "instructions": "Prøvetekst til instruktionen.",
    "items": {
        "q1": "Prøvetekst et",
        "q2": {"text": "Prøvetekst to", "options": {0: "Aldrig (q2)"}},
    },
    "options": {0: "Aldrig", 5: "Altid"},
}


@pytest.fixture
def overlay_dir(tmp_path: Path) -> Path:
    """An empty overlay directory, as in instance/questionnaires/."""
    directory = tmp_path / "overlays"
    directory.mkdir()
    return directory


def test_without_overlay_items_show_neutral_labels(shipped_dir: Path, overlay_dir: Path) -> None:
    """Third-party instruments ship no wording: items are numbered, options show values."""
    who5 = load_registry(shipped_dir, overlay_dir=overlay_dir).get("who5")
    assert [item.text("da") for item in who5.items] == [f"Spørgsmål {n}" for n in range(1, 6)]
    assert who5.items[0].text("en") == "Item 1"
    assert [o.label("en") for o in who5.items[0].options] == ["0", "1", "2", "3", "4", "5"]
    assert not who5.wording_available("da")
    assert who5.licence.wording_by_overlay


def test_own_wording_needs_no_overlay(shipped_registry: Any) -> None:
    """The DEL functioning profile ships its own wording in both languages."""
    profile = shipped_registry.get("del_functioning")
    assert profile.items[0].text("da") == "Relationer"
    assert profile.items[0].text("en") == "Relations"
    assert profile.items[0].options[4].label("da") == "Fuldstændigt nedsat funktionsevne"
    assert profile.wording_available("da")
    assert profile.wording_available("en")
    assert not profile.licence.wording_by_overlay


def test_overlay_supplies_wording_for_its_language(
    shipped_dir: Path, overlay_dir: Path, write_yaml: WriteYaml
) -> None:
    """Item texts, option labels (shared and per item), title and instructions come through."""
    write_yaml(overlay_dir / "who5.da.yaml", WHO5_OVERLAY)
    result = check_definitions(shipped_dir, overlay_dir=overlay_dir)
    assert result.problems == []
    assert result.overlays == [str(overlay_dir / "who5.da.yaml")]
    who5 = result.registry.get("who5") if result.registry else None
    assert who5 is not None
    assert who5.title("da") == "Trivselsindeks (prøvetekst)"
    assert who5.title("en") == "WHO-5 Well-Being Index"
    assert who5.instructions("da") == "Prøvetekst til instruktionen."
    assert [item.text("da") for item in who5.items[:3]] == [
        "Prøvetekst et",
        "Prøvetekst to",
        "Spørgsmål 3",
    ]
    assert who5.items[0].text("en") == "Item 1"
    assert who5.items[0].options[0].label("da") == "Aldrig"
    assert who5.items[1].options[0].label("da") == "Aldrig (q2)"
    assert who5.items[0].options[5].label("da") == "Altid"
    assert who5.items[0].options[3].label("da") == "3"
    assert not who5.wording_available("da")  # q3-q5 still lack wording


def test_overlay_does_not_change_scoring(
    shipped_dir: Path, overlay_dir: Path, write_yaml: WriteYaml
) -> None:
    """Overlay texts are outside the fingerprint and the scores."""
    plain = load_registry(shipped_dir).get("who5")
    write_yaml(
        overlay_dir / "who5.en.yaml", {"items": {f"q{n}": f"Sample {n}" for n in range(1, 6)}}
    )
    worded = load_registry(shipped_dir, overlay_dir=overlay_dir).get("who5")
    assert worded.wording_available("en")
    assert worded.fingerprint() == plain.fingerprint()
    answers = {f"q{n}": n for n in range(1, 6)}
    assert worded.score(answers) == plain.score(answers)


def test_missing_overlay_directory_is_fine(shipped_dir: Path, tmp_path: Path) -> None:
    """A deployment without instance/questionnaires/ simply has no overlays."""
    assert load_registry(shipped_dir, overlay_dir=tmp_path / "absent").ids()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "who5.da.yaml",
            {"items": {"q9": "x"}},
            "{path}: items.q9: unknown item 'q9' of who5 (items are: q1, q2, q3, q4, q5) (line 2)",
        ),
        (
            "who5.da.yaml",
            {"items": {"q1": {"text": "x", "options": {7: "y"}}}},
            "{path}: items.q1.options.7: item 'q1' has no option with value 7 (line 4)",
        ),
        (
            "who5.da.yaml",
            {"options": {9: "x"}},
            "{path}: options.9: no item of who5 has an option with value 9 (line 2)",
        ),
        ("who5.da.yaml", {"itmes": {}}, "{path}: itmes: unknown key (line 1)"),
        (
            "who5.da.yaml",
            {"items": {"q1": ""}},
            "{path}: items.q1.text: must not be empty (line 2)",
        ),
        ("who5.de.yaml", {}, "{path}: (file): language 'de' is not supported (da, en)"),
        ("who6.da.yaml", {}, "{path}: (file): no questionnaire with id 'who6'"),
        ("who5.yaml", {}, "{path}: (file): name overlays <id>.<lang>.yaml, e.g. who5.da.yaml"),
        (
            "who5.da.yaml",
            "items: [q1\n",
            "{path}: line 2, column 1: while parsing a flow sequence (line 1): "
            "expected ',' or ']', but got '<stream end>'",
        ),
    ],
    ids=[
        "unknown item",
        "unknown option of an item",
        "unknown shared option",
        "unknown key",
        "empty text",
        "unsupported language",
        "unknown questionnaire",
        "bad file name",
        "bad YAML",
    ],
)
def test_overlay_problems_name_the_file(
    shipped_dir: Path,
    overlay_dir: Path,
    write_yaml: WriteYaml,
    name: str,
    content: Any,
    expected: str,
) -> None:
    """A wrong overlay stops start-up with the file, field and reason."""
    path = write_yaml(overlay_dir / name, content)
    with pytest.raises(DefinitionError) as caught:
        load_registry(shipped_dir, overlay_dir=overlay_dir)
    assert str(caught.value) == expected.format(path=path)


def test_overlay_ids_may_come_from_an_older_version(
    tmp_path: Path,
    overlay_dir: Path,
    definition_data: dict[str, Any],
    write_yaml: WriteYaml,
) -> None:
    """An overlay applies to every version; an item only an old version has is not an error."""
    old = {**definition_data, "items": [*definition_data["items"], {"id": "f"}]}
    write_yaml(tmp_path / "q" / "versions" / "tst@1.yaml", old)
    write_yaml(tmp_path / "q" / "tst.yaml", {**definition_data, "version": "2"})
    write_yaml(overlay_dir / "tst.en.yaml", {"items": {"f": "Old question F", "a": "New A"}})
    registry = load_registry(tmp_path / "q", overlay_dir=overlay_dir)
    assert registry.get("tst", "1").item("f").text("en") == "Old question F"
    assert registry.get("tst", "2").item("a").text("en") == "New A"


def test_check_notes_missing_wording(shipped_dir: Path, overlay_dir: Path) -> None:
    """`check` reminds the deployment which licensed wording is not installed."""
    notes = check_definitions(shipped_dir, overlay_dir=overlay_dir).notes
    assert (
        "who5: no wording for da, en (add instance/questionnaires/<id>.<lang>.yaml); "
        "items show neutral labels"
    ) in notes


def test_overlay_of_a_broken_definition_adds_no_misleading_problem(
    tmp_path: Path, overlay_dir: Path, write_yaml: WriteYaml
) -> None:
    """Only the definition's own problem is reported, not "no questionnaire with id"."""
    broken = write_yaml(tmp_path / "q" / "tst.yaml", "id: tst\nversion: 1\n")
    write_yaml(overlay_dir / "tst.da.yaml", {"items": {"a": "x"}})
    problems = [str(p) for p in check_definitions(tmp_path / "q", overlay_dir=overlay_dir).problems]
    assert all(p.startswith(str(broken)) for p in problems)


def test_included_wording_gets_no_overlay_note(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: WriteYaml
) -> None:
    """Neutral labels of an instrument whose wording is 'included' are the author's choice."""
    definition_data["items"][1].pop("text")
    write_yaml(tmp_path / "q" / "tst.yaml", definition_data)
    result = check_definitions(tmp_path / "q")
    assert not any("no wording" in note for note in result.notes)
