"""The pure prorata of a withdrawn agrément (funding.withdrawal): Decimal, rounded once."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funding.withdrawal import Withdrawal, WithdrawalError, prorated_right, settle_withdrawal


def half_up(fraction):
    return Decimal(int(fraction * 100 + Fraction(1, 2))) / 100


def test_examples():
    # Vosges 2025 ceiling PS for one collective over 27 weeks, 13 run: 1 328,06 €.
    assert prorated_right(Decimal("2758.28"), 13, 27) == half_up(Fraction("2758.28") * 13 / 27)
    assert prorated_right(Decimal("2758.28"), 13, 27) == Decimal("1328.06")
    assert prorated_right(Decimal("2811.90"), 40, 30) == Decimal("2811.90")  # capped
    result = settle_withdrawal(Withdrawal(Decimal("2811.90"), 30, 20, Decimal("984.16")))
    assert result.prorated_right == Decimal("1874.60")
    assert (result.to_recover, result.still_due) == (Decimal("0"), Decimal("890.44"))
    assert (
        result.steps[-1]
        == "Reste dû par la Caf : 1\u202f874,60\u00a0€ − 984,16\u00a0€ = 890,44\u00a0€."
    )


def test_bad_figures_are_said_in_french():
    with pytest.raises(WithdrawalError, match="semaines prévues"):
        prorated_right(Decimal("100"), 3, 0)


money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False)


@given(money, st.integers(0, 60), st.integers(1, 53), money)
def test_properties(right, run, planned, paid):
    result = settle_withdrawal(Withdrawal(right, planned, run, paid))
    assert result.prorated_right == half_up(Fraction(right) * min(run, planned) / planned)
    assert Decimal("0") <= result.prorated_right <= right
    assert result.to_recover == max(paid - result.prorated_right, 0)
    assert result.to_recover * result.still_due == 0
    assert paid - result.to_recover + result.still_due == result.prorated_right
