from django.urls import path

from shouhu.web.statistics import views

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("export.xlsx", views.dashboard_export_view, name="dashboard_export"),
]
