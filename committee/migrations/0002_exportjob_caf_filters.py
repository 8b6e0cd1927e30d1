"""Export jobs beyond a session's (payments, audit log): a Caf of their own, the list's filters,
no session. The Caf of existing jobs is their session's."""

import django.db.models.deletion
from django.db import migrations, models


def caf_from_session(apps, schema_editor):
    ExportJob = apps.get_model("committee", "ExportJob")
    for job in ExportJob.objects.filter(caf__isnull=True).select_related("session"):
        job.caf_id = job.session.caf_id
        job.save(update_fields=["caf"])


class Migration(migrations.Migration):
    dependencies = [
        ("clasportal", "0001_initial"),
        ("committee", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="caf",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clasportal.caf",
            ),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="filters",
            field=models.JSONField(blank=True, default=dict, verbose_name="filtres de la liste"),
        ),
        migrations.AlterField(
            model_name="exportjob",
            name="session",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="exports",
                to="committee.committeesession",
            ),
        ),
        migrations.AlterField(
            model_name="exportjob",
            name="kind",
            field=models.CharField(
                choices=[
                    ("agrement_pdf", "Liste d'agrément (PDF)"),
                    ("agrement_xlsx", "Liste d'agrément (XLSX)"),
                    ("letters", "Lettres de notification (PDF)"),
                    ("payments_csv", "Paiements (CSV)"),
                    ("payments_xlsx", "Paiements (XLSX)"),
                    ("audit_csv", "Journal des actions (CSV)"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(caf_from_session, migrations.RunPython.noop),
    ]
