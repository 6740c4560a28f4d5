from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shouhu.web.cases"
    label = "cases"
    verbose_name = "台账与个案"
