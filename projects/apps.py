from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Porteurs et projets"

    def ready(self):
        from django.db.models.signals import post_save

        from clasportal.models import Commune

        from .rural import commune_saved

        # A commune's rural flag (edited or imported) carries to its collectives' status.
        post_save.connect(commune_saved, sender=Commune, dispatch_uid="projects.rural.commune")
