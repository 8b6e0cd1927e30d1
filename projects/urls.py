from django.urls import path

from . import views
from .views import campaigns as campaigns_views
from .views import carriers_admin, conventions, identity, members

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("nouveau/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/demande/<slug:slug>/", views.step, name="step"),
    path("<int:pk>/deposer/", views.submit, name="submit"),
    path("<int:pk>/recepisse/", views.receipt_download, name="receipt"),
    path("<int:pk>/messages/", views.message_post, name="message_post"),
    path("<int:pk>/collectifs/nouveau/", views.collective_edit, name="collective_create"),
    path("<int:pk>/collectifs/<int:collective_pk>/", views.collective_edit, name="collective_edit"),
    path(
        "<int:pk>/collectifs/<int:collective_pk>/supprimer/",
        views.collective_delete,
        name="collective_delete",
    ),
    path("<int:pk>/pieces/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/pieces/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/pieces/<int:attachment_pk>/supprimer/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("porteurs/", views.carrier_list, name="carrier_list"),
    path("porteurs/nouveau/", carriers_admin.carrier_create, name="carrier_create"),
    path("porteurs/<int:pk>/", views.carrier_detail, name="carrier_detail"),
    path("porteurs/<int:pk>/modifier/", carriers_admin.carrier_edit, name="carrier_edit"),
    path(
        "porteurs/<int:pk>/inviter-utilisateur/",
        carriers_admin.carrier_staff_invite,
        name="carrier_staff_invite",
    ),
    path(
        "porteurs/<int:pk>/activation/",
        carriers_admin.carrier_activation,
        name="carrier_activation",
    ),
    path("porteurs/<int:pk>/fusion/", carriers_admin.carrier_merge, name="carrier_merge"),
    # Public: a structure the portal does not know asks its Caf for an account.
    path("demande-de-compte/", carriers_admin.signup, name="signup"),
    path("demandes-de-compte/", carriers_admin.signup_list, name="signup_list"),
    path("demandes-de-compte/<int:pk>/", carriers_admin.signup_detail, name="signup_detail"),
    path("porteurs/<int:pk>/inviter/", views.carrier_invite, name="carrier_invite"),
    path(
        "porteurs/<int:pk>/identite/",
        identity.identity_change_request,
        name="identity_change_request",
    ),
    path(
        "porteurs/identite/<int:pk>/decision/",
        identity.identity_change_decide,
        name="identity_change_decide",
    ),
    path(
        "porteurs/<int:pk>/membres/<int:membership_pk>/invitation/",
        members.member_invite_resend,
        name="member_invite_resend",
    ),
    path(
        "invitations/<int:membership_pk>/",
        members.invitation_answer,
        name="invitation_answer",
    ),
    path("conventions/", conventions.convention_list, name="convention_list"),
    path("conventions/export/", conventions.convention_export, name="convention_export"),
    path("conventions/regles/", conventions.convention_policy, name="convention_policy"),
    path("conventions/<int:pk>/", conventions.convention_detail, name="convention_detail"),
    path("conventions/<int:pk>/pdf/", conventions.convention_pdf_download, name="convention_pdf"),
    path(
        "conventions/<int:pk>/signee/",
        conventions.convention_signed_copy,
        name="convention_signed_copy",
    ),
    path("conventions/<int:pk>/avenant/", conventions.convention_amend, name="convention_amend"),
    path("conventions/<int:pk>/signature/", conventions.convention_sign, name="convention_sign"),
    path(
        "conventions/avenants/<int:pk>/pdf/",
        conventions.amendment_pdf_download,
        name="amendment_pdf",
    ),
    path(
        "conventions/annees/<int:line_pk>/saisir/",
        conventions.convention_year_start,
        name="convention_year_start",
    ),
    path("<int:pk>/ajustement/", conventions.adjustment_decide, name="adjustment_decide"),
    path("campagnes/", views.campaign_list, name="campaign_list"),
    path("campagnes/nouvelle/", views.campaign_create, name="campaign_create"),
    path("campagnes/<int:pk>/", views.campaign_edit, name="campaign_edit"),
    path("campagnes/<int:pk>/copier/", views.campaign_copy, name="campaign_copy"),
    path("campagnes/<int:pk>/archiver/", campaigns_views.campaign_archive, name="campaign_archive"),
    path("campagnes/pieces/", views.document_type_add, name="document_type_add"),
    path(
        "campagnes/pieces/<int:pk>/supprimer/",
        views.document_type_delete,
        name="document_type_delete",
    ),
]
