"""Template → filled by a department (openpyxl) → read_table → typed records."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from exchange_helpers import filled_template, item_csv, valid_id, valid_row

from shouhu.core.catalog import Catalog, DataItem, catalog_load
from shouhu.core.exchange import read_table, template_csv

ITEM_CODES = [item.code for item in catalog_load().items]


@pytest.mark.parametrize("code", ITEM_CODES)
def test_every_items_template_reads_back_as_records(catalog: Catalog, code: str) -> None:
    item = catalog.item(code)
    rows = [valid_row(item, index) for index in range(3)]
    result = read_table(filled_template(item, rows), filename="报送.xlsx", item=item)
    assert result.rejected_whole is None
    assert result.errors == []
    assert [record.row for record in result.records] == [2, 3, 4]
    for record, row in zip(result.records, rows, strict=True):
        expected_id = row[next(s.key for s in item.fields if s.target == "subject.id_number")]
        assert record.subject["id_number"] == expected_id
        if item.fact is None:
            assert record.fact == {}
        else:
            assert record.fact["type"] in item.fact_types


@pytest.mark.parametrize("code", ITEM_CODES)
def test_csv_template_with_rows_gives_the_same_records_as_xlsx(catalog: Catalog, code: str) -> None:
    item = catalog.item(code)
    rows = [valid_row(item, index) for index in range(2)]
    header_line = template_csv(item).decode("utf-8-sig").splitlines()[0]
    csv_data = item_csv(item, rows)
    assert csv_data.decode("utf-8").splitlines()[0] == header_line
    from_csv = read_table(csv_data, filename="报送.csv", item=item)
    from_xlsx = read_table(filled_template(item, rows), filename="报送.xlsx", item=item)
    assert from_csv.errors == []
    assert [r.record_sha256 for r in from_csv.records] == [
        r.record_sha256 for r in from_xlsx.records
    ]


def test_court_judgment_record_carries_subject_fact_and_extra(court: DataItem) -> None:
    parent, child = valid_id(1), valid_id(2, born=date(2013, 5, 6))
    row = {
        "case_number": "（2024）蒙0802民特1号",
        "judgment_kind": "宣告失踪",
        "id_number": parent,
        "name": " 李 四 ",
        "gender": "男",
        "birth_date": "1985/6/1",
        "division_code": "150802",
        "effective_date": "2024年3月5日",
        "child_id_number": child,
        "child_name": "李小明",
        "court_name": "临河区人民法院",
    }
    (record,) = read_table(filled_template(court, [row]), filename="a.xlsx", item=court).records
    assert record.record_id == "（2024）蒙0802民特1号"
    assert not record.record_id_derived
    assert record.subject == {
        "id_number": parent,
        "name": "李 四",
        "gender": "M",
        "birth_date": date(1985, 6, 1),
        "division_code": "150802",
    }
    assert record.fact == {"type": "declared_missing", "date": date(2024, 3, 5)}
    assert record.extra == {
        "judgment_kind": "declared_missing",
        "child_id_number": child,
        "child_name": "李小明",
        "court_name": "临河区人民法院",
    }


def test_type_column_chooses_the_fact_type(catalog: Catalog) -> None:
    item = catalog.item("public_security_restriction")
    rows = [
        {**valid_row(item, 0), "measure": "强制隔离戒毒"},
        {**valid_row(item, 1), "measure": "criminal_detention"},
        {**valid_row(item, 2), "measure": "行政拘留"},
    ]
    records = read_table(filled_template(item, rows), filename="a.xlsx", item=item).records
    assert [r.fact["type"] for r in records] == [
        "compulsory_rehab",
        "other_restriction",
        "other_restriction",
    ]
    assert [r.extra["measure"] for r in records] == [
        "compulsory_rehab",
        "criminal_detention",
        "administrative_detention",
    ]


def test_disability_level_code_becomes_an_integer_level(catalog: Catalog) -> None:
    item = catalog.item("disabled_federation_certificate")
    row = {**valid_row(item), "category": "精神", "level": "三级"}
    (record,) = read_table(filled_template(item, [row]), filename="a.xlsx", item=item).records
    assert record.fact["category"] == "mental"
    assert record.fact["level"] == 3


def test_items_without_a_record_number_get_a_stable_derived_id(catalog: Catalog) -> None:
    item = catalog.item("public_security_death_cancellation")
    rows = [valid_row(item, 0), valid_row(item, 1)]
    first = read_table(filled_template(item, rows), filename="a.xlsx", item=item).records
    again = read_table(filled_template(item, rows[::-1]), filename="b.xlsx", item=item).records
    assert all(r.record_id_derived and r.record_id.startswith("auto-") for r in first)
    assert {r.record_id for r in first} == {r.record_id for r in again}
    assert first[0].record_id != first[1].record_id


def test_derived_id_ignores_the_end_date_so_a_correction_supersedes(catalog: Catalog) -> None:
    item = catalog.item("civil_affairs_assistance")
    row = valid_row(item)
    corrected = {**row, "end": "2031-01-31"}
    (a,) = read_table(filled_template(item, [row]), filename="a.xlsx", item=item).records
    (b,) = read_table(filled_template(item, [corrected]), filename="b.xlsx", item=item).records
    assert a.record_id == b.record_id
    assert a.record_sha256 != b.record_sha256


def test_one_row_per_child_keeps_separate_derived_ids(catalog: Catalog) -> None:
    item = catalog.item("procuratorate_referral")
    base = valid_row(item, 0)
    rows = [{**base, "referral_number": None, "child_id_number": valid_id(i + 10)} for i in (0, 1)]
    result = read_table(filled_template(item, rows), filename="a.xlsx", item=item)
    assert result.errors == []
    assert len({r.record_id for r in result.records}) == 2


def test_template_data_sheet_keeps_id_numbers_as_text_when_typed(court: DataItem) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(filled_template(court, [valid_row(court)])))
    sheet = workbook.worksheets[0]
    id_col = court.headers.index("当事人身份证号") + 1
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(id_col)].number_format == "@"
