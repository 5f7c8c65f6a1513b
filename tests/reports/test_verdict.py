"""Issue #16, item 4: the verdict's wording follows written rules, one test per branch."""

from __future__ import annotations

import pytest

from del_tool.reports.common.period import parse_period, previous_period
from del_tool.reports.common.verdict import Change, compare, comparison, cost_sentence, judge
from del_tool.reports.rendering.formatting import format_value


def _change(mean, low, high, *, n=30, d=None, higher=False):
    return Change("Funktionsevnen", n, mean, (low, high), higher, d)


@pytest.mark.parametrize(
    ("change", "category", "words"),
    [
        (_change(-0.4, -0.6, -0.2, n=9), "too_few", "for få forløb"),
        (_change(-0.4, -0.6, -0.2, d=-0.8), "clear_improvement", "klar forbedring"),
        (_change(-0.1, -0.2, -0.02, d=-0.3), "improvement", "lille, men sikker forbedring"),
        (_change(0.3, 0.1, 0.5), "deterioration", "forværring"),
        (_change(-0.1, -0.3, 0.1), "no_reliable_change", "ingen sikker ændring"),
        # Higher is better (WHO-5): a rise is the improvement.
        (_change(8.0, 4.0, 12.0, d=0.6, higher=True), "clear_improvement", "klar forbedring"),
        (_change(-8.0, -12.0, -4.0, higher=True), "deterioration", "forværring"),
    ],
)
def test_each_rule_gives_its_words_and_names_the_uncertainty(app, change, category, words):
    with app.test_request_context():
        judgement = judge(change, min_n=10)
        text = str(judgement.sentence)
    assert judgement.category == category and words in text
    assert f"n = {change.n}" in text
    if category != "too_few":
        assert "95 % sikkerhedsinterval" in text or "sikkerhedsintervallet" in text
    assert "skyldes" not in text and "virker" not in text  # no causal claim


@pytest.mark.parametrize(
    ("theirs", "expected"),
    [
        (_change(-0.1, -0.15, -0.05), "better"),  # ours -0.4 (-0.6..-0.2) is better (lower)
        (_change(-0.9, -1.0, -0.7), "worse"),
        (_change(-0.3, -0.5, -0.1), "similar"),
        (_change(-0.3, -0.5, -0.1, n=5), "unknown"),
    ],
)
def test_comparisons_call_a_difference_only_beyond_the_uncertainty(app, theirs, expected):
    ours = _change(-0.4, -0.6, -0.2)
    assert comparison(ours, theirs, min_n=10) == expected
    with app.test_request_context():
        text = str(compare(ours, theirs, "regionen", min_n=10))
    assert {
        "better": "Bedre end",
        "worse": "Svagere end",
        "similar": "På niveau med",
        "unknown": "For få forløb",
    }[expected] in text


def test_cost_is_tariff_times_days_or_says_why_not(app):
    with app.test_request_context():
        assert "takst gange dage" in str(cost_sentence(1_000_000.0, 365.0, 1_000_000.0))
        assert "mangler takster" in str(cost_sentence(None, 365.0, None))


def test_a_p_value_is_never_printed_as_zero(app):
    with app.test_request_context():
        assert format_value(0.00004, "p") == "< 0,001"
        assert format_value(0.0421, "p") == "0,042"


@pytest.mark.parametrize(
    ("key", "before"),
    [
        ("2026Q1", "2025Q4"),
        ("2026H2", "2026H1"),
        ("2026", "2025"),
        ("2026-01-10..2026-01-19", "2025-12-31..2026-01-09"),
    ],
)
def test_the_previous_period_has_the_same_kind_and_length(key, before):
    assert previous_period(parse_period(key)).key == before
