from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "shouhu.web.grants"
    verbose_name = "共享授权"
