"""个案工作（/cases/）：清单，以及在一个个案上记录探访、核查、风险等级、重大变故、强制报告和终止。"""

from django.urls import path

from shouhu.web.cases import printing_views, transfer_views
from shouhu.web.cases import work_views as views

urlpatterns = [
    path("work/", views.case_work_list_view, name="case_work_list"),
    path("<int:case_id>/visits/new/", views.visit_new_view, name="case_visit_new"),
    path("<int:case_id>/reviews/new/", views.review_new_view, name="case_review_new"),
    path("<int:case_id>/risk/", views.risk_view, name="case_risk"),
    path("<int:case_id>/changes/new/", views.change_new_view, name="case_change_new"),
    path("<int:case_id>/reports/new/", views.report_new_view, name="case_report_new"),
    path("<int:case_id>/close/", views.case_close_view, name="case_close"),
    path("transfers/", transfer_views.transfer_list_view, name="case_transfer_list"),
    path("transfers/<int:transfer_id>/", transfer_views.transfer_view, name="case_transfer"),
    path("<int:case_id>/transfer/", transfer_views.transfer_new_view, name="case_transfer_new"),
    path("<int:case_id>/forms/<str:form>.pdf", printing_views.case_form_view, name="case_form"),
]
