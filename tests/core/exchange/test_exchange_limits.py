"""Limits and hostile sizes: blank rows beyond the row limit, too many rows, zip bombs, progress."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from exchange_helpers import item_csv, item_xlsx, valid_row

from shouhu.core.catalog import DataItem
from shouhu.core.exchange import ReadLimits, read_table


def with_blank_rows(data: bytes, count: int, cell: str) -> bytes:
    """Append `count` blank rows to the first sheet of an openpyxl-written workbook."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = add_rows(content.decode("utf-8"), count, cell).encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def add_rows(xml: str, count: int, cell: str) -> str:
    last = max(int(n) for n in re.findall(r'<row r="(\d+)"', xml))
    rows = "".join(
        f'<row r="{n}">{cell.format(n=n)}</row>' for n in range(last + 1, last + count + 1)
    )
    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:L{last + count}"/>', xml)
    return xml.replace("</sheetData>", rows + "</sheetData>")


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="A{n}" s="0"/>',  # styled but empty, as when a whole column is formatted
        '<c r="A{n}" t="inlineStr"><is><t></t></is></c>'
        '<c r="B{n}" t="inlineStr"><is><t> </t></is></c>',
    ],
)
def test_blank_rows_are_skipped_and_do_not_count_against_the_row_limit(
    court: DataItem, cell: str
) -> None:
    """整列设了格式的表格常带几十万空行（读法与满表 1,048,576 行相同，只是慢）：空行不算行数。"""
    data = with_blank_rows(
        item_xlsx(court, [valid_row(court, 0), valid_row(court, 1)]), 50_000, cell
    )
    result = read_table(data, filename="a.xlsx", item=court, limits=ReadLimits(max_rows=1_000))
    assert result.rejected_whole is None
    assert result.rows_total == 2
    assert len(result.records) == 2


def test_too_many_rows_reject_the_whole_file(court: DataItem) -> None:
    rows = [valid_row(court, i) for i in range(30)]
    result = read_table(
        item_csv(court, rows), filename="a.csv", item=court, limits=ReadLimits(max_rows=20)
    )
    assert result.records == []
    assert result.rejected_whole is not None
    assert "20行" in result.rejected_whole


def test_oversized_file_is_rejected_before_reading(court: DataItem) -> None:
    data = item_csv(court, [valid_row(court)])
    result = read_table(data, filename="a.csv", item=court, limits=ReadLimits(max_bytes=100))
    assert result.rejected_whole is not None
    assert "大小上限" in result.rejected_whole


def test_zip_bomb_is_rejected(court: DataItem) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    result = read_table(
        out.getvalue(),
        filename="a.xlsx",
        item=court,
        limits=ReadLimits(max_unzipped_bytes=10 * 1024 * 1024),
    )
    assert result.rejected_whole is not None
    assert "解压后过大" in result.rejected_whole


def test_progress_is_reported_while_reading(court: DataItem) -> None:
    rows = [valid_row(court, i) for i in range(25)]
    seen: list[int] = []
    read_table(
        item_xlsx(court, rows),
        filename="a.xlsx",
        item=court,
        progress=seen.append,
        limits=ReadLimits(progress_every=10),
    )
    assert seen == [10, 20, 25]


def test_exception_from_progress_reaches_the_caller(court: DataItem) -> None:
    class Cancelled(Exception):
        pass

    def cancel(rows: int) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        read_table(
            item_csv(court, [valid_row(court, i) for i in range(5)]),
            filename="a.csv",
            item=court,
            progress=cancel,
            limits=ReadLimits(progress_every=2),
        )


def test_too_many_errors_are_truncated_with_a_notice(court: DataItem) -> None:
    rows = [{**valid_row(court, i), "gender": "?"} for i in range(10)]
    result = read_table(
        item_csv(court, rows), filename="a.csv", item=court, limits=ReadLimits(max_errors=4)
    )
    assert len(result.errors) == 4
    assert result.rows_rejected == 10
    assert any("只列出前4处" in w.message for w in result.warnings)


def test_far_away_cell_is_rejected_before_allocating_the_sheet(court: DataItem) -> None:
    data = with_blank_rows(item_xlsx(court, [valid_row(court)]), 0, "")
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    data = with_blank_rows(data, 1, far.replace('<row r="1048576">', "").replace("</row>", ""))
    result = read_table(data, filename="a.xlsx", item=court)
    assert result.rejected_whole is not None
    assert "使用范围过大" in result.rejected_whole


def test_formatted_empty_columns_do_not_count_against_the_cell_limit(court: DataItem) -> None:
    styled = "".join(f'<c r="{col}{{n}}" s="0"/>' for col in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    data = with_blank_rows(item_xlsx(court, [valid_row(court)]), 1000, styled)
    result = read_table(data, filename="a.xlsx", item=court, limits=ReadLimits(max_cells=20_000))
    assert result.rejected_whole is None
    assert len(result.records) == 1


def test_opendocument_spreadsheets_are_asked_to_be_saved_as_xlsx(court: DataItem) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    result = read_table(out.getvalue(), filename="a.ods", item=court)
    assert result.rejected_whole is not None
    assert ".xlsx" in result.rejected_whole
