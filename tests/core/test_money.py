from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xconsole.core.money import (
    MAX_INPUT_CENTS,
    MoneyError,
    dollars_to_cents,
    format_cents,
    parse_amount,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("25", 2500),
        ("$1,250.50", 125050),
        ("25.5", 2550),
        (" 25.05 ", 2505),
        ("0.99", 99),
        (".5", 50),
        ("1250", 125000),
        ("$0", 0),
        ("+7", 700),
    ],
)
def test_parse_amount_accepts_what_people_type(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Enter an amount"),
        ("-5", "negative"),
        ("$-5", "negative"),
        ("25.555", "2 decimals"),
        ("abc", "Not an amount"),
        ("1,25", "Not an amount"),
        ("12,3456", "Not an amount"),
        ("1e3", "Not an amount"),
        ("99999999999", "too large"),
        ("10000000.01", "too large"),
        ("$", "Not an amount"),
        (".", "Not an amount"),
        ("25 25", "Not an amount"),  # a typo, not $2,525 (found by the form fuzz test)
        ("2 5", "Not an amount"),
    ],
)
def test_parse_amount_rejects_with_a_reason(text, reason):
    with pytest.raises(MoneyError, match=reason):
        parse_amount(text)


def test_format_cents():
    assert format_cents(125050) == "$1,250.50"
    assert format_cents(-250) == "-$2.50"
    assert format_cents(0) == "$0.00"
    assert format_cents(5, sign=True) == "+$0.05"
    with pytest.raises(TypeError):
        format_cents(1.5)  # type: ignore[arg-type]


def test_dollars_to_cents_goes_through_decimal():
    assert dollars_to_cents(1.2841) == 128
    assert dollars_to_cents(0.1 + 0.2) == 30
    assert dollars_to_cents(0.005) == 1  # half up
    assert dollars_to_cents(Decimal("12.345")) == 1235
    with pytest.raises(MoneyError):
        dollars_to_cents(float("nan"))


@given(st.integers(min_value=0, max_value=MAX_INPUT_CENTS))
def test_format_then_parse_round_trips(cents):
    assert parse_amount(format_cents(cents)) == cents


@given(st.integers(min_value=0, max_value=MAX_INPUT_CENTS // 100 - 1), st.integers(min_value=0, max_value=99))
def test_plain_decimal_text_round_trips(dollars, cents):
    assert parse_amount(f"{dollars}.{cents:02d}") == dollars * 100 + cents


@given(st.text(max_size=20))
def test_parse_never_crashes_on_any_text(text):
    try:
        cents = parse_amount(text)
    except MoneyError:
        return
    assert isinstance(cents, int) and 0 <= cents <= MAX_INPUT_CENTS


def _cents_by_decimal(value: float) -> int:
    from decimal import ROUND_HALF_UP

    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(st.one_of(st.floats(min_value=-1e8, max_value=1e8, allow_nan=False),
                 # Values at and beside a half cent, where rounding directly could differ.
                 st.builds(lambda c, d: (c + 0.5) / 100 + d * 1e-12,
                           st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=-3, max_value=3))))
def test_dollars_to_cents_fast_path_equals_the_decimal_one(value):
    assert dollars_to_cents(value) == _cents_by_decimal(value)


@pytest.mark.parametrize("value", [0.005, 0.015, 0.025, 1.005, 2.675, -0.005, -2.675, 9_999_999.995, 0.0, -0.0,
                                   1e-9, 0.0049999999, 123.4549999])
def test_dollars_to_cents_at_half_cents(value):
    assert dollars_to_cents(value) == _cents_by_decimal(value)
