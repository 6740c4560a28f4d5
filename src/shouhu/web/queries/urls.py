from django.urls import path

from shouhu.web.queries import views

urlpatterns = [
    path("log/", views.query_log_view, name="query_log"),
    path("log/export.xlsx", views.query_log_export_view, name="query_log_export"),
    path("ask/<int:case_id>/", views.query_ask_view, name="query_ask"),
]
