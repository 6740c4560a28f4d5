"""补贴发放（/subsidies/）：县级民政经办人员的页面。"""

from django.urls import path

from shouhu.web.subsidies import views

urlpatterns = [
    path("", views.subsidy_home_view, name="subsidy_home"),
    path("<int:roster_id>/", views.subsidy_roster_view, name="subsidy_roster"),
    path("<int:roster_id>/results/", views.subsidy_results_view, name="subsidy_results"),
    path("<int:roster_id>/export/<str:kind>/", views.subsidy_export_view, name="subsidy_export"),
    path(
        "<int:roster_id>/<str:action>/",
        views.subsidy_roster_action_view,
        name="subsidy_roster_action",
    ),
    path(
        "overpayments/<int:overpayment_id>/",
        views.subsidy_overpayment_view,
        name="subsidy_overpayment",
    ),
]
