from django.urls import path

from shouhu.web.audit import views

urlpatterns = [
    path("", views.audit_desk_view, name="audit_desk"),
    path("export.csv", views.audit_export_view, name="audit_export"),
    path("verify/", views.audit_verify_view, name="audit_verify"),
    path("suppressions/", views.suppression_list_view, name="audit_suppressions"),
    path(
        "suppressions/<int:suppression_id>/revoke/",
        views.suppression_revoke_view,
        name="audit_suppression_revoke",
    ),
]
