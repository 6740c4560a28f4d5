"""银行代发文件的格式：示例格式能读，自定义的列按配置排，坏的格式说清楚哪里错。"""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.errors import InvalidInput
from shouhu.web.subsidies.models import SubsidyRoster
from shouhu.web.subsidies.payment_files import (
    PaymentRow,
    bank_layout,
    bank_layout_parse,
    bank_rows,
    months_text,
)

ROWS = [
    PaymentRow(7, "王小明", "示范村", "scattered_orphan", [["2026-03-01", 130000, True],
               ["2026-05-01", 140000, False]], 270000, 0, 270000, "王大海", "农商银行", "6221"),
    PaymentRow(8, "李小红", "示范村", "de_facto_unsupported", [], 120000, 120000, 0, "", "", ""),
]  # fmt: skip
PIPE = """name = "某银行代发（竖线分隔）"
delimiter = "|"
encoding = "utf-8"
extension = "txt"
header = false
columns = [{field = "bank_account"}, {field = "account_holder"}, {field = "amount_fen"}]
"""


def test_the_example_layout_and_a_custom_one() -> None:
    assert bank_layout().text.encoding == "gbk"
    roster = SubsidyRoster(pk=3, month=date(2026, 5, 1))
    layout = bank_layout_parse(PIPE, "pipe.toml")
    assert list(bank_rows(roster, ROWS, layout)) == [["6221", "王大海", 270000]]  # 实发为0的不进
    example = list(bank_rows(roster, ROWS, bank_layout()))
    assert example[0][:2] == [1, "3-7"]
    assert example[0][5:] == ["2700.00", 270000, "2026年5月基本生活补贴"]
    assert months_text(ROWS[0].months) == "2026年3月（补发）、2026年5月"


@pytest.mark.parametrize(
    ("text", "problem"),
    [("columns = []", "没有列"), ('columns = [{field = "iban"}]', "第1列的 field"),
     ('encoding = "latin-1"\ncolumns = [{field = "seq"}]', "编码"), ("columns = [", "TOML")],
)  # fmt: skip
def test_a_bad_layout_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        bank_layout_parse(text, "bad.toml")
