from django.apps import AppConfig


class ObjectionsConfig(AppConfig):
    name = "shouhu.web.objections"
    label = "objections"
    verbose_name = "疑义校核"
