from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from . import account_views, audit, notices, referential, second_factor_views, setup, team, views
from .admin_site import support_site
from .middleware import second_factor_step

handler403 = "clasportal.views.error_403"
handler404 = "clasportal.views.error_404"
handler500 = "clasportal.views.error_500"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path(
        "deconnexion/",
        second_factor_step("exempt")(auth_views.LogoutView.as_view()),
        name="logout",
    ),
    path("second-facteur/", second_factor_views.setup, name="otp_setup"),
    path(
        "second-facteur/codes-de-secours/",
        second_factor_views.recovery_codes,
        name="otp_recovery_codes",
    ),
    path(
        "second-facteur/codes-de-secours/nouveaux/",
        second_factor_views.recovery_codes_regenerate,
        name="otp_recovery_codes_regenerate",
    ),
    path("second-facteur/verification/", second_factor_views.verify, name="otp_verify"),
    path("mot-de-passe/oublie/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        login_not_required(account_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/enregistre/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe/changer/", account_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("avis/", notices.notice_list, name="notices"),
    path("avis/tout-lu/", notices.notice_read_all, name="notice_read_all"),
    path("avis/preferences/", notices.notice_preferences, name="notice_preferences"),
    path("avis/<int:pk>/lu/", notices.notice_read, name="notice_read"),
    path("journal/", audit.audit, name="audit"),
    path("equipe/", team.team, name="team"),
    path("equipe/second-facteur/", team.team_second_factor, name="team_second_factor"),
    path("equipe/<int:pk>/", team.team_member, name="team_member"),
    path("equipe/<int:pk>/activation/", team.team_member_toggle, name="team_member_toggle"),
    path("equipe/<int:pk>/deblocage/", team.team_member_unlock, name="team_member_unlock"),
    path("equipe/<int:pk>/invitation/", team.team_member_invite, name="team_member_invite"),
    path(
        "equipe/<int:pk>/second-facteur/",
        team.team_member_reset_second_factor,
        name="team_member_reset_second_factor",
    ),
    path("journal/export.csv", audit.audit_export, name="audit_export"),
    path("journal/exports/<int:job_pk>/", audit.audit_export_status, name="audit_export_status"),
    path(
        "journal/exports/<int:job_pk>/fichier/",
        audit.audit_export_download,
        name="audit_export_download",
    ),
    path("administration/caf/", setup.caf_list, name="setup_caf_list"),
    path("administration/caf/nouvelle/", setup.caf_create, name="setup_caf_create"),
    path("administration/caf/<int:pk>/", setup.caf_detail, name="setup_caf_detail"),
    path("administration/caf/<int:pk>/modifier/", setup.caf_edit, name="setup_caf_edit"),
    path("administration/caf/<int:pk>/logo/", setup.caf_logo, name="setup_caf_logo"),
    path(
        "administration/caf/<int:pk>/administrateur/",
        setup.caf_invite_admin,
        name="setup_caf_invite_admin",
    ),
    path(
        "administration/caf/<int:pk>/administrateur/<int:profile_pk>/invitation/",
        setup.caf_admin_resend,
        name="setup_caf_admin_resend",
    ),
    # Django's admin for support staff: the national administrator only, read-only.
    path("support/", support_site.urls),
    path("parametrage/territoires/", referential.territory_list, name="territory_list"),
    path("parametrage/territoires/<int:pk>/", referential.territory_edit, name="territory_edit"),
    path(
        "parametrage/territoires/<int:pk>/supprimer/",
        referential.territory_delete,
        name="territory_delete",
    ),
    path("parametrage/communes/", referential.commune_list, name="commune_list"),
    path("parametrage/communes/nouvelle/", referential.commune_edit, name="commune_create"),
    path("parametrage/communes/<int:pk>/", referential.commune_edit, name="commune_edit"),
    path("parametrage/communes/import/", referential.commune_import, name="commune_import"),
    path(
        "parametrage/communes/import/confirmer/",
        referential.commune_import_confirm,
        name="commune_import_confirm",
    ),
    path(
        "parametrage/communes/modele.csv",
        referential.commune_import_template,
        name="commune_import_template",
    ),
    path("projets/", include("projects.urls")),
    path("financement/", include("funding.urls")),
    path("comite/", include("committee.urls")),
    path("declarations/", include("declarations.urls")),
]
