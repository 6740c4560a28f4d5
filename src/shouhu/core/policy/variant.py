"""拟议的规则参数（规则变更模拟）：某地区现行参数上改几个值，得到一套只供模拟的参数。

拟议参数覆盖该地区及其下级地区的同名参数，对一切日期有效（模拟只问“若当时按此口径”）；
没有改的参数照旧按地区链取值。校验失败抛 InvalidVariant，消息是给人看的中文，只用参数的
中文名，不出现参数代码。
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from shouhu.core.errors import InvalidInput
from shouhu.core.policy.params import (
    NATIONAL,
    PARAM_SPECS,
    ParamEntry,
    ParamSpec,
    ParamValue,
    PolicyParams,
    RegionParams,
)
from shouhu.core.policy.thresholds import ADULT_AGE
from shouhu.core.policy.vocabulary import FACT_LABELS, PARENT_FACT_TYPES, SCHOOL_LEVEL_LABELS

# 地方会真正提出的调整：在校延续保障及其年龄上限和学段、核查频次、重病目录。
VARIANT_PARAMS: Final = (
    "past_18_in_school.supported",
    "past_18_in_school.until_age",
    "past_18_in_school.levels",
    "reviews_per_year.orphan",
    "reviews_per_year.default",
    *(f"reviews_per_year.{t}" for t in PARENT_FACT_TYPES),
    "severe_illness.list",
)
MAX_NAMES: Final = 200
VARIANT_NOTE: Final = "拟议参数（模拟，未生效）"


class InvalidVariant(InvalidInput):
    """拟议参数不合格：消息说明是哪一项（中文名）、应当怎样。"""


def variant_label(name: str) -> str:
    """参数的中文名（按事实类型单列的核查频次用事实类型的中文名）。"""
    prefix = "reviews_per_year."
    rest = name.removeprefix(prefix)
    if name.startswith(prefix) and rest in FACT_LABELS:
        return f"父母{FACT_LABELS[rest]}情形每年核查次数"
    return PARAM_SPECS[name].label


def variant_check(raw: Mapping[str, object]) -> dict[str, ParamValue]:
    """{参数: 取值} → 校验并转换后的拟议参数。取值可以是网页表单的文字（“是”“否”、数字、
    每行一项的清单），也可以是已有类型的值（存在运行记录里的 JSON）。至少改一项。"""
    if not raw:
        raise InvalidVariant("拟议参数为空：请至少修改一项规则参数。")
    unknown = [name for name in raw if name not in VARIANT_PARAMS]
    if unknown:
        raise InvalidVariant(
            f"拟议参数中有 {len(unknown)} 项不是可模拟的规则参数，请从表单中选择。"
        )
    return {name: _typed(name, PARAM_SPECS[name], value) for name, value in raw.items()}


_TRUE: Final = frozenset({"是", "true", "1", "on"})
_FALSE: Final = frozenset({"否", "false", "0", "off"})


def _typed(name: str, spec: ParamSpec, value: object) -> ParamValue:
    label = variant_label(name)
    if spec.kind == "flag":
        return _flag(label, value)
    if spec.kind in ("count", "age"):
        return _whole(label, spec.kind, value)
    return _names(label, name, value)


def _flag(label: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise InvalidVariant(f"“{label}”应为“是”或“否”。")


def _whole(label: str, kind: str, value: object) -> int:
    if isinstance(value, bool):
        raise InvalidVariant(f"“{label}”应为整数。")
    text = str(value).strip()
    if not isinstance(value, int) and not (text.isascii() and text.isdigit()):
        raise InvalidVariant(f"“{label}”应为整数。")
    number = value if isinstance(value, int) else int(text)
    if kind == "age" and not ADULT_AGE <= number <= 30:
        raise InvalidVariant(f"“{label}”应在 {ADULT_AGE}—30 周岁之间。")
    if kind == "count" and not 0 <= number <= 12:
        raise InvalidVariant(f"“{label}”应在 0—12 次之间。")
    return number


def _names(label: str, name: str, value: object) -> tuple[str, ...]:
    """清单：文字按行（或顿号、逗号）分开；学段也接受中文名。去掉空项，不能重复、不能为空。"""
    if isinstance(value, str):
        for mark in ("、", "，", ","):
            value = value.replace(mark, "\n")
        items = [part.strip() for part in value.splitlines()]
    elif isinstance(value, list | tuple):
        items = [str(part).strip() for part in value]
    else:
        raise InvalidVariant(f"“{label}”应为清单，每行一项。")
    items = [part for part in items if part]
    if name == "past_18_in_school.levels":
        items = [_level(label, part) for part in items]
    if not items or len(items) > MAX_NAMES:
        raise InvalidVariant(f"“{label}”应列 1—{MAX_NAMES} 项。")
    if len(set(items)) != len(items):
        raise InvalidVariant(f"“{label}”有重复项。")
    return tuple(items)


def _level(label: str, text: str) -> str:
    by_label = {v: k for k, v in SCHOOL_LEVEL_LABELS.items()}
    if text in SCHOOL_LEVEL_LABELS:
        return text
    if text in by_label:
        return by_label[text]
    raise InvalidVariant(
        f"“{label}”中有不认识的学段，应为{'、'.join(SCHOOL_LEVEL_LABELS.values())}。"
    )


def region_prefix(region: str) -> str:
    """地区代码的子树前缀：县 150802 → 150802，市 150800 → 1508，省 150000 → 15。"""
    prefix = region
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def params_with_variant(
    params: PolicyParams, region: str, overrides: Mapping[str, ParamValue]
) -> PolicyParams:
    """现行参数 + 拟议参数：region 及其下级地区的同名参数让位于拟议值。"""
    if region == NATIONAL or len(region) != 6 or not region.isdigit():
        raise InvalidVariant("模拟范围应为省、市或县（区）。")
    prefix = region_prefix(region)
    regions = dict(params.regions)
    for code, body in params.regions.items():
        if code != NATIONAL and code.startswith(prefix):
            kept = {k: v for k, v in body.entries.items() if k not in overrides}
            regions[code] = RegionParams(code, body.name, body.sources, MappingProxyType(kept))
    base = regions.get(region) or RegionParams(region, "拟议参数", MappingProxyType({}), {})
    entries = dict(base.entries)
    for name, value in overrides.items():
        entries[name] = (ParamEntry(name, value, None, None, None, None, True, VARIANT_NOTE),)
    regions[region] = RegionParams(region, base.name, base.sources, MappingProxyType(entries))
    return PolicyParams(regions)


def names_edit(name: str, current: tuple[str, ...], add: str, remove: str) -> list[str] | None:
    """清单按“增加”“删去”两栏修改（表单不整张列出现行目录）：都没填为 None（不改）。"""
    added = [part.strip() for part in add.splitlines() if part.strip()]
    removed = [part.strip() for part in remove.splitlines() if part.strip()]
    if not added and not removed:
        return None
    missing = [part for part in removed if part not in current]
    if missing:
        raise InvalidVariant(
            f"“{variant_label(name)}”中要删去的“{'、'.join(missing[:3])}”不在现行目录中。"
        )
    kept = [part for part in current if part not in removed]
    return kept + [part for part in added if part not in kept]


def names_change_text(current: tuple[str, ...], proposed: list[str] | tuple[str, ...]) -> str:
    """清单的改动，给人看：“增加：…；删去：…”。"""
    added = [part for part in proposed if part not in current]
    removed = [part for part in current if part not in proposed]
    parts = []
    if added:
        parts.append(f"增加{'、'.join(added)}")
    if removed:
        parts.append(f"删去{'、'.join(removed)}")
    return "；".join(parts) or "未变"
