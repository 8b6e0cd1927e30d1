from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Financement"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Bareme
        from .services import forget_bareme

        post_save.connect(forget_bareme, sender=Bareme, dispatch_uid="clas-bareme-saved")
        post_delete.connect(forget_bareme, sender=Bareme, dispatch_uid="clas-bareme-deleted")
