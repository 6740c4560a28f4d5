"""Personas: a caseworker of county A (临河区), one of county B (五原县), a court clerk of A,
a child director of a village in A, a leader and an auditor of the city (巴彦淖尔市)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import transaction

from shouhu.web.accounts.models import User
from shouhu.web.registry.models import Division
from tests.web import factories as f
from tests.web.browser import browser_session, shots_dir


@dataclass
class Region:
    city: Division
    county_a: Division
    county_b: Division
    township_a: Division
    village_a: Division
    village_b: Division


@dataclass
class Personas:
    caseworker_a: User
    caseworker_b: User
    court_clerk_a: User
    child_director_a: User
    leader_city: User
    auditor_city: User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["tests.web.hashers.FastArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache (the dashboard caches the count of minors)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def region(db: None) -> Region:
    province = f.division("150000", "内蒙古自治区")
    city = f.division("150800", "巴彦淖尔市", province)
    county_a = f.division("150802", "临河区", city)
    county_b = f.division("150821", "五原县", city)
    township_a = f.division("150802100", "城关镇", county_a)
    village_a = f.division("150802100201", "示范村", township_a)
    township_b = f.division("150821100", "隆兴昌镇", county_b)
    village_b = f.division("150821100201", "样板村", township_b)
    return Region(city, county_a, county_b, township_a, village_a, village_b)


@pytest.fixture
def personas(region: Region) -> Personas:
    civil_a = f.agency("civil_affairs", region.county_a, "临河区民政局")
    civil_b = f.agency("civil_affairs", region.county_b, "五原县民政局")
    court_a = f.agency("court", region.county_a, "临河区人民法院")
    civil_city = f.agency("civil_affairs", region.city, "巴彦淖尔市民政局")
    f.default_grants()
    return Personas(
        caseworker_a=f.user("caseworker_a", "caseworker", region.county_a, civil_a),
        caseworker_b=f.user("caseworker_b", "caseworker", region.county_b, civil_b),
        court_clerk_a=f.user("court_clerk_a", "data_submitter", region.county_a, court_a),
        child_director_a=f.user("director_a", "child_director", region.village_a, civil_a),
        leader_city=f.user("leader_city", "leader", region.city, civil_city),
        auditor_city=f.user("auditor_city", "auditor", region.city, civil_city),
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium per test worker for every UI test (tests/web/browser.py)."""
    yield from browser_session()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return shots_dir(tmp_path)


@contextmanager
def built_for_module(django_db_blocker: object) -> Iterator[None]:
    """给一个模块共用的数据（如演示区域，建一次要几秒）：在一个外层事务里建，模块的测试各自
    在其中的保存点里跑（pytest-django 的 `db`），模块结束时整体回滚，别的模块看不到。

    用它的模块要标 `pytest.mark.xdist_group`，否则两个测试进程各建一次。"""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        yield
        transaction.set_rollback(True)


def _postgres_pass_follows() -> bool:
    """这次是 SQLite 的一遍，而测试命令随后还会在 PostgreSQL 上再跑一遍（SHOUHU_TEST_POSTGRES）。"""
    pg = os.environ.get("SHOUHU_TEST_POSTGRES", "")
    if not pg or os.environ.get("SHOUHU_DATABASE_URL", "").startswith("postgres"):
        return False
    target = urlparse(pg)
    try:
        with socket.create_connection((target.hostname or "127.0.0.1", target.port or 5432), 2):
            return True
    except OSError:
        return False


# 起整套子进程的测试（生产模式的进程管理、nginx）与浏览器测试（`ui`）与数据库无关的部分多，
# 只跑一遍：有 PostgreSQL 时在 PostgreSQL 那一遍跑（生产部署用的就是它），没有时在 SQLite 上跑。
# 浏览器测试走的视图与查询，两种数据库上都由不开浏览器的测试覆盖。
once_on_postgres = pytest.mark.skipif(
    _postgres_pass_follows(), reason="在随后的 PostgreSQL 一遍中运行"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("ui"):
            item.add_marker(once_on_postgres)
