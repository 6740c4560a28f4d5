"""台账的列：按同义词建议对应关系，检查确认的对应，逐格读值（不碰数据库）。"""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.exchange.values import BadValue
from shouhu.web.cases.register_columns import (
    RowReader,
    mapping_problems,
    mapping_propose,
    parse_amount_fen,
)
from tests.web.cases.conftest import COUNTY_HEADERS, PLATFORM_HEADERS


def test_platform_headers_map_to_every_field_in_order() -> None:
    assert mapping_propose(PLATFORM_HEADERS) == [
        "name", "id_number", "category", "placement", "opened_on", "carer_name",
        "carer_id_number", "carer_phone", "carer_relation", "address", "monthly_amount", "status",
    ]  # fmt: skip


def test_a_county_s_own_headers_are_recognised_by_synonyms() -> None:
    proposed = mapping_propose([*COUNTY_HEADERS, "证件号码", "纳入时间", " 备注 "])
    assert proposed == [
        "", "name", "id_number", "category", "placement", "opened_on", "carer_name",
        "carer_phone", "carer_relation", "address", "monthly_amount", "status",
        "", "", "",  # 第二个身份证号、第二个纳入日期：同一字段只建议第一列；备注不认识
    ]  # fmt: skip


def test_header_spelling_noise_is_ignored() -> None:
    assert mapping_propose(["* 身份证号 ", "纳入保障日期(批准)", "月保障标准（元）"]) == [
        "id_number",
        "opened_on",
        "monthly_amount",
    ]


def test_confirmed_mapping_must_name_required_fields_once() -> None:
    headers = ["甲", "乙", "丙"]
    problems = mapping_problems(headers, ["name", "id_number", "id_number"])
    assert "“类别”是必需的，请指定文件中的哪一列是类别。" in problems
    assert "「乙」「丙」几列都对应了“身份证号”，只能选一列。" in problems
    assert mapping_problems(headers, ["name", "nonsense", ""]) == [
        "列的对应关系中有平台没有的字段，请重新选择。"
    ]


@pytest.mark.parametrize(
    ("value", "fen"),
    [("1300", 130000), ("1,300.50元", 130050), (1850, 185000), (1300.5, 130050), ("０", 0)],
)
def test_monthly_amounts_are_stored_in_fen(value: object, fen: int) -> None:
    assert parse_amount_fen(value) == fen


@pytest.mark.parametrize("value", ["一千三", "-5", "1300.123", 1e9, True])
def test_bad_amounts_are_refused(value: object) -> None:
    with pytest.raises(BadValue):
        parse_amount_fen(value)


def _reader(headers: list[str]) -> RowReader:
    return RowReader(
        filename="台账.xlsx", headers=headers, mapping=mapping_propose(headers),
        today=date(2026, 12, 1),
    )  # fmt: skip


def test_a_row_reads_into_a_case_with_its_carer() -> None:
    row, errors = _reader(PLATFORM_HEADERS).read(
        2,
        ["王 小明", "150802201203040011", "散居孤儿", "", "20210315", "王大海", "",
         "138 0000 0001", "祖父", "示范村", "1300", ""],
    )  # fmt: skip
    assert errors == []
    assert row is not None
    assert (row.name, row.category, row.orphan_type, row.placement) == (
        "王小明",
        "orphan",
        "scattered",
        "scattered",
    )
    assert (row.opened_on, row.monthly_amount_fen, row.closed) == (date(2021, 3, 15), 130000, False)
    assert row.carer is not None
    assert row.carer.relation == "祖父"


def test_every_bad_cell_of_a_row_is_named_by_row_and_column() -> None:
    headers = ["姓名", "公民身份号码", "类别", "供养方式", "批准日期", "监护人", "电话", "状态"]
    row, errors = _reader(headers).read(
        7, ["", "150802201203040012", "困境儿童", "寄养", "2027-01-01", "", "12", "已终止"]
    )
    assert row is None
    messages = [e.message for e in errors]
    assert "文件「台账.xlsx」第7行「姓名」列：必填，不能为空" in messages
    assert any(m.startswith("文件「台账.xlsx」第7行「公民身份号码」列的值“150802********0012”")
               for m in messages)  # fmt: skip
    assert (
        "文件「台账.xlsx」第7行「类别」列的值“困境儿童”：应为“孤儿”或“事实无人抚养儿童”" in messages
    )
    assert any("「供养方式」列" in m and "散居" in m for m in messages)
    assert any("「批准日期」列" in m and "不能晚于今天" in m for m in messages)
    assert any("「监护人」列" in m and "没有姓名" in m for m in messages)
    assert any("「电话」列" in m for m in messages)
    assert any("终止保障日期" in m for m in messages)  # 已终止的须有终止日期（没有这一列也说）
    assert "150802201203040012" not in " ".join(messages)  # 号码脱敏


def test_an_orphan_s_placement_must_agree_with_its_category() -> None:
    _, errors = _reader(["姓名", "身份证号", "类别", "安置方式", "纳入保障日期"]).read(
        3, ["王小明", "150802201203040011", "集中养育孤儿", "散居", "2021-03-15"]
    )
    assert [e.column for e in errors] == ["安置方式"]
