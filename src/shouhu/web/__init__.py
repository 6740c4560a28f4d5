"""The platform shell (Django): accounts, records, access, audit, UI and HTTP API."""


def django_setup() -> None:
    """命令行的平台命令在运行时才启动 Django（`shouhu --help` 和纯计算的命令不必等它）。"""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhu.web.settings")
    import django

    django.setup()
