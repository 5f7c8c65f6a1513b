"""The benchmark's own helpers: percentiles, form filling, growth, and reading bench_stats."""

from __future__ import annotations

import random

import pytest

from bench.forms import post_form
from bench.load import Response
from bench.pages import _refusal
from bench.runner import growth
from bench.stats_timings import _ROW
from bench.timing import percentile, time_runs

PAGE = """
<form method="post" action="/auth/logout"><input type="hidden" name="csrf_token" value="t1"></form>
<form method="get"><input name="date" value="2026-01-01"></form>
<form method="post">
  <input type="hidden" name="csrf_token" value="t2">
  <input type="hidden" name="submission_token" value="s">
  <input type="radio" name="kind" value="baseline">
  <input type="radio" name="kind" value="follow_up" checked>
  <input type="radio" name="q-a" value=""><input type="radio" name="q-a" value="2">
  <input type="checkbox" name="flag" value="y" checked><input type="checkbox" name="off">
  <select name="unit"><option value="1">A</option><option value="2" selected>B</option></select>
  <textarea name="note">old</textarea>
  <button type="submit" name="save">Gem</button>
</form>
"""


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([], 0.5) != percentile([], 0.5)  # NaN


def test_time_runs_counts_its_runs():
    calls = []
    timing = time_runs(lambda: calls.append(1), 3, warmup=2)
    assert len(calls) == 5 and timing.runs == 3
    assert timing.minimum <= timing.median <= timing.maximum


def test_post_form_fills_the_main_form_like_a_person():
    form = post_form(PAGE)
    assert form is not None and form.action is None
    data = form.filled(random.Random(1), note="bench-x")
    assert data["csrf_token"] == "t2" and data["submission_token"] == "s"
    assert data["kind"] == "follow_up"
    assert data["q-a"] in ("", "2")
    assert data["unit"] == "2" and data["flag"] == "y" and "off" not in data
    assert data["note"] == "bench-x" and "save" not in data


def test_refusal_names_the_error_beside_the_field():
    body = (
        '<span class="form-error-message" id="d-error">\n'
        ' <span class="sr-only">Fejl:</span> Der er allerede en opfølgning\n</span>'
    )
    assert (
        _refusal(Response(200, body, None, 0.1)) == "HTTP 200: Fejl: Der er allerede en opfølgning"
    )
    assert _refusal(Response(500, "", None, 0.1)) == "HTTP 500"


def test_growth_exponent_between_sizes():
    def entry(size: str, rows: int, seconds: float) -> dict:
        return {
            "backend": "sqlite",
            "size": size,
            "effect": {"rows_read": rows, "build": {"median": seconds}},
        }

    out = growth([entry("M", 10_000, 1.0), entry("S", 1_000, 0.2), entry("L", 100_000, 10.0)])
    assert [(g["from"], g["to"]) for g in out] == [("S", "M"), ("M", "L")]
    assert out[0]["exponent"] == pytest.approx(0.7, abs=0.01)
    assert out[1]["exponent"] == pytest.approx(1.0, abs=0.01)


def test_bench_stats_rows_are_read():
    match = _ROW.match("reliable change, 1,000,000 pairs, no cutoff      0.0804")
    assert match is not None
    assert match["task"] == "reliable change, 1,000,000 pairs, no cutoff"
    assert float(match["seconds"]) == 0.0804
