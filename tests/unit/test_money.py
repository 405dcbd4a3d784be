"""Money on the wire: a string of ASCII digits, at most ten before the point and two after; nothing
else is accepted (no exponent, sign, space, NaN, number or rounding); out always with two places."""
from decimal import Decimal

import pytest
from marshmallow import Schema, ValidationError

from app.schemas.common import Money


class Paid(Schema):
    amount = Money(required=True)


@pytest.mark.parametrize("text,value", [
    ("1000.00", Decimal("1000.00")), ("1000", Decimal("1000.00")), ("0.5", Decimal("0.50")),
    ("0", Decimal("0.00")), ("9999999999.99", Decimal("9999999999.99")), ("007.10", Decimal("7.10")),
])
def test_a_decimal_string_is_money_with_two_places(text, value):
    loaded = Paid().load({"amount": text})["amount"]
    assert loaded == value and loaded.as_tuple().exponent == -2


@pytest.mark.parametrize("given", [
    "1e3", "-1.00", "+1.00", " 1.00", "1.00 ", "1.00\n", "NaN", "Infinity", "1.001", "1.", ".5", "1,00",
    "12345678901", "١٢٣", "", 1000, 10.5, None, True, ["1.00"],
])
def test_anything_else_is_refused_not_rounded(given):
    with pytest.raises(ValidationError) as refused:
        Paid().load({"amount": given})
    assert "amount" in refused.value.messages


@pytest.mark.parametrize("value,text", [
    (Decimal("5"), "5.00"), (Decimal("1000.5"), "1000.50"), (Decimal("0.00"), "0.00"), ("12.3", "12.30"),
])
def test_money_goes_out_with_two_places(value, text):
    assert Paid().dump({"amount": value}) == {"amount": text}


def test_no_money_goes_out_as_null():
    assert Paid().dump({"amount": None}) == {"amount": None}
