"""台账导入的列：平台的字段、各县台账里常见的表头写法（同义词），以及每一格怎样读。

全国没有统一的台账格式，各县的表头各不相同。这里先按同义词给出“表头 → 字段”的建议，
经办人员确认或改正后，再按确认的对应关系逐行读取。本模块不碰数据库：读出的行
（`RegisterRow`）由 `register_import.py` 去户籍中匹配、建个案。
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final, TypeVar

from shouhu.core.exchange import CellError
from shouhu.core.exchange.messages import cell_error, shown_value
from shouhu.core.exchange.values import (
    BadValue,
    cell_text,
    folded,
    parse_date,
    parse_id,
    parse_name,
)
from shouhu.core.identity import normalize_name


@dataclass(frozen=True, slots=True)
class RegisterField:
    key: str
    label: str  # 平台模板的表头
    required: bool
    synonyms: tuple[str, ...]
    example: str


FIELDS: Final = (
    RegisterField("name", "姓名", True, ("儿童姓名", "孩子姓名", "对象姓名"), "王小明"),
    RegisterField(
        "id_number",
        "身份证号",
        True,
        ("公民身份号码", "证件号码", "身份证号码", "儿童身份证号", "身份证", "身份号码"),
        "150802201203040011",
    ),
    RegisterField(
        "category",
        "类别",
        True,
        ("保障类别", "儿童类别", "对象类别", "类型", "人员类别", "保障对象类别"),
        "事实无人抚养儿童",
    ),
    RegisterField(
        "placement", "安置方式", False, ("供养方式", "养育方式", "安置形式", "安置类型"), "散居"
    ),
    RegisterField(
        "opened_on",
        "纳入保障日期",
        True,
        (
            "纳入时间",
            "纳入日期",
            "批准日期",
            "审批日期",
            "批准时间",
            "保障起始日期",
            "纳入保障时间",
        ),
        "2023-05-01",
    ),
    RegisterField(
        "carer_name",
        "监护人或照料人姓名",
        False,
        ("监护人姓名", "照料人姓名", "监护人", "照料人", "实际监护人姓名"),
        "王大海",
    ),
    RegisterField(
        "carer_id_number",
        "监护人或照料人身份证号",
        False,
        ("监护人身份证号", "照料人身份证号", "监护人身份证号码", "照料人身份证号码"),
        "",
    ),
    RegisterField(
        "carer_phone",
        "联系电话",
        False,
        ("监护人联系电话", "照料人联系电话", "联系方式", "电话", "手机号码", "手机号"),
        "13800000000",
    ),
    RegisterField(
        "carer_relation",
        "与儿童关系",
        False,
        ("监护人与儿童关系", "照料人与儿童关系", "关系", "与儿童的关系", "与孩子关系"),
        "祖父",
    ),
    RegisterField(
        "address", "家庭住址", False, ("住址", "家庭地址", "居住地址", "现住址", "地址"), ""
    ),
    RegisterField("bank_name", "开户银行", False, ("开户行", "开户银行名称", "银行名称"), ""),
    RegisterField(
        "bank_account",
        "银行账号",
        False,
        ("账号", "银行卡号", "社保卡号", "一卡通账号", "发放账号", "收款账号"),
        "",
    ),
    RegisterField(
        "monthly_amount",
        "月保障标准",
        False,
        ("保障标准", "月补贴标准", "每月补贴", "月发放金额", "补贴标准", "月保障金额", "月标准"),
        "1300",
    ),
    RegisterField("status", "状态", False, ("保障状态", "当前状态", "是否在保"), "保障中"),
    RegisterField(
        "closed_on", "终止保障日期", False, ("终止日期", "退出日期", "停发日期", "终止时间"), ""
    ),
    RegisterField("close_reason", "终止原因", False, ("终止理由", "退出原因", "停发原因"), ""),
)
T = TypeVar("T")
FIELD_BY_KEY: Final = {f.key: f for f in FIELDS}
NOT_IMPORTED: Final = ""  # 不导入的列

_BRACKETS: Final = re.compile(r"[(（][^)）]*[)）]")
_PHONE_DIGITS: Final = re.compile(r"\d")
_PHONE_SHAPE: Final = re.compile(r"[\d+\-— ()（）转]+")
_AMOUNT: Final = re.compile(r"(\d+(?:\.\d{1,2})?)(?:元|元/月|元每月)?")
_ACCOUNT: Final = re.compile(r"\d{8,30}")
_MAX_AMOUNT_FEN: Final = 10_000_000  # 每月十万元：超过多半是填错了单位

CATEGORY_WORDS: Final = {
    "孤儿": ("orphan", ""),
    "事实无人抚养儿童": ("de_facto_unsupported", ""),
    "事实无人抚养": ("de_facto_unsupported", ""),
    "散居孤儿": ("orphan", "scattered"),
    "社会散居孤儿": ("orphan", "scattered"),
    "集中养育孤儿": ("orphan", "institutional"),
    "集中供养孤儿": ("orphan", "institutional"),
    "机构养育孤儿": ("orphan", "institutional"),
}
PLACEMENT_WORDS: Final = {
    "散居": "scattered",
    "散居供养": "scattered",
    "社会散居": "scattered",
    "分散供养": "scattered",
    "家庭养育": "scattered",
    "集中": "institutional",
    "集中供养": "institutional",
    "集中养育": "institutional",
    "机构养育": "institutional",
    "福利机构": "institutional",
}
STATUS_WORDS: Final = {
    "保障中": "active",
    "在保": "active",
    "正常": "active",
    "正常保障": "active",
    "是": "active",
    "已终止": "closed",
    "终止": "closed",
    "终止保障": "closed",
    "已退出": "closed",
    "退出": "closed",
    "停发": "closed",
    "否": "closed",
}


def header_norm(text: object) -> str:
    """比较表头用：全角转半角、去掉空白、必填标记和括号里的说明（“月保障标准（元）”）。"""
    folded_text = unicodedata.normalize("NFKC", cell_text(text))
    bare = _BRACKETS.sub("", folded_text.replace("(", "（").replace(")", "）"))
    return "".join(ch for ch in bare if not ch.isspace() and ch not in "*＊:：")


_LOOKUP: Final = {header_norm(word): f.key for f in FIELDS for word in (f.label, *f.synonyms)}


def mapping_propose(headers: list[str]) -> list[str]:
    """每一列建议对应的字段（认不出的为空串：不导入）。同一字段只给第一个认出的列。"""
    proposed: list[str] = []
    for header in headers:
        key = _LOOKUP.get(header_norm(header), NOT_IMPORTED)
        proposed.append(NOT_IMPORTED if key in proposed else key)
    return proposed


def mapping_problems(headers: list[str], mapping: list[str]) -> list[str]:
    """确认的对应关系有什么不对：必填字段没有对应的列、一个字段对应了两列、未知字段。"""
    problems: list[str] = []
    if len(mapping) != len(headers):
        return ["列的对应关系与文件的列数不符，请重新上传文件。"]
    for key in mapping:
        if key and key not in FIELD_BY_KEY:
            return ["列的对应关系中有平台没有的字段，请重新选择。"]
    for f in FIELDS:
        columns = [headers[i] for i, key in enumerate(mapping) if key == f.key]
        if f.required and not columns:
            problems.append(f"“{f.label}”是必需的，请指定文件中的哪一列是{f.label}。")
        if len(columns) > 1:
            shown = "」「".join(columns)
            problems.append(f"「{shown}」几列都对应了“{f.label}”，只能选一列。")
    return problems


# ---------------------------------------------------------------- one row


@dataclass(frozen=True, slots=True)
class Carer:
    name: str
    id_number: str
    phone: str
    relation: str
    address: str
    bank_name: str = ""
    bank_account: str = ""


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """读通了的一行（还没有去户籍匹配）。row 是 Excel 里看到的行号。"""

    row: int
    name: str
    id_number: str
    category: str
    orphan_type: str
    placement: str
    opened_on: date
    carer: Carer | None
    monthly_amount_fen: int | None
    closed: bool
    closed_on: date | None
    close_reason: str


class _Cells:
    """一行的单元格，按字段取值；出错时记下“第几行哪一列的什么值，应当怎样”。"""

    def __init__(self, filename: str, row: int, cells: list[object], columns: dict[str, int]):
        self.filename, self.row, self.cells, self.columns = filename, row, cells, columns
        self.errors: list[CellError] = []

    def raw(self, key: str) -> object:
        index = self.columns.get(key)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def header(self, key: str, headers: list[str]) -> str:
        index = self.columns.get(key)
        return headers[index] if index is not None else FIELD_BY_KEY[key].label

    def fail(self, key: str, problem: str, headers: list[str], *, is_id: bool = False) -> None:
        shown = shown_value(cell_text(self.raw(key)), is_id=is_id)
        self.errors.append(
            cell_error(self.filename, self.row, self.header(key, headers), shown, problem)
        )


def _word(value: object, table: Mapping[str, T]) -> T | None:
    return table.get(header_norm(value))


def parse_amount_fen(value: object) -> int:
    """月保障标准：元，可带两位小数、千分位逗号和“元”字；存整数分。"""
    if isinstance(value, bool):
        raise BadValue("应为金额（元），如 1300 或 1300.50")
    if isinstance(value, int | float):
        text = repr(float(value))
    else:
        text = folded(value).replace(",", "").replace("，", "").replace(" ", "")
    found = _AMOUNT.fullmatch(text) if not isinstance(value, int | float) else None
    try:
        amount = Decimal(found.group(1) if found else text)
    except InvalidOperation:
        raise BadValue("应为金额（元），如 1300 或 1300.50") from None
    fen = amount * 100
    if amount < 0 or fen != fen.to_integral_value() or fen > _MAX_AMOUNT_FEN:
        raise BadValue("应为不超过十万元、最多两位小数的每月金额（元）")
    return int(fen)


class RowReader:
    """按确认的对应关系读数据行。"""

    def __init__(self, *, filename: str, headers: list[str], mapping: list[str], today: date):
        self.filename, self.headers, self.today = filename, headers, today
        self.columns = {key: i for i, key in enumerate(mapping) if key}

    def read(self, row: int, cells: list[object]) -> tuple[RegisterRow | None, list[CellError]]:
        c = _Cells(self.filename, row, cells, self.columns)
        name = self._name(c)
        id_number = self._id(c, "id_number", required=True)
        category, orphan_type, placement = self._category(c)
        opened_on = self._date(c, "opened_on", required=True)
        amount = self._amount(c)
        carer = self._carer(c)
        closed, closed_on, reason = self._status(c, opened_on)
        if c.errors or opened_on is None:
            return None, c.errors
        return RegisterRow(
            row, name, id_number, category, orphan_type, placement, opened_on, carer, amount,
            closed, closed_on, reason,
        ), []  # fmt: skip

    def _name(self, c: _Cells) -> str:
        raw = c.raw("name")
        if not cell_text(raw):
            c.fail("name", "必填，不能为空", self.headers)
            return ""
        try:
            return normalize_name(parse_name(raw, 50))
        except BadValue as bad:
            c.fail("name", bad.problem, self.headers)
            return ""

    def _id(self, c: _Cells, key: str, *, required: bool) -> str:
        raw = c.raw(key)
        number, problem = parse_id(raw) if cell_text(raw) else ("", None)
        if not number and problem is None:
            if required:
                c.fail(key, "必填，不能为空", self.headers)
            return ""
        if problem is not None:
            c.fail(key, problem, self.headers, is_id=True)
            return ""
        return number

    def _category(self, c: _Cells) -> tuple[str, str, str]:
        category, orphan_type = "", ""
        found = _word(c.raw("category"), CATEGORY_WORDS)
        if found is None:
            c.fail("category", "应为“孤儿”或“事实无人抚养儿童”", self.headers)
        else:
            category, orphan_type = found
        placement = ""
        if cell_text(c.raw("placement")):
            found_placement = _word(c.raw("placement"), PLACEMENT_WORDS)
            if found_placement is None:
                c.fail("placement", "应为“散居”或“集中”", self.headers)
            placement = str(found_placement or "")
        if orphan_type and placement and orphan_type != placement:
            c.fail("placement", "与“类别”中的散居或集中养育不一致", self.headers)
        placement = placement or orphan_type
        return category, placement if category == "orphan" else "", placement

    def _date(self, c: _Cells, key: str, *, required: bool) -> date | None:
        raw = c.raw(key)
        if not cell_text(raw):
            if required:
                c.fail(key, "必填，不能为空", self.headers)
            return None
        try:
            value = parse_date(raw)
        except BadValue as bad:
            c.fail(key, bad.problem, self.headers)
            return None
        if value > self.today:
            c.fail(key, "不能晚于今天", self.headers)
            return None
        return value

    def _amount(self, c: _Cells) -> int | None:
        raw = c.raw("monthly_amount")
        if not cell_text(raw):
            return None
        try:
            return parse_amount_fen(raw)
        except BadValue as bad:
            c.fail("monthly_amount", bad.problem, self.headers)
            return None

    def _carer(self, c: _Cells) -> Carer | None:
        keys = ("carer_name", "carer_id_number", "carer_phone", "carer_relation", "address",
                "bank_name", "bank_account")  # fmt: skip
        if not any(cell_text(c.raw(key)) for key in keys):
            return None
        name = ""
        if not cell_text(c.raw("carer_name")):
            c.fail("carer_name", "填写了监护人或照料人的其他信息，但没有姓名", self.headers)
        else:
            try:
                name = normalize_name(parse_name(c.raw("carer_name"), 50))
            except BadValue as bad:
                c.fail("carer_name", bad.problem, self.headers)
        id_number = self._id(c, "carer_id_number", required=False)
        phone = " ".join(folded(c.raw("carer_phone")).split())
        if phone and (
            not _PHONE_SHAPE.fullmatch(phone)
            or not 7 <= len(_PHONE_DIGITS.findall(phone)) <= 15
            or len(phone) > 30
        ):
            c.fail("carer_phone", "应为电话号码，如 13800000000 或 0478-1234567", self.headers)
        relation = self._text(c, "carer_relation", 20)
        address = self._text(c, "address", 200)
        account = "".join(folded(c.raw("bank_account")).split())
        if account and not (_ACCOUNT.fullmatch(account)):
            c.fail("bank_account", "应为银行账号（8到30位数字）", self.headers)
        bank = self._text(c, "bank_name", 60)
        return Carer(name, id_number, phone, relation, address, bank, account)

    def _text(self, c: _Cells, key: str, limit: int) -> str:
        text = " ".join(cell_text(c.raw(key)).split())
        if len(text) > limit:
            c.fail(key, f"太长，应不超过{limit}个字", self.headers)
        return text[:limit]

    def _status(self, c: _Cells, opened_on: date | None) -> tuple[bool, date | None, str]:
        raw = c.raw("status")
        status = _word(raw, STATUS_WORDS) if cell_text(raw) else "active"
        if status is None:
            c.fail("status", "应为“保障中”或“已终止”", self.headers)
            return False, None, ""
        if status == "active":
            return False, None, ""
        closed_on = self._date(c, "closed_on", required=True)
        reason = self._text(c, "close_reason", 2000)
        if not reason:
            c.fail("close_reason", "已终止的，须填写终止原因（书面说明理由）", self.headers)
        if closed_on and opened_on and closed_on < opened_on:
            c.fail("closed_on", "早于纳入保障日期", self.headers)
        return True, closed_on, reason
