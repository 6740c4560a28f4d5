"""台账上的开户银行和银行账号随照料人导入（补贴发放文件用）；账号不像账号的行说明哪一列。"""

from __future__ import annotations

import pytest

from shouhu.web.cases.models import CareArrangement
from shouhu.web.cases.register_import import register_import_run, register_import_upload
from tests.web.cases.conftest import ctx_of, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "身份证号", "类别", "纳入保障日期", "监护人姓名", "开户行", "银行卡号"]


def test_bank_account_is_imported_with_the_carer(region, personas, children) -> None:
    rows = [
        [children.a.name, children.a.id_number, "散居孤儿", "2024-03-01", "王大海", "农商银行",
         "6221 0000 1234 5678"],
        [children.b.name, children.b.id_number, "散居孤儿", "2024-03-01", "李大山", "", "12ab"],
    ]  # fmt: skip
    ctx = ctx_of(personas.caseworker_a)
    upload = register_import_upload(ctx=ctx, division=region.county_a, filename="台账.xlsx",
                                    data=xlsx(HEADERS, rows)).register_import  # fmt: skip
    assert upload.mapping["columns"][-2:] == ["bank_name", "bank_account"]
    outcome = register_import_run(ctx=ctx, register_import=upload,
                                  columns=upload.mapping["columns"])  # fmt: skip
    care = CareArrangement.objects.get()
    assert (care.carer_name, care.bank_name, care.bank_account) == (
        "王大海",
        "农商银行",
        "6221000012345678",
    )
    assert "第3行「银行卡号」列" in outcome.problems[0].message
    assert "8到30位数字" in outcome.problems[0].message
