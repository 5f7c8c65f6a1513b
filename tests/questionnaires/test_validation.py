"""Every validation rule: a broken definition and the exact error line it gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from del_tool.questionnaires import DefinitionError, check_definitions, definition_from_mapping

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    """A mutation that sets a dotted path (list indices as numbers) to `value`."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    """A mutation that removes a key."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return mutate


def _append(path: str, value: Any) -> Mutation:
    """A mutation that appends to the list at a dotted path."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path.split("."):
            target = target[int(part)] if part.isdigit() else target[part]
        target.append(value)

    return mutate


def _band(band_id: str, start: float, end: float) -> dict[str, Any]:
    return {"id": band_id, "from": start, "to": end, "label": {"da": band_id, "en": band_id}}


CASES: list[tuple[str, Mutation, list[str]]] = [
    (
        "unknown item in a scale",
        _set("scales.0.items.2", "zz"),
        ["<data>: scales[0].items[2]: unknown item 'zz'"],
    ),
    (
        "item listed twice in a scale",
        _set("scales.1.items.1", "a"),
        ["<data>: scales[1].items[1]: item 'a' is listed twice"],
    ),
    (
        "duplicate item id",
        _append("items", {"id": "b"}),
        ["<data>: items[5].id: duplicate item id 'b' (also items[1])"],
    ),
    (
        "duplicate scale id",
        _set("scales.1.id", "total"),
        ["<data>: scales[1].id: duplicate scale id 'total'"],
    ),
    (
        "duplicate value in the shared options",
        _append("options", {"value": 2}),
        ["<data>: options[5].value: duplicate option value 2"],
    ),
    (
        "duplicate value in an item's own options",
        _append("items.4.options", {"value": 1}),
        ["<data>: items[4].options[2].value: duplicate option value 1"],
    ),
    (
        "option without a value",
        _set("options.0", {"label": {"da": "Aldrig", "en": "Never"}}),
        ["<data>: options[0].value: required"],
    ),
    (
        "option value that is not a whole number",
        _set("options.1.value", 1.5),
        ["<data>: options[1].value: must be a whole number"],
    ),
    (
        "item with fewer than two options",
        _set("items.4.options", [{"value": 1}]),
        ["<data>: items[4].options: needs at least 2 entries"],
    ),
    (
        "items without options and no shared options",
        _delete("options"),
        [
            f"<data>: items[{i}]: no options: "
            "give the item options or the definition shared options"
            for i in range(4)
        ],
    ),
    (
        "reliability above 1",
        _set("scales.0.reliability.value", 1.2),
        ["<data>: scales[0].reliability.value: must be less than or equal to 1"],
    ),
    (
        "reliability below 0",
        _set("scales.0.reliability.value", -0.1),
        ["<data>: scales[0].reliability.value: must be greater than or equal to 0"],
    ),
    (
        "reliability of an unknown kind",
        _set("scales.0.reliability.kind", "split_half"),
        ["<data>: scales[0].reliability.kind: must be 'cronbach_alpha', 'test_retest' or 'omega'"],
    ),
    (
        "reference SD of zero",
        _set("scales.0.reference_sd", {"value": 0, "source": "x"}),
        ["<data>: scales[0].reference_sd.value: must be greater than 0"],
    ),
    (
        "negative SD of a norm",
        _set("scales.0.norms", {"clinical": {"mean": 10, "sd": -1, "source": "x"}}),
        ["<data>: scales[0].norms.clinical.sd: must be greater than 0"],
    ),
    (
        "figure without a source",
        _set("scales.0.mic", {"value": 3}),
        ["<data>: scales[0].mic.source: required"],
    ),
    (
        "reverse item not in the scale",
        _set("scales.1.reverse_items", ["c"]),
        ["<data>: scales[1].reverse_items[0]: 'c' is not one of this scale's items"],
    ),
    (
        "min_answered larger than the scale's items",
        _set("scales.1.min_answered", 3),
        ["<data>: scales[1].min_answered: 3 is more than the scale's 2 items"],
    ),
    (
        "min_answered of zero",
        _set("scales.1.min_answered", 0),
        ["<data>: scales[1].min_answered: must be greater than or equal to 1"],
    ),
    (
        "prorating over items with different options",
        _set(
            "scales.2",
            {
                **{"id": "ae", "title": {"da": "AE", "en": "AE"}},
                "items": ["a", "e"],
                "method": "sum",
                "min_answered": 1,
                "higher_is_better": True,
            },
        ),
        [
            "<data>: scales[2].min_answered: prorating (min_answered 1 of 2 items) needs items "
            "with the same option values; 'a' and 'e' differ"
        ],
    ),
    (
        "overlapping bands",
        _set("scales.0.bands.1.from", 7),
        [
            "<data>: scales[0].bands[1]: overlaps or precedes band 'low' (0 to 7); "
            "list bands in ascending order without overlap"
        ],
    ),
    (
        "bands out of order",
        _set("scales.0.bands", [_band("high", 8, 16), _band("low", 0, 7)]),
        [
            "<data>: scales[0].bands[1]: overlaps or precedes band 'high' (8 to 16); "
            "list bands in ascending order without overlap"
        ],
    ),
    (
        "band outside the score range",
        _set("scales.0.bands.1.to", 20),
        ["<data>: scales[0].bands[1]: 8 to 20 is outside the score range 0 to 16"],
    ),
    (
        "band starting after it ends",
        _set("scales.0.bands.0", _band("low", 5, 3)),
        ["<data>: scales[0].bands[0]: 'from' (5) is greater than 'to' (3)"],
    ),
    (
        "duplicate band id",
        _set("scales.0.bands.1.id", "low"),
        ["<data>: scales[0].bands[1].id: duplicate band id 'low'"],
    ),
    (
        "declared score range that the items do not give",
        _set("scales.1.score_range", [0, 4]),
        [
            "<data>: scales[1].score_range: [0, 4] does not match the range the items give "
            "(0 to 100)"
        ],
    ),
    ("missing English title", _set("title", {"da": "Testskema"}), ["<data>: title.en: required"]),
    (
        "missing Danish item text",
        _set("items.1.text", {"en": "Question B"}),
        ["<data>: items[1].text.da: required"],
    ),
    ("empty text", _set("title.da", ""), ["<data>: title.da: must not be empty"]),
    ("unknown top-level key", _set("titel", "x"), ["<data>: titel: unknown key"]),
    (
        "unknown nested key",
        _set("scales.0.revers_items", ["b"]),
        ["<data>: scales[0].revers_items: unknown key"],
    ),
    ("missing required key", _delete("perspective"), ["<data>: perspective: required"]),
    (
        "version that is not a string",
        _set("version", 1),
        ["<data>: version: must be a string (put it in quotes)"],
    ),
    (
        "version of the wrong form",
        _set("version", "v1"),
        ['<data>: version: must be numbers separated by dots, in quotes (e.g. "1" or "1.2")'],
    ),
    (
        "id of the wrong form",
        _set("id", "WHO-5"),
        ["<data>: id: must be lowercase letters, digits and _, starting with a letter"],
    ),
    (
        "reserved item id",
        _append("items", {"id": "validate"}),
        ["<data>: items[5].id: 'validate' is reserved (it names a form attribute)"],
    ),
    (
        "unknown method",
        _set("scales.0.method", "total"),
        ["<data>: scales[0].method: must be 'sum' or 'mean'"],
    ),
    (
        "unknown perspective",
        _set("perspective", "citizen"),
        ["<data>: perspective: must be 'staff' or 'self_report'"],
    ),
    (
        "multiplier of zero",
        _set("scales.1.multiplier", 0),
        ["<data>: scales[1].multiplier: must be greater than 0"],
    ),
    (
        "required that is not true or false",
        _set("items.0.required", "yes"),
        ["<data>: items[0].required: must be true or false"],
    ),
    (
        "unknown wording mode",
        _set("licence.wording", "shipped"),
        ["<data>: licence.wording: must be 'included' or 'overlay'"],
    ),
    (
        "licence address that is not a web address",
        _set("licence.url", "www.example.org"),
        ["<data>: licence.url: must be an http:// or https:// address"],
    ),
    ("no scales", _set("scales", []), ["<data>: scales: needs at least 1 entry"]),
    (
        "text that is not a mapping of languages",
        _set("title", "Testskema"),
        ["<data>: title: must be a mapping of keys to values"],
    ),
    (
        "items that are not a list",
        _set("items", {"a": {}}),
        ["<data>: items: must be a list"],
    ),
]


@pytest.mark.parametrize(("rule", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule_gives_exact_error(
    definition_data: dict[str, Any], rule: str, mutate: Mutation, expected: list[str]
) -> None:
    """Each broken definition is refused with exactly these problems."""
    mutate(definition_data)
    with pytest.raises(DefinitionError) as caught:
        definition_from_mapping(definition_data)
    assert str(caught.value).splitlines() == expected
    assert [str(p) for p in caught.value.problems] == expected


def test_the_test_definition_is_valid(definition_data: dict[str, Any]) -> None:
    """The unmutated test definition loads (so each case above breaks one rule only)."""
    assert definition_from_mapping(definition_data).key == "tst@1"


def test_document_that_is_not_a_mapping() -> None:
    """A YAML list instead of a mapping is named as the document."""
    with pytest.raises(DefinitionError) as caught:
        definition_from_mapping(["id", "tst"])  # type: ignore[arg-type]
    assert str(caught.value) == "<data>: (document): must be a mapping of keys to values"


def test_several_problems_are_all_listed(definition_data: dict[str, Any]) -> None:
    """Cross-field problems are not cut short at the first."""
    definition_data["scales"][0]["items"][0] = "x1"
    definition_data["scales"][1]["reverse_items"] = ["zz"]
    with pytest.raises(DefinitionError) as caught:
        definition_from_mapping(definition_data)
    assert str(caught.value).splitlines() == [
        "<data>: scales[0].items[0]: unknown item 'x1'",
        "<data>: scales[1].reverse_items[0]: 'zz' is not one of this scale's items",
    ]


# --- Errors that come from files: YAML syntax, duplicate keys, names, lines ----------------

VALID_TEXT = """\
id: tst
version: "1"
title: {da: Test, en: Test}
perspective: staff
licence:
  name: CC0
  terms: {da: Fri, en: Free}
  wording: included
options:
  - value: 0
  - value: 1
items:
  - id: a
  - id: b
scales:
  - id: s
    title: {da: S, en: S}
    items: [a, b]
    method: sum
    higher_is_better: true
"""


def _problems(directory: Path) -> list[str]:
    return [str(p) for p in check_definitions(directory).problems]


def test_bad_yaml_names_file_line_and_column(tmp_path: Path, write_yaml: Any) -> None:
    """A syntax error gives the file, the line and column, and the parser's reason."""
    path = write_yaml(tmp_path / "tst.yaml", VALID_TEXT.replace("title: {da: Test", "title: da: x"))
    assert _problems(tmp_path) == [
        f"{path}: line 3, column 10: mapping values are not allowed here"
    ]


def test_duplicate_key_is_an_error_with_its_line(tmp_path: Path, write_yaml: Any) -> None:
    """PyYAML would keep the last of two equal keys; the loader refuses them."""
    path = write_yaml(
        tmp_path / "tst.yaml",
        VALID_TEXT.replace(
            "perspective: staff\n", "perspective: staff\nperspective: self_report\n"
        ),
    )
    assert _problems(tmp_path) == [f"{path}: perspective: duplicate key (line 5)"]


def test_merge_keys_are_refused(tmp_path: Path, write_yaml: Any) -> None:
    """YAML merge keys would hide where a value comes from."""
    text = VALID_TEXT.replace("    method: sum\n", "    <<: {method: sum}\n")
    path = write_yaml(tmp_path / "tst.yaml", text)
    assert f"{path}: scales[0]: merge keys (<<) are not supported (line 19)" in _problems(tmp_path)


def test_field_errors_carry_the_yaml_line(tmp_path: Path, write_yaml: Any) -> None:
    """Pydantic and rule errors are located on the line of the offending key or entry."""
    text = VALID_TEXT.replace("    items: [a, b]", "    items: [a, zz]").replace(
        "  name: CC0", "  name: CC0\n  nmae: typo"
    )
    path = write_yaml(tmp_path / "tst.yaml", text)
    assert _problems(tmp_path) == [f"{path}: licence.nmae: unknown key (line 7)"]
    write_yaml(path, VALID_TEXT.replace("    items: [a, b]", "    items: [a, zz]"))
    assert _problems(tmp_path) == [f"{path}: scales[0].items[1]: unknown item 'zz' (line 18)"]


def test_empty_file(tmp_path: Path, write_yaml: Any) -> None:
    """An empty file is named, not skipped."""
    path = write_yaml(tmp_path / "tst.yaml", "# nothing yet\n")
    assert _problems(tmp_path) == [f"{path}: (document): the file is empty"]


def test_file_name_must_match_id(tmp_path: Path, write_yaml: Any) -> None:
    """``other.yaml`` holding id ``tst`` is refused: adding an instrument is adding <id>.yaml."""
    path = write_yaml(tmp_path / "other.yaml", VALID_TEXT)
    assert _problems(tmp_path) == [
        f"{path}: id: does not match the file name 'other.yaml' (expected tst.yaml)"
    ]


def test_yml_extension_is_refused(tmp_path: Path, write_yaml: Any) -> None:
    """A .yml file would otherwise be silently ignored."""
    path = write_yaml(tmp_path / "tst.yml", VALID_TEXT)
    assert _problems(tmp_path) == [f"{path}: (file): definitions end in .yaml; rename it"]


def test_problems_of_all_files_are_listed(tmp_path: Path, write_yaml: Any) -> None:
    """One broken file does not hide the problems of another."""
    first = write_yaml(
        tmp_path / "aaa.yaml",
        VALID_TEXT.replace("id: tst", "id: aaa").replace('version: "1"', "version: 1"),
    )
    second = write_yaml(
        tmp_path / "tst.yaml", VALID_TEXT.replace("perspective: staff", "perspective: both")
    )
    assert _problems(tmp_path) == [
        f"{first}: version: must be a string (put it in quotes) (line 2)",
        f"{second}: perspective: must be 'staff' or 'self_report' (line 4)",
    ]


def test_missing_directory(tmp_path: Path) -> None:
    """A wrong --dir is reported as a problem, not a traceback."""
    assert _problems(tmp_path / "nope") == [f"{tmp_path / 'nope'}: (directory): does not exist"]
