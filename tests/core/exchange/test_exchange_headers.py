"""Header matching: tolerant of order and spelling noise, strict about the template."""

from __future__ import annotations

from exchange_helpers import csv_bytes, filled_template, item_xlsx, row_list, valid_row, xlsx_bytes

from shouhu.core.catalog import Catalog, DataItem
from shouhu.core.exchange import read_table


def test_columns_may_come_in_any_order_with_spaces_full_width_and_star(court: DataItem) -> None:
    row = valid_row(court)
    noisy = {h: f" *{h} " for h in court.headers}
    noisy["当事人身份证号"] = "当事人身份证号（１８位）"
    pairs = list(zip(court.headers, row_list(court, row), strict=True))[::-1]
    data = xlsx_bytes([[noisy[h] for h, _ in pairs], [v for _, v in pairs]])
    result = read_table(data, filename="乱序.xlsx", item=court)
    assert result.rejected_whole is None
    assert result.errors == []
    assert result.records[0].subject["id_number"] == row["id_number"]


def test_header_aliases_are_recognised(court: DataItem) -> None:
    row = valid_row(court)
    headers = ["公民身份号码" if h == "当事人身份证号" else h for h in court.headers]
    result = read_table(xlsx_bytes([headers, row_list(court, row)]), filename="a.xlsx", item=court)
    assert result.records[0].subject["id_number"] == row["id_number"]


def test_optional_columns_may_be_left_out(court: DataItem) -> None:
    keep = [s for s in court.fields if s.required or s.key == "id_number"]
    row = valid_row(court)
    data = xlsx_bytes([[s.header for s in keep], [row[s.key] for s in keep]])
    result = read_table(data, filename="a.xlsx", item=court)
    assert len(result.records) == 1
    assert "child_name" not in result.records[0].extra


def test_missing_required_columns_reject_the_file_listing_them(court: DataItem) -> None:
    headers = [h for h in court.headers if h not in ("案号", "判决生效日期")] + ["备注", "经办人"]
    data = xlsx_bytes([headers, ["x"] * len(headers)])
    result = read_table(data, filename="法院.xlsx", item=court)
    assert result.records == []
    message = result.rejected_whole
    assert message is not None
    assert message.startswith("文件「法院.xlsx」不是「宣告失踪、宣告死亡、撤销监护资格判决」的模板")
    assert "缺少必填列「案号」「判决生效日期」" in message
    assert "无法识别的列「备注」「经办人」" in message


def test_another_items_file_is_rejected_whole(catalog: Catalog, court: DataItem) -> None:
    health = catalog.item("health_death")
    data = item_xlsx(health, [valid_row(health)])
    result = read_table(data, filename="死亡.xlsx", item=court)
    assert result.records == []
    assert result.rejected_whole is not None
    assert "缺少必填列" in result.rejected_whole


def test_template_of_another_item_is_recognised_by_its_code(catalog: Catalog) -> None:
    cremation = catalog.item("civil_affairs_cremation")
    health = catalog.item("health_death")
    data = filled_template(cremation, [valid_row(cremation)])
    result = read_table(data, filename="a.xlsx", item=health)
    assert result.rejected_whole is not None
    assert "civil_affairs_cremation" in result.rejected_whole
    assert "health_death" in result.rejected_whole


def test_unknown_extra_columns_are_ignored_with_a_warning(court: DataItem) -> None:
    headers = [*court.headers, "经办人"]
    data = xlsx_bytes([headers, [*row_list(court, valid_row(court)), "小王"]])
    result = read_table(data, filename="a.xlsx", item=court)
    assert len(result.records) == 1
    assert any("「经办人」" in w.message for w in result.warnings)


def test_the_same_column_twice_rejects_the_file(court: DataItem) -> None:
    headers = [*court.headers, "公民身份号码"]
    data = csv_bytes([headers, [*row_list(court, valid_row(court)), "x"]])
    result = read_table(data, filename="a.csv", item=court)
    assert result.rejected_whole is not None
    assert "只能出现一次" in result.rejected_whole


def test_header_only_file_is_accepted_with_a_notice(court: DataItem) -> None:
    result = read_table(xlsx_bytes([court.headers]), filename="本月无.xlsx", item=court)
    assert result.rejected_whole is None
    assert result.rows_total == 0
    assert "没有数据行" in result.warnings[0].message


def test_header_row_may_start_below_blank_rows_with_real_row_numbers(court: DataItem) -> None:
    row = {**valid_row(court), "gender": "未知"}
    data = xlsx_bytes([[], [], court.headers, row_list(court, row)])
    result = read_table(data, filename="a.xlsx", item=court)
    assert result.errors[0].row == 4
