from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "shouhu.web.field"
    label = "field"
    verbose_name = "离线走访"
