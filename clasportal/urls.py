from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from . import audit, team, views

handler403 = "clasportal.views.error_403"
handler404 = "clasportal.views.error_404"
handler500 = "clasportal.views.error_500"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        login_not_required(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/enregistre/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("journal/", audit.audit, name="audit"),
    path("equipe/", team.team, name="team"),
    path("equipe/<int:pk>/", team.team_member, name="team_member"),
    path("equipe/<int:pk>/activation/", team.team_member_toggle, name="team_member_toggle"),
    path("journal/export.csv", audit.audit_export, name="audit_export"),
    path("projets/", include("projects.urls")),
    path("financement/", include("funding.urls")),
    path("comite/", include("committee.urls")),
    path("declarations/", include("declarations.urls")),
]
