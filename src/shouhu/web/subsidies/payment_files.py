"""发放文件：名册导出为 XLSX（给财政）和银行批量代发文件（列可配置，见 layouts/example.toml）。

文件内容在这里排好（哪些列、金额写成元和分），导出本身只走 shouhu.web.exports 那一个出口
（用途、限量、水印、审计）。基准测试直接用这里的函数排出整份文件。
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from django.conf import settings

from shouhu.core.errors import InvalidInput
from shouhu.core.policy.roster import yuan
from shouhu.web.access.disclosure import (
    WITHHELD_CATEGORY,
    categories_shown,
    disclosure_for_agency,
)
from shouhu.web.accounts.models import Agency
from shouhu.web.accounts.permissions import Role
from shouhu.web.exports import TextLayout
from shouhu.web.registry.models import Division
from shouhu.web.subsidies.models import Basis, SubsidyRoster

EXAMPLE_LAYOUT: Final = Path(__file__).parent / "layouts" / "example.toml"


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """名册的一行，排文件用（取自数据库，一次查询）。"""

    line_id: int
    child_name: str
    township: str
    basis: str
    months: Sequence[Sequence[object]]
    gross_fen: int
    offset_fen: int
    net_fen: int
    account_holder: str
    bank_name: str
    bank_account: str


def payment_ref(roster: SubsidyRoster, line_id: int) -> str:
    """发放编号：名册编号-行编号。财政反馈结果时原样带回，据此对账。"""
    return f"{roster.pk}-{line_id}"


def months_text(months: Sequence[Sequence[object]]) -> str:
    """[["2026-03-01", 130000, True], …] → “2026年3月（补发）、2026年5月”。"""
    words = []
    for iso, _fen, arrears in months:
        year, month = str(iso)[:4], int(str(iso)[5:7])
        words.append(f"{year}年{month}月{'（补发）' if arrears else ''}")
    return "、".join(words)


# ---------------------------------------------------------------- XLSX（给财政）

XLSX_HEADER: Final = (
    "序号", "发放编号", "乡镇（街道）", "儿童姓名", "补贴类别", "发放月份", "应发（元）",
    "抵扣多发（元）", "实发（元）", "实发（分）", "户名", "开户银行", "账号",
)  # fmt: skip


def finance_sees_categories(county: Division) -> bool:
    """名册给本县财政部门：补贴类别按它（的部门用户）的授权；本县没有财政部门的，按看不到。"""
    finance = Agency.objects.filter(agency_type="finance", division=county).first()
    return finance is not None and categories_shown(
        disclosure_for_agency(finance, Role.DEPARTMENT_USER)
    )


def xlsx_rows(
    roster: SubsidyRoster, rows: Sequence[PaymentRow], *, categories_shown: bool
) -> Iterator[list[object]]:
    """名册给财政；`categories_shown` 为假（财政部门看不到感染情况）时，“补贴类别”一列每人
    都是“保障对象”（`access.category_text` 的同一规则），金额照实。"""
    labels = {
        code: str(label) if categories_shown else WITHHELD_CATEGORY for code, label in Basis.choices
    }
    texts: dict[int, str] = {}  # 共用的发放月份（selectors.JsonTexts）只排一次文字
    for seq, r in enumerate(rows, start=1):
        months = texts.get(id(r.months))
        if months is None:
            months = texts[id(r.months)] = months_text(r.months)
        yield [
            seq, payment_ref(roster, r.line_id), r.township, r.child_name,
            labels[r.basis], months, yuan(r.gross_fen),
            yuan(r.offset_fen), yuan(r.net_fen), r.net_fen, r.account_holder, r.bank_name,
            r.bank_account,
        ]  # fmt: skip


# ---------------------------------------------------------------- 银行代发文件


@dataclass(frozen=True, slots=True)
class BankLayout:
    name: str
    text: TextLayout
    columns: tuple[tuple[str, str], ...]  # (表头, 字段)

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(h for h, _ in self.columns)


_Field = Callable[[SubsidyRoster, int, PaymentRow], object]
FIELDS: Final[dict[str, _Field]] = {
    "seq": lambda roster, seq, r: seq,
    "payment_ref": lambda roster, seq, r: payment_ref(roster, r.line_id),
    "account_holder": lambda roster, seq, r: r.account_holder,
    "bank_account": lambda roster, seq, r: r.bank_account,
    "bank_name": lambda roster, seq, r: r.bank_name,
    "amount_yuan": lambda roster, seq, r: yuan(r.net_fen),
    "amount_fen": lambda roster, seq, r: r.net_fen,
    "memo": lambda roster, seq, r: f"{roster.month.year}年{roster.month.month}月基本生活补贴",
    "child_name": lambda roster, seq, r: r.child_name,
}


def bank_layout_parse(text: str, where: str) -> BankLayout:
    """读一份代发格式；不合格时 InvalidInput，指明文件和键。"""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"代发格式「{where}」不是合格的 TOML（{exc}）") from None
    columns = data.get("columns")
    if not isinstance(columns, list) or not columns:
        raise InvalidInput(f"代发格式「{where}」没有列（columns）")
    parsed = []
    for i, column in enumerate(columns, start=1):
        field = column.get("field") if isinstance(column, dict) else None
        if field not in FIELDS:
            raise InvalidInput(f"代发格式「{where}」第{i}列的 field 应为 {'、'.join(FIELDS)} 之一")
        parsed.append((str(column.get("header", field)), str(field)))
    layout = TextLayout(
        delimiter=str(data.get("delimiter", ",")),
        encoding=str(data.get("encoding", "utf-8")),
        extension=str(data.get("extension", "csv")),
        header=bool(data.get("header", True)),
    )
    if layout.encoding not in ("utf-8", "gbk", "gb18030") or layout.extension not in ("csv", "txt"):
        raise InvalidInput(
            f"代发格式「{where}」的编码应为 utf-8、gbk 或 gb18030，扩展名为 csv 或 txt"
        )
    return BankLayout(str(data.get("name", "代发格式")), layout, tuple(parsed))


@cache
def bank_layout() -> BankLayout:
    """本平台使用的代发格式：SHOUHU_BANK_LAYOUT 指定的文件，没有时用示例格式。"""
    path = Path(settings.BANK_LAYOUT or EXAMPLE_LAYOUT)
    return bank_layout_parse(path.read_text(encoding="utf-8"), path.name)


def bank_rows(
    roster: SubsidyRoster, rows: Sequence[PaymentRow], layout: BankLayout
) -> Iterator[list[object]]:
    """实发为0的行（全额抵扣）不进代发文件。"""
    payable = (r for r in rows if r.net_fen > 0)
    fields = [FIELDS[field] for _, field in layout.columns]
    for seq, r in enumerate(payable, start=1):
        yield [field(roster, seq, r) for field in fields]
