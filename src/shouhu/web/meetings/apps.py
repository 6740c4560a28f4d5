from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "shouhu.web.meetings"
    label = "meetings"
    verbose_name = "联席会议任务"
