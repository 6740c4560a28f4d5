from django.urls import path

from shouhu.web.statistics import views

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("export.xlsx", views.dashboard_export_view, name="dashboard_export"),
    path("quality.xlsx", views.dashboard_quality_export_view, name="dashboard_quality_export"),
    path("reports/", views.reports_view, name="stat_reports"),
    path("reports/submit/", views.report_submit_view, name="stat_report_submit"),
    path("reports/<int:report_id>/", views.report_view, name="stat_report"),
    path("reports/<int:report_id>/decide/", views.report_decide_view, name="stat_report_decide"),
    path(
        "reports/<int:report_id>/export.xlsx", views.report_export_view, name="stat_report_export"
    ),
]
