from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "shouhu.web.exchange"
    label = "exchange"
    verbose_name = "数据报送"
