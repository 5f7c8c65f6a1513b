"""How report values are shown: one function for the page, the PDF and the spreadsheet texts."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.labels import number
from del_tool.reports.common.model import Hidden, KeyFigure

DASH = "–"


def is_missing(value: Any) -> bool:
    """None or a NaN number."""
    if value is None:
        return True
    return isinstance(value, float | np.floating) and not np.isfinite(value)


def format_value(value: Any, kind: str = "text", decimals: int = 0) -> str:
    """A value as text in the reader's language: 1.234 / 12,5 % / +0,16 / 1.234.567 kr."""
    if isinstance(value, Hidden):
        return value.marker
    if is_missing(value):
        return DASH
    if kind == "date" and isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if kind == "pct":
        return f"{number(100 * float(value), decimals)} %"
    if kind == "signed":
        text = number(float(value), decimals)
        return text if text.startswith("-") or float(value) == 0 else f"+{text}"
    if kind in ("int", "dkk"):
        return number(float(value), 0)
    if kind == "float":
        return number(float(value), decimals)
    if kind == "p":  # a p-value: never "0,000"
        return f"< {number(0.001, 3)}" if float(value) < 0.001 else number(float(value), 3)
    return str(value)


def rounded(value: Any, kind: str, decimals: int) -> Any:
    """The number exactly as the page shows it (shares as fractions), for the spreadsheet."""
    if isinstance(value, Hidden) or is_missing(value) or isinstance(value, str | date):
        return value
    if not isinstance(value, int | float | np.integer | np.floating):
        return value
    if kind == "pct":
        return round(float(value), decimals + 2)
    if kind in ("int", "dkk"):
        return round(float(value))
    if kind == "p":
        return round(float(value), 3) if float(value) >= 0.001 else "< 0.001"
    if kind in ("float", "signed"):
        return round(float(value), decimals) + 0.0  # + 0.0: never "-0.0"
    return value


def benchmark_text(figure: KeyFigure) -> str | None:
    """ "Regionen: 54 %" under a key figure, when it has a benchmark."""
    if figure.benchmark is None:
        return None
    label = figure.benchmark_label or _l("Regionen")
    return f"{label}: {format_value(figure.benchmark, figure.kind, figure.decimals)}"
