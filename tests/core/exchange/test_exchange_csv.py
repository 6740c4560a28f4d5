"""CSV files as departments really send them: GBK from Chinese Excel, GB18030, UTF-8 with BOM."""

from __future__ import annotations

import pytest
from exchange_helpers import item_csv, row_list, valid_row

from shouhu.core.catalog import DataItem
from shouhu.core.exchange import read_table


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
     ("utf-16", "utf-16")],
)  # fmt: skip
def test_csv_encodings_are_detected(court: DataItem, encoding: str, reported: str) -> None:
    row = {**valid_row(court), "name": "欧阳淼", "court_name": "巴彦淖尔市临河区人民法院"}
    result = read_table(item_csv(court, [row], encoding=encoding), filename="a.csv", item=court)
    assert result.errors == []
    assert result.encoding == reported
    assert result.records[0].subject["name"] == "欧阳淼"
    assert result.records[0].extra["court_name"] == "巴彦淖尔市临河区人民法院"


def test_gb18030_only_characters_survive(court: DataItem) -> None:
    name = "王𠀾䶮"  # 𠀾 is outside GBK and needs GB18030's four-byte form
    with pytest.raises(UnicodeEncodeError):
        name.encode("gbk")
    data = item_csv(court, [{**valid_row(court), "name": name}], encoding="gb18030")
    result = read_table(data, filename="a.csv", item=court)
    assert result.records[0].subject["name"] == name


def test_utf16_without_bom_is_detected(court: DataItem) -> None:
    data = item_csv(court, [valid_row(court)], encoding="utf-16-le")
    result = read_table(data, filename="a.csv", item=court)
    assert len(result.records) == 1


def test_mixed_encodings_are_rejected_whole_with_a_hint(court: DataItem) -> None:
    header = ",".join(court.headers).encode("utf-8") + b"\r\n"
    body = ",".join(str(v or "") for v in row_list(court, valid_row(court))).encode("gbk")
    result = read_table(header + body, filename="a.csv", item=court)
    assert result.records == []
    assert result.rejected_whole is not None
    assert "编码" in result.rejected_whole


def test_tab_and_semicolon_separated_files_are_read(court: DataItem) -> None:
    text = (
        "\t".join(court.headers)
        + "\r\n"
        + "\t".join(str(v or "") for v in row_list(court, valid_row(court)))
    )
    result = read_table(text.encode("utf-8"), filename="a.txt", item=court)
    assert len(result.records) == 1


def test_excel_sep_line_is_skipped_and_rows_numbered_as_excel_shows(court: DataItem) -> None:
    data = b"sep=,\r\n" + item_csv(court, [{**valid_row(court), "gender": "?"}])
    result = read_table(data, filename="a.csv", item=court)
    assert result.errors[0].row == 2


def test_quoted_newlines_count_as_one_row(court: DataItem) -> None:
    rows = [
        {**valid_row(court, 0), "court_name": "第一行\n第二行"},
        {**valid_row(court, 1), "gender": "?"},
    ]
    result = read_table(item_csv(court, rows), filename="a.csv", item=court)
    assert [e.row for e in result.errors] == [3]


def test_ids_mangled_by_excel_csv_export_are_explained(hiv: DataItem) -> None:
    data = item_csv(hiv, [{**valid_row(hiv), "id_number": "1.10105E+17"}])
    result = read_table(data, filename="a.csv", item=hiv)
    assert "科学计数法" in result.errors[0].message
