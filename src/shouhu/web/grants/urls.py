"""共享授权（/grants/）：安全管理员的页面。"""

from django.urls import path

from shouhu.web.grants import views

urlpatterns = [
    path("", views.grants_view, name="grants_home"),
    path("<int:grant_id>/revoke/", views.grant_revoke_view, name="grant_revoke"),
    path("defaults/", views.grants_defaults_view, name="grants_defaults"),
]
