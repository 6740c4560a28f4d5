from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "shouhu.web.ui"
    label = "ui"
    verbose_name = "界面"
