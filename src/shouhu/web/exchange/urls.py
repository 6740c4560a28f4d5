from django.urls import path, register_converter

from shouhu.web.exchange import views


class _Format:
    regex = "xlsx|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class _ReceiptFormat(_Format):
    regex = "json|csv"


register_converter(_Format, "tplfmt")
register_converter(_ReceiptFormat, "rcptfmt")

urlpatterns = [
    path("", views.home_view, name="exchange_home"),
    path("new/", views.upload_view, name="exchange_upload"),
    path("acceptance/", views.acceptance_view, name="exchange_acceptance"),
    path("nil-return/", views.nil_return_view, name="exchange_nil_return"),
    path("templates/<slug:item_code>.<tplfmt:fmt>", views.template_view, name="exchange_template"),
    path("jobs/<int:job_id>/", views.job_view, name="exchange_job"),
    path("jobs/<int:job_id>/status.json", views.job_status_view, name="exchange_job_status"),
    path("uploads/<int:upload_id>/", views.upload_detail_view, name="exchange_upload_detail"),
    path(
        "uploads/<int:upload_id>/confirm/",
        views.upload_confirm_view,
        name="exchange_upload_confirm",
    ),
    path(
        "uploads/<int:upload_id>/discard/",
        views.upload_discard_view,
        name="exchange_upload_discard",
    ),
    path(
        "uploads/<int:upload_id>/errors.xlsx",
        views.upload_errors_view,
        name="exchange_upload_errors",
    ),
    path("receipts/", views.receipt_list_view, name="exchange_receipts"),
    path("receipts/export.xlsx", views.receipt_export_view, name="exchange_receipts_export"),
    path("receipts/<int:submission_id>/", views.receipt_view, name="exchange_receipt"),
    path(
        "receipts/<int:submission_id>/receipt.<rcptfmt:fmt>",
        views.receipt_download_view,
        name="exchange_receipt_download",
    ),
    path(
        "receipts/<int:submission_id>/errors.xlsx",
        views.submission_errors_view,
        name="exchange_errors",
    ),
    path("timeliness/", views.timeliness_view, name="exchange_timeliness"),
    path("timeliness/export.xlsx", views.timeliness_export_view, name="exchange_timeliness_export"),
    path("packages/import/", views.package_import_view, name="exchange_package_import"),
]
