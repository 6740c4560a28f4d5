from django.urls import path

from shouhu.web.objections import views

urlpatterns = [
    path("mine/", views.objection_mine_view, name="objection_mine"),
    path("mine/export.xlsx", views.objection_mine_export_view, name="objection_mine_export"),
    path("queue/", views.objection_queue_view, name="objection_queue"),
    path("queue/export.xlsx", views.objection_queue_export_view, name="objection_queue_export"),
    path("new/<int:fact_id>/", views.objection_new_view, name="objection_new"),
    path("<int:objection_id>/", views.objection_detail_view, name="objection_detail"),
    path("<int:objection_id>/answer/", views.objection_answer_view, name="objection_answer"),
    path("<int:objection_id>/withdraw/", views.objection_withdraw_view, name="objection_withdraw"),
]
