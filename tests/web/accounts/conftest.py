"""系统管理的测试角色：临河区（county A）的系统管理员，和一个登录了的浏览器客户端。"""

from __future__ import annotations

import pytest
from django.test import Client

from shouhu.web.accounts.models import User
from tests.web import factories as f
from tests.web.conftest import Personas, Region

CLIENT_IP = "10.9.8.7"


def signed_in(user: User) -> Client:
    client = Client(REMOTE_ADDR=CLIENT_IP)
    client.force_login(user)
    return client


@pytest.fixture
def admin_a(region: Region, personas: Personas) -> User:
    center = f.agency("big_data_center", region.county_a, "临河区大数据中心")
    admin = f.user("admin_a", "administrator", region.county_a, center)
    admin.full_name = "赵管理"
    admin.save(update_fields=["full_name"])
    return admin


@pytest.fixture
def admin_client(admin_a: User) -> Client:
    return signed_in(admin_a)
