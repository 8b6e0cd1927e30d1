from django.apps import AppConfig


class ClasportalConfig(AppConfig):
    name = "clasportal"
    verbose_name = "Organisations et comptes"
