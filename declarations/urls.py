from django.urls import path

from . import views

app_name = "declarations"

urlpatterns = [
    path("projet/<int:pk>/ouvrir/<str:kind>/", views.declaration_open, name="open"),
    path("<int:pk>/", views.declaration_edit, name="edit"),
    path("<int:pk>/document.pdf", views.declaration_pdf, name="declaration_pdf"),
    path("paiements/<int:pk>/avis.pdf", views.payment_notice, name="payment_notice"),
    path("<int:pk>/controles/", views.declaration_check, name="check"),
    path("<int:pk>/documents/", views.declaration_upload, name="upload"),
    path("<int:pk>/documents/<int:document_pk>/", views.declaration_document, name="document"),
    path(
        "<int:pk>/justifications/<int:justification_pk>/reponse/",
        views.justification_answer,
        name="justification_answer",
    ),
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
    path("documents-utiles/", views.resource_list, name="resources"),
    path("documents-utiles/ajouter/", views.resource_add, name="resource_add"),
    path("documents-utiles/<int:pk>/", views.resource_download, name="resource_download"),
    path("documents-utiles/<int:pk>/retirer/", views.resource_delete, name="resource_delete"),
    path("exports/<slug:what>.<str:fmt>", views.list_export, name="list_export"),
    path("exports/suivi/<int:job_pk>/", views.list_export_status, name="list_export_status"),
    path(
        "exports/suivi/<int:job_pk>/fichier/",
        views.list_export_download,
        name="list_export_download",
    ),
    path("chiffres/national/", views.national_figures, name="national_figures"),
    path("chiffres/national.xlsx", views.national_figures_xlsx, name="national_figures_xlsx"),
    path("bilans/campagne/<int:campaign_pk>/", views.bilan_admin, name="bilan_admin"),
    path("bilans/campagne/<int:campaign_pk>/creer/", views.bilan_create, name="bilan_create"),
    path("bilans/<int:pk>/reglages/", views.bilan_settings, name="bilan_settings"),
    path("bilans/<int:pk>/questions/", views.bilan_question_add, name="bilan_question_add"),
    path("bilans/questions/<int:pk>/", views.bilan_question_edit, name="bilan_question_edit"),
    path(
        "bilans/questions/<int:pk>/supprimer/",
        views.bilan_question_delete,
        name="bilan_question_delete",
    ),
    path("bilans/projet/<int:project_pk>/", views.bilan_fill, name="bilan_fill"),
    path("bilans/reponses/<int:pk>/lu/", views.bilan_mark_read, name="bilan_mark_read"),
    path(
        "bilans/campagne/<int:campaign_pk>/departemental/",
        views.departmental_bilan,
        name="departmental_bilan",
    ),
    path(
        "bilans/campagne/<int:campaign_pk>/departemental.pdf",
        views.departmental_bilan_pdf,
        name="departmental_bilan_pdf",
    ),
    path(
        "bilans/campagne/<int:campaign_pk>/departemental.xlsx",
        views.departmental_bilan_xlsx,
        name="departmental_bilan_xlsx",
    ),
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
    # Controls and visits (issue 17).
    path("controles-sur-place/", views.control_list, name="control_list"),
    path("controles-sur-place/grille/", views.control_checklist, name="control_checklist"),
    path(
        "controles-sur-place/grille/<int:pk>/",
        views.control_checklist_item,
        name="control_checklist_item",
    ),
    path(
        "controles-sur-place/projet/<int:project_pk>/nouveau/",
        views.control_create,
        name="control_create",
    ),
    path("controles-sur-place/<int:pk>/", views.control_detail, name="control_detail"),
    path("controles-sur-place/<int:pk>/modifier/", views.control_edit, name="control_edit"),
    path(
        "controles-sur-place/<int:pk>/suite-realisee/",
        views.control_follow_up_done,
        name="control_follow_up_done",
    ),
    path(
        "controles-sur-place/<int:pk>/suite-decidee/",
        views.control_consequence,
        name="control_consequence",
    ),
    path("projet/<int:project_pk>/agrement/", views.agreement_change, name="agreement"),
    path("indus/<int:pk>/regler/", views.recovery_settle, name="recovery_settle"),
]
