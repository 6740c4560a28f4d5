"""从包内 TOML 文件加载数据目录，并叠加地区的增删。

目录结构（相对本包）：
    codelists.toml      代码表
    purposes.toml       使用用途
    fields.toml         共用字段定义（数据项里用 use 引用）
    items/*.toml        数据项，按部门分文件，每项一个 [[item]]
    regions/<代码>.toml 地区叠加：drop 去掉、[[item]] 增加、[override.<代码>] 调整报送要求

地区叠加按行政区划由上到下依次生效：加载 150802 时先省级 150000，再市级 150800，再县级 150802。
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from shouhu.core.catalog.build import (
    FIELD_KEYS,
    OVERRIDE_KEYS,
    POLICY_CODE_LISTS,
    build_due_day,
    build_item,
    build_purposes,
    check_keys,
    enum_value,
    fail,
    header_key,
    need,
    policy_code_options,
    str_list,
    typed,
)
from shouhu.core.catalog.model import (
    PURPOSE_KINDS,
    Catalog,
    CodeList,
    CodeOption,
    DataItem,
    Frequency,
    Purpose,
    Sensitivity,
    ShareClass,
)

CATALOG_ROOT = Path(__file__).parent
_REGION_RE = re.compile(r"^\d{6}$")
_REGION_KEYS = frozenset({"region", "name", "sources", "drop", "override", "item"})


def catalog_load(region: str | None = None, *, root: Path | None = None) -> Catalog:
    """加载并校验数据目录；region 为6位行政区划代码时叠加该地区及其上级的增删。

    定义有误时抛出 CatalogError，消息指明文件和键。结果可缓存复用（不可变）。
    """
    return _load(region, root or CATALOG_ROOT)


# 不在 purposes.toml 里的用途代码（旧记录里已删去的用途）在页面上的说法：从不显示代码本身。
RETIRED_PURPOSE = "（已停用的用途）"


def purpose_label(code: str) -> str:
    """用途代码的中文名（purposes.toml，全平台一份）：页面、导出、命令行输出都经这里，不另写说法。"""
    found = catalog_load().purposes.get(code)
    return found.label if found else RETIRED_PURPOSE


@functools.lru_cache(maxsize=32)
def _load(region: str | None, root: Path) -> Catalog:
    code_lists = load_code_lists(root)
    purposes = load_purposes(root)
    shared = load_shared_fields(root)
    items: dict[str, DataItem] = {}
    for path in sorted((root / "items").glob("*.toml")):
        for item in load_items(root, path, read_toml(root, path), code_lists, purposes, shared):
            if item.code in items:
                raise fail(rel(root, path), f"数据项代码 {item.code} 重复")
            items[item.code] = item
    if region is not None:
        for path in region_chain(root, region):
            apply_region(root, path, items, code_lists, purposes, shared)
    return Catalog(
        region=region,
        items=tuple(items.values()),
        code_lists=MappingProxyType(code_lists),
        purposes=MappingProxyType(purposes),
    )


def rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def read_toml(root: Path, path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise fail(rel(root, path), f"无法读取：{exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise fail(rel(root, path), f"不是有效的 TOML：{exc}") from None


def load_code_lists(root: Path) -> dict[str, CodeList]:
    path = root / "codelists.toml"
    result: dict[str, CodeList] = {}
    for key, raw in read_toml(root, path).items():
        where = f"{rel(root, path)}：{key}"
        if not isinstance(raw, dict):
            raise fail(where, "应为表")
        if key in POLICY_CODE_LISTS:  # 代码和中文名称在规则词汇里，这里只有别名
            options = policy_code_options(where, key, raw)
        else:
            check_keys(where, raw, frozenset({"name", "codes"}))
            entries = need(where, raw, "codes", list)
            options = tuple(code_option(f"{where}.codes[{i}]", e) for i, e in enumerate(entries))
        check_options(where, options)
        result[key] = CodeList(key=key, name=need(where, raw, "name", str), options=options)
    return result


def code_option(where: str, raw: object) -> CodeOption:
    if not isinstance(raw, dict):
        raise fail(where, "应为表")
    check_keys(where, raw, frozenset({"code", "label", "aliases"}))
    return CodeOption(
        code=need(where, raw, "code", str),
        label=need(where, raw, "label", str),
        aliases=str_list(where, raw, "aliases"),
    )


def check_options(where: str, options: tuple[CodeOption, ...]) -> None:
    """代码、中文和别名在一个代码表内必须互不相同，否则文件中的值会有歧义。"""
    if not options:
        raise fail(where, "代码表不能为空")
    seen: dict[str, str] = {}
    for option in options:
        for text in (option.code, option.label, *option.aliases):
            norm = header_key(text).casefold()
            if not norm or seen.get(norm, option.code) != option.code:
                raise fail(where, f"值 {text!r} 为空或在代码表中重复")
            seen[norm] = option.code


def load_purposes(root: Path) -> dict[str, Purpose]:
    path = root / "purposes.toml"
    result: dict[str, Purpose] = {}
    for code, raw in read_toml(root, path).items():
        where = f"{rel(root, path)}：{code}"
        if not isinstance(raw, dict):
            raise fail(where, "应为表")
        check_keys(where, raw, frozenset({"label", "kind"}))
        kind = need(where, raw, "kind", str)
        if kind not in PURPOSE_KINDS:
            raise fail(where, f"kind 应为 {'、'.join(PURPOSE_KINDS)} 之一")
        result[code] = Purpose(code=code, label=need(where, raw, "label", str), kind=kind)
    return result


def load_shared_fields(root: Path) -> dict[str, Mapping[str, Any]]:
    path = root / "fields.toml"
    shared = read_toml(root, path)
    for name, raw in shared.items():
        where = f"{rel(root, path)}：{name}"
        if not isinstance(raw, dict) or "use" in raw:
            raise fail(where, "共用字段应为表，且不能再 use 其他字段")
        check_keys(where, raw, FIELD_KEYS)
    return shared


def load_items(
    root: Path,
    path: Path,
    data: Mapping[str, Any],
    code_lists: Mapping[str, CodeList],
    purposes: Mapping[str, Purpose],
    shared: Mapping[str, Mapping[str, Any]],
    *,
    extra_keys: frozenset[str] = frozenset(),
) -> list[DataItem]:
    check_keys(rel(root, path), data, frozenset({"item"}) | extra_keys)
    entries = data.get("item", [])
    if not isinstance(entries, list):
        raise fail(rel(root, path), "item 应为 [[item]] 数组")
    return [
        build_item(
            f"{rel(root, path)}：item[{i}]",
            raw,
            code_lists=code_lists,
            purposes=purposes,
            shared_fields=shared,
        )
        for i, raw in enumerate(entries)
    ]


def region_chain(root: Path, region: str) -> list[Path]:
    """该地区及其上级（省、市）存在的叠加文件，由上到下。"""
    if not _REGION_RE.match(region):
        raise fail("regions", f"地区代码应为6位行政区划代码，而不是 {region!r}")
    levels = dict.fromkeys([region[:2] + "0000", region[:4] + "00", region])
    paths = (root / "regions" / f"{code}.toml" for code in levels)
    return [path for path in paths if path.is_file()]


def apply_region(
    root: Path,
    path: Path,
    items: dict[str, DataItem],
    code_lists: Mapping[str, CodeList],
    purposes: Mapping[str, Purpose],
    shared: Mapping[str, Mapping[str, Any]],
) -> None:
    data = read_toml(root, path)
    where = rel(root, path)
    check_keys(where, data, _REGION_KEYS)
    if need(where, data, "region", str) != path.stem:
        raise fail(f"{where}.region", "应与文件名相同")
    for code in str_list(where, data, "drop"):
        if items.pop(code, None) is None:
            raise fail(f"{where}.drop", f"要去掉的数据项 {code} 不存在")
    overrides = typed(where, data, "override", dict) if "override" in data else {}
    for code, raw in overrides.items():
        if code not in items:
            raise fail(f"{where}.override", f"要调整的数据项 {code} 不存在")
        items[code] = override_item(f"{where}.override.{code}", items[code], raw, purposes)
    added = load_items(
        root, path, data, code_lists, purposes, shared, extra_keys=_REGION_KEYS - {"item"}
    )
    for item in added:
        if item.code in items:
            raise fail(where, f"增加的数据项 {item.code} 已存在")
        items[item.code] = item


def override_item(
    where: str, item: DataItem, raw: object, purposes: Mapping[str, Purpose]
) -> DataItem:
    if not isinstance(raw, dict):
        raise fail(where, "应为表")
    check_keys(where, raw, OVERRIDE_KEYS)
    changes: dict[str, Any] = {}
    if "frequency" in raw:
        changes["frequency"] = enum_value(f"{where}.frequency", raw["frequency"], Frequency)
    if "share_class" in raw:
        changes["share_class"] = enum_value(f"{where}.share_class", raw["share_class"], ShareClass)
    if "sensitivity" in raw:
        changes["sensitivity"] = enum_value(f"{where}.sensitivity", raw["sensitivity"], Sensitivity)
    if "purposes" in raw:
        changes["purposes"] = build_purposes(where, raw, purposes)
    frequency = changes.get("frequency", item.frequency)
    if "due_day" in raw or "frequency" in raw:
        merged = dict(raw)
        periodic = frequency in (Frequency.MONTHLY, Frequency.QUARTERLY)
        if "due_day" not in raw and periodic and item.due_day is not None:
            merged["due_day"] = item.due_day
        changes["due_day"] = build_due_day(where, merged, frequency)
    return dataclasses.replace(item, **changes)
