from django.urls import path

from shouhu.web.registry import views

urlpatterns = [
    path("", views.person_list_view, name="person_list"),
    path("export.xlsx", views.person_export_view, name="person_export"),
    path("<int:person_id>/", views.person_detail_view, name="person_detail"),
    path("<int:person_id>/accesses/", views.person_access_report_view, name="person_access_report"),
    path("duplicates/", views.duplicate_list_view, name="duplicate_list"),
    path("duplicates/export.xlsx", views.duplicate_list_export_view, name="duplicate_export"),
    path("cases/<int:case_id>/reopen/", views.case_reopen_view, name="case_reopen"),
    path("cases/<int:case_id>/close/", views.case_close_view, name="case_close"),
    path("cases/<int:case_id>/category/", views.case_change_view, name="case_change"),
    path("merge/<int:person_id>/<int:other_id>/", views.person_merge_view, name="person_merge"),
    path("merges/<int:merge_id>/undo/", views.person_merge_undo_view, name="person_merge_undo"),
    path("loads/", views.registry_load_list_view, name="registry_load_list"),
    path("loads/export.xlsx", views.registry_load_list_export_view, name="registry_load_export"),
    path("loads/<int:load_id>/", views.registry_load_detail_view, name="registry_load_detail"),
    path(
        "loads/<int:load_id>/report.xlsx",
        views.registry_load_report_view,
        name="registry_load_report",
    ),
    path(
        "loads/<int:load_id>/decide/", views.registry_load_decide_view, name="registry_load_decide"
    ),
]
