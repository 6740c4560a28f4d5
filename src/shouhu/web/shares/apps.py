from django.apps import AppConfig


class SharesConfig(AppConfig):
    name = "shouhu.web.shares"
    label = "shares"
    verbose_name = "推送名单"
