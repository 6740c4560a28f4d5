"""URL map of the platform."""

from django.urls import include, path

urlpatterns = [
    path("", include("shouhu.web.ui.urls")),
]
