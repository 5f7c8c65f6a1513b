"""Tests for del_tool.stats.reliability (Cronbach's alpha and the choice of reliability)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from del_tool.stats import cronbach_alpha, scale_reliability

DATA = Path(__file__).parent / "data"


def _likert() -> pd.DataFrame:
    long = pd.read_csv(DATA / "pingouin_cronbach_alpha_long.csv")
    return long.pivot(index="Subj", columns="Items", values="Scores")


def test_alpha_and_feldt_ci_match_pingouin_docs():
    # pingouin cronbach_alpha docstring and tests/test_reliability.py (checked there against
    # R psych): alpha = 0.5917188485995826, 95% CI [0.195, 0.840] (Feldt et al. 1987).
    res = cronbach_alpha(_likert())
    assert res.alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert (round(res.ci_low, 3), round(res.ci_high, 3)) == (0.195, 0.840)
    assert (res.n, res.n_items, res.n_dropped) == (15, 10, 0)
    assert res.source == "cronbach_alpha"


def test_listwise_alpha_matches_pingouin_docs():
    # pingouin docstring: cronbach_alpha(cronbach_wide_missing, nan_policy="listwise") =
    # 0.8016949152542373 ("In R: psych::alpha(data, use = 'complete.obs')"). pingouin's CI for
    # this case ([0.581, 0.933]) is computed with the row count before deletion (12), so it is
    # not reproduced: Feldt's CI here uses the 9 complete rows.
    res = cronbach_alpha(pd.read_csv(DATA / "pingouin_cronbach_wide_missing.csv"))
    assert res.alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    assert (res.n, res.n_dropped) == (9, 3)
    assert res.ci_low < res.alpha < res.ci_high


def test_alpha_edge_cases():
    one_item = cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    assert one_item.alpha is None
    assert "fewer than 2 items" in one_item.reason
    one_row = cronbach_alpha(pd.DataFrame({"a": [1, None], "b": [2, 3]}))
    assert one_row.alpha is None
    assert "fewer than 2 complete rows" in one_row.reason
    flat = cronbach_alpha(pd.DataFrame({"a": [2, 2, 2], "b": [1, 1, 1]}))
    assert flat.alpha is None
    assert "zero variance" in flat.reason
    empty = cronbach_alpha(pd.DataFrame({"a": [], "b": []}))
    assert empty.n == 0
    assert empty.alpha is None


def test_alpha_rejects_text():
    with pytest.raises(ValueError, match="numeric"):
        cronbach_alpha(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))


def test_scale_reliability_prefers_definition():
    res = scale_reliability(0.87, _likert())
    assert (res.value, res.source) == (0.87, "definition")
    assert res.alpha is None


def test_scale_reliability_falls_back_to_alpha():
    res = scale_reliability(None, _likert())
    assert res.source == "cronbach_alpha"
    assert res.value == pytest.approx(0.5917188485995826)
    assert res.n == 15


def test_scale_reliability_neither():
    res = scale_reliability(None, None)
    assert res.value is None
    assert res.source is None
    assert "no reliability" in res.reason


def test_scale_reliability_alpha_unusable():
    negative = pd.DataFrame({"a": [1, 2, 3, 4], "b": [4, 3, 2, 1.5]})
    res = scale_reliability(None, negative)
    assert res.value is None
    assert res.source is None
    assert "negative" in res.reason
    too_few = scale_reliability(None, pd.DataFrame({"a": [1.0], "b": [np.nan]}))
    assert too_few.value is None
    assert "fewer than 2 complete rows" in too_few.reason


def test_scale_reliability_rejects_bad_definition():
    with pytest.raises(ValueError, match="definition_reliability"):
        scale_reliability(1.5, None)
