"""Row rules: required fields, conditions, date order, duplicates, example rows, cell problems."""

from __future__ import annotations

import pytest
from exchange_helpers import filled_template, item_xlsx, row_list, valid_id, valid_row, xlsx_bytes

from shouhu.core.catalog import Catalog, DataItem
from shouhu.core.exchange import read_table, template_xlsx


def test_valid_rows_are_accepted_and_invalid_rows_reported(court: DataItem) -> None:
    rows = [
        valid_row(court, 0),
        {**valid_row(court, 1), "effective_date": "下个月", "gender": "未知"},
        valid_row(court, 2),
        {**valid_row(court, 3), "case_number": None},
    ]
    result = read_table(filled_template(court, rows), filename="法院.xlsx", item=court)
    assert result.rows_total == 4
    assert [r.row for r in result.records] == [2, 4]
    assert result.rows_rejected == 2
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "性别"),
        (3, "判决生效日期"),
        (5, "案号"),
    ]
    message = result.errors[1].message
    assert message.startswith("文件「法院.xlsx」第3行「判决生效日期」列的值“下个月”：应为日期")
    assert result.errors[2].message == "文件「法院.xlsx」第5行「案号」列：必填，不能为空"


def test_end_before_start_is_reported_on_the_end_column(custody: DataItem) -> None:
    row = {**valid_row(custody), "start": "2024-05-01", "end": "2024-01-01"}
    result = read_table(filled_template(custody, [row]), filename="a.xlsx", item=custody)
    (error,) = result.errors
    assert error.column == "刑期（戒毒期）止日"
    assert "不能早于「刑期（戒毒期）起日」（2024-05-01）" in error.message


def test_field_that_does_not_apply_to_the_rows_fact_type_is_an_error(custody: DataItem) -> None:
    rehab = {**valid_row(custody), "custody_kind": "强制隔离戒毒", "life": "是"}
    prison = {**valid_row(custody, 1), "custody_kind": "服刑在押", "life": "是", "end": None}
    result = read_table(filled_template(custody, [rehab, prison]), filename="a.xlsx", item=custody)
    (error,) = result.errors
    assert (error.row, error.column) == (2, "是否无期")
    assert "不适用于「羁押类型」为“强制隔离戒毒”" in error.message
    assert result.records[0].fact == {
        "type": "imprisoned",
        "start": result.records[0].fact["start"],
        "life": True,
    }


def test_conditionally_required_field(catalog: Catalog) -> None:
    item = catalog.item("public_security_lost_contact")
    found = {**valid_row(item), "search_result": "已找到", "found_date": None}
    missing = {**valid_row(item, 1), "search_result": "未找到", "found_date": None}
    result = read_table(filled_template(item, [found, missing]), filename="a.xlsx", item=item)
    (error,) = result.errors
    assert (error.row, error.column) == (2, "找到日期")
    assert "「查找结果」为“已找到”时必填" in error.message
    assert [r.row for r in result.records] == [3]


def test_duplicate_record_numbers_keep_the_first_row(court: DataItem) -> None:
    rows = [valid_row(court, 0), {**valid_row(court, 1), "case_number": "R-000000"}]
    result = read_table(filled_template(court, rows), filename="a.xlsx", item=court)
    assert [r.row for r in result.records] == [2]
    (error,) = result.errors
    assert (error.row, error.column) == (3, "案号")
    assert "与第2行的记录编号相同" in error.message


def test_leftover_example_row_is_rejected(court: DataItem) -> None:
    result = read_table(template_xlsx(court), filename="模板.xlsx", item=court)
    assert result.records == []
    (error,) = result.errors
    assert (error.row, error.column) == (2, "")
    assert "示例行" in error.message


def test_formula_cells_are_errors_even_with_a_cached_value(court: DataItem) -> None:
    row = {**valid_row(court), "name": "=A1", "court_name": '=CONCATENATE("临河","法院")'}
    result = read_table(item_xlsx(court, [row]), filename="a.xlsx", item=court)
    assert result.records == []
    assert {(e.row, e.column) for e in result.errors} == {(2, "当事人姓名"), (2, "法院名称")}
    assert all("公式" in e.message for e in result.errors)


def test_merged_cells_in_data_rows_are_errors(court: DataItem) -> None:
    rows = [valid_row(court, 0), valid_row(court, 1), valid_row(court, 2)]
    court_col = court.headers.index("法院名称") + 1
    letter = chr(ord("A") + court_col - 1)

    def merge(sheet: object) -> None:
        sheet.merge_cells(f"{letter}2:{letter}3")  # type: ignore[attr-defined]

    data = xlsx_bytes([court.headers, *(row_list(court, r) for r in rows)], setup=merge)
    result = read_table(data, filename="a.xlsx", item=court)
    assert {(e.row, e.column) for e in result.errors} == {(2, "法院名称"), (3, "法院名称")}
    assert [r.row for r in result.records] == [4]


def test_merged_header_rejects_the_file(court: DataItem) -> None:
    def merge(sheet: object) -> None:
        sheet.merge_cells("A1:B1")  # type: ignore[attr-defined]

    data = xlsx_bytes([court.headers, row_list(court, valid_row(court))], setup=merge)
    result = read_table(data, filename="a.xlsx", item=court)
    assert result.rejected_whole is not None
    assert "合并单元格" in result.rejected_whole


def test_blank_rows_between_data_are_skipped(court: DataItem) -> None:
    rows = [
        row_list(court, valid_row(court, 0)),
        [],
        [None, "  "],
        row_list(court, valid_row(court, 1)),
    ]
    result = read_table(xlsx_bytes([court.headers, *rows]), filename="a.xlsx", item=court)
    assert result.rows_total == 2
    assert [r.row for r in result.records] == [2, 5]


def test_placeholder_for_unknown_id_counts_as_empty(catalog: Catalog) -> None:
    item = catalog.item("public_security_abandoned_infant")
    result = read_table(
        filled_template(item, [{**valid_row(item), "id_number": "无"}]),
        filename="a.xlsx",
        item=item,
    )
    assert result.errors == []
    assert "id_number" not in result.records[0].subject
    assert result.records[0].fact["type"] == "parents_unknown"


def test_required_lenient_id_with_a_bad_number_is_kept(catalog: Catalog) -> None:
    item = catalog.item("civil_affairs_marriage")
    bad = valid_id(1)[:10] + "1332" + valid_id(1)[14:]
    result = read_table(
        filled_template(item, [{**valid_row(item), "id_number": bad}]), filename="a.xlsx", item=item
    )
    assert result.errors == []
    assert result.records[0].subject["id_number"] == bad
    assert result.records[0].fact == {}


def test_rows_of_formulas_without_cached_values_are_not_taken_for_blank(court: DataItem) -> None:
    formulas = ["=B9"] * len(court.headers)
    rows = [row_list(court, valid_row(court, 0)), formulas, row_list(court, valid_row(court, 1))]
    data = xlsx_bytes([court.headers, *rows, formulas])
    result = read_table(data, filename="a.xlsx", item=court)
    assert [r.row for r in result.records] == [2, 4]
    assert {e.row for e in result.errors} == {3, 5}
    assert result.rows_total == 4


def test_formulas_are_found_wherever_the_xml_is_split(
    court: DataItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shouhu.core.exchange import xlsx_parts

    monkeypatch.setattr(xlsx_parts, "_CHUNK", 700)
    monkeypatch.setattr(xlsx_parts, "_OVERLAP", 300)
    rows = []
    for i in range(40):
        row = row_list(court, valid_row(court, i))
        if i % 3 == 0:
            row[court.headers.index("法院名称")] = f"=A{i + 2}"
        rows.append(row)
    result = read_table(xlsx_bytes([court.headers, *rows]), filename="a.xlsx", item=court)
    assert {e.row for e in result.errors} == {i + 2 for i in range(0, 40, 3)}
    assert {e.column for e in result.errors} == {"法院名称"}
    assert len(result.records) == 40 - 14
