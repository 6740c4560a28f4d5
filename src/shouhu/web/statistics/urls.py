from django.urls import path

from shouhu.web.statistics import views

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
]
