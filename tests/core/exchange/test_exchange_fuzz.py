"""Bad input never hurts: malformed workbooks and CSV bytes always end in a Chinese message,
never in an exception, and nothing from a rejected file or row is accepted."""

from __future__ import annotations

import re
from datetime import date, datetime

from exchange_helpers import csv_bytes, item_xlsx, row_list, valid_id, valid_row, xlsx_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

from shouhu.core.catalog import catalog_load
from shouhu.core.exchange import ReadResult, read_table
from shouhu.core.exchange.reader import INTERNAL_ERROR

ITEM = catalog_load().item("justice_custody")
GOOD_ROWS = [valid_row(ITEM, i) for i in range(4)]
CJK = re.compile(r"[\u4e00-\u9fff]")

junk_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(
        ["=1+1", "=A1", "=SUM(A1:A3)", "是", "否", "2024/13/45", "2024年1月5日", "45296", "１２",
         "1.50802E+17", "\x00\x07", " ", "无", "#N/A", "强制隔离戒毒", "服刑在押", "x" * 600]
    ),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from([float(valid_id(1)), 45296.0, 20240105.0, valid_id(2), valid_id(3).lower()]),
)  # fmt: skip


def assert_safe(result: ReadResult, filename: str) -> None:
    """The invariants every read must keep, whatever the input."""
    if result.rejected_whole is not None:
        assert result.records == []
        assert result.errors == []
        assert CJK.search(result.rejected_whole)
        assert filename in result.rejected_whole
        assert INTERNAL_ERROR not in result.rejected_whole
        return
    bad_rows = {error.row for error in result.errors}
    assert not bad_rows & {record.row for record in result.records}
    assert len(result.records) <= result.rows_total
    for message in (e.message for e in [*result.errors, *result.warnings]):
        assert filename in message
        assert CJK.search(message)


def cell_excel_can_hold(value: object) -> object:
    """openpyxl refuses some Python values (control characters, timezone-less oddities)."""
    if isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf"
    return value


@st.composite
def messy_workbooks(draw: st.DrawFn) -> bytes:
    headers = list(ITEM.headers)
    if draw(st.booleans()):
        headers = draw(st.permutations(headers))
    drop = draw(st.sets(st.sampled_from(headers), max_size=3))
    extra = draw(st.lists(st.text(max_size=8).map(cell_excel_can_hold), max_size=2))
    headers = [h for h in headers if h not in drop] + extra
    rows = []
    for index in range(draw(st.integers(0, 6))):
        good = dict(zip(ITEM.headers, row_list(ITEM, GOOD_ROWS[index % 4]), strict=True))
        row = [good.get(h) for h in headers]
        for position in draw(st.sets(st.integers(0, max(len(row) - 1, 0)), max_size=4)):
            if row:
                row[position] = cell_excel_can_hold(draw(junk_values))
        rows.append(row)
    merge = draw(
        st.one_of(st.none(), st.tuples(st.integers(1, 8), st.integers(1, 6), st.integers(0, 2)))
    )

    def setup(sheet: object) -> None:
        if merge is not None:
            row, col, span = merge
            sheet.merge_cells(  # type: ignore[attr-defined]
                start_row=row, start_column=col, end_row=row + span, end_column=col + 1
            )

    table = [headers, *rows] if draw(st.booleans()) or rows else []
    return xlsx_bytes(table, setup=setup)


@settings(max_examples=60)
@given(messy_workbooks())
def test_messy_workbooks_never_raise(data: bytes) -> None:
    assert_safe(read_table(data, filename="乱.xlsx", item=ITEM), "乱.xlsx")


@settings(max_examples=40)
@given(messy_workbooks(), st.data())
def test_damaged_workbook_bytes_never_raise(data: bytes, draw: st.DataObject) -> None:
    # Positions are drawn as fractions: the workbook's length varies with its timestamp.
    cut = draw.draw(st.integers(0, 10_000)) * len(data) // 10_000
    fractions = st.tuples(st.integers(0, 9_999), st.integers(0, 255))
    flips = draw.draw(st.lists(fractions, max_size=8))
    damaged = bytearray(data[:cut] if draw.draw(st.booleans()) else data)
    for fraction, byte in flips:
        position = fraction * len(damaged) // 10_000
        if position < len(damaged):
            damaged[position] = byte
    assert_safe(read_table(bytes(damaged), filename="坏.xlsx", item=ITEM), "坏.xlsx")


@settings(max_examples=80)
@given(st.binary(max_size=2000), st.sampled_from(["a.csv", "a.xlsx", "a.xls", "a", "a.txt"]))
def test_random_bytes_never_raise(data: bytes, filename: str) -> None:
    assert_safe(read_table(data, filename=filename, item=ITEM), filename)


@settings(max_examples=60)
@given(
    st.lists(
        st.lists(junk_values.map(lambda v: "" if v is None else str(v)), max_size=14), max_size=6
    ),
    st.sampled_from(["utf-8", "gbk", "gb18030", "utf-16", "utf-8-sig"]),
    st.booleans(),
)
def test_messy_csv_never_raises(rows: list[list[str]], encoding: str, with_header: bool) -> None:
    table = [list(ITEM.headers), *rows] if with_header else rows
    try:
        data = csv_bytes(table, encoding=encoding)
    except UnicodeEncodeError:
        data = csv_bytes(table, encoding="utf-8")
    assert_safe(read_table(data, filename="乱.csv", item=ITEM), "乱.csv")


@settings(max_examples=40)
@given(st.binary(max_size=300), st.integers(0, 400))
def test_junk_spliced_into_a_good_csv_never_raises(junk: bytes, at: int) -> None:
    data = csv_bytes([list(ITEM.headers), *(row_list(ITEM, r) for r in GOOD_ROWS)], encoding="gbk")
    spliced = data[:at] + junk + data[at:]
    assert_safe(read_table(spliced, filename="混.csv", item=ITEM), "混.csv")


def test_every_kind_of_damage_from_the_issue_gets_a_message() -> None:
    good = item_xlsx(ITEM, GOOD_ROWS)
    cases = {
        "wrong headers": xlsx_bytes([["甲", "乙"], [1, 2]]),
        "missing headers": xlsx_bytes([list(ITEM.headers)[3:], row_list(ITEM, GOOD_ROWS[0])[3:]]),
        "empty sheet": xlsx_bytes([]),
        "binary junk": bytes(range(256)) * 4,
        "truncated": good[: len(good) // 2],
        "wrong encoding": csv_bytes([list(ITEM.headers)], encoding="utf-16-le")[:-1],
        "formulas": xlsx_bytes([list(ITEM.headers), ["=1+1"] * len(ITEM.headers)]),
    }
    for name, data in cases.items():
        result = read_table(data, filename=f"{name}.xlsx", item=ITEM)
        assert_safe(result, f"{name}.xlsx")
        assert result.records == [], name
        assert result.rejected_whole or result.errors, name


def test_a_zip_directory_with_an_impossible_version_is_refused_as_corrupt() -> None:
    """Found by the corpus (bit flip in the central directory): zipfile raises
    NotImplementedError("zip file version 14.8"), which was an internal error."""
    data = bytearray(xlsx_bytes([list(ITEM.headers), row_list(ITEM, GOOD_ROWS[0])]))
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 6] = 148  # "version needed to extract" of the last entry

    result = read_table(bytes(data), filename="a.xlsx", item=ITEM)

    assert result.rejected_whole is not None
    assert "压缩包已损坏" in result.rejected_whole
