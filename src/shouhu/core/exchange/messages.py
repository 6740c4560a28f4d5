"""给报送人员看的中文消息：指明文件、行、列、值和要求；身份证号脱敏。"""

from __future__ import annotations

import re
from typing import Final

from shouhu.core.exchange.results import CellError

_MAX_SHOWN: Final = 40
# 值中嵌着的身份证号（如残疾人证号、学籍号）也要脱敏：15位以上的连续数字（末位可为X）。
_EMBEDDED_ID: Final = re.compile(r"\d{14,17}[\dXx]")


def mask_id(text: str) -> str:
    """身份证号脱敏：前6位 + 8个* + 后4位；太短的全部打*，不露出生日期。"""
    if len(text) >= 14:
        return text[:6] + "*" * 8 + text[-4:]
    return "*" * len(text)


def shown_value(text: str, *, is_id: bool) -> str:
    """消息和错误清单中显示的值：身份证列整体脱敏，其他列中嵌着的号码脱敏，过长的截断。"""
    if is_id:
        return mask_id(text)
    masked = _EMBEDDED_ID.sub(lambda m: mask_id(m.group(0)), text)
    if len(masked) > _MAX_SHOWN:
        return masked[:_MAX_SHOWN] + "…"
    return masked


def cell_error(filename: str, row: int, column: str, shown: str, problem: str) -> CellError:
    """一处单元格问题；problem 说明错在哪、应该怎样填。"""
    where = f"文件「{filename}」第{row}行"
    if column:
        where += f"「{column}」列"
    if shown:
        where += f"的值“{shown}”"
    return CellError(row=row, column=column, value=shown, message=f"{where}：{problem}")


def file_message(filename: str, problem: str) -> str:
    return f"文件「{filename}」{problem}"
