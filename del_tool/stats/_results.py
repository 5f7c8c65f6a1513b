"""Shared helpers for the statistics module: input coercion, warning capture and small utilities.

Conventions used by every function in ``del_tool.stats``:

- Inputs are array-likes (lists, numpy arrays, pandas Series); ``None`` and ``NaN`` mean missing.
- A scalar the data cannot support is ``None`` in the result, and the result's ``reason`` says why
  (several reasons are joined with "; "). Per-person or per-unit arrays use ``NaN`` (numbers) or
  ``""`` (labels) for entries that cannot be computed.
- ``ValueError`` is raised only for programmer errors: mismatched lengths, unknown option strings,
  values outside a documented domain (a reliability of 1.3, a negative count).
- Warnings from numpy, scipy or statsmodels are never allowed to escape; where a library warns, the
  warning is captured and reported in the result.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]


def as_float_array(values: Any, name: str) -> FloatArray:
    """Return ``values`` as a 1-D float64 array with missing values as NaN.

    Raises ValueError if the values are not one-dimensional or not numeric.
    """
    if isinstance(values, pd.Series | pd.Index):
        try:
            converted = pd.to_numeric(values, errors="raise")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric") from exc
        arr = np.asarray(converted.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)
    else:
        try:
            arr = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            try:
                series = pd.to_numeric(pd.Series(list(values), dtype=object), errors="raise")
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{name} must be numeric") from exc
            arr = np.asarray(series.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def paired_arrays(pre: Any, post: Any) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Coerce pre and post to float arrays of equal length and return the complete-pair mask."""
    pre_arr = as_float_array(pre, "pre")
    post_arr = as_float_array(post, "post")
    if pre_arr.shape != post_arr.shape:
        raise ValueError(f"pre and post differ in length ({pre_arr.size} vs {post_arr.size})")
    complete = np.isfinite(pre_arr) & np.isfinite(post_arr)
    return pre_arr, post_arr, complete


def opt_float(value: float | np.floating[Any] | None) -> float | None:
    """Return a plain float, or None for None/NaN/inf (a number the data cannot support)."""
    if value is None:
        return None
    out = float(value)
    return out if math.isfinite(out) else None


def join_reasons(reasons: Iterable[str | None]) -> str | None:
    """Join the non-empty reasons with "; ", or return None when there are none."""
    kept = [r for r in reasons if r]
    return "; ".join(dict.fromkeys(kept)) if kept else None


@contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """Capture every warning raised inside the block into a list of "Category: message" strings.

    The list is filled when the block exits, so read it after the ``with`` statement.
    """
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield messages
    messages.extend(f"{w.category.__name__}: {w.message}" for w in caught)


def check_choice(value: object, name: str, choices: Iterable[object]) -> None:
    """Raise ValueError unless ``value`` is one of ``choices``."""
    allowed = tuple(choices)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed!r}, got {value!r}")
