from django.urls import path

from . import views

app_name = "declarations"

urlpatterns = [
    path("projet/<int:pk>/ouvrir/<str:kind>/", views.declaration_open, name="open"),
    path("<int:pk>/", views.declaration_edit, name="edit"),
    path("<int:pk>/controles/", views.declaration_check, name="check"),
    path("<int:pk>/documents/", views.declaration_upload, name="upload"),
    path("<int:pk>/documents/<int:document_pk>/", views.declaration_document, name="document"),
    path("traitement/", views.declaration_queue, name="queue"),
    path("traitement/<int:pk>/", views.declaration_process, name="process"),
    path(
        "traitement/<int:pk>/justifications/<int:justification_pk>/",
        views.justification_decide,
        name="justification",
    ),
    path("traitement/<int:pk>/renvoyer/", views.declaration_return, name="return"),
    path("traitement/<int:pk>/valider/", views.declaration_validate, name="validate"),
    path("chiffres/", views.figures, name="figures"),
    path("paiements/", views.payment_list, name="payments"),
    path("paiements/export.<str:fmt>", views.payment_export, name="payment_export"),
    path(
        "paiements/exports/<int:job_pk>/",
        views.payment_export_status,
        name="payment_export_status",
    ),
    path(
        "paiements/exports/<int:job_pk>/fichier/",
        views.payment_export_download,
        name="payment_export_download",
    ),
    path("paiements/<int:payment_pk>/avancer/", views.payment_advance, name="payment_advance"),
]
