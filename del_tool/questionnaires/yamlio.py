"""Reading YAML strictly (no duplicate keys) and turning errors into located problems.

Besides the data, `read_yaml` returns the line of every key and list entry, so that a problem
found later (by pydantic or a rule) can name the line a person has to edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from del_tool.questionnaires.errors import Problem
from del_tool.questionnaires.schema import ID_PATTERN, URL_PATTERN, VERSION_PATTERN

Loc = tuple[str | int, ...]
LineMap = dict[Loc, int]

_PATTERN_REASONS = {
    ID_PATTERN: "must be lowercase letters, digits and _, starting with a letter",
    VERSION_PATTERN: 'must be numbers separated by dots, in quotes (e.g. "1" or "1.2")',
    URL_PATTERN: "must be an http:// or https:// address",
}
_TYPE_REASONS = {
    "extra_forbidden": "unknown key",
    "missing": "required",
    "string_type": "must be a string (put it in quotes)",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "string_too_short": "must not be empty",
}


def format_loc(loc: Loc) -> str:
    """``("scales", 0, "items", 2)`` as ``scales[0].items[2]``; the root is ``(document)``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def line_for(loc: Loc, lines: Mapping[Loc, int]) -> int | None:
    """The YAML line of `loc`, or of its nearest enclosing key when `loc` itself is absent."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def read_yaml(path: Path, display: str) -> tuple[Any, LineMap, list[Problem]]:
    """Parse one YAML document: ``(data, lines, problems)``; data is None when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, {}, [Problem(display, "(file)", f"cannot be read: {exc}")]
    lines: LineMap = {}
    problems: list[Problem] = []
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else _construct(loader, node, (), lines, problems, display)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        reason = exc.problem or str(exc)
        if exc.context:
            start = f" (line {exc.context_mark.line + 1})" if exc.context_mark else ""
            reason = f"{exc.context}{start}: {reason}"
        return None, {}, [Problem(display, where, reason)]
    except yaml.YAMLError as exc:
        return None, {}, [Problem(display, "(document)", f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    if node is None:
        return None, {}, [Problem(display, "(document)", "the file is empty")]
    return data, lines, problems


def _construct(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    loc: Loc,
    lines: LineMap,
    problems: list[Problem],
    display: str,
) -> Any:
    """Build Python data from a node, recording lines and refusing duplicate or merge keys."""
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(
                    Problem(display, format_loc(loc), "merge keys (<<) are not supported", line)
                )
                continue
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int) or isinstance(key, bool):
                problems.append(
                    Problem(display, format_loc(loc), f"key {key!r} must be a name", line)
                )
                continue
            if key in result:
                problems.append(Problem(display, format_loc((*loc, key)), "duplicate key", line))
                continue
            lines[(*loc, key)] = line
            result[key] = _construct(loader, value_node, (*loc, key), lines, problems, display)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, child, (*loc, index), lines, problems, display)
            for index, child in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def validation_problems(error: ValidationError, display: str, lines: LineMap) -> list[Problem]:
    """Pydantic errors as problems: field path, a plain reason, and the YAML line."""
    return [
        Problem(
            display,
            format_loc(tuple(detail["loc"])),
            _reason(detail),
            line_for(tuple(detail["loc"]), lines),
        )
        for detail in error.errors()
    ]


def _reason(detail: ErrorDetails) -> str:
    """A short reason in plain words for one pydantic error."""
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return _PATTERN_REASONS.get(str(ctx.get("pattern")), "has the wrong form")
    if kind in _TYPE_REASONS:
        return _TYPE_REASONS[kind]
    if kind == "too_short":
        needed = ctx.get("min_length")
        return f"needs at least {needed} {'entry' if needed == 1 else 'entries'}"
    if kind == "too_long":
        return f"has too many entries (at most {ctx.get('max_length')})"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}"
    return detail["msg"].replace("Input should be", "must be")
