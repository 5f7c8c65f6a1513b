"""Built reports as JSON, for the shared store: `encode` in one language, `decode` back.

A built report holds lazily translated texts; the store keeps one build per language, so texts
are resolved while encoding (inside `labels.rendering_context(language)`). Only the report
model's classes, the drawn charts and a few enums are rebuilt on decoding, by name from an
allow-list: stored JSON never names code to run. Not stored: `Section.results` (the raw
statistics objects, for callers in the building process) and `ChartSpec.data` (what the charts
were drawn from; the drawn charts, with their data tables, are stored beside the report).
"""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask_babel.speaklater import LazyString

from del_tool.charts import Chart, ChartTable
from del_tool.goals.models import GoalDirection, GoalStatus, Theme
from del_tool.organisation.models import LegalSection, TargetGroup
from del_tool.reports.common.labels import Text
from del_tool.reports.common.model import (
    ChartSpec,
    Column,
    Hidden,
    KeyFigure,
    Report,
    Section,
    Table,
)
from del_tool.reports.common.period import Period
from del_tool.reports.common.selection import Filters

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Report,
        Section,
        Table,
        Column,
        KeyFigure,
        ChartSpec,
        Hidden,
        Period,
        Filters,
        Chart,
        ChartTable,
    )
}
_ENUMS: dict[str, type[Enum]] = {
    cls.__name__: cls for cls in (LegalSection, TargetGroup, GoalDirection, GoalStatus, Theme)
}
#: Fields of the model not stored (see the module docstring).
_SKIPPED = {("Section", "results"), ("ChartSpec", "data")}


def encode(value: Any) -> Any:
    """`value` as JSON-ready data; TypeError for anything outside the report model."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, Text | LazyString):
        return str(value)
    if isinstance(value, Enum):
        return _encode_enum(value)
    if type(value).__module__ == "numpy":  # a numpy scalar or array (numpy not imported here)
        return encode(value.tolist())
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return _encode_dict(value)
    if is_dataclass(value) and type(value).__name__ in _CLASSES:
        return _encode_dataclass(value)
    raise TypeError(f"a stored report cannot hold {type(value).__name__}")


def _encode_enum(value: Enum) -> Any:
    name = type(value).__name__
    if name not in _ENUMS:
        raise TypeError(f"a stored report cannot hold the enum {name}")
    return {"__enum__": name, "value": value.value}


def _encode_dict(value: dict[Any, Any]) -> Any:
    if all(isinstance(k, str) and not k.startswith("__") for k in value):
        return {k: encode(v) for k, v in value.items()}
    return {"__items__": [[encode(k), encode(v)] for k, v in value.items()]}


def _encode_dataclass(value: Any) -> Any:
    name = type(value).__name__
    out: dict[str, Any] = {"__type__": name}
    for spec in fields(value):
        skipped = (name, spec.name) in _SKIPPED
        out[spec.name] = {} if skipped else encode(getattr(value, spec.name))
    return out


def decode(data: Any) -> Any:
    """The value `encode` gave `data` for (texts as plain strings)."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__type__" in data:
        cls = _CLASSES[data["__type__"]]
        return cls(**{k: decode(v) for k, v in data.items() if k != "__type__"})
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__enum__" in data:
        return _ENUMS[data["__enum__"]](data["value"])
    if "__datetime__" in data:
        return datetime.fromisoformat(data["__datetime__"])
    if "__date__" in data:
        return date.fromisoformat(data["__date__"])
    if "__float__" in data:
        return float(data["__float__"])
    if "__items__" in data:
        return {decode(k): decode(v) for k, v in data["__items__"]}
    return {k: decode(v) for k, v in data.items()}
