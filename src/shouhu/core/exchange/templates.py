"""数据项的报送模板：XLSX（中文表头、填写说明页、代码列下拉、编号列文本格式、示例行）和 CSV。"""

from __future__ import annotations

import csv
import io
from typing import Final

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from shouhu.core.catalog import (
    AGENCY_LABELS,
    FREQUENCY_LABELS,
    SENSITIVITY_LABELS,
    SHARE_CLASS_LABELS,
    DataItem,
    FieldSpec,
    FieldType,
    IdPolicy,
)
from shouhu.core.exchange.table import CODES_SHEET, INSTRUCTIONS_SHEET, TEMPLATE_MARKER
from shouhu.core.sources import clause_label

EXAMPLE_ID_NUMBER: Final = "11010519491231002X"  # GB 11643-1999 标准中的示例号码
VALIDATION_ROWS: Final = 200_001
_TEXT_TYPES: Final = (FieldType.ID_NUMBER, FieldType.TEXT, FieldType.DIVISION_CODE)
_HEADER_FILL: Final = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT: Final = Font(italic=True, color="808080")
_DEFAULT_EXAMPLES: Final = {
    FieldType.ID_NUMBER: EXAMPLE_ID_NUMBER,
    FieldType.NAME: "张三",
    FieldType.DATE: "2024-01-05",
    FieldType.BOOL: "是",
    FieldType.DIVISION_CODE: "150802",
    FieldType.TEXT: "示例",
}
GENERAL_RULES: Final = (
    "第1行是表头，请勿修改、删除或合并；列的顺序可以调整，不需要的选填列可以删除。",
    "从第2行起每行一条记录。第2行是示例，上传前请删除。",
    "不要使用公式和合并单元格；身份证号、编号、行政区划代码列已设为文本格式，请勿改成数字。",
    "日期可填 2024-01-05、2024/1/5、2024年1月5日、20240105，或 Excel 日期。",
    "“是/否”列填“是”或“否”；代码列请从下拉列表中选择。",
    "也可以上传 CSV 文件（UTF-8 或 GBK 编码），表头与本模板相同。",
    "有错误的行不会被接收，系统会返回标出错误单元格的文件，改正后只需重新上传这些行。",
)


def example_values(item: DataItem) -> dict[str, str]:
    """每个字段示例值的文本（模板第2行；读取时据此识别没删掉的示例行）。"""
    return {spec.key: example_text(spec) for spec in item.fields}


def example_text(spec: FieldSpec) -> str:
    if spec.example is not None:
        return spec.example
    if spec.code_list is not None:
        return spec.code_list.options[0].label
    if spec.type is FieldType.INT:
        return str(spec.min_value if spec.min_value is not None else 1)
    return _DEFAULT_EXAMPLES[spec.type]


def template_csv(item: DataItem) -> bytes:
    """CSV 模板：UTF-8 带 BOM（Excel 直接打开不乱码），表头加一行示例。"""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(item.headers)
    examples = example_values(item)
    writer.writerow([examples[spec.key] for spec in item.fields])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(item: DataItem) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title(item.name)
    write_data_sheet(sheet, item)
    write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), item)
    codes = workbook.create_sheet(CODES_SHEET)
    add_drop_downs(sheet, codes, item)
    codes.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_title(name: str) -> str:
    cleaned = "".join(ch for ch in name if ch not in "[]:*?/\\")
    return cleaned[:31] or "数据"


def write_data_sheet(sheet: Worksheet, item: DataItem) -> None:
    examples = example_values(item)
    for col, spec in enumerate(item.fields, start=1):
        letter = get_column_letter(col)
        cell = sheet.cell(row=1, column=col, value=spec.header)
        cell.font = Font(bold=True, color="C00000" if spec.required else "000000")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(f"{requirement(spec)}；{format_text(spec)}", "守护")
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(12, min(40, len(spec.header) * 2 + 4))
        number_format = column_format(spec)
        dimension.number_format = number_format
        example = sheet.cell(row=2, column=col, value=examples[spec.key])
        example.font = _EXAMPLE_FONT
        example.number_format = "@"
    first = sheet.cell(row=2, column=1)
    first.comment = Comment("第2行是示例，上传前请删除", "守护")
    sheet.freeze_panes = "A2"


def column_format(spec: FieldSpec) -> str:
    if spec.type in _TEXT_TYPES:
        return "@"  # 防止 Excel 把18位身份证号变成科学计数法、丢掉后3位
    if spec.type is FieldType.DATE:
        return "yyyy-mm-dd"
    return "General"


def add_drop_downs(sheet: Worksheet, codes: Worksheet, item: DataItem) -> None:
    code_col = 0
    for col, spec in enumerate(item.fields, start=1):
        letter = get_column_letter(col)
        if spec.code_list is not None:
            code_col += 1
            labels = spec.code_list.labels
            codes.cell(row=1, column=code_col, value=spec.header)
            for offset, label in enumerate(labels, start=2):
                codes.cell(row=offset, column=code_col, value=label)
            source = get_column_letter(code_col)
            formula = f"'{CODES_SHEET}'!${source}$2:${source}${len(labels) + 1}"
        elif spec.type is FieldType.BOOL:
            formula = '"是,否"'
        else:
            continue
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.error = f"请从下拉列表中选择「{spec.header}」"
        validation.errorTitle = "输入值无效"
        validation.showErrorMessage = True
        validation.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
        sheet.add_data_validation(validation)


def write_instructions(sheet: Worksheet, item: DataItem) -> None:
    sheet.cell(row=1, column=1, value=f"「{item.name}」填写说明").font = Font(bold=True, size=14)
    rows: list[tuple[str, str]] = [
        (TEMPLATE_MARKER, item.code),
        ("报送部门", AGENCY_LABELS.get(item.agency_type, item.agency_type)),
        ("报送频次", schedule_text(item)),
        ("数据说明", item.description),
        ("记录编号", record_id_text(item)),
        ("共享属性", SHARE_CLASS_LABELS[item.share_class]),
        ("敏感程度", SENSITIVITY_LABELS[item.sensitivity]),
        ("依据", "；".join(clause_label(source) for source in item.sources)),
    ]
    for offset, (label, value) in enumerate(rows, start=3):
        sheet.cell(row=offset, column=1, value=label).font = Font(bold=True)
        sheet.cell(row=offset, column=2, value=value)
    start = len(rows) + 4
    for col, title in enumerate(("列名", "是否必填", "填写格式", "可选值", "说明"), start=1):
        sheet.cell(row=start, column=col, value=title).font = Font(bold=True)
    for offset, spec in enumerate(item.fields, start=start + 1):
        values = (spec.header, requirement(spec), format_text(spec), allowed_text(spec), spec.note)
        for col, value in enumerate(values, start=1):
            sheet.cell(row=offset, column=col, value=value)
    rules_at = start + len(item.fields) + 2
    sheet.cell(row=rules_at, column=1, value="填写要求").font = Font(bold=True)
    for offset, rule in enumerate(GENERAL_RULES, start=1):
        sheet.cell(row=rules_at + offset, column=1, value=f"{offset}. {rule}")
    for letter, width in zip("ABCDE", (22, 30, 34, 40, 50), strict=True):
        sheet.column_dimensions[letter].width = width


def schedule_text(item: DataItem) -> str:
    text = FREQUENCY_LABELS[item.frequency]
    if item.due_day is not None:
        text += f"，{item.due_day}日前报送上一期数据"
    return text


def record_id_text(item: DataItem) -> str:
    spec = item.record_id_field
    if spec is not None and spec.required:
        return f"以「{spec.header}」为记录编号，同一编号再次报送视为更正"
    derived = "系统按身份证号、类型和关键日期生成记录编号"
    if spec is not None:
        return f"填写「{spec.header}」的以它为记录编号；不填的，{derived}"
    return item.record_id_note or derived


def requirement(spec: FieldSpec) -> str:
    if spec.required:
        return "必填"
    if spec.required_when is not None:
        return "条件必填"
    return "选填"


def format_text(spec: FieldSpec) -> str:
    kind = spec.type
    if kind is FieldType.ID_NUMBER:
        text = "18位公民身份号码（文本格式）"
        if spec.id_policy is IdPolicy.LENIENT:
            text += "；号码有误时仍接收并提示"
        return text
    if kind is FieldType.DATE:
        return "日期，如 2024-01-05"
    if kind is FieldType.BOOL:
        return "是/否"
    if kind is FieldType.CODE:
        return "从下拉列表选择"
    if kind is FieldType.DIVISION_CODE:
        return "6/9/12位行政区划代码"
    if kind is FieldType.INT:
        return "整数"
    limit = f"，不超过{spec.max_length}字" if spec.max_length else ""
    return ("姓名" if kind is FieldType.NAME else "文本") + limit


def allowed_text(spec: FieldSpec) -> str:
    if spec.code_list is not None:
        return "、".join(spec.code_list.labels)
    if spec.type is FieldType.BOOL:
        return "是、否"
    return ""
