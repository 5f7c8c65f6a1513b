"""The CPR guard sees a CPR-shaped number however it is punctuated, and not a date or phone."""

from __future__ import annotations

import pytest

from del_tool.forms import contains_cpr_number


@pytest.mark.parametrize(
    "text",
    [
        "0101901234",
        "010190-1234",
        "01.01.90-1234",
        "01-01-90-1234",
        "010190\u20101234",  # hyphen
        "010190\u20131234",  # en dash
        "010190\u22121234",  # minus sign
        "010190\uff0d1234",  # full-width hyphen-minus
        "01 01 90\u00a01234",  # no-break space
        "0101\u00ad901234",  # a soft hyphen inside
    ],
)
def test_cpr_shaped_numbers_are_found(text):
    assert contains_cpr_number(f"Borger {text} i notatet")


@pytest.mark.parametrize(
    "text", ["2026-01-01", "01.01.1990", "tlf. 12 34 56 78", "sag 2026-0042", "12345678901"]
)
def test_dates_phone_numbers_and_case_numbers_pass(text):
    assert not contains_cpr_number(text)
