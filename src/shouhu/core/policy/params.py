"""政策参数：数据而非代码。每个地区一个 TOML 文件（params/<区划代码>.toml），另有全国默认值。

每个取值带生效日期区间 [from, to)（省略 from 表示自始有效，省略 to 表示持续有效）和出处：
`source`（本文件 [sources] 里的文件）+ `clause`；种子文件没有给出的值写 `example = true` 和
`note`，输出时标为“示例值”，不当作官方标准。载入时校验：未知的键、同一参数日期区间重叠、
缺出处、取值类型不对，都是错误。

取值顺序：区县 → 地市（前4位+00）→ 省（前2位+0000）→ 全国（000000），取第一个在该日期
有值的；`reviews_per_year.<事实类型>` 在整条链上都没有时取 `reviews_per_year.default`。
"""

from __future__ import annotations

import itertools
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final

from shouhu.core.errors import DomainError
from shouhu.core.policy.rules import SUBSIDY_RATES
from shouhu.core.policy.thresholds import ADULT_AGE
from shouhu.core.policy.vocabulary import PARENT_FACT_TYPES

NATIONAL: Final = "000000"
ParamValue = int | bool | str | tuple[str, ...]


class InvalidPolicyParams(DomainError):
    """参数文件不合格。消息指明文件和键。"""


@dataclass(frozen=True, slots=True)
class ParamSpec:
    kind: str  # count | fen | flag | rate | names | age | choice
    required: bool
    label: str
    choices: tuple[str, ...] = ()  # kind == "choice" 时的可选值


# 补贴发放口径（docs/rules.md §9）的可选值；默认值（第一个）是规格的 decision。
SUBSIDY_STARTS: Final = ("approval_month", "next_month")
SUBSIDY_ARREARS: Final = ("none", "application_month")
SUBSIDY_STOPS: Final = ("event_month", "previous_month")


def _specs() -> dict[str, ParamSpec]:
    specs = {
        "reviews_per_year.orphan": ParamSpec("count", True, "孤儿每年核查次数"),
        "reviews_per_year.default": ParamSpec(
            "count", True, "事实无人抚养儿童每年核查次数（未单列的情形）"
        ),
        "severe_illness.list": ParamSpec("names", True, "重病病种目录"),
        "subsidy_fen.scattered_orphan": ParamSpec("fen", True, "散居孤儿基本生活费（分/月）"),
        "subsidy_fen.institutional_orphan": ParamSpec(
            "fen", True, "集中养育孤儿基本生活费（分/月）"
        ),
        "subsidy_fen.de_facto_unsupported": ParamSpec(
            "fen", True, "事实无人抚养儿童基本生活补贴（分/月）"
        ),
        "hiv_infected.subsidised": ParamSpec(
            "flag", True, "是否为监护人同意的艾滋病病毒感染儿童发放基本生活补贴"
        ),
        "hiv_infected.rate": ParamSpec("rate", True, "艾滋病病毒感染儿童参照的补贴标准"),
        "past_18_in_school.supported": ParamSpec(
            "flag", True, f"年满{ADULT_AGE}周岁仍在全日制学校就读的是否继续保障"
        ),
        "past_18_in_school.until_age": ParamSpec(
            "age", True, "在校就读继续保障的年龄上限（周岁，不含）"
        ),
        "past_18_in_school.levels": ParamSpec("names", True, "视为全日制就读的学段"),
        "subsidy.start": ParamSpec("choice", True, "补贴首月", SUBSIDY_STARTS),
        "subsidy.arrears_from": ParamSpec("choice", True, "补发起始", SUBSIDY_ARREARS),
        "subsidy.stop": ParamSpec("choice", True, "补贴末月", SUBSIDY_STOPS),
    }
    for t in PARENT_FACT_TYPES:
        specs[f"reviews_per_year.{t}"] = ParamSpec("count", False, f"{t} 情形每年核查次数")
    return specs


PARAM_SPECS: Final = MappingProxyType(_specs())
_ENTRY_KEYS: Final = frozenset({"value", "from", "to", "source", "clause", "example", "note"})
_SOURCE_KEYS: Final = frozenset({"title", "issuer", "issued", "seed", "url", "note"})


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    title: str
    issuer: str | None = None
    issued: date | None = None
    seed: str | None = None


@dataclass(frozen=True, slots=True)
class ParamEntry:
    name: str
    value: ParamValue
    valid_from: date | None
    valid_to: date | None
    source: Source | None
    clause: str | None
    example: bool
    note: str | None

    def covers(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on < self.valid_to
        )

    def citation(self) -> str:
        if self.example:
            return f"示例值（非官方）：{self.note}"
        assert self.source is not None
        return f"{self.source.title} {self.clause}"


@dataclass(frozen=True, slots=True)
class RegionParams:
    region: str
    name: str
    sources: Mapping[str, Source]
    entries: Mapping[str, tuple[ParamEntry, ...]]


@dataclass(frozen=True, slots=True)
class ResolvedParams:
    """某地区一段日期内适用的全部参数值，及每个值的出处。"""

    region: str
    values: Mapping[str, ParamValue]
    entries: Mapping[str, ParamEntry]


@dataclass(frozen=True, slots=True)
class Segment:
    """一个地区某参数在 [valid_from, valid_to) 内的取值（供 SQL 连接用）。"""

    region: str
    name: str
    value: ParamValue
    valid_from: date | None
    valid_to: date | None


class PolicyParams:
    """全部地区的参数。用 `load_params()` 得到内置参数，或 `PolicyParams.from_texts` 测试。"""

    def __init__(self, regions: Mapping[str, RegionParams]) -> None:
        if NATIONAL not in regions:
            raise InvalidPolicyParams(f"缺少全国默认参数（{NATIONAL}.toml）")
        self.regions: Mapping[str, RegionParams] = MappingProxyType(dict(regions))
        self._boundaries: dict[str, tuple[date, ...]] = {}
        self._timelines: dict[str, tuple[tuple[date, ...], tuple[ResolvedParams, ...]]] = {}
        for region in regions:
            self._check_complete(region)

    @classmethod
    def from_texts(cls, texts: Mapping[str, str]) -> PolicyParams:
        """{文件名: TOML 文本} → 参数集。"""
        regions: dict[str, RegionParams] = {}
        for filename, text in texts.items():
            parsed = parse_region_file(filename, text)
            if filename.endswith(".toml") and filename[:-5] != parsed.region:
                raise InvalidPolicyParams(f"{filename}：文件名应与 region（{parsed.region}）一致")
            if parsed.region in regions:
                raise InvalidPolicyParams(f"{filename}：地区 {parsed.region} 重复")
            regions[parsed.region] = parsed
        return cls(regions)

    def chain(self, region: str | None) -> tuple[str, ...]:
        """从最具体到全国，本参数集里有文件的地区。"""
        if not region or len(region) != 6 or not region.isdigit():
            return (NATIONAL,)
        candidates = (region, region[:4] + "00", region[:2] + "0000", NATIONAL)
        return tuple(dict.fromkeys(c for c in candidates if c in self.regions))

    def param_region(self, region: str | None) -> str:
        return self.chain(region)[0]

    def resolve(self, region: str | None, on: date) -> ResolvedParams:
        """region 在 on 这天适用的参数。按分段预先算好，查找是一次二分。"""
        timeline = self._timelines.get(region or NATIONAL)
        if timeline is None:
            param_region = self.param_region(region)
            cuts = self.boundaries(param_region)
            resolved = tuple(self._resolve(param_region, s) for s in (date.min, *cuts))
            timeline = self._timelines.setdefault(region or NATIONAL, (cuts, resolved))
        cuts, resolved = timeline
        return resolved[bisect_right(cuts, on)]

    def boundaries(self, region: str | None) -> tuple[date, ...]:
        """该地区参数可能变化的日期（next_change 的候选）。"""
        key = region or NATIONAL
        found = self._boundaries.get(key)
        if found is None:
            found = self._boundaries.setdefault(key, self._boundaries_of(region))
        return found

    def _boundaries_of(self, region: str | None) -> tuple[date, ...]:
        dates: set[date] = set()
        for r in self.chain(region):
            for entries in self.regions[r].entries.values():
                for e in entries:
                    dates.update(d for d in (e.valid_from, e.valid_to) if d is not None)
        return tuple(sorted(dates))

    def segments(self) -> list[Segment]:
        """每个地区、每个参数按日期分段的取值；相邻同值的段合并。"""
        out: list[Segment] = []
        for region in sorted(self.regions):
            cuts = self.boundaries(region)
            starts: list[date | None] = [None, *cuts]
            ends: list[date | None] = [*cuts, None]
            resolved = [self._resolve(region, s or date.min) for s in starts]
            for name in PARAM_SPECS:
                out.extend(_merge(region, name, resolved, starts, ends))
        return out

    # ------------------------------------------------------------ 内部

    def _resolve(self, region: str, on: date) -> ResolvedParams:
        chain = self.chain(region)
        values: dict[str, ParamValue] = {}
        entries: dict[str, ParamEntry] = {}
        for name, spec in PARAM_SPECS.items():
            entry = self._find(chain, name, on)
            if entry is None and name.startswith("reviews_per_year.") and not spec.required:
                entry = self._find(chain, "reviews_per_year.default", on)
            if entry is None:
                raise InvalidPolicyParams(
                    f"参数 {name} 在 {on.isoformat()} 没有有效取值（地区 {region}）"
                )
            values[name] = entry.value
            entries[name] = entry
        return ResolvedParams(region, MappingProxyType(values), MappingProxyType(entries))

    def _find(self, chain: Iterable[str], name: str, on: date) -> ParamEntry | None:
        for r in chain:
            for entry in self.regions[r].entries.get(name, ()):
                if entry.covers(on):
                    return entry
        return None

    def _check_complete(self, region: str) -> None:
        """全国默认值须对所有日期给出每个必需参数：自始有效、首尾相接。"""
        if region != NATIONAL:
            return
        for name, spec in PARAM_SPECS.items():
            if not spec.required:
                continue
            entries = sorted(
                self.regions[NATIONAL].entries.get(name, ()),
                key=lambda e: e.valid_from or date.min,
            )
            ok = bool(entries) and entries[0].valid_from is None and entries[-1].valid_to is None
            ok = ok and all(a.valid_to == b.valid_from for a, b in itertools.pairwise(entries))
            if not ok:
                raise InvalidPolicyParams(f"{NATIONAL}.toml：{name} 须自始至今连续有值")


def _merge(
    region: str,
    name: str,
    resolved: list[ResolvedParams],
    starts: list[date | None],
    ends: list[date | None],
) -> list[Segment]:
    out: list[Segment] = []
    for r, start, end in zip(resolved, starts, ends, strict=True):
        value = r.values[name]
        if out and out[-1].value == value:
            out[-1] = Segment(region, name, value, out[-1].valid_from, end)
        else:
            out.append(Segment(region, name, value, start, end))
    return out


# ---------------------------------------------------------------- 载入与校验


def parse_region_file(filename: str, text: str) -> RegionParams:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidPolicyParams(f"{filename}：TOML 格式错误（{exc}）") from None
    region = data.pop("region", None)
    if not isinstance(region, str) or len(region) != 6 or not region.isdigit():
        raise InvalidPolicyParams(f"{filename}：region 应为6位行政区划代码")
    name = data.pop("name", None)
    if not isinstance(name, str) or not name:
        raise InvalidPolicyParams(f"{filename}：缺少 name（地区名称）")
    sources = _parse_sources(filename, data.pop("sources", {}))
    raw_entries: dict[str, list[object]] = {}
    _collect(filename, data, "", raw_entries)
    entries = {
        pname: _parse_entries(filename, pname, items, sources)
        for pname, items in raw_entries.items()
    }
    return RegionParams(region, name, MappingProxyType(sources), MappingProxyType(entries))


def _parse_sources(filename: str, raw: object) -> dict[str, Source]:
    if not isinstance(raw, dict):
        raise InvalidPolicyParams(f"{filename}：sources 应为表")
    out: dict[str, Source] = {}
    for key, body in raw.items():
        where = f"{filename}：sources.{key}"
        if not isinstance(body, dict):
            raise InvalidPolicyParams(f"{where} 应为表")
        unknown = set(body) - _SOURCE_KEYS
        if unknown:
            raise InvalidPolicyParams(f"{where} 有未知的键 {sorted(unknown)}")
        title = body.get("title")
        if not isinstance(title, str) or not title:
            raise InvalidPolicyParams(f"{where} 缺少 title")
        issued = body.get("issued")
        if issued is not None and not isinstance(issued, date):
            raise InvalidPolicyParams(f"{where}.issued 应为日期")
        out[key] = Source(key, title, body.get("issuer"), issued, body.get("seed"))
    return out


def _collect(
    filename: str, table: dict[str, object], prefix: str, out: dict[str, list[object]]
) -> None:
    """把嵌套表展开成“点分参数名 → 取值条目列表”；未知的键即报错。"""
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, list):
            if name not in PARAM_SPECS:
                raise InvalidPolicyParams(f"{filename}：未知的参数 {name}")
            out[name] = value
        elif isinstance(value, dict) and any(n.startswith(name + ".") for n in PARAM_SPECS):
            _collect(filename, value, name + ".", out)
        else:
            raise InvalidPolicyParams(f"{filename}：未知的键 {name}")


def _parse_entries(
    filename: str, name: str, items: list[object], sources: Mapping[str, Source]
) -> tuple[ParamEntry, ...]:
    entries = [
        _parse_entry(f"{filename}：{name}[{i}]", name, item, sources)
        for i, item in enumerate(items)
    ]
    ordered = sorted(entries, key=lambda e: e.valid_from or date.min)
    for a, b in itertools.pairwise(ordered):
        if (
            a.valid_to is None
            or (b.valid_from is not None and b.valid_from < a.valid_to)
            or b.valid_from is None
        ):
            raise InvalidPolicyParams(f"{filename}：{name} 的日期区间重叠")
    return tuple(ordered)


def _parse_entry(where: str, name: str, item: object, sources: Mapping[str, Source]) -> ParamEntry:
    if not isinstance(item, dict):
        raise InvalidPolicyParams(f"{where} 应为表")
    unknown = set(item) - _ENTRY_KEYS
    if unknown:
        raise InvalidPolicyParams(f"{where} 有未知的键 {sorted(unknown)}")
    if "value" not in item:
        raise InvalidPolicyParams(f"{where} 缺少 value")
    start, end = item.get("from"), item.get("to")
    for key, d in (("from", start), ("to", end)):
        if d is not None and (not isinstance(d, date) or hasattr(d, "hour")):
            raise InvalidPolicyParams(f"{where}.{key} 应为日期（YYYY-MM-DD）")
    if start is not None and end is not None and not start < end:
        raise InvalidPolicyParams(f"{where}：from 应早于 to")
    example = item.get("example", False)
    if not isinstance(example, bool):
        raise InvalidPolicyParams(f"{where}.example 应为 true 或 false")
    source, clause, note = _citation(where, item, example, sources)
    value = _check_value(where, PARAM_SPECS[name], item["value"])
    return ParamEntry(name, value, start, end, source, clause, example, note)


def _citation(
    where: str, item: dict[str, object], example: bool, sources: Mapping[str, Source]
) -> tuple[Source | None, str | None, str | None]:
    key, clause, note = item.get("source"), item.get("clause"), item.get("note")
    if example:
        if not isinstance(note, str) or not note:
            raise InvalidPolicyParams(f"{where}：示例值须写 note 说明来历")
    elif not isinstance(key, str) or not isinstance(clause, str) or not clause:
        raise InvalidPolicyParams(
            f"{where}：缺少出处（source 和 clause），种子文件没有的值须标 example = true"
        )
    source = None
    if key is not None:
        if not isinstance(key, str) or key not in sources:
            raise InvalidPolicyParams(f"{where}：source {key!r} 不在本文件的 [sources] 中")
        source = sources[key]
    return (
        source,
        clause if isinstance(clause, str) else None,
        note if isinstance(note, str) else None,
    )


def _check_value(where: str, spec: ParamSpec, value: object) -> ParamValue:
    kind = spec.kind
    if kind == "choice":
        if not isinstance(value, str) or value not in spec.choices:
            raise InvalidPolicyParams(f"{where}.value 应为 {'、'.join(spec.choices)} 之一")
        return value
    if kind in ("count", "fen", "age"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidPolicyParams(f"{where}.value 应为非负整数")
        if kind == "age" and not ADULT_AGE <= value <= 30:
            raise InvalidPolicyParams(f"{where}.value 应在 {ADULT_AGE}—30 之间")
        return value
    if kind == "flag":
        if not isinstance(value, bool):
            raise InvalidPolicyParams(f"{where}.value 应为 true 或 false")
        return value
    if kind == "rate":
        if value not in SUBSIDY_RATES:
            raise InvalidPolicyParams(f"{where}.value 应为 {'、'.join(SUBSIDY_RATES)} 之一")
        assert isinstance(value, str)
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidPolicyParams(f"{where}.value 应为非空字符串的列表")
    if len(set(value)) != len(value):
        raise InvalidPolicyParams(f"{where}.value 有重复项")
    return tuple(value)


@cache
def load_params(directory: str | None = None) -> PolicyParams:
    """载入参数目录（默认是包内的 params/）下的全部 *.toml。"""
    if directory is not None:
        files = {
            p.name: p.read_text(encoding="utf-8") for p in sorted(Path(directory).glob("*.toml"))
        }
    else:
        root = resources.files("shouhu.core.policy") / "params"
        files = {
            f.name: f.read_text(encoding="utf-8")
            for f in sorted(root.iterdir(), key=lambda f: f.name)
            if f.name.endswith(".toml")
        }
    return PolicyParams.from_texts(files)
