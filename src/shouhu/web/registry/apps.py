from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shouhu.web.registry"
    label = "registry"
    verbose_name = "区划与人员"
