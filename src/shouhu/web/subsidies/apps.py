from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "shouhu.web.subsidies"
    label = "subsidies"
    verbose_name = "补贴发放"
