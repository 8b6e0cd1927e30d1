"""Every export job now has its Caf (backfilled in 0002, kept apart so PostgreSQL has no pending
trigger events when the column becomes NOT NULL)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clasportal", "0001_initial"),
        ("committee", "0002_exportjob_caf_filters"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exportjob",
            name="caf",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clasportal.caf",
            ),
        ),
        migrations.AddConstraint(
            model_name="exportjob",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("kind__in", ["agrement_pdf", "agrement_xlsx", "letters"]),
                        ("session__isnull", False),
                    ),
                    models.Q(
                        models.Q(
                            ("kind__in", ["agrement_pdf", "agrement_xlsx", "letters"]),
                            _negated=True,
                        ),
                        ("session__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="export_session_for_session_kinds",
            ),
        ),
    ]
