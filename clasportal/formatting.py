"""French formatting of amounts and rates, for pages, PDFs, e-mails and the engine's explanations
(fr-FR: `1 234,56 €`, `32,5 %`)."""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
CENT = Decimal("0.01")


def to_cent(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_euros(amount: Decimal) -> str:
    """1234.5 → '1 234,50 €' (French grouping with a narrow no-break space)."""
    quantized = to_cent(amount)
    sign = "-" if quantized < 0 else ""
    units, cents = f"{abs(quantized):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return sign + NARROW_NBSP.join(groups) + "," + cents + NBSP + "€"


def format_rate(rate: Decimal) -> str:
    percent = (rate * 100).normalize()
    text = f"{percent:f}".replace(".", ",")
    return f"{text}\u00a0%"


def format_count(count: int) -> str:
    """20000 → '20 000' (the grouping of amounts, for counts of rows, projects…)."""
    digits = str(abs(int(count)))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return ("-" if int(count) < 0 else "") + NARROW_NBSP.join(groups)
