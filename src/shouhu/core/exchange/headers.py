"""表头识别：把文件的列对应到数据项的字段；不是本数据项的模板则整份拒收。

容忍列的顺序不同、多余空格、全角字符、必填标记“*”、列名后的括号说明；
必填列缺一不可；无法识别的列不读取，并给出提示。
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shouhu.core.catalog import DataItem, FieldSpec, header_key
from shouhu.core.exchange.values import cell_text

_TRAILING_NOTE: Final = re.compile(r"\([^()]*\)$")


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """文件第 i 列（0 起）对应的字段。"""

    columns: tuple[tuple[int, FieldSpec], ...]
    headers: tuple[str, ...]  # 文件中的原始列名（按列序，空列名为 ""）
    unknown: tuple[str, ...]

    def header_of(self, spec: FieldSpec) -> str:
        for index, mapped in self.columns:
            if mapped.key == spec.key:
                return self.headers[index]
        return spec.header

    def has(self, spec: FieldSpec) -> bool:
        return any(mapped.key == spec.key for _, mapped in self.columns)


class HeaderMismatch(Exception):
    """表头与数据项不符。message 是给报送人员的说明（不含文件名，由调用方加上）。"""

    def __init__(self, message: str, *, matched: int) -> None:
        super().__init__(message)
        self.message = message
        self.matched = matched


def header_lookup(item: DataItem) -> dict[str, FieldSpec]:
    lookup: dict[str, FieldSpec] = {}
    for spec in item.fields:
        for text in (spec.header, *spec.aliases):
            lookup[header_key(text)] = spec
    return lookup


def find_field(lookup: dict[str, FieldSpec], header: str) -> FieldSpec | None:
    key = header_key(header)
    spec = lookup.get(key)
    if spec is None:
        spec = lookup.get(_TRAILING_NOTE.sub("", key))
    return spec


def match_headers(cells: list[object], item: DataItem) -> ColumnMap:
    """识别表头；不符时抛 HeaderMismatch，列出缺少的必填列和无法识别的列。"""
    lookup = header_lookup(item)
    headers = tuple(cell_text(cell) for cell in cells)
    columns: list[tuple[int, FieldSpec]] = []
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        spec = find_field(lookup, header)
        if spec is None:
            unknown.append(header)
            continue
        if spec.key in seen:
            raise HeaderMismatch(
                f"「{seen[spec.key]}」和「{header}」是同一列，表头中只能出现一次", matched=0
            )
        seen[spec.key] = header
        columns.append((index, spec))
    missing = [spec.header for spec in item.fields if spec.required and spec.key not in seen]
    if missing or not columns:
        raise HeaderMismatch(mismatch_text(item, missing, unknown), matched=len(columns))
    return ColumnMap(columns=tuple(columns), headers=headers, unknown=tuple(unknown))


def mismatch_text(item: DataItem, missing: list[str], unknown: list[str]) -> str:
    parts = [f"不是「{item.name}」的模板，或表头不在第1行"]
    if missing:
        parts.append("缺少必填列" + "".join(f"「{h}」" for h in missing))
    if unknown:
        shown = unknown[:20]
        more = f"等{len(unknown)}列" if len(unknown) > len(shown) else ""
        parts.append("无法识别的列" + "".join(f"「{h[:30]}」" for h in shown) + more)
    parts.append("请下载该数据项的最新模板填写")
    return "：".join(parts[:1]) + "：" + "；".join(parts[1:]) + "。"
