"""行级错误清单的保存和错误报告的生成。

错误清单压缩保存（zlib + JSON），十万处错误也只占几百 KB；保存前再做一遍身份证号脱敏，
即使某个调用方给出了未脱敏的消息，库里也不会留下完整号码。
"""

from __future__ import annotations

import io
import json
import re
import zlib
from collections.abc import Iterable, Sequence
from typing import Final

from openpyxl import Workbook

from shouhu.core.catalog import DataItem
from shouhu.core.exchange import CellError, error_report_xlsx
from shouhu.core.exchange.report import LIST_SHEET, write_error_list

_ID_RUN: Final = re.compile(r"\d{14,17}[\dXx]")
_ID_WORDS: Final = ("身份证", "身份号码")  # 列名（身份证号、公民身份号码）或说明里提到号码


def mask_ids(text: str) -> str:
    """把文本中的身份证号（15位以上数字串）脱敏为 前6位 + ******** + 后4位。"""
    return _ID_RUN.sub(lambda m: m.group(0)[:6] + "*" * 8 + m.group(0)[-4:], text)


def errors_pack(errors: Sequence[CellError]) -> bytes:
    if not errors:
        return b""
    rows = [[e.row, e.column, mask_ids(e.value), mask_ids(e.message)] for e in errors]
    return zlib.compress(json.dumps(rows, ensure_ascii=False).encode("utf-8"), 6)


def invalid_id_count(issues: Iterable[CellError]) -> int:
    """问题清单里不合格的身份证号有几个（格，同一格的几处问题算一个）：部门数据质量的“身份证号
    不合格”一栏，存在 Submission.invalid_ids 上。逐行读的报送由读取时数好（ReadResult.invalid_ids，
    被拒的行也数）；户籍的批量载入和迁移前的旧报送没有那个数，从错误和提示里数。"""
    return len({(i.row, i.column) for i in issues if i.column and _about_id(i)})


def _about_id(issue: CellError) -> bool:
    return any(word in issue.column or word in issue.message for word in _ID_WORDS)


def errors_unpack(blob: bytes | memoryview | None) -> list[CellError]:
    if not blob:
        return []
    rows = json.loads(zlib.decompress(bytes(blob)).decode("utf-8"))
    return [CellError(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def error_report_build(
    *, item: DataItem, filename: str, source: bytes, errors: Sequence[CellError]
) -> bytes:
    """有原文件时：被拒收的行原样照录并标红出错单元格；没有原文件（接口报送）时只有错误清单。"""
    if source:
        return error_report_xlsx(source, filename, item, errors)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = LIST_SHEET
    write_error_list(sheet, errors)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
