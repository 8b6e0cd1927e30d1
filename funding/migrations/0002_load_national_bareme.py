"""The national barème rows quoted in the Caf notes (SPEC §4.1). Data, not constants in code."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

ROWS = [
    # year, rate, ceiling, bonus per collective (children = parents), source
    (2023, "0.325", "7885.00", "305.00", "Note de cadrage Puy-de-Dôme 2023/2024"),
    (2025, "0.325", "8487.00", "329.00", "Notes de cadrage Landes et Vosges 2025/2026"),
    (2026, "0.325", "8652.00", "335.00", "Guide des porteurs Loire 2026/2027"),
]


def load(apps, schema_editor):
    Bareme = apps.get_model("funding", "Bareme")
    HistoricalBareme = apps.get_model("funding", "HistoricalBareme")
    for year, rate, ceiling, bonus, source in ROWS:
        row, _ = Bareme.objects.update_or_create(
            year=year,
            defaults={
                "rate": Decimal(rate),
                "ceiling": Decimal(ceiling),
                "bonus_children": Decimal(bonus),
                "bonus_parents": Decimal(bonus),
                "advances_cap": Decimal("0.70"),
                "source": source,
            },
        )
        # Historical models are not tracked inside migrations: write the creation line ourselves.
        fields = {f.attname: getattr(row, f.attname) for f in Bareme._meta.concrete_fields}
        HistoricalBareme.objects.create(
            **fields,
            history_date=timezone.now(),
            history_type="+",
            history_change_reason="Chargement initial (migration)",
        )


def unload(apps, schema_editor):
    apps.get_model("funding", "Bareme").objects.filter(year__in=[r[0] for r in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
