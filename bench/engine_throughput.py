"""How many funding cases per second the pure engine computes (no database, no Django).

.venv/bin/python bench/engine_throughput.py [N]      # default 100 000 random cases
"""

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from funding import engine  # noqa: E402

BAREME = engine.Bareme(
    year=2026,
    rate=Decimal("0.325"),
    ceiling=Decimal("8652.00"),
    bonus_children=Decimal("335.00"),
    bonus_parents=Decimal("335.00"),
)


def random_case(rng):
    agreed = rng.randint(1, 8)

    def declaration():
        return engine.Declaration(
            collectives=rng.randint(1, agreed),
            weeks=rng.randint(20, 40),
            charges={
                "60": Decimal(rng.randint(0, 500_000)) / 100,
                "64": Decimal(rng.randint(0, 4_000_000)) / 100,
                "860": Decimal(rng.randint(0, 300_000)) / 100,
            },
            bonus_children_collectives=rng.randint(0, agreed),
            bonus_parents_collectives=rng.randint(0, agreed),
        )

    return engine.FundingCase(
        bareme=BAREME,
        carrier_kind=rng.choice(engine.CARRIER_KINDS),
        collectives_agreed=agreed,
        forecast=declaration(),
        actual=declaration() if rng.random() < 0.5 else None,
        bonus_children_granted=rng.random() < 0.5,
        bonus_parents_granted=rng.random() < 0.5,
        advances_paid=Decimal(rng.randint(0, 1_000_000)) / 100,
    )


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(42)
    cases = [random_case(rng) for _ in range(count)]
    start = time.perf_counter()
    total = Decimal(0)
    for case in cases:
        total += engine.compute(case).forecast.right
    elapsed = time.perf_counter() - start
    print(
        f"{count} cas en {elapsed:.2f} s : {count / elapsed:,.0f} cas/s (somme des droits {total})"
    )


if __name__ == "__main__":
    main()
