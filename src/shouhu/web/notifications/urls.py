from django.urls import path

from shouhu.web.notifications import views

urlpatterns = [
    path("", views.notification_list_view, name="notification_list"),
    path("<int:notification_id>/", views.notification_open_view, name="notification_open"),
    path("read-all/", views.notifications_read_all_view, name="notifications_read_all"),
]
