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
    # Issue 18: who sits on the session, the partners' own reading, and their organisations.
    path("comites/<int:pk>/membres/", views.session_members, name="session_members"),
    path("comites/<int:pk>/presences/", views.session_attendance, name="session_attendance"),
    path("comites/<int:pk>/membres-et-presences/", views.session_people, name="session_people"),
    path("partenaire/comites/<int:pk>/", views.partner_session, name="partner_session"),
    path(
        "partenaire/comites/<int:pk>/projets/<int:project_pk>/",
        views.partner_project,
        name="partner_project",
    ),
    path("partenaires/", views.partner_list, name="partner_list"),
    path("partenaires/<int:pk>/", views.partner_edit, name="partner_edit"),
    path("partenaires/<int:pk>/activation/", views.partner_activation, name="partner_activation"),
    path("partenaires/<int:pk>/inviter/", views.partner_invite, name="partner_invite"),
    path(
        "partenaires/comptes/<int:pk>/activation/",
        views.partner_account_toggle,
        name="partner_account_toggle",
    ),
    path("comites/<int:pk>/exports/", views.export_start, name="export_start"),
    path("comites/<int:pk>/exports/<int:job_pk>/", views.export_status, name="export_status"),
    path(
        "comites/<int:pk>/exports/<int:job_pk>/fichier/",
        views.export_download,
        name="export_download",
    ),
]
