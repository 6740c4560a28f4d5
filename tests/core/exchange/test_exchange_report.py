"""The XLSX error report: rejected rows only, exactly the bad cells highlighted, re-uploadable."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from exchange_helpers import filled_template, item_csv, valid_id, valid_row

from shouhu.core.catalog import DataItem
from shouhu.core.exchange import error_report_xlsx, read_table
from shouhu.core.exchange.report import ERROR_FILL


def highlighted(sheet: openpyxl.worksheet.worksheet.Worksheet) -> set[tuple[str, str]]:
    """(original row number, column header) of every red cell."""
    headers = [cell.value for cell in sheet[1]]
    found = set()
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb:
                found.add((row[0].value, headers[cell.column - 1]))
    return found


def bad_rows(court: DataItem) -> list[dict[str, object]]:
    bad_id = valid_id(5)[:-1] + ("1" if valid_id(5)[-1] != "1" else "2")
    return [
        valid_row(court, 0),
        {**valid_row(court, 1), "gender": "未知", "effective_date": "2024-02-30"},
        valid_row(court, 2),
        {**valid_row(court, 3), "case_number": None, "id_number": bad_id},
        {**valid_row(court, 4), "case_number": "R-000000"},
    ]


def test_report_highlights_exactly_the_bad_cells(court: DataItem) -> None:
    data = filled_template(court, bad_rows(court))
    result = read_table(data, filename="法院.xlsx", item=court)
    report = openpyxl.load_workbook(
        io.BytesIO(error_report_xlsx(data, "法院.xlsx", court, result.errors))
    )
    sheet = report["错误数据"]
    assert highlighted(sheet) == {(str(e.row), e.column) for e in result.errors}
    assert highlighted(sheet) == {
        ("3", "性别"),
        ("3", "判决生效日期"),
        ("5", "案号"),
        ("6", "案号"),
    }
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["3", "5", "6"]


def test_report_keeps_the_original_values_and_explains_each_cell(court: DataItem) -> None:
    rows = bad_rows(court)
    data = filled_template(court, rows)
    result = read_table(data, filename="法院.xlsx", item=court)
    sheet = openpyxl.load_workbook(
        io.BytesIO(error_report_xlsx(data, "法院.xlsx", court, result.errors))
    )["错误数据"]
    headers = [cell.value for cell in sheet[1]]
    first = {headers[i]: cell for i, cell in enumerate(sheet[2])}
    assert first["当事人身份证号"].value == rows[1]["id_number"]
    assert first["当事人身份证号"].number_format == "@"
    assert first["判决生效日期"].value == "2024-02-30"
    assert "不是真实存在的日期" in first["判决生效日期"].comment.text
    assert "第3行「性别」列" in first["错误说明"].value


def test_corrected_report_can_be_uploaded_again(court: DataItem) -> None:
    data = filled_template(court, bad_rows(court))
    result = read_table(data, filename="法院.xlsx", item=court)
    workbook = openpyxl.load_workbook(
        io.BytesIO(error_report_xlsx(data, "法院.xlsx", court, result.errors))
    )
    sheet = workbook["错误数据"]
    headers = [cell.value for cell in sheet[1]]
    fixes = {"性别": "女", "判决生效日期": "2024-02-28", "案号": None}
    for number, row in enumerate(sheet.iter_rows(min_row=2), start=2):
        for header, value in fixes.items():
            cell = row[headers.index(header)]
            if header == "案号":
                cell.value = f"补-{number}"
            else:
                cell.value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = read_table(buffer.getvalue(), filename="改正.xlsx", item=court)
    assert again.errors == []
    assert len(again.records) == 3


def test_report_for_csv_source(court: DataItem) -> None:
    data = item_csv(court, bad_rows(court), encoding="gbk")
    result = read_table(data, filename="法院.csv", item=court)
    report = openpyxl.load_workbook(
        io.BytesIO(error_report_xlsx(data, "法院.csv", court, result.errors))
    )
    assert highlighted(report["错误数据"]) == {(str(e.row), e.column) for e in result.errors}
    assert report["错误清单"].max_row == len(result.errors) + 1


def test_report_of_an_unreadable_file_still_lists_errors(court: DataItem) -> None:
    report = error_report_xlsx(b"\x00\x01junk", "坏.xlsx", court, [])
    workbook = openpyxl.load_workbook(io.BytesIO(report))
    assert "无法读取" in workbook["错误数据"]["A1"].value


def test_report_never_turns_cell_text_into_formulas(court: DataItem) -> None:
    row = {**valid_row(court), "gender": '=HYPERLINK("http://example.com","点我")'}
    data = item_csv(court, [row])
    result = read_table(data, filename="a.csv", item=court)
    report = error_report_xlsx(data, "a.csv", court, result.errors)
    with zipfile.ZipFile(io.BytesIO(report)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert all(b"<f>" not in archive.read(name) for name in sheets)
    sheet = openpyxl.load_workbook(io.BytesIO(report))["错误数据"]
    headers = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=headers.index("性别") + 1).value == row["gender"]


def test_report_survives_control_characters_and_keeps_formulas_inert(court: DataItem) -> None:
    rows = [valid_row(court, 0), {**valid_row(court, 1), "name": "王\x07明", "effective_date": "x"}]
    rows[1]["case_number"] = "=HYPERLINK(1)"
    data = item_csv(court, rows)
    result = read_table(data, filename="c\x1b.csv", item=court)

    report = openpyxl.load_workbook(
        io.BytesIO(error_report_xlsx(data, "c.csv", court, result.errors))
    )

    cells = {c.value: c for row in report["错误数据"].iter_rows() for c in row}
    assert "王␇明" in cells
    assert cells["=HYPERLINK(1)"].data_type == "s"
    assert cells["=HYPERLINK(1)"].quotePrefix
    assert any("␛" in str(c.value) for row in report["错误清单"].iter_rows() for c in row)


def test_report_of_a_corrupt_workbook_still_lists_the_errors(court: DataItem) -> None:
    data = filled_template(court, bad_rows(court))
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    broken = bytearray(data)
    for i in range(start + 8, start + 40):
        broken[i] ^= 0x5A
    errors = read_table(data, filename="法院.xlsx", item=court).errors

    report = openpyxl.load_workbook(
        io.BytesIO(error_report_xlsx(bytes(broken), "法院.xlsx", court, errors))
    )

    assert report["错误数据"]["A1"].value.startswith("原文件无法读取")
    assert report["错误清单"].max_row == len(errors) + 1
