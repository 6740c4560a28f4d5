from django.urls import path

from shouhu.web.meetings import views

urlpatterns = [
    path("", views.board_view, name="meeting_board"),
    path("export.xlsx", views.board_export_view, name="meeting_board_export"),
    path("<int:task_id>/", views.task_view, name="meeting_task"),
    path("<int:task_id>/note/", views.task_note_view, name="meeting_task_note"),
]
