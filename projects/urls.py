from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("porteurs/", views.carrier_list, name="carrier_list"),
    path("porteurs/<int:pk>/", views.carrier_detail, name="carrier_detail"),
    path("porteurs/<int:pk>/inviter/", views.carrier_invite, name="carrier_invite"),
]
