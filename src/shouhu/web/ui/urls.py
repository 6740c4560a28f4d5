from django.urls import path

from shouhu.web.ui import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.account_view, name="account"),
]
