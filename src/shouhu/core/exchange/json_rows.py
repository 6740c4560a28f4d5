"""read_json_rows：系统接口报送的一批 JSON 行 → ReadResult，与文件上传同样校验、同样的消息。

每行是一个对象，键为字段代码（如 case_number）或中文表头（如“案号”，别名和全角写法同样识别），
值为文本、数字、布尔值或 null。逐行校验直接用读文件的 RowValidator 和 collect，所以必填、
取值、代码表、日期先后、同批重复记录等规则和中文说明与上传文件完全一致；列名一律显示为
数据项的中文表头。行号 row 是该行在 rows 数组中的序号（从 1 起），便于对方系统定位。

整批拒收（rejected_whole）只在 rows 不是数组、或超过行数上限时发生；缺键、无法识别的键、
嵌套的对象或数组都是逐行、逐格的问题或提示，不连累同批的其他行。
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Final

from shouhu.core.catalog import DataItem, FieldSpec
from shouhu.core.exchange.headers import ColumnMap, find_field, header_lookup
from shouhu.core.exchange.messages import cell_error, file_message
from shouhu.core.exchange.reader import INTERNAL_ERROR, _Collector, collect, rejected
from shouhu.core.exchange.records import RowValidator
from shouhu.core.exchange.results import CellError, ReadLimits, ReadResult
from shouhu.core.exchange.table import row_is_blank
from shouhu.core.exchange.templates import example_values

logger = logging.getLogger(__name__)

NOT_AN_ARRAY: Final = "的 rows 应为数组，每个元素是一行记录"
NOT_AN_OBJECT: Final = "应为对象，键为字段代码或中文表头"
NESTED_VALUE: Final = "应为文本、数字、布尔值或 null，不能是对象或数组"


def read_json_rows(
    rows: object, *, source: str, item: DataItem, limits: ReadLimits | None = None
) -> ReadResult:
    """校验一批 JSON 行。source 是消息中显示的来源名（如 court_judgment-2025-03.json）。

    file_sha256 是（数据项、来源名、各行）规范 JSON 的 SHA-256：同一批内容再次提交得到同一哈希；
    来源名中含所属月份时，不同月份的相同内容（例如两个月的零报送）哈希不同。
    """
    digest = rows_sha256(rows, source=source, item=item)
    try:
        return _read(rows, digest, source, item, limits or ReadLimits())
    except Exception as exc:  # 坏输入绝不能让调用方崩溃；日志只记异常类型，不记内容
        logger.error("读取接口报送数据时内部错误：%s", type(exc).__name__)
        return rejected(digest, file_message(source, INTERNAL_ERROR))


def rows_sha256(rows: object, *, source: str, item: DataItem) -> str:
    document = {"item": item.code, "source": source, "rows": rows}
    text = json.dumps(
        document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(rows: object, digest: str, source: str, item: DataItem, limits: ReadLimits) -> ReadResult:
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        return rejected(digest, file_message(source, NOT_AN_ARRAY))
    if len(rows) > limits.max_rows:
        message = f"的数据超过{limits.max_rows}行的上限，请拆分成多批提交"
        return rejected(digest, file_message(source, message))
    keys = KeyMap(item)
    columns = ColumnMap(columns=tuple(enumerate(item.fields)), headers=item.headers, unknown=())
    validator = RowValidator(item, columns, source, example_values(item))
    out = _Collector(source, limits)
    rows_total = 0
    for number, row in enumerate(rows, start=1):
        if isinstance(row, Mapping) and _row_is_blank(row):
            continue
        rows_total += 1
        if not isinstance(row, Mapping):
            out.add_errors([cell_error(source, number, "", "", NOT_AN_OBJECT)])
            continue
        cells, flags, clashes = keys.cells(row)
        if clashes:
            out.add_errors([cell_error(source, number, h, "", p) for h, p in clashes])
            continue
        collect(out, validator.check(number, cells, flags), columns, item)
    out.warnings[:0] = keys.warnings(source)
    if rows_total == 0:
        out.warnings.append(_file_note(source, "没有数据行（零报送）"))
    if out.truncated:
        message = f"错误超过{limits.max_errors}处，只列出前{limits.max_errors}处"
        out.warnings.append(_file_note(source, message))
    return ReadResult(
        digest, rows_total, out.records, out.errors, None, out.warnings, None, out.invalid_ids
    )


def _row_is_blank(row: Mapping[object, object]) -> bool:
    return row_is_blank(list(row.values()))


def _is_nested(value: object) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _file_note(source: str, problem: str) -> CellError:
    return CellError(row=0, column="", value="", message=file_message(source, problem))


class KeyMap:
    """把行中的键对应到数据项的字段：先认字段代码，再认中文表头和别名。结果按键缓存。"""

    def __init__(self, item: DataItem) -> None:
        self.item = item
        self.index = {spec.key: i for i, spec in enumerate(item.fields)}
        self.lookup = header_lookup(item)
        self.resolved: dict[object, int | None] = {}
        self.unknown: list[str] = []

    def field_index(self, key: object) -> int | None:
        if key not in self.resolved:
            self.resolved[key] = self._resolve(key)
            if self.resolved[key] is None:
                self.unknown.append(str(key))
        return self.resolved[key]

    def _resolve(self, key: object) -> int | None:
        if not isinstance(key, str):
            return None
        if key in self.index:
            return self.index[key]
        spec: FieldSpec | None = find_field(self.lookup, key)
        return self.index[spec.key] if spec is not None else None

    def cells(
        self, row: Mapping[object, object]
    ) -> tuple[list[object], dict[int, str], list[tuple[str, str]]]:
        """按数据项字段顺序排好的单元格、被标记的单元格（嵌套值）、同一字段写了两次的问题。"""
        cells: list[object] = [None] * len(self.item.fields)
        flags: dict[int, str] = {}
        used: dict[int, str] = {}
        clashes: list[tuple[str, str]] = []
        for key, value in row.items():
            index = self.field_index(key)
            if index is None:
                continue
            header = self.item.fields[index].header
            if index in used:
                clashes.append((header, f"「{used[index]}」和「{key}」是同一字段，只能填写一个"))
                continue
            used[index] = str(key)
            if _is_nested(value):
                flags[index] = NESTED_VALUE
                value = "{…}" if isinstance(value, Mapping) else "[…]"
            cells[index] = value
        return cells, flags, clashes

    def warnings(self, source: str) -> list[CellError]:
        if not self.unknown:
            return []
        names = "".join(f"「{name[:30]}」" for name in self.unknown[:20])
        more = f"等{len(self.unknown)}个" if len(self.unknown) > 20 else ""
        return [
            _file_note(source, f"中无法识别的字段{names}{more}不是本数据项的字段，其中的内容未读取")
        ]
