"""Each field type: the forms it accepts and the forms it rejects (with what message)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from exchange_helpers import filled_template, item_xlsx, valid_id, valid_row

from shouhu.core.catalog import Catalog, DataItem
from shouhu.core.exchange import read_table
from shouhu.core.exchange.values import (
    ID_NUMBER_LOST,
    BadValue,
    code_parser,
    parse_bool,
    parse_date,
    parse_division,
    parse_id,
    parse_int,
    parse_name,
    parse_text,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-05", date(2024, 1, 5)),
        ("2024/1/5", date(2024, 1, 5)),
        ("2024.01.05", date(2024, 1, 5)),
        ("2024年1月5日", date(2024, 1, 5)),
        ("2024年01月05", date(2024, 1, 5)),
        ("20240105", date(2024, 1, 5)),
        ("２０２４－０１－０５", date(2024, 1, 5)),
        (" 2024-01-05 00:00:00 ", date(2024, 1, 5)),
        ("2024/1/5 0:00", date(2024, 1, 5)),
        (45296.0, date(2024, 1, 5)),
        (45296, date(2024, 1, 5)),
        (45296.75, date(2024, 1, 5)),
        ("45296", date(2024, 1, 5)),
        (20240105.0, date(2024, 1, 5)),
        (date(2024, 1, 5), date(2024, 1, 5)),
        (datetime(2024, 1, 5, 13, 30), date(2024, 1, 5)),
    ],
)
def test_date_accepts_the_usual_forms(raw: object, expected: date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["2024-13-01", "2024-02-30", "1/5/2024", "24/1/5", "2024", "明年", "2024-01", True, 5.0,
     time(10, 0), "1899-12-31", "2101-01-01", 3000000.0],
)  # fmt: skip
def test_date_rejects_anything_else(raw: object) -> None:
    with pytest.raises(BadValue, match="日期"):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("是", True), ("否", False), ("TRUE", True), ("false", False), ("1", True), ("0", False),
     ("Y", True), ("n", False), (True, True), (False, False), (1.0, True), (0, False),
     ("Ｙ", True)],
)  # fmt: skip
def test_bool_accepts_yes_no_forms(raw: object, expected: bool) -> None:
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["有", "2", "maybe", "是的吧"])
def test_bool_rejects_other_words(raw: object) -> None:
    with pytest.raises(BadValue, match=r"是.*否"):
        parse_bool(raw)


def test_int_accepts_whole_numbers_in_range_and_rejects_the_rest() -> None:
    assert parse_int("３", 1, 4) == 3
    assert parse_int(2.0, 1, 4) == 2
    for raw in ("2.5", "五", True, "5"):
        with pytest.raises(BadValue):
            parse_int(raw, 1, 4)


def test_code_accepts_code_label_or_alias_and_lists_choices_when_wrong(catalog: Catalog) -> None:
    parse = code_parser(catalog.item("disabled_federation_certificate").field("level"))
    assert [parse(raw) for raw in ("一级", "2", 3.0, "4级", " 三 ")] == ["1", "2", "3", "4", "3"]
    with pytest.raises(BadValue, match="一级、二级、三级、四级"):
        parse("五级")


def test_code_matching_ignores_case_and_full_width(catalog: Catalog) -> None:
    parse = code_parser(catalog.item("court_judgment").field("judgment_kind"))
    assert parse("DECLARED_DEAD") == "declared_dead"
    assert parse("宣告死亡") == "declared_dead"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("150802", "150802"), (150802.0, "150802"), ("150802102", "150802102"),
     ("150802102201", "150802102201"), ("150802000000", "150802"), ("１５０８０２", "150802")],
)  # fmt: skip
def test_division_code_accepts_6_9_12_digits(raw: object, expected: str) -> None:
    assert parse_division(raw) == expected


@pytest.mark.parametrize("raw", ["1508", "临河区", "15080A", "1508021"])
def test_division_code_rejects_other_shapes(raw: object) -> None:
    with pytest.raises(BadValue, match="行政区划代码"):
        parse_division(raw)


def test_name_keeps_the_written_name_and_rejects_digits_and_symbols_only() -> None:
    assert parse_name("  阿依古丽·买买提 ", 50) == "阿依古丽·买买提"
    assert parse_name("王\u3000 小明", 50) == "王 小明"
    for raw in ("张3", "123", "---"):
        with pytest.raises(BadValue, match="姓名"):
            parse_name(raw, 50)
    with pytest.raises(BadValue, match="不超过2个字"):
        parse_name("欧阳修", 2)


def test_text_rejects_control_characters_and_overlong_values() -> None:
    assert parse_text("（2024）蒙0802民特1号", 100) == "（2024）蒙0802民特1号"
    with pytest.raises(BadValue, match="控制字符"):
        parse_text("a\x07b", 100)
    with pytest.raises(BadValue, match="不超过3个字"):
        parse_text("abcd", 3)


def test_id_number_forms_are_normalised() -> None:
    number = valid_id(7)
    spaced = f" {number[:6]} {number[6:14]} {number[14:]} "
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    for raw in (number, spaced, full_width, number.lower()):
        assert parse_id(raw) == (number, None)


def test_id_number_stored_as_a_number_is_reported_as_lost_digits() -> None:
    number = valid_id(7)
    assert parse_id(float(number))[1] == ID_NUMBER_LOST
    assert parse_id(int(number))[1] == ID_NUMBER_LOST
    assert parse_id("1.50802E+17")[1] == ID_NUMBER_LOST


def test_fifteen_digit_id_stored_as_number_is_converted() -> None:
    number, problem = parse_id(150802850601001.0)
    assert problem is None
    assert number == "15080219850601001" + number[-1]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("15080219850601", "现为14位"),
        ("1508021985060100AB", "只能是数字"),
        ("150802198513010019", "校验位"),
    ],
)
def test_bad_id_numbers_say_what_is_wrong(raw: str, problem: str) -> None:
    assert problem in str(parse_id(raw)[1])


def test_strict_id_rejects_the_row_and_lenient_id_warns(catalog: Catalog, hiv: DataItem) -> None:
    bad = valid_id(3)[:-1] + ("0" if valid_id(3)[-1] != "0" else "1")
    strict = read_table(
        filled_template(hiv, [{**valid_row(hiv), "id_number": bad}]), filename="a.xlsx", item=hiv
    )
    assert strict.records == []
    assert "身份证号" in strict.errors[0].message
    court = catalog.item("court_judgment")
    lenient = read_table(
        filled_template(court, [{**valid_row(court), "id_number": bad}]),
        filename="a.xlsx",
        item=court,
    )
    assert lenient.errors == []
    (record,) = lenient.records
    assert record.subject["id_number"] == bad
    assert "已接收" in lenient.warnings[0].message


def test_messages_mask_id_numbers(hiv: DataItem) -> None:
    bad = valid_id(3)[:17] + ("0" if valid_id(3)[-1] != "0" else "1")
    result = read_table(
        filled_template(hiv, [{**valid_row(hiv), "id_number": bad}]), filename="a.xlsx", item=hiv
    )
    (error,) = result.errors
    assert bad not in error.message
    assert error.value == bad[:6] + "********" + bad[-4:]
    assert f"“{error.value}”" in error.message


def test_excel_typed_cells_are_accepted(custody: DataItem) -> None:
    row = {
        **valid_row(custody),
        "start": datetime(2024, 1, 5),
        "end": 47484,  # Excel serial of 2030-01-01
        "life": False,
        "division_code": 150802,
    }
    (record,) = read_table(item_xlsx(custody, [row]), filename="a.xlsx", item=custody).records
    assert record.fact["start"] == date(2024, 1, 5)
    assert record.fact["end"] == date(2030, 1, 1)
    assert record.fact["life"] is False
    assert record.subject["division_code"] == "150802"
