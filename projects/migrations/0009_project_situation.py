from django.db import migrations, models

CHOICES = [
    (1, "Renouvellement (convention qui s'achève)"),
    (2, "Convention pluriannuelle en cours"),
    (3, "Nouveau porteur"),
    (4, "Nouveau projet d'un porteur déjà financé"),
]


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_conventions")]

    operations = [
        migrations.AlterField(
            model_name=model,
            name="situation",
            field=models.PositiveSmallIntegerField(choices=CHOICES, verbose_name="situation"),
        )
        for model in ("project", "historicalproject")
    ]
