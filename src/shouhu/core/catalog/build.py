"""把 TOML 中的一个数据项定义校验并构造成 DataItem。

每个错误都指明文件和键路径（如 items/court.toml：item[0].field[3].type），
因为维护目录的人要据此找到并改正定义。
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, TypeVar

from shouhu.core.catalog.facts import ROLE_FACTS, ValueKind, field_kind
from shouhu.core.catalog.model import (
    AGENCY_LABELS,
    SEALABLE_FACT_FIELDS,
    SUBJECT_TARGETS,
    TARGET_EXTRA,
    TARGET_RECORD_ID,
    CodeList,
    CodeOption,
    Condition,
    DataItem,
    FactSpec,
    FieldSpec,
    FieldType,
    Frequency,
    IdPolicy,
    Purpose,
    Sensitivity,
    ShareClass,
)
from shouhu.core.errors import InvalidInput
from shouhu.core.identity.registry import REGISTRY_STATUS_LABELS
from shouhu.core.policy.vocabulary import (
    DISABILITY_CATEGORY_LABELS,
    DISABILITY_LEVEL_LABELS,
    NEEDED_FIELDS,
    SCHOOL_LEVEL_LABELS,
)

AGENCY_TYPES: Final = frozenset(AGENCY_LABELS)

ITEM_KEYS: Final = frozenset(
    {
        "code", "name", "agency_type", "subject_role", "description", "sources", "sensitivity",
        "share_class", "frequency", "due_day", "purposes", "record_id_note", "fact", "field",
        "sealed_fields",
    }
)  # fmt: skip
ITEM_REQUIRED: Final = (
    "code", "name", "agency_type", "subject_role", "sensitivity", "share_class", "frequency",
    "purposes", "field",
)  # fmt: skip
FIELD_KEYS: Final = frozenset(
    {
        "use", "key", "header", "type", "to", "required", "required_when", "code_list",
        "id_policy", "aliases", "max_length", "min", "max", "example", "note",
    }
)  # fmt: skip
FACT_KEYS: Final = frozenset({"type", "type_by", "type_map"})
OVERRIDE_KEYS: Final = frozenset({"frequency", "due_day", "share_class", "sensitivity", "purposes"})

# 规则缺了就无法判断的字段（vocabulary.NEEDED_FIELDS）之中，报送时可以合法地空着的：
# 无期徒刑没有刑期截止日期（填“是否无期”）；戒毒、拘留、羁押报送时常常还没有结束日期；
# 控辍保学台账上的在校记录可能没有入学日期。这些字段缺了，规则“按符合、不符合各判一次”
# （docs/rules.md §4 第6步），所以不能要求数据项把它们设为必填列。
BLANK_AT_SOURCE: Final[dict[str, frozenset[str]]] = {
    "imprisoned": frozenset({"end"}),
    "compulsory_rehab": frozenset({"end"}),
    "other_restriction": frozenset({"end"}),
    "in_school": frozenset({"start"}),
}

# 每种事实类型必须有列映射、且该列必填的字段：规则需要、报送时又不会合法地空着的那些。
ESSENTIAL_FACT_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    fact_type: tuple(f for f in needed if f not in BLANK_AT_SOURCE.get(fact_type, ()))
    for fact_type, needed in NEEDED_FIELDS.items()
}

# 规则也用到的代码表：代码和中文名称只在 core/policy/vocabulary.py，codelists.toml 里只写别名
POLICY_CODE_LISTS: Final[dict[str, Mapping[str, str]]] = {
    "disability_category": DISABILITY_CATEGORY_LABELS,
    "disability_level": DISABILITY_LEVEL_LABELS,
    "school_level": SCHOOL_LEVEL_LABELS,
    "registry_status": REGISTRY_STATUS_LABELS,
}

_KIND_TYPES: Final[dict[ValueKind, frozenset[FieldType]]] = {
    ValueKind.DATE: frozenset({FieldType.DATE}),
    ValueKind.BOOL: frozenset({FieldType.BOOL}),
    ValueKind.INT: frozenset({FieldType.INT, FieldType.CODE}),
    ValueKind.CODE: frozenset({FieldType.CODE}),
    ValueKind.TEXT: frozenset({FieldType.TEXT}),
}
_CODE_RE: Final = re.compile(r"^[a-z][a-z0-9_]*$")

E = TypeVar("E", FieldType, IdPolicy, Sensitivity, ShareClass, Frequency)


class CatalogError(InvalidInput):
    """数据目录定义有误。消息指明文件和键，不含个人信息。"""


def fail(where: str, problem: str) -> CatalogError:
    return CatalogError(f"数据目录定义错误（{where}）：{problem}")


def header_key(text: str) -> str:
    """表头比较用的规范形式：全角转半角、去掉所有空白和必填标记“*”。"""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace() and ch != "*")


def check_keys(where: str, table: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for key in table:
        if key not in allowed:
            raise fail(where, f"未知的键 {key!r}")


def need(where: str, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in table:
        raise fail(where, f"缺少键 {key!r}")
    return typed(where, table, key, kind)


def typed(where: str, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = table[key]
    bad_bool = isinstance(value, bool) and kind is int
    if not isinstance(value, kind) or bad_bool:
        raise fail(f"{where}.{key}", f"类型不对：{type(value).__name__}")
    return value


def str_list(where: str, table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = table.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise fail(f"{where}.{key}", "应为字符串列表")
    return tuple(values)


def enum_value(where: str, raw: object, enum: type[E]) -> E:
    try:
        return enum(raw) if isinstance(raw, str) else enum(repr(raw))
    except (ValueError, TypeError):
        allowed = "、".join(member.value for member in enum)
        raise fail(where, f"取值 {raw!r} 无效，应为 {allowed}") from None


def policy_code_options(where: str, key: str, raw: Mapping[str, Any]) -> tuple[CodeOption, ...]:
    """POLICY_CODE_LISTS 里的代码表：代码和中文取自规则词汇，TOML 的 aliases 按代码给别名。"""
    labels = POLICY_CODE_LISTS[key]
    check_keys(where, raw, frozenset({"name", "aliases"}))
    aliases = typed(where, raw, "aliases", dict) if "aliases" in raw else {}
    unknown = sorted(set(aliases) - set(labels))
    if unknown:
        raise fail(f"{where}.aliases", f"不是本代码表的代码：{unknown}")
    return tuple(
        CodeOption(code=code, label=label, aliases=str_list(f"{where}.aliases", aliases, code))
        for code, label in labels.items()
    )


def build_item(
    where: str,
    raw: Mapping[str, Any],
    *,
    code_lists: Mapping[str, CodeList],
    purposes: Mapping[str, Purpose],
    shared_fields: Mapping[str, Mapping[str, Any]],
) -> DataItem:
    check_keys(where, raw, ITEM_KEYS)
    for key in ITEM_REQUIRED:
        if key not in raw:
            raise fail(where, f"缺少键 {key!r}")
    code = need(where, raw, "code", str)
    if not _CODE_RE.match(code):
        raise fail(f"{where}.code", f"代码 {code!r} 只能用小写英文字母、数字和下划线")
    where = f"{where}（{code}）"
    agency = need(where, raw, "agency_type", str)
    if agency not in AGENCY_TYPES:
        raise fail(f"{where}.agency_type", f"未知的部门类型 {agency!r}")
    role = need(where, raw, "subject_role", str)
    if role not in ROLE_FACTS:
        raise fail(f"{where}.subject_role", f"应为 parent、child 或 person，而不是 {role!r}")
    fields = tuple(
        build_field(f"{where}.field[{i}]", entry, code_lists, shared_fields)
        for i, entry in enumerate(need(where, raw, "field", list))
    )
    frequency = enum_value(f"{where}.frequency", raw["frequency"], Frequency)
    item = DataItem(
        code=code,
        name=need(where, raw, "name", str),
        agency_type=agency,
        subject_role=role,
        description=typed(where, raw, "description", str) if "description" in raw else "",
        sources=str_list(where, raw, "sources"),
        fields=fields,
        fact=build_fact(f"{where}.fact", raw["fact"]) if "fact" in raw else None,
        sensitivity=enum_value(f"{where}.sensitivity", raw["sensitivity"], Sensitivity),
        share_class=enum_value(f"{where}.share_class", raw["share_class"], ShareClass),
        frequency=frequency,
        due_day=build_due_day(where, raw, frequency),
        purposes=build_purposes(where, raw, purposes),
        record_id_note=typed(where, raw, "record_id_note", str) if "record_id_note" in raw else "",
        sealed_fields=str_list(where, raw, "sealed_fields"),
    )
    check_item(where, item)
    return item


def build_due_day(where: str, raw: Mapping[str, Any], frequency: Frequency) -> int | None:
    periodic = frequency in (Frequency.MONTHLY, Frequency.QUARTERLY)
    if "due_day" not in raw:
        if periodic:
            raise fail(where, "按月或按季报送的数据项必须给出报送截止日 due_day")
        return None
    day = typed(where, raw, "due_day", int)
    if not periodic:
        raise fail(f"{where}.due_day", "只有按月或按季报送的数据项才有截止日")
    if not 1 <= day <= 28:
        raise fail(f"{where}.due_day", f"截止日应在1到28之间，而不是 {day}")
    return int(day)


def build_purposes(
    where: str, raw: Mapping[str, Any], purposes: Mapping[str, Purpose]
) -> tuple[str, ...]:
    codes = str_list(where, raw, "purposes")
    if not codes:
        raise fail(f"{where}.purposes", "至少要有一个使用用途")
    for purpose in codes:
        if purpose not in purposes:
            raise fail(f"{where}.purposes", f"未知的使用用途 {purpose!r}")
        if purposes[purpose].kind == "platform":
            raise fail(f"{where}.purposes", f"{purpose!r} 是平台工作，不是数据的使用用途")
    return codes


def build_fact(where: str, raw: object) -> FactSpec:
    if not isinstance(raw, dict):
        raise fail(where, "应为表")
    check_keys(where, raw, FACT_KEYS)
    if ("type" in raw) == ("type_by" in raw):
        raise fail(where, "type 与 type_by 须二选一")
    if "type" in raw:
        if "type_map" in raw:
            raise fail(where, "固定类型（type）不能再给 type_map")
        return FactSpec(type=typed(where, raw, "type", str))
    type_map = need(where, raw, "type_map", dict)
    if not type_map or not all(isinstance(v, str) for v in type_map.values()):
        raise fail(f"{where}.type_map", "应为“代码 = 事实类型”的非空表")
    return FactSpec(
        type_by=typed(where, raw, "type_by", str), type_map=MappingProxyType(dict(type_map))
    )


def build_field(
    where: str,
    entry: object,
    code_lists: Mapping[str, CodeList],
    shared: Mapping[str, Mapping[str, Any]],
) -> FieldSpec:
    if not isinstance(entry, dict):
        raise fail(where, "字段定义应为表")
    check_keys(where, entry, FIELD_KEYS)
    raw = resolve_use(where, entry, shared)
    ftype = enum_value(f"{where}.type", need(where, raw, "type", str), FieldType)
    code_list = None
    if "code_list" in raw:
        name = typed(where, raw, "code_list", str)
        if name not in code_lists:
            raise fail(f"{where}.code_list", f"未知的代码表 {name!r}")
        code_list = code_lists[name]
    if (ftype is FieldType.CODE) != (code_list is not None):
        raise fail(where, "代码型（code）字段必须且只有它可以指定 code_list")
    return FieldSpec(
        key=need(where, raw, "key", str),
        header=need(where, raw, "header", str).strip(),
        type=ftype,
        target=build_target(where, raw),
        required=bool(typed(where, raw, "required", bool)) if "required" in raw else False,
        required_when=build_condition(where, raw),
        code_list=code_list,
        id_policy=build_id_policy(where, raw, ftype),
        aliases=str_list(where, raw, "aliases"),
        max_length=optional_int(where, raw, "max_length", ftype, (FieldType.TEXT, FieldType.NAME)),
        min_value=optional_int(where, raw, "min", ftype, (FieldType.INT,)),
        max_value=optional_int(where, raw, "max", ftype, (FieldType.INT,)),
        example=typed(where, raw, "example", str) if "example" in raw else None,
        note=typed(where, raw, "note", str) if "note" in raw else "",
    )


def resolve_use(
    where: str, entry: Mapping[str, Any], shared: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    if "use" not in entry:
        return dict(entry)
    name = typed(where, entry, "use", str)
    if name not in shared:
        raise fail(f"{where}.use", f"fields.toml 中没有共用字段 {name!r}")
    merged = {**shared[name], **entry}
    del merged["use"]
    return merged


def build_target(where: str, raw: Mapping[str, Any]) -> str:
    target = typed(where, raw, "to", str) if "to" in raw else TARGET_EXTRA
    kind, _, name = target.partition(".")
    ok = (
        target in (TARGET_EXTRA, TARGET_RECORD_ID)
        or (kind == "subject" and name in SUBJECT_TARGETS)
        or (kind == "fact" and name in _fact_field_names())
    )
    if not ok:
        raise fail(f"{where}.to", f"未知的映射目标 {target!r}")
    return str(target)


def _fact_field_names() -> frozenset[str]:
    return frozenset().union(*ROLE_FACTS["person"].values())


def build_condition(where: str, raw: Mapping[str, Any]) -> Condition | None:
    if "required_when" not in raw:
        return None
    cond = typed(where, raw, "required_when", dict)
    check_keys(f"{where}.required_when", cond, frozenset({"field", "codes"}))
    return Condition(
        field=need(f"{where}.required_when", cond, "field", str),
        codes=str_list(f"{where}.required_when", cond, "codes"),
    )


def build_id_policy(where: str, raw: Mapping[str, Any], ftype: FieldType) -> IdPolicy | None:
    if ftype is not FieldType.ID_NUMBER:
        if "id_policy" in raw:
            raise fail(f"{where}.id_policy", "只有身份证号字段可以指定 id_policy")
        return None
    return enum_value(f"{where}.id_policy", raw.get("id_policy", "strict"), IdPolicy)


def optional_int(
    where: str, raw: Mapping[str, Any], key: str, ftype: FieldType, allowed: tuple[FieldType, ...]
) -> int | None:
    if key not in raw:
        return None
    if ftype not in allowed:
        raise fail(f"{where}.{key}", f"{ftype.value} 型字段不能指定 {key}")
    return int(typed(where, raw, key, int))


def check_item(where: str, item: DataItem) -> None:
    check_field_uniqueness(where, item)
    check_conditions(where, item)
    check_sealed(where, item)
    targets = [spec.target for spec in item.fields if spec.target != TARGET_EXTRA]
    if "subject.id_number" not in targets and "subject.name" not in targets:
        raise fail(where, "至少要有身份证号或姓名列（映射到 subject.id_number 或 subject.name）")
    if item.fact is None:
        if any(spec.target_kind == "fact" for spec in item.fields):
            raise fail(where, "没有 fact 定义的数据项不能把列映射到事实字段")
        return
    check_fact(where, item, item.fact)


def check_sealed(where: str, item: DataItem) -> None:
    """加密存放的只能是自由文本（记录编号、附加信息、病种）：日期、代码、号码、姓名和事实类型
    留作明文，批量规则要在 SQL 里用它们。"""
    keys = {spec.key for spec in item.fields}
    for key in item.sealed_fields:
        if key not in keys:
            raise fail(f"{where}.sealed_fields", f"没有字段 {key!r}")
        spec = item.field(key)
        sealable = spec.target in (TARGET_RECORD_ID, TARGET_EXTRA) or (
            spec.target_kind == "fact" and spec.target_name in SEALABLE_FACT_FIELDS
        )
        if spec.type is not FieldType.TEXT or not sealable:
            raise fail(f"{where}.sealed_fields", f"字段 {key!r} 不是自由文本，不能加密存放")


def check_field_uniqueness(where: str, item: DataItem) -> None:
    seen_keys: set[str] = set()
    seen_headers: dict[str, str] = {}
    seen_targets: set[str] = set()
    for spec in item.fields:
        if spec.key in seen_keys or not _CODE_RE.match(spec.key):
            raise fail(where, f"字段键 {spec.key!r} 重复或不合规")
        seen_keys.add(spec.key)
        if spec.target != TARGET_EXTRA and spec.target in seen_targets:
            raise fail(where, f"映射目标 {spec.target} 被多个字段使用")
        seen_targets.add(spec.target)
        for text in (spec.header, *spec.aliases):
            norm = header_key(text)
            if not norm or seen_headers.get(norm, spec.key) != spec.key:
                raise fail(where, f"表头或别名 {text!r} 为空或与其他字段重复")
            seen_headers[norm] = spec.key


def check_conditions(where: str, item: DataItem) -> None:
    keys = {spec.key: spec for spec in item.fields}
    for spec in item.fields:
        cond = spec.required_when
        if cond is None:
            continue
        other = keys.get(cond.field)
        if other is None or other.code_list is None:
            raise fail(f"{where}.{spec.key}.required_when", f"{cond.field!r} 不是本项的代码型字段")
        unknown = set(cond.codes) - set(other.code_list.codes)
        if unknown or not cond.codes:
            raise fail(f"{where}.{spec.key}.required_when", f"代码无效：{sorted(unknown)}")


def check_fact(where: str, item: DataItem, fact: FactSpec) -> None:
    allowed = ROLE_FACTS[item.subject_role]
    if fact.type_by is not None:
        check_type_by(where, item, fact)
    for fact_type in fact.fact_types:
        if fact_type not in allowed:
            raise fail(f"{where}.fact", f"{fact_type!r} 不是 {item.subject_role} 的事实类型")
    mapped = {spec.target_name: spec for spec in item.fields if spec.target_kind == "fact"}
    for name, spec in mapped.items():
        users = [t for t in fact.fact_types if name in allowed[t]]
        if not users:
            raise fail(f"{where}.{spec.key}", f"事实类型 {fact.fact_types} 都没有字段 {name}")
        for fact_type in users:
            check_kind(f"{where}.{spec.key}", spec, field_kind(fact_type, name))
    for fact_type in fact.fact_types:
        for name in ESSENTIAL_FACT_FIELDS[fact_type]:
            essential = mapped.get(name)
            if essential is None or not essential.required:
                raise fail(where, f"事实类型 {fact_type} 需要必填列映射到 fact.{name}")


def check_type_by(where: str, item: DataItem, fact: FactSpec) -> None:
    spec = next((s for s in item.fields if s.key == fact.type_by), None)
    if spec is None or spec.code_list is None or not spec.required:
        raise fail(f"{where}.fact.type_by", f"{fact.type_by!r} 应为本项必填的代码型字段")
    if set(fact.type_map) != set(spec.code_list.codes):
        raise fail(f"{where}.fact.type_map", f"应为代码表 {spec.code_list.key} 的每个代码指定类型")
    if spec.target != TARGET_EXTRA:
        raise fail(f"{where}.{spec.key}", "决定事实类型的列不能再映射到其他目标")


def check_kind(where: str, spec: FieldSpec, kind: ValueKind) -> None:
    if spec.type not in _KIND_TYPES[kind]:
        raise fail(where, f"{spec.type.value} 型字段不能映射到取值为 {kind.value} 的事实字段")
    codes = spec.code_list.codes if spec.code_list is not None else ()
    if kind is ValueKind.INT and not all(code.isdigit() for code in codes):
        raise fail(where, "映射到整数字段的代码表，代码须都是数字")
