from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("simulateur/", views.simulator, name="simulator"),
    path("bareme/", views.bareme_list, name="bareme_list"),
    path("bareme/nouveau/", views.bareme_edit, name="bareme_create"),
    path("bareme/<int:year>/", views.bareme_edit, name="bareme_edit"),
    path("parametres/", views.policy_edit, name="policy"),
]
