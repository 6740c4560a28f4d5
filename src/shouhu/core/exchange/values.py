"""单元格值的解析：每种字段类型接受哪些写法、拒绝时怎么说。

单元格可能来自 Excel（str、float、int、bool、date、datetime）或 CSV（都是 str）。
每个解析函数要么返回规范值，要么抛 BadValue，其 problem 说明应该怎样填（不含值本身）。
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Final

from shouhu.core.catalog import FieldSpec, FieldType, header_key
from shouhu.core.errors import DomainError
from shouhu.core.identity import canonical_division_code, is_valid_id_number, normalize_id_number

Parser = Callable[[object], object]

STRIP_CHARS: Final = " \t\r\n\u3000\xa0\u200b\u200c\u200d\u2060\ufeff"
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EARLIEST: Final = date(1900, 1, 1)
_LATEST: Final = date(2100, 12, 31)
_EXCEL_EPOCH: Final = date(1899, 12, 30)
_SERIAL_MIN: Final = 61  # 1900-03-01；更早的序列号受 Excel 虚构的 1900-02-29 影响
_SERIAL_MAX: Final = (_LATEST - _EXCEL_EPOCH).days
_DATE_PATTERNS: Final = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_DIGIT: Final = re.compile(r"\d")
_LETTER: Final = re.compile(r"[^\W\d_]")
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_TEXT_SERIAL: Final = re.compile(r"\d{5}(?:\.\d+)?")
_SCIENTIFIC: Final = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")
# 没有号码时常填的字样：按未填处理（必填列由调用方报“必填”）。
_ID_PLACEHOLDERS: Final = frozenset({"无", "暂无", "不详", "未知", "-", "--", "—", "/", "\\"})
_ID_SHAPE: Final = re.compile(r"\d{17}[\dX]")
DATE_EXPECTED: Final = "应为日期，如 2024-01-05、2024/1/5、2024年1月5日 或 20240105"
_TRUE: Final = frozenset({"是", "true", "1", "y", "yes", "t", "√", "对"})
_FALSE: Final = frozenset({"否", "false", "0", "n", "no", "f", "×", "不"})
ID_NUMBER_LOST: Final = (
    "身份证号被存成了数字（或显示为科学计数法），Excel 只保留15位有效数字，后几位已经丢失；"
    "请把该列设为文本格式后重新录入"
)


class BadValue(Exception):
    """值不合要求；problem 是中文说明，不含值本身（值由调用方脱敏后显示）。"""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def cell_text(value: object) -> str:
    """任意单元格值的文本形式（去掉首尾空白和零宽字符）。"""
    if isinstance(value, str):
        return value.strip(STRIP_CHARS)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_blank(value: object) -> bool:
    if value is None or value == "":
        return True
    if not isinstance(value, str) or (value[0] not in STRIP_CHARS and value[-1] not in STRIP_CHARS):
        return False  # 首尾都不是空白字符的串不可能是空白：免去大多数 strip
    return not value.strip(STRIP_CHARS)


def folded(value: object) -> str:
    """全角转半角后的文本，用于识别数字、日期、代码。"""
    text = cell_text(value)
    return text if text.isascii() else unicodedata.normalize("NFKC", text).strip()


def parse_text(value: object, max_length: int | None) -> str:
    text = cell_text(value)
    if _CONTROL.search(text):
        raise BadValue("含有不可见的控制字符，请删除后重新填写")
    if max_length is not None and len(text) > max_length:
        raise BadValue(f"太长，应不超过{max_length}个字")
    return text


def parse_name(value: object, max_length: int | None) -> str:
    text = " ".join(parse_text(value, None).split())
    if _DIGIT.search(text) or not _LETTER.search(text):
        raise BadValue("应为姓名文字，不能含数字")
    if max_length is not None and len(text) > max_length:
        raise BadValue(f"太长，姓名应不超过{max_length}个字")
    return text


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return checked_date(value.date())
    if isinstance(value, date):
        return checked_date(value)
    if isinstance(value, bool | time | timedelta):
        raise BadValue(DATE_EXPECTED)
    if isinstance(value, int | float):
        return number_date(float(value))
    return text_date(folded(value))


def number_date(number: float) -> date:
    """Excel 数值：日期序列号（1900 日期系统），或录成数字的 20240105。"""
    if 19000101 <= number <= 21001231 and number.is_integer():
        return text_date(str(int(number)))
    if _SERIAL_MIN <= number <= _SERIAL_MAX:
        return _EXCEL_EPOCH + timedelta(days=int(number))
    raise BadValue(DATE_EXPECTED)


def text_date(text: str) -> date:
    if _ISO_DATE.fullmatch(text):  # 最常见的写法，走快速路径
        try:
            return checked_date(date.fromisoformat(text))
        except ValueError:
            raise BadValue("不是真实存在的日期（月份或日子超出范围）") from None
    if _TEXT_SERIAL.fullmatch(text):
        return number_date(float(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return checked_date(date(year, month, day))
            except ValueError:
                raise BadValue("不是真实存在的日期（月份或日子超出范围）") from None
    raise BadValue(DATE_EXPECTED)


def checked_date(value: date) -> date:
    if not _EARLIEST <= value <= _LATEST:
        raise BadValue("日期应在1900年至2100年之间")
    return value


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    key = folded(value).casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise BadValue("应为“是”或“否”（也可填 true/false、1/0、Y/N）")


def parse_int(value: object, low: int | None, high: int | None) -> int:
    text = folded(value)
    if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d{1,12}", text):
        raise BadValue("应为整数")
    number = int(text)
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f"{'' if low is None else low}到{'' if high is None else high}"
        raise BadValue(f"应为{bounds}之间的整数")
    return number


def code_parser(spec: FieldSpec) -> Parser:
    """代码列：填英文代码、中文名称或别名均可，存英文代码。"""
    assert spec.code_list is not None  # 目录加载时已保证
    table: dict[str, str] = {}
    for option in spec.code_list.options:
        for text in (option.code, option.label, *option.aliases):
            table[header_key(text).casefold()] = option.code
    labels = spec.code_list.labels
    shown = "、".join(labels[:12]) + ("等" if len(labels) > 12 else "")
    problem = f"应为以下之一：{shown}"

    def parse(value: object) -> str:
        code = table.get(header_key(cell_text(value)).casefold())
        if code is None:
            raise BadValue(problem)
        return code

    return parse


def parse_division(value: object) -> str:
    text = "".join(folded(value).split())
    problem = "应为6位县级、9位乡级或12位村级行政区划代码"
    if len(text) not in (6, 9, 12):  # 2、4位前缀虽能补全，但在报送数据里多半是填漏了
        raise BadValue(problem)
    try:
        return canonical_division_code(text)
    except DomainError:
        raise BadValue(problem) from None


def parse_id(value: object) -> tuple[str, str | None]:
    """身份证号：返回（清洗后的号码, 问题）。问题为 None 表示合格。"""
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = cell_text(value)
        if len(digits) > 15:
            return digits, ID_NUMBER_LOST
    elif _SCIENTIFIC.fullmatch(folded(value)):
        return folded(value), ID_NUMBER_LOST
    if folded(value) in _ID_PLACEHOLDERS:
        return "", None
    number = normalize_id_number(value)
    if is_valid_id_number(number):
        return number, None
    return number, id_problem(number)


def id_problem(number: str) -> str:
    if len(number) != 18:
        return f"应为18位公民身份号码，现为{len(number)}位"
    if not _ID_SHAPE.fullmatch(number):
        return "身份证号只能是数字，最后一位可以是X"
    return "不是有效的公民身份号码（出生日期或校验位不对），请核对"


def make_parser(spec: FieldSpec) -> Parser:
    """字段的解析函数。身份证号另由 parse_id 处理（要按 id_policy 区分错误和提示）。"""
    kind = spec.type
    if kind is FieldType.TEXT:
        return lambda value: parse_text(value, spec.max_length)
    if kind is FieldType.NAME:
        return lambda value: parse_name(value, spec.max_length)
    if kind is FieldType.DATE:
        return parse_date
    if kind is FieldType.BOOL:
        return parse_bool
    if kind is FieldType.INT:
        return lambda value: parse_int(value, spec.min_value, spec.max_value)
    if kind is FieldType.CODE:
        return code_parser(spec)
    if kind is FieldType.DIVISION_CODE:
        return parse_division
    return lambda value: parse_id(value)[0]
