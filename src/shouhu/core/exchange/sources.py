"""把上传的字节变成“表头 + 数据行”：XLSX/XLS/ODS（python-calamine，必要时 openpyxl）和 CSV。

这里只管读出单元格，不管字段含义。读不了的文件抛 Unreadable，消息是给报送人员看的中文。
公式单元格和合并单元格会被标记出来（CellFlags），由校验环节逐格报错：
公式的值取决于 Excel 的缓存，合并单元格只有左上角有值，两者都不能当作报送的数据。
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Final, cast

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from shouhu.core.exchange.results import ReadLimits
from shouhu.core.exchange.table import (
    CODES_SHEET,
    FORMULA_PROBLEM,
    INSTRUCTIONS_SHEET,
    MERGED_PROBLEM,
    TEMPLATE_MARKER,
    CellFlags,
    Table,
    Unreadable,
    first_nonblank,
)
from shouhu.core.exchange.values import cell_text
from shouhu.core.exchange.xlsx_parts import SheetScan, read_with_openpyxl, scan_sheet

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_SUFFIXES: Final = (".xlsx", ".xlsm", ".xls", ".ods")
ENCRYPTED_OR_BROKEN: Final = "无法读取：可能设置了打开密码或已损坏，请取消密码后另存再上传"
_SEP_LINE: Final = re.compile(r"sep=(.)\r?\n")


def file_kind(data: bytes, filename: str) -> str:
    """返回 "excel" 或 "csv"：看内容，不只看扩展名。"""
    if not data:
        raise Unreadable("是空文件")
    if data.startswith(b"PK\x03\x04") or data.startswith(_OLE_MAGIC):
        return "excel"
    if filename.lower().endswith(_EXCEL_SUFFIXES):
        raise Unreadable("扩展名是 Excel 文件，但内容不是有效的 Excel 文件（可能已损坏）")
    return "csv"


def check_zip(data: bytes, limits: ReadLimits) -> zipfile.ZipFile | None:
    """XLSX/ODS 是 zip 包：先看清单，防止解压炸弹和伪装成 Excel 的其他压缩包。"""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # NotImplementedError：目录里的版本号或压缩方式被改坏（“zip file version 14.8”）
        raise Unreadable("不是有效的 Excel 文件（压缩包已损坏）") from None
    if sum(info.file_size for info in infos) > limits.max_unzipped_bytes:
        raise Unreadable("解压后过大，不像正常的报送文件，请检查后重新导出")
    names = {info.filename for info in infos}
    if "content.xml" in names and "xl/workbook.xml" not in names:
        raise Unreadable("是 OpenDocument 表格（.ods），请另存为 Excel（.xlsx）或 CSV 后上传")
    if "xl/workbook.xml" not in names:
        raise Unreadable("是压缩包，但不是 Excel 工作簿")
    return archive


def open_excel(data: bytes, limits: ReadLimits) -> Table:
    archive = check_zip(data, limits)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return calamine_table(workbook, archive, limits)
    except Unreadable:
        raise
    except Exception as exc:  # calamine 对坏文件抛各种异常，统一转成可读的消息
        if archive is not None and "xl/workbook.xml" in archive.namelist():
            return read_with_openpyxl(data, archive, limits, fallback_from=exc)
        if type(exc).__name__ == "PasswordError" or data.startswith(_OLE_MAGIC):
            raise Unreadable(ENCRYPTED_OR_BROKEN) from None
        raise Unreadable("无法读取：不是有效的 Excel 文件或已损坏") from None


def pick_sheet(workbook: CalamineWorkbook) -> str:
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
            continue
        if meta.name not in (INSTRUCTIONS_SHEET, CODES_SHEET):
            return str(meta.name)
    raise Unreadable("没有可读取的工作表（请把数据放在第一个工作表中）")


def load_sheet(
    workbook: CalamineWorkbook, archive: zipfile.ZipFile | None, name: str, limits: ReadLimits
) -> tuple[CalamineSheet, SheetScan | None]:
    """先扫描 XML 估算使用范围再交给 calamine：它按“行数×列数”整块分配内存，
    一个写在 XFD1048576 的单元格就能让它要几百 GB。"""
    scan = scan_sheet(archive, name) if archive is not None else None
    if archive is not None and scan is not None and scan.rows * scan.cols > limits.max_cells:
        precise = scan_sheet(archive, name, content_only=True)
        rows, cols = (precise.rows, precise.cols) if precise else (scan.rows, scan.cols)
        if rows * cols > limits.max_cells:
            raise Unreadable(
                f"的工作表「{name}」使用范围过大（约{rows}行×{cols}列），多半是数据下方或右侧"
                "有大量空行空列；请删除数据区以外的行和列后重新上传"
            )
    return workbook.get_sheet_by_name(name), scan


def calamine_table(
    workbook: CalamineWorkbook, archive: zipfile.ZipFile | None, limits: ReadLimits
) -> Table:
    name = pick_sheet(workbook)
    sheet, scan = load_sheet(workbook, archive, name, limits)
    if sheet.start is None or sheet.end is None:
        raise Unreadable(f"的工作表「{name}」是空的")
    first_col, last_row = sheet.start[1], sheet.end[0]
    if sheet.width > limits.max_columns:
        raise Unreadable(f"的列数超过{limits.max_columns}列，请只保留模板中的列")
    rows = cast(Iterator[tuple[int, list[object]]], enumerate(sheet.iter_rows(), start=1))
    header_row, header = first_nonblank(rows)
    flags = CellFlags()
    merged_flags(flags, sheet.merged_cell_ranges or [], first_col, header_row)
    for row, col in scan.formulas if scan is not None else ():
        flags.add(row, col - first_col, FORMULA_PROBLEM)
    return Table(
        header_row=header_row,
        header=header,
        rows=rows,
        height=last_row + 1 - header_row,
        flags=flags,
        template_code=template_code(workbook, archive, limits),
    )


def merged_flags(
    flags: CellFlags,
    ranges: list[tuple[tuple[int, int], tuple[int, int]]],
    first_col: int,
    header_row: int,
) -> None:
    for (r0, c0), (r1, c1) in ranges:
        first, last = r0 + 1, r1 + 1
        if first <= header_row <= last:
            raise Unreadable("的表头有合并单元格，请取消合并，一列一个列名")
        left, right = c0 - first_col, c1 - first_col
        if last - first > 1000:
            flags.spans.append((first, last, left, right))
            continue
        for row in range(first, last + 1):
            for col in range(left, right + 1):
                flags.add(row, col, MERGED_PROBLEM)


def template_code(
    workbook: CalamineWorkbook, archive: zipfile.ZipFile | None, limits: ReadLimits
) -> str | None:
    """模板“填写说明”页上的数据项代码，用来识别“拿错了模板”。"""
    if INSTRUCTIONS_SHEET not in workbook.sheet_names:
        return None
    sheet, _ = load_sheet(workbook, archive, INSTRUCTIONS_SHEET, limits)
    for index, cells in enumerate(sheet.iter_rows()):
        if index > 40:
            break
        if len(cells) >= 2 and cell_text(cells[0]) == TEMPLATE_MARKER:
            return cell_text(cells[1]) or None
    return None


def csv_table(text: str, encoding: str, limits: ReadLimits) -> Table:
    if "\x00" in text:
        raise Unreadable("含有二进制内容，不是文本格式的 CSV 文件")
    text = text.removeprefix("\ufeff")
    sep = _SEP_LINE.match(text)
    if sep:
        text = text[sep.end() :]
    delimiter = sep.group(1) if sep else sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = csv_rows(reader)
    header_row, header = first_nonblank(rows)
    if len(header) > limits.max_columns:
        raise Unreadable(f"的列数超过{limits.max_columns}列，请只保留模板中的列")
    return Table(
        header_row=header_row,
        header=header,
        rows=rows,
        height=text.count("\n") + 1,
        encoding=encoding,
    )


def csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[object]]]:
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, list(cells)
    except csv.Error:
        raise Unreadable(f"第{number + 1}行不是有效的 CSV 格式（引号不成对或单元格过大）") from None


def sniff_delimiter(text: str) -> str:
    line = text[: text.find("\n")] if "\n" in text else text[:4096]
    counts = {sep: line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","
