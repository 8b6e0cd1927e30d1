from django.urls import path

from . import views

app_name = "committee"

urlpatterns = [
    path("instruction/", views.queue, name="queue"),
    path("instruction/<int:pk>/", views.review, name="review"),
    path("instruction/<int:pk>/commencer/", views.review_start, name="review_start"),
    path(
        "instruction/<int:pk>/modifications/",
        views.review_request_changes,
        name="review_request_changes",
    ),
    path("instruction/<int:pk>/reprendre/", views.review_take_back, name="review_take_back"),
    path("instruction/<int:pk>/proposer/", views.review_propose, name="review_propose"),
    path("instruction/<int:pk>/bonus/", views.review_bonus, name="review_bonus"),
    path("instruction/<int:pk>/note/", views.review_note, name="review_note"),
    # A bonus asked during the year (issue 17): the carrier asks, the advisor decides.
    path("projets/<int:pk>/bonus/", views.bonus_request_create, name="bonus_request_create"),
    path(
        "bonus-en-cours-d-annee/<int:pk>/decision/",
        views.bonus_request_decide,
        name="bonus_request_decide",
    ),
    path(
        "instruction/<int:pk>/collectifs/<int:collective_pk>/rural/",
        views.review_rural,
        name="review_rural",
    ),
    path(
        "instruction/<int:pk>/financeur/", views.review_other_financer, name="review_other_financer"
    ),
    path(
        "projets/<int:pk>/lettres/<int:session_pk>/",
        views.project_letter,
        name="project_letter",
    ),
    path("comites/", views.session_list, name="session_list"),
    path("comites/nouveau/", views.session_create, name="session_create"),
    path("comites/<int:pk>/", views.session_detail, name="session_detail"),
    path("comites/<int:pk>/ordre-du-jour/", views.session_agenda, name="session_agenda"),
    path("comites/<int:pk>/decision/<int:item_pk>/", views.session_decide, name="session_decide"),
    path("comites/<int:pk>/clore/", views.session_close, name="session_close"),
    path(
        "comites/<int:pk>/financeurs/<int:item_pk>/",
        views.session_financer_decide,
        name="session_financer_decide",
    ),
    path("dispositifs/", views.scheme_list, name="scheme_list"),
    path("dispositifs/nouveau/", views.scheme_create, name="scheme_create"),
    path("dispositifs/<int:pk>/", views.scheme_edit, name="scheme_edit"),
    path("dispositifs/enveloppes/", views.envelope_set, name="envelope_set"),
    path("comites/<int:pk>/exports/", views.export_start, name="export_start"),
    path("comites/<int:pk>/exports/<int:job_pk>/", views.export_status, name="export_status"),
    path(
        "comites/<int:pk>/exports/<int:job_pk>/fichier/",
        views.export_download,
        name="export_download",
    ),
]
