from django.urls import path

from shouhu.web.ui import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code_view, name="login_code"),
    path("login/enrol/", views.login_enrol_view, name="login_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.account_view, name="account"),
]
