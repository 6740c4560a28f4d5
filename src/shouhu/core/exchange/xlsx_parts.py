"""XLSX 包内部的细节：找出公式单元格；calamine 读不了时用 openpyxl 兜底。

calamine 只给出公式的缓存值（openpyxl 等工具写的公式没有缓存值，读出来是空串），
看不出单元格是不是公式，所以直接在工作表 XML 里找 <f> 元素。
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Final

from shouhu.core.exchange.results import ReadLimits
from shouhu.core.exchange.table import (
    FORMULA_PROBLEM,
    INSTRUCTIONS_SHEET,
    CellFlags,
    Table,
    Unreadable,
    first_nonblank,
)

_SHEET_TAG: Final = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL_TAG: Final = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_FORMULA_TAG: Final = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ROW_NUMBERS: Final = re.compile(rb'r="[A-Z]{1,3}([0-9]{1,9})"')
_NARROW_COLUMNS: Final = re.compile(rb'r="([A-Z])[0-9]')
_WIDE_COLUMNS: Final = re.compile(rb'r="([A-Z]{2,3})[0-9]')
_CONTENT_CELLS: Final = re.compile(
    rb'<(?:[A-Za-z]+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,9})"[^>]*(?<!/)>'
)
_CELL_REF: Final = re.compile(rb"\br=\"([A-Z]{1,3})([0-9]{1,7})\"")


def _attr(tag: bytes, name: bytes) -> str | None:
    match = re.search(rb"(?:^|\s)" + re.escape(name) + rb"=\"([^\"]*)\"", tag)
    return html.unescape(match.group(1).decode("utf-8", "replace")) if match else None


def sheet_path(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """工作表名 → 包内 XML 路径（经 workbook.xml 和它的关系文件）。"""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    rel_id = None
    for tag in _SHEET_TAG.findall(workbook):
        if _attr(tag, b"name") == sheet_name:
            rel_id = _attr(tag, b"r:id") or _attr(tag, b"id")
    for tag in _REL_TAG.findall(rels):
        target = _attr(tag, b"Target")
        if _attr(tag, b"Id") == rel_id and target:
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index - 1


def sheet_xml(archive: zipfile.ZipFile, sheet_name: str) -> bytes | None:
    path = sheet_path(archive, sheet_name)
    if path is None or path not in archive.namelist():
        return None
    return archive.read(path)


def sheet_extent(xml: bytes, *, content_only: bool = False) -> tuple[int, int]:
    """工作表用到的最大行号和列数，按单元格引用估算（不会低估）。

    默认把只有格式、没有内容的单元格（<c r="A9" s="1"/>）也算上，快（约每秒500MB）；
    content_only 时只算有内容的单元格，慢几倍，用于默认估算超限时再确认一次。
    """
    if content_only:
        refs = _CONTENT_CELLS.findall(xml)
        rows = max((int(row) for _, row in refs), default=0)
        cols = max((column_index(letters) + 1 for letters in {c for c, _ in refs}), default=0)
        return rows, cols
    rows = max((int(n) for n in _ROW_NUMBERS.findall(xml)), default=0)
    rows = max(rows, xml.count(b"<row"), xml.count(b":row"))
    letters = set(_NARROW_COLUMNS.findall(xml)) | set(_WIDE_COLUMNS.findall(xml))
    cols = max((column_index(c) + 1 for c in letters), default=1)
    return rows, cols


def formula_cells(xml: bytes) -> Iterator[tuple[int, int]]:
    """工作表中含公式的单元格（Excel 行号, 绝对列序 0 起）。"""
    if b"<f" not in xml and b":f" not in xml:
        return  # 绝大多数文件没有公式：先做一次快速的字节查找
    for match in _FORMULA_TAG.finditer(xml):
        # 公式元素 <f> 一定在它所属的 <c> 里面：往回找最近的单元格开始标签取 r 属性。
        start = max(xml.rfind(b"<c ", 0, match.start()), xml.rfind(b":c ", 0, match.start()))
        ref = _CELL_REF.search(xml, start, xml.find(b">", start) + 1) if start >= 0 else None
        if ref is None:
            raise Unreadable("含有无法定位的公式，请把公式“选择性粘贴—数值”后再上传")
        yield int(ref.group(2)), column_index(ref.group(1))


def read_with_openpyxl(
    data: bytes, archive: zipfile.ZipFile, limits: ReadLimits, *, fallback_from: Exception
) -> Table:
    """calamine 读不了的 XLSX 用 openpyxl 只读模式兜底（慢，但能读一些非标准文件）。"""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheets = [ws for ws in workbook.worksheets if ws.title != INSTRUCTIONS_SHEET]
    except Exception:
        raise Unreadable("无法读取：不是有效的 Excel 文件或已损坏") from fallback_from
    if not sheets:
        raise Unreadable("没有可读取的工作表")
    flags = CellFlags()

    def rows() -> Iterator[tuple[int, list[object]]]:
        for number, cells in enumerate(sheets[0].iter_rows(), start=1):
            values: list[object] = []
            for col, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f":
                    flags.add(number, col, FORMULA_PROBLEM)
                    values.append("")
                else:
                    values.append(getattr(cell, "value", None))
            if len(values) > limits.max_columns:
                raise Unreadable(f"的列数超过{limits.max_columns}列，请只保留模板中的列")
            yield number, values

    iterator = rows()
    header_row, header = first_nonblank(iterator)
    height = (sheets[0].max_row or header_row) - header_row
    return Table(header_row=header_row, header=header, rows=iterator, height=height, flags=flags)
