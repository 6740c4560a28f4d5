"""推送名单（/shares/）：县级民政经办人员和接收名单的部门用户的页面。"""

from django.urls import path

from shouhu.web.shares import views

urlpatterns = [
    path("", views.share_home_view, name="share_home"),
    path("<int:list_id>/", views.share_list_view, name="share_list"),
    path("<int:list_id>/feedback/", views.share_feedback_view, name="share_feedback"),
    path("<int:list_id>/upload/", views.share_upload_view, name="share_upload"),
    path("<int:list_id>/export/", views.share_export_view, name="share_export"),
]
