from django.urls import path

from shouhu.web.registry import views

urlpatterns = [
    path("", views.person_list_view, name="person_list"),
    path("<int:person_id>/", views.person_detail_view, name="person_detail"),
]
