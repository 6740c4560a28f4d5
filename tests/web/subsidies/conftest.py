"""补贴名册测试的共同数据：临河区（150802）用核心测试的标准（STANDARDS：散居孤儿 2026年4月1日起
由1300元提到1400元，事实无人抚养儿童 9月1日起由1200元提到1250元）；另一份参数加上
“从申请之月补发”。"""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from shouhu.core.policy import PolicyParams
from shouhu.web.audit.context import RequestContext
from tests.core.policy.test_policy_subsidy import STANDARDS

ARREARS = """
[[subsidy.arrears_from]]
value = "application_month"
source = "s"
clause = "五"
"""


def _params(extra: str = "") -> PolicyParams:
    root = resources.files("shouhu.core.policy") / "params"
    texts = {f.name: f.read_text("utf-8") for f in root.iterdir() if f.name.endswith(".toml")}
    return PolicyParams.from_texts({**texts, "150800.toml": STANDARDS + extra})


@pytest.fixture(scope="session")
def params() -> PolicyParams:
    return _params()


@pytest.fixture(scope="session")
def params_with_arrears() -> PolicyParams:
    return _params(ARREARS)


def m(year: int, month: int) -> date:
    return date(year, month, 1)


def ctx_for(user: object) -> RequestContext:
    return RequestContext(user=user, client_ip="127.0.0.1", purpose="subsidy")  # type: ignore[arg-type]
