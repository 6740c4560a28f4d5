"""read_json_rows: JSON rows checked by the same row validator as uploaded files (pure, no DB)."""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.catalog import catalog_load
from shouhu.core.exchange import ReadLimits
from shouhu.core.exchange.json_rows import read_json_rows
from shouhu.core.exchange.templates import example_values

ITEM = catalog_load("150802").item("court_judgment")
SOURCE = "court_judgment-2025-03.json"
FATHER = "150802198506010017"


def row(number: int = 1, **changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "case_number": f"（2025）蒙0802民特{number}号",
        "judgment_kind": "宣告失踪",
        "id_number": FATHER,
        "name": "王大山",
        "effective_date": "2025-02-10",
    }
    base.update(changes)
    return base


def read(rows: object, **kwargs: object):
    return read_json_rows(rows, source=SOURCE, item=ITEM, **kwargs)  # type: ignore[arg-type]


def test_a_valid_row_becomes_a_record_with_typed_values():
    result = read([row()])
    (record,) = result.records
    assert (result.rows_total, result.errors, result.rejected_whole) == (1, [], None)
    assert record.record_id == "（2025）蒙0802民特1号"
    assert record.fact == {"type": "declared_missing", "date": date(2025, 2, 10)}
    assert record.subject["name"] == "王大山"


def test_field_codes_and_chinese_headers_give_the_same_record():
    by_header = {
        "案号": "（2025）蒙0802民特1号",
        "文书类型": "宣告失踪",
        "当事人身份证号": FATHER,
        "当事人姓名": "王大山",
        "判决生效日期": "2025-02-10",
    }
    assert read([by_header]).records[0].record_sha256 == read([row()]).records[0].record_sha256


def test_row_numbers_count_from_one_in_the_array_and_name_the_chinese_column():
    result = read([row(1), row(2, effective_date="2025-02-30")])
    (error,) = result.errors
    assert (error.row, error.column) == (2, "判决生效日期")
    assert error.message.startswith(f"文件「{SOURCE}」第2行「判决生效日期」列的值“2025-02-30”")


def test_a_missing_required_key_is_a_row_error_not_a_whole_rejection():
    result = read([row(1), {k: v for k, v in row(2).items() if k != "name"}])
    assert len(result.records) == 1
    assert [(e.row, e.column) for e in result.errors] == [(2, "当事人姓名")]


def test_nested_values_non_objects_and_a_field_given_twice_are_row_errors():
    result = read([row(1, name={"a": 1}), "x", row(3, 案号="（2025）蒙0802民特9号")])
    assert [(e.row, e.column) for e in result.errors] == [(1, "当事人姓名"), (2, ""), (3, "案号")]
    assert "不能是对象或数组" in result.errors[0].message
    assert "应为对象" in result.errors[1].message
    assert "「case_number」和「案号」是同一字段" in result.errors[2].message


def test_unknown_keys_are_a_warning_and_blank_rows_are_skipped():
    result = read([row(1, 备注栏="x"), {}, {"name": None, "案号": ""}])
    assert (result.rows_total, len(result.records)) == (1, 1)
    assert "无法识别的字段「备注栏」" in result.warnings[0].message


def test_the_same_record_twice_in_a_batch_is_reported_like_in_a_file():
    result = read([row(1), row(1)])
    assert len(result.records) == 1
    assert "与第1行的记录编号相同" in result.errors[0].message


def test_the_templates_example_row_is_refused():
    example = dict(example_values(ITEM).items())
    assert "示例行" in read([example]).errors[0].message


def test_an_empty_batch_is_a_nil_return_and_a_non_list_is_rejected_whole():
    empty = read([])
    assert (empty.rows_total, empty.rejected_whole) == (0, None)
    assert "零报送" in empty.warnings[0].message
    assert "rows 应为数组" in (read({"a": 1}).rejected_whole or "")
    assert "rows 应为数组" in (read("[]").rejected_whole or "")


def test_too_many_rows_are_rejected_whole():
    result = read([row(n) for n in range(1, 5)], limits=ReadLimits(max_rows=3))
    assert result.records == []
    assert "超过3行的上限" in (result.rejected_whole or "")


def test_the_content_hash_depends_on_rows_and_source_not_on_key_order():
    reordered = dict(reversed(list(row().items())))
    assert read([row()]).file_sha256 == read([reordered]).file_sha256
    assert read([row()]).file_sha256 != read([row(2)]).file_sha256
    other_month = read_json_rows([], source="court_judgment-2025-04.json", item=ITEM)
    assert read([]).file_sha256 != other_month.file_sha256


@pytest.mark.parametrize("value", [1.5, True, 10**30, "", "\x00", "x" * 500])
def test_odd_scalars_get_a_message_never_an_exception(value):
    result = read([row(1, effective_date=value, name=value)])
    assert result.rejected_whole is None
    assert result.rows_total == 1
