"""读台账导入：确认列对应的页面、导入结果、本县导入过的文件、未导入行的清单。

调用方已经过访问层（`access.access_register_import`）拿到导入记录。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shouhu.core.exchange import CellError
from shouhu.core.exchange.messages import cell_error, shown_value
from shouhu.core.exchange.values import cell_text
from shouhu.web.cases.models import RegisterImport, RegisterImportStatus
from shouhu.web.cases.register_columns import FIELD_BY_KEY, FIELDS, mapping_problems
from shouhu.web.cases.register_files import sheet_read
from shouhu.web.exchange.errorlists import errors_unpack
from shouhu.web.registry.models import Division

SAMPLES = 2
_ID_KEYS = frozenset({"id_number", "carer_id_number"})


@dataclass(frozen=True)
class FieldOption:
    key: str
    label: str
    required: bool


@dataclass(frozen=True)
class ColumnChoice:
    index: int
    header: str
    samples: str  # 前几行的值（身份证号脱敏），帮助判断这一列是什么
    chosen: str  # 字段键；空串为不导入


@dataclass(frozen=True)
class MappingPage:
    pk: int
    filename: str
    rows_total: int
    columns: list[ColumnChoice]
    fields: list[FieldOption]
    unmatched_required: list[str]  # 没有认出的必需字段（中文名）


@dataclass(frozen=True)
class CellProblem:
    column: str  # 文件中的列名；整行的问题为空串
    value: str  # 已脱敏
    reason: str  # 只是“应当怎样”，行和列由页面另行显示


@dataclass(frozen=True)
class RowProblems:
    row: int
    cells: list[CellProblem]


@dataclass(frozen=True)
class ResultPage:
    pk: int
    filename: str
    imported_at: datetime | None
    rows_total: int
    cases_created: int
    rows_not_imported: int
    problems: list[RowProblems]
    columns: list[tuple[str, str]]  # （文件中的表头, 对应的平台字段）


@dataclass(frozen=True)
class ImportRow:
    pk: int
    filename: str
    uploaded_at: datetime
    imported: bool
    rows_total: int
    cases_created: int


def register_import_is_done(register_import: RegisterImport) -> bool:
    return register_import.status == RegisterImportStatus.IMPORTED


def register_import_mapping(
    register_import: RegisterImport, chosen: list[str] | None = None
) -> MappingPage:
    """确认列对应的页面：每一列的表头、样例值和建议（或刚提交的）对应字段。"""
    headers = list(register_import.mapping.get("headers", []))
    columns = chosen or list(register_import.mapping.get("columns", []))
    sheet = sheet_read(bytes(register_import.data), register_import.filename)
    choices = [
        ColumnChoice(
            i, header or f"第{i + 1}列（无表头）", _samples(sheet.rows, i, columns[i]), columns[i]
        )
        for i, header in enumerate(headers)
    ]
    missing = [f.label for f in FIELDS if f.required and f.key not in columns]
    return MappingPage(
        pk=register_import.pk,
        filename=register_import.filename,
        rows_total=register_import.rows_total,
        columns=choices,
        fields=[FieldOption(f.key, f.label, f.required) for f in FIELDS],
        unmatched_required=missing,
    )


def _samples(rows: list[tuple[int, list[object]]], index: int, key: str) -> str:
    values: list[str] = []
    for _, cells in rows:
        text = cell_text(cells[index]) if index < len(cells) else ""
        if text:
            values.append(shown_value(text, is_id=key in _ID_KEYS and len(text) >= 14))
        if len(values) == SAMPLES:
            break
    return "、".join(values)


def register_import_result(register_import: RegisterImport) -> ResultPage:
    problems = errors_unpack(register_import.problems)
    headers = list(register_import.mapping.get("headers", []))
    columns = list(register_import.mapping.get("columns", []))
    return ResultPage(
        pk=register_import.pk,
        filename=register_import.filename,
        imported_at=register_import.imported_at,
        rows_total=register_import.rows_total,
        cases_created=register_import.cases_created,
        rows_not_imported=len({p.row for p in problems}),
        problems=_by_row(register_import.filename, problems),
        columns=[
            (header, FIELD_BY_KEY[key].label if key else "不导入")
            for header, key in zip(headers, columns, strict=False)
        ],
    )


def _by_row(filename: str, problems: list[CellError]) -> list[RowProblems]:
    """按行归并；去掉消息开头的“文件「…」第几行「…」列的值“…”：”，页面上行和列另有一栏。"""
    rows: dict[int, list[CellProblem]] = {}
    for p in problems:
        where = cell_error(filename, p.row, p.column, p.value, "").message
        reason = p.message.removeprefix(where)
        rows.setdefault(p.row, []).append(CellProblem(p.column, p.value, reason))
    return [RowProblems(row, cells) for row, cells in rows.items()]


def register_import_list(division: Division) -> list[ImportRow]:
    found = (
        RegisterImport.objects.filter(division=division)
        .defer("data", "problems")
        .order_by("-uploaded_at")[:20]
    )
    return [
        ImportRow(
            r.pk, r.filename, r.uploaded_at, r.status == RegisterImportStatus.IMPORTED,
            r.rows_total, r.cases_created,
        )
        for r in found
    ]  # fmt: skip


PROBLEM_HEADER = ("行号", "列名", "值（已脱敏）", "问题说明")


def register_import_problem_rows(register_import: RegisterImport) -> list[tuple[object, ...]]:
    """未导入的行：行号、列名、值（身份证号已脱敏）、原因。"""
    return [(p.row, p.column, p.value, p.message) for p in errors_unpack(register_import.problems)]


def register_import_mapping_check(register_import: RegisterImport, chosen: list[str]) -> list[str]:
    return mapping_problems(list(register_import.mapping.get("headers", [])), chosen)
