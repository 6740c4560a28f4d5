"""离线走访（/field/）：外壳页面和它用的接口。服务工作线程放在 /field/ 下，作用范围就是 /field/。"""

from django.urls import path

from shouhu.web.field import views

urlpatterns = [
    path("", views.field_app_view, name="field_app"),
    path("sw.js", views.field_worker_view, name="field_worker"),
    path("package/", views.field_package_view, name="field_package"),
    path("sync/", views.field_sync_view, name="field_sync"),
    path("photos/<int:photo_id>/", views.field_photo_view, name="field_photo"),
]
