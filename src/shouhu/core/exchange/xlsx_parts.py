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
from dataclasses import dataclass, field
from typing import Any, Final

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
_CHUNK: Final = 4 * 1024 * 1024
_OVERLAP: Final = 4096


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


@dataclass
class SheetScan:
    """工作表 XML 扫描结果：用到的最大行号、列数（不会低估），以及公式单元格。"""

    rows: int = 0
    cols: int = 0
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (Excel 行号, 绝对列序 0 起)


def scan_sheet(
    archive: zipfile.ZipFile, sheet_name: str, *, content_only: bool = False
) -> SheetScan | None:
    """分块解压扫描工作表 XML（不把几百 MB 的 XML 整个读进内存）。

    默认把只有格式、没有内容的单元格（<c r="A9" s="1"/>）也算进范围，快；content_only 时只算
    有内容的单元格，慢几倍，用于默认估算超限时再确认一次。找不到工作表时返回 None。
    """
    path = sheet_path(archive, sheet_name)
    if path is None or path not in archive.namelist():
        return None
    scan = SheetScan()
    letters: set[bytes] = set()
    for index, chunk in enumerate(_chunks(archive, path)):
        if content_only:
            refs = _CONTENT_CELLS.findall(chunk)
            scan.rows = max(scan.rows, max((int(row) for _, row in refs), default=0))
            letters.update(column for column, _ in refs)
            continue
        scan.rows = max(scan.rows, max((int(n) for n in _ROW_NUMBERS.findall(chunk)), default=0))
        scan.rows = max(scan.rows, chunk.count(b"<row") + chunk.count(b":row"))
        letters.update(_NARROW_COLUMNS.findall(chunk))
        letters.update(_WIDE_COLUMNS.findall(chunk))
        if b"<f" in chunk or b":f" in chunk:  # 绝大多数文件没有公式
            scan.formulas.update(_formula_refs(chunk, first=index == 0))
    scan.cols = max((column_index(c) + 1 for c in letters), default=1)
    return scan


def _chunks(archive: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    """依次给出 XML 的块；相邻块重叠一小段，跨块的标签总会在某一块里完整出现。"""
    with archive.open(path) as stream:
        tail = b""
        while block := stream.read(_CHUNK):
            chunk = tail + block
            yield chunk
            tail = chunk[-_OVERLAP:]


def _formula_refs(chunk: bytes, *, first: bool) -> Iterator[tuple[int, int]]:
    for match in _FORMULA_TAG.finditer(chunk):
        # 公式元素 <f> 一定在它所属的 <c> 里面：往回找最近的单元格开始标签取 r 属性。
        pos = match.start()
        start = max(chunk.rfind(b"<c ", 0, pos), chunk.rfind(b":c ", 0, pos))
        ref = _CELL_REF.search(chunk, start, chunk.find(b">", start) + 1) if start >= 0 else None
        if ref is not None:
            yield int(ref.group(2)), column_index(ref.group(1))
        elif first or pos >= _OVERLAP:  # 重叠段里的已在上一块处理过
            raise Unreadable("含有无法定位的公式，请把公式“选择性粘贴—数值”后再上传")


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
        try:
            yield from _openpyxl_rows(sheets[0], flags, limits)
        except Unreadable:
            raise
        except Exception:  # 只读模式边读边解析：XML 坏在中间（ParseError 等）也是坏文件
            raise Unreadable("无法读取：不是有效的 Excel 文件或已损坏") from None

    iterator = rows()
    header_row, header = first_nonblank(iterator)
    height = (sheets[0].max_row or header_row) - header_row
    return Table(header_row=header_row, header=header, rows=iterator, height=height, flags=flags)


def _openpyxl_rows(
    sheet: Any, flags: CellFlags, limits: ReadLimits
) -> Iterator[tuple[int, list[object]]]:
    for number, cells in enumerate(sheet.iter_rows(), start=1):
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
