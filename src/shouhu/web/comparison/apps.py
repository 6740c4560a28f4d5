from django.apps import AppConfig


class ComparisonConfig(AppConfig):
    name = "shouhu.web.comparison"
    label = "comparison"
    verbose_name = "数据比对"
