"""Properties of the engine that must hold for every case, not only the written ones."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from funding import engine

BAREME = engine.Bareme(
    year=2026,
    rate=Decimal("0.325"),
    ceiling=Decimal("8652.00"),
    bonus_children=Decimal("335.00"),
    bonus_parents=Decimal("335.00"),
)

cents = st.integers(min_value=0, max_value=200_000_00).map(lambda c: Decimal(c) / 100)
kinds = st.sampled_from(engine.CARRIER_KINDS)


@st.composite
def cases(draw, with_actual=False):
    agreed = draw(st.integers(1, 12))
    collectives = draw(st.integers(1, agreed))
    weeks = draw(st.integers(0, 53))
    min_weeks = draw(st.integers(20, 30))
    charges = {"64": draw(cents), "60": draw(cents), "860": draw(cents)}
    forecast = engine.Declaration(
        collectives=collectives,
        weeks=weeks,
        charges=charges,
        bonus_children_collectives=draw(st.integers(0, 12)),
        bonus_parents_collectives=draw(st.integers(0, 12)),
    )
    actual = None
    if with_actual:
        actual = engine.Declaration(
            collectives=draw(st.integers(1, agreed)),
            weeks=draw(st.integers(0, 53)),
            charges={"64": draw(cents)},
            bonus_children_collectives=draw(st.integers(0, 12)),
            bonus_parents_collectives=draw(st.integers(0, 12)),
        )
    return engine.FundingCase(
        bareme=BAREME,
        carrier_kind=draw(kinds),
        collectives_agreed=agreed,
        forecast=forecast,
        min_weeks=min_weeks,
        bonus_children_granted=draw(st.booleans()),
        bonus_parents_granted=draw(st.booleans()),
        actual=actual,
        advances_paid=draw(cents),
    )


def exact_ps_bound(rate, amount):
    return (rate * amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=400)
@given(cases())
def test_ps_never_exceeds_rate_times_ceiling_times_collectives(case):
    result = engine.compute(case).forecast
    bound = exact_ps_bound(BAREME.rate, BAREME.ceiling * case.forecast.collectives)
    assert result.ps <= bound


@settings(max_examples=400)
@given(cases())
def test_ps_never_exceeds_rate_times_cost(case):
    result = engine.compute(case).forecast
    assert result.ps <= exact_ps_bound(BAREME.rate, result.cost_price)


@settings(max_examples=300)
@given(cases(), cents)
def test_ps_is_monotonic_in_cost(case, extra):
    lower = engine.compute(case).forecast.ps
    charges = dict(case.forecast.charges)
    charges["64"] = charges["64"] + extra
    richer = engine.FundingCase(
        **{
            **case.__dict__,
            "forecast": engine.Declaration(**{**case.forecast.__dict__, "charges": charges}),
        }
    )
    assert engine.compute(richer).forecast.ps >= lower


@settings(max_examples=300)
@given(cases())
def test_ps_is_monotonic_in_collectives_at_equal_cost(case):
    result = engine.compute(case).forecast.ps
    more = case.forecast.collectives + 1
    wider = engine.FundingCase(
        **{
            **case.__dict__,
            "collectives_agreed": max(case.collectives_agreed, more),
            "forecast": engine.Declaration(**{**case.forecast.__dict__, "collectives": more}),
        }
    )
    assert engine.compute(wider).forecast.ps >= result


@settings(max_examples=400)
@given(cases())
def test_advances_never_exceed_70_percent_and_are_rounded_down(case):
    forecast = engine.compute(case).forecast
    assert forecast.advances_max <= forecast.right * Decimal("0.70")
    assert forecast.right * Decimal("0.70") - forecast.advances_max < Decimal("0.01")


@settings(max_examples=300)
@given(cases(with_actual=True))
def test_actual_bonuses_never_exceed_forecast_nor_collectives(case):
    result = engine.compute(case)
    for key in engine.BONUS_KEYS:
        assert getattr(result.actual, key) <= getattr(result.forecast, key)
        assert getattr(result.actual, key) <= case.actual.collectives
    assert result.actual.balance == result.actual.right - case.advances_paid


@settings(max_examples=300)
@given(cases())
def test_amounts_are_exact_cents(case):
    forecast = engine.compute(case).forecast
    for amount in (forecast.ps, forecast.bonus_children, forecast.bonus_parents, forecast.right):
        assert isinstance(amount, Decimal)
        assert amount == amount.quantize(Decimal("0.01"))


def test_half_up_not_bankers_rounding():
    # 8 487 × 0,325 = 2 758,275 → 2 758,28 (banker's rounding would give 2 758,28 too, so also
    # check a case where it differs: 0,325 × 7 = 2,275 → 2,28 half up, 2,28 banker's; 0,325 × 5
    # = 1,625 → 1,63 half up, 1,62 banker's).
    assert engine.to_cent(Decimal("2758.275")) == Decimal("2758.28")
    assert engine.to_cent(Decimal("1.625")) == Decimal("1.63")
    case = engine.FundingCase(
        bareme=BAREME,
        carrier_kind="collectivite",
        collectives_agreed=1,
        forecast=engine.Declaration(collectives=1, weeks=30, charges={"64": Decimal("5.00")}),
    )
    assert engine.compute(case).forecast.ps == Decimal("1.63")


def test_weeks_factor_divides_once_at_the_end():
    case = engine.FundingCase(
        bareme=BAREME,
        carrier_kind="association",
        collectives_agreed=2,
        forecast=engine.Declaration(collectives=2, weeks=24, charges={"64": Decimal("20000")}),
    )
    # 0.325 × 17304 × 24 / 27 = 4998.9333… (a rounded factor 0.89 would give 5005.32)
    assert engine.compute(case).forecast.ps == Decimal("4998.93")


def test_format_euros_is_french():
    assert engine.format_euros(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert engine.format_euros(Decimal("-2706.2")) == "-2\u202f706,20\u00a0€"
    assert engine.format_euros(Decimal("0")) == "0,00\u00a0€"
