"""逐行校验：把一行单元格变成 ValidRecord（主体身份 + docs/rules.md §2 事实 + 附加信息），
或给出这一行每个问题的中文说明。"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from shouhu.core.catalog import DataItem, FieldSpec, FieldType, IdPolicy
from shouhu.core.catalog.facts import DATE_ORDER, ValueKind, fact_fields, field_kind
from shouhu.core.exchange.headers import ColumnMap
from shouhu.core.exchange.messages import cell_error, shown_value
from shouhu.core.exchange.results import CellError, ValidRecord
from shouhu.core.exchange.values import (
    STRIP_CHARS,
    BadValue,
    Parser,
    cell_text,
    is_blank,
    make_parser,
    parse_id,
)

EXAMPLE_ROW_PROBLEM: Final = "这是模板中的示例行，请删除后再上传"
_LENIENT_NOTE: Final = "；本行已接收，系统将按姓名、出生日期等信息匹配，请核实后在下次报送中更正"


@dataclass(frozen=True, slots=True)
class Column:
    """文件中的一列及其字段；常用属性预先算好，逐行校验时不再重复计算。"""

    index: int
    spec: FieldSpec
    header: str
    parser: Parser
    key: str
    kind: str  # subject / fact / record_id / extra
    name: str  # 映射目标的字段名（subject.name 的 name），同一字符串对象被各记录共用
    is_id: bool

    @classmethod
    def of(cls, index: int, spec: FieldSpec, header: str) -> Column:
        parser = make_parser(spec)
        is_id = spec.type is FieldType.ID_NUMBER
        return cls(index, spec, header, parser, spec.key, spec.target_kind, spec.target_name, is_id)


@dataclass(slots=True)
class RowOutcome:
    record: ValidRecord | None
    errors: list[CellError]
    warnings: list[CellError]
    invalid_ids: int = 0  # 填了但不合格的身份证号（错误或提示），数据质量统计用


class RowValidator:
    """按数据项和文件的列对应关系校验每一行。"""

    def __init__(
        self, item: DataItem, columns: ColumnMap, filename: str, example: Mapping[str, str]
    ) -> None:
        self.item = item
        self.filename = filename
        self.columns = [
            Column.of(index, spec, columns.headers[index]) for index, spec in columns.columns
        ]
        self.by_key = {column.key: column for column in self.columns}
        self.conditional = [spec for spec in item.fields if spec.required_when is not None]
        self.example = {c.index: example.get(c.key, "") for c in self.columns}
        self.type_by = item.fact.type_by if item.fact is not None else None
        self.subject_columns = [c for c in self.columns if c.kind == "subject"]
        self.fact_columns = [c for c in self.columns if c.kind == "fact"]
        self.extra_columns = [c for c in self.columns if c.kind == "extra"]
        self.record_column = next((c for c in self.columns if c.kind == "record_id"), None)

    def check(self, number: int, cells: list[object], flags: Mapping[int, str]) -> RowOutcome:
        outcome = RowOutcome(None, [], [])
        if self.is_example(cells):
            outcome.errors.append(cell_error(self.filename, number, "", "", EXAMPLE_ROW_PROBLEM))
            return outcome
        values, bad = self.parse_cells(number, cells, flags, outcome)
        self.check_required(number, values, bad, outcome)
        if self.type_by is not None and self.type_by not in values:
            return outcome  # 类型列有错，已报；无从判断其余列是否适用
        fact = self.build_fact(number, cells, values, outcome)
        if not outcome.errors:
            outcome.record = self.build_record(number, values, fact)
        return outcome

    def is_example(self, cells: list[object]) -> bool:
        first = self.columns[0]
        if first.index >= len(cells) or cell_text(cells[first.index]) != self.example[first.index]:
            return False
        return all(
            cell_text(cells[c.index] if c.index < len(cells) else None) == self.example[c.index]
            for c in self.columns
        )

    def parse_cells(
        self, number: int, cells: list[object], flags: Mapping[int, str], outcome: RowOutcome
    ) -> tuple[dict[str, object], set[str]]:
        values: dict[str, object] = {}
        bad: set[str] = set()
        width = len(cells)
        for column in self.columns:
            raw = cells[column.index] if column.index < width else None
            if flags and column.index in flags:
                outcome.errors.append(self.error(number, column, raw, flags[column.index]))
                bad.add(column.key)
            elif raw is None or raw == "" or (raw.__class__ is str and _maybe_blank(raw)):
                continue
            elif column.is_id:
                self.parse_id_cell(number, column, raw, values, bad, outcome)
            else:
                try:
                    values[column.key] = column.parser(raw)
                except BadValue as exc:
                    outcome.errors.append(self.error(number, column, raw, exc.problem))
                    bad.add(column.key)
        return values, bad

    def parse_id_cell(
        self,
        number: int,
        column: Column,
        raw: object,
        values: dict[str, object],
        bad: set[str],
        outcome: RowOutcome,
    ) -> None:
        normalized, problem = parse_id(raw)
        if not normalized:
            return  # “无”“-”等空白记号：按未填处理，必填时由 check_required 报错
        if problem is None:
            values[column.spec.key] = normalized
            return
        outcome.invalid_ids += 1
        if column.spec.id_policy is IdPolicy.LENIENT:
            outcome.warnings.append(self.error(number, column, raw, problem + _LENIENT_NOTE))
            values[column.spec.key] = normalized
        else:
            outcome.errors.append(self.error(number, column, raw, problem))
            bad.add(column.spec.key)

    def check_required(
        self, number: int, values: dict[str, object], bad: set[str], outcome: RowOutcome
    ) -> None:
        for column in self.columns:
            key = column.spec.key
            if column.spec.required and key not in values and key not in bad:
                outcome.errors.append(self.error(number, column, None, "必填，不能为空"))
        for spec in self.conditional:
            cond = spec.required_when
            assert cond is not None
            present = spec.key in values or spec.key in bad
            if present or values.get(cond.field) not in cond.codes:
                continue
            trigger = self.item.field(cond.field)
            label = trigger.code_list.label_of(str(values[cond.field])) if trigger.code_list else ""
            mapped = self.by_key.get(spec.key)
            header = mapped.header if mapped else f"{spec.header}（文件中没有此列）"
            problem = f"「{trigger.header}」为“{label}”时必填"
            outcome.errors.append(cell_error(self.filename, number, header, "", problem))

    def build_fact(
        self, number: int, cells: list[object], values: dict[str, object], outcome: RowOutcome
    ) -> dict[str, object]:
        spec = self.item.fact
        if spec is None:
            return {}
        fact_type = spec.type or spec.type_map[str(values[str(spec.type_by)])]
        allowed = fact_fields(fact_type)
        fact: dict[str, object] = {"type": fact_type}
        for column in self.fact_columns:
            if column.key not in values:
                continue
            name = column.name
            if name not in allowed:
                raw = cells[column.index]
                outcome.errors.append(self.error(number, column, raw, self.not_applicable(values)))
                continue
            value = values[column.key]
            fact[name] = int(str(value)) if field_kind(fact_type, name) is ValueKind.INT else value
        self.check_date_order(number, cells, fact, outcome)
        return fact

    def not_applicable(self, values: dict[str, object]) -> str:
        spec = self.item.fact
        assert spec is not None
        by = self.item.field(str(spec.type_by))
        label = by.code_list.label_of(str(values[by.key])) if by.code_list else ""
        return f"不适用于「{by.header}」为“{label}”的记录，请留空"

    def check_date_order(
        self, number: int, cells: list[object], fact: dict[str, object], outcome: RowOutcome
    ) -> None:
        for first, later in DATE_ORDER:
            a, b = fact.get(first), fact.get(later)
            if isinstance(a, date) and isinstance(b, date) and b < a:
                column = self.fact_column(later)
                other = self.fact_column(first).header
                problem = f"不能早于「{other}」（{a.isoformat()}）"
                outcome.errors.append(self.error(number, column, cells[column.index], problem))

    def fact_column(self, name: str) -> Column:
        return next(c for c in self.columns if c.spec.target == f"fact.{name}")

    def build_record(
        self, number: int, values: dict[str, object], fact: dict[str, object]
    ) -> ValidRecord:
        subject = {c.name: values[c.key] for c in self.subject_columns if c.key in values}
        extra = {c.key: values[c.key] for c in self.extra_columns if c.key in values}
        record = self.record_column
        record_id = str(values.get(record.key, "")) if record is not None else ""
        derived = not record_id
        if derived:
            record_id = derived_record_id(self.item, subject, fact, extra)
        digest = record_digest(self.item.code, record_id, subject, fact, extra)
        return ValidRecord(number, record_id, digest, subject, fact, extra, derived)

    def error(self, number: int, column: Column, raw: object, problem: str) -> CellError:
        shown = shown_value(cell_text(raw), is_id=column.is_id)
        return cell_error(self.filename, number, column.header, shown, problem)


def _maybe_blank(text: str) -> bool:
    """只含空白的串？首尾都不是空白字符的（绝大多数）直接否定，免去 strip。"""
    return (text[0] in STRIP_CHARS or text[-1] in STRIP_CHARS) and is_blank(text)


def derived_record_id(
    item: DataItem, subject: dict[str, object], fact: dict[str, object], extra: dict[str, object]
) -> str:
    """部门没有记录编号时的稳定编号：数据项 + 主体身份 + 事实类型 + 关键日期 + 相关人员。

    不含结束日期等会被更正的字段，这样同一记录的更正版本得到同一编号，可以取代旧版本。
    """
    name_and_birth = f"{subject.get('name', '')}|{subject.get('birth_date', '')}"
    identity = subject.get("id_number") or name_and_birth
    key_date = fact.get("date") or fact.get("start") or fact.get("end") or ""
    related = [
        str(extra[spec.key])
        for spec in item.fields
        if spec.key in extra and spec.type in (FieldType.ID_NUMBER, FieldType.NAME)
    ]
    parts = [item.code, str(identity), str(fact.get("type", "")), str(key_date), *related]
    return "auto-" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


def record_digest(
    item_code: str,
    record_id: str,
    subject: dict[str, object],
    fact: dict[str, object],
    extra: dict[str, object],
) -> str:
    """记录内容的稳定哈希：同样的内容，无论来自 XLSX 还是 CSV、在第几行，哈希都相同。

    规范形式：各部分按键排序，值带类型标记（s 文本、i 整数、b 布尔、d 日期），
    用 ASCII 分隔符连接；比 JSON 快，且与 Python 版本无关。
    """
    parts = [item_code, record_id, *(_canonical(part) for part in (subject, fact, extra))]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


def _canonical(values: dict[str, object]) -> str:
    parts = []
    for key in sorted(values):
        value = values[key]
        kind = value.__class__
        if kind is str:
            parts.append(f"{key}\x1ds{value}")
        elif kind is date:
            parts.append(f"{key}\x1dd{value}")  # str(date) 即 ISO 格式
        elif kind is bool:
            parts.append(f"{key}\x1db{int(bool(value))}")
        elif kind is int:
            parts.append(f"{key}\x1di{value}")
        else:
            raise TypeError(kind.__name__)
    return "\x1f".join(parts)
