from django.urls import path

from shouhu.web.comparison import simulation_views, views

urlpatterns = [
    path("", views.home_view, name="comparison_home"),
    path("simulations/", simulation_views.simulations_view, name="comparison_simulations"),
    path(
        "simulations/<int:simulation_id>/",
        simulation_views.simulation_view,
        name="comparison_simulation",
    ),
    path(
        "simulations/<int:simulation_id>/export.xlsx",
        simulation_views.simulation_export_view,
        name="comparison_simulation_export",
    ),
    path("runs/<int:run_id>/status.json", views.run_status_view, name="comparison_run_status"),
    path("findings/", views.findings_view, name="comparison_findings"),
    path("findings/export.xlsx", views.findings_export_view, name="comparison_findings_export"),
    path("findings/<int:finding_id>/", views.finding_view, name="comparison_finding"),
    path(
        "findings/<int:finding_id>/confirm/",
        views.finding_confirm_view,
        name="comparison_finding_confirm",
    ),
    path(
        "findings/<int:finding_id>/dismiss/",
        views.finding_dismiss_view,
        name="comparison_finding_dismiss",
    ),
    path(
        "findings/<int:finding_id>/records/<int:record_id>/",
        views.record_view,
        name="comparison_record",
    ),
    path(
        "findings/<int:finding_id>/records/<int:record_id>/match/",
        views.record_match_view,
        name="comparison_record_match",
    ),
    path(
        "findings/<int:finding_id>/records/<int:record_id>/object/",
        views.record_object_view,
        name="comparison_record_object",
    ),
]
