from django.apps import AppConfig


class QueriesConfig(AppConfig):
    name = "shouhu.web.queries"
    label = "queries"
    verbose_name = "查询服务"
