"""Test settings shared by every ring."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# 整组在一个测试进程里跑的长测试（Spark 的一个 JVM、备份与生产模式的子进程、遍历全部页面、演示
# 区域）先发出去：排在后面的话，另一个进程早已做完，只剩这一组在一个核上跑（整套测试的尾巴）。
# 只改次序。
FIRST_GROUPS = ("spark", "backup", "walk", "demo")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        marker = item.get_closest_marker("xdist_group")
        name = marker.args[0] if marker and marker.args else None
        return FIRST_GROUPS.index(name) if name in FIRST_GROUPS else len(FIRST_GROUPS)

    items.sort(key=rank)  # sort 是稳定的：其余测试的次序不变
