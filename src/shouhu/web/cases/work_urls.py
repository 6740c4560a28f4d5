"""个案工作（/cases/）：清单，以及在一个个案上记录探访、核查、风险等级、重大变故、强制报告和终止。"""

from django.urls import path

from shouhu.web.cases import application_views as apply
from shouhu.web.cases import (
    child_report_views,
    printing_views,
    register_views,
    transfer_views,
)
from shouhu.web.cases import work_views as views

urlpatterns = [
    path("work/", views.case_work_list_view, name="case_work_list"),
    path("work/export.xlsx", views.case_work_export_view, name="case_work_export"),
    path("<int:case_id>/visits/new/", views.visit_new_view, name="case_visit_new"),
    path("<int:case_id>/reviews/new/", views.review_new_view, name="case_review_new"),
    path("<int:case_id>/risk/", views.risk_view, name="case_risk"),
    path("<int:case_id>/changes/new/", views.change_new_view, name="case_change_new"),
    path("<int:case_id>/reports/new/", views.report_new_view, name="case_report_new"),
    path("<int:case_id>/close/", views.case_close_view, name="case_close"),
    # 申请和审批（村（居）登记 → 乡镇初审 → 县级审批）、证明材料、提出终止
    path("applications/", apply.application_list_view, name="application_list"),
    path("applications/export.xlsx", apply.application_export_view, name="application_export"),
    path("applications/new/<int:person_id>/", apply.application_new_view, name="application_new"),
    path("applications/<int:application_id>/", apply.application_view, name="application_detail"),
    path(
        "applications/<int:application_id>/act/", apply.application_act_view, name="application_act"
    ),
    path(
        "applications/<int:application_id>/documents/",
        apply.document_upload_view,
        name="application_document_upload",
    ),
    path("documents/<int:document_id>/", apply.document_view, name="case_document"),
    path("<int:case_id>/terminate/", apply.termination_new_view, name="case_terminate"),
    path("transfers/", transfer_views.transfer_list_view, name="case_transfer_list"),
    path("transfers/export.xlsx", transfer_views.transfer_export_view, name="case_transfer_export"),
    path("transfers/<int:transfer_id>/", transfer_views.transfer_view, name="case_transfer"),
    path("<int:case_id>/transfer/", transfer_views.transfer_new_view, name="case_transfer_new"),
    path(
        "registers/<int:entry_id>/transfer/",
        transfer_views.register_transfer_new_view,
        name="register_transfer_new",
    ),
    path("<int:case_id>/forms/<str:form>.pdf", printing_views.case_form_view, name="case_form"),
    # 困境儿童和留守儿童名册
    path("registers/", register_views.register_list_view, name="register_list"),
    path("registers/export.xlsx", register_views.register_export_view, name="register_export"),
    path("registers/proposals/", register_views.register_proposals_view, name="register_proposals"),
    path("registers/<int:entry_id>/", register_views.register_entry_view, name="register_entry"),
    path(
        "registers/<int:entry_id>/visits/new/",
        register_views.register_visit_new_view,
        name="register_visit_new",
    ),
    path(
        "children/<int:person_id>/report/",
        child_report_views.child_report_view,
        name="child_report_new",
    ),
    path("registers/new/<int:person_id>/", register_views.register_new_view, name="register_new"),
]
