from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "shouhu.web.exchange"
    label = "exchange"
    verbose_name = "数据报送"

    def ready(self) -> None:
        # 报送文件的单元格内容最容易跟着异常消息进日志（安全测试 M1）：日志处理器上装一个
        # 过滤器，任何异常只记类型和位置。LOGGING 在 settings 里配置好之后才会到这里。
        from shouhu.web.errors import log_scrubber_install

        log_scrubber_install()
