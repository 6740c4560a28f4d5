from django.urls import path

from shouhu.web.ui import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.dashboard_view, name="dashboard"),
    path("me/", views.account_view, name="account"),
    path("persons/", views.person_list_view, name="person_list"),
    path("persons/<int:person_id>/", views.person_detail_view, name="person_detail"),
]
