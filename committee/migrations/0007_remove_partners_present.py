from django.db import migrations


class Migration(migrations.Migration):
    """The JSON list of partner codes gives way to the attendance sheet (0006 copied it)."""

    dependencies = [
        ("committee", "0006_partner_accounts_and_attendance"),
    ]

    operations = [
        migrations.RemoveField(model_name="committeesession", name="partners_present"),
        migrations.RemoveField(model_name="historicalcommitteesession", name="partners_present"),
    ]
