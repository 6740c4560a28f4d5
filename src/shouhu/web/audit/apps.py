from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shouhu.web.audit"
    label = "audit"
    verbose_name = "安全审计"
