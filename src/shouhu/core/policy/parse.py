"""docs/formats/assess.md 的个案 JSON → `CaseInput`；不合格时抛 InvalidInput，指明案例和字段路径。

错误消息形如：`案例 c17：father.facts[2].type 未知的事实类型 "jailed"`。消息只回显字段名和
事实类型这类词汇，不回显日期、身份证号、姓名等个人信息。
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from shouhu.core.errors import InvalidInput
from shouhu.core.identity import is_valid_id_number, normalize_id_number
from shouhu.core.policy.dates import parse_iso_date
from shouhu.core.policy.model import CaseInput, Fact, Person
from shouhu.core.policy.vocabulary import (
    BOOL_FIELDS,
    CHILD_FIELDS,
    DATE_FIELDS,
    DISABILITY_CATEGORIES,
    DISABILITY_LEVELS,
    PARENT_FIELDS,
)

CASE_KEYS: Final = frozenset({"case_id", "as_of", "region", "child", "father", "mother"})
# Descriptive keys a caller may send about a person (gender, division) do not enter the decision.
CHILD_KEYS: Final = frozenset(
    {"id_number", "name", "birth_date", "facts", "gender", "division_code"}
)
PARENT_KEYS: Final = CHILD_KEYS


class _Bad(Exception):
    """内部：某个路径上的问题；由 case_from_json 加上案例标签。"""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem


def _token(value: object) -> str:
    text = str(value)
    return '"' + (text if len(text) <= 40 else text[:40] + "…") + '"'


def case_from_json(
    obj: object,
    *,
    default_as_of: date | None = None,
    default_region: str | None = None,
    case_label: str | None = None,
) -> CaseInput:
    """解析一个个案对象。as_of、region 缺省时取 default_*（对应命令的 --as-of、--region）。"""
    label = case_label or _label_of(obj) or "?"
    try:
        return _case(obj, default_as_of, default_region)
    except _Bad as bad:
        where = f"{bad.path} " if bad.path else ""
        raise InvalidInput(f"案例 {label}：{where}{bad.problem}") from None


def cases_from_json(
    data: object, *, default_as_of: date | None = None, default_region: str | None = None
) -> tuple[list[CaseInput], bool]:
    """一个个案对象或其列表 → (个案列表, 输入是否为单个对象)。"""
    if isinstance(data, dict):
        return [
            case_from_json(data, default_as_of=default_as_of, default_region=default_region)
        ], True
    if not isinstance(data, list):
        raise InvalidInput("输入应为一个个案对象或个案对象的列表")
    cases = [
        case_from_json(
            item,
            default_as_of=default_as_of,
            default_region=default_region,
            case_label=_label_of(item) or f"#{i + 1}",
        )
        for i, item in enumerate(data)
    ]
    return cases, False


def _label_of(obj: object) -> str | None:
    if isinstance(obj, dict):
        cid = obj.get("case_id")
        if isinstance(cid, str | int) and not isinstance(cid, bool) and str(cid):
            return str(cid)
    return None


def _case(obj: object, default_as_of: date | None, default_region: str | None) -> CaseInput:
    if not isinstance(obj, dict):
        raise _Bad("", "个案应为 JSON 对象")
    _no_unknown(obj, CASE_KEYS, "")
    case_id = obj.get("case_id")
    if case_id is not None and (isinstance(case_id, bool) or not isinstance(case_id, str | int)):
        raise _Bad("case_id", "应为字符串")
    as_of = _date(obj, "as_of", "") if obj.get("as_of") is not None else default_as_of
    if as_of is None:
        raise _Bad("as_of", "缺少认定日期（可用 --as-of 指定）")
    region = obj.get("region", None)
    region = default_region if region is None else region
    if region is not None and not (
        isinstance(region, str) and len(region) == 6 and region.isdigit()
    ):
        raise _Bad("region", "应为6位行政区划代码")
    if "child" not in obj or obj["child"] is None:
        raise _Bad("child", "缺少儿童信息")
    child = _person(obj["child"], "child", CHILD_FIELDS)
    if child.birth_date is None and not (
        child.id_number and is_valid_id_number(child.id_number, today=as_of)
    ):
        raise _Bad(
            "child.birth_date", "缺少出生日期，且 child.id_number 不是有效的18位公民身份号码"
        )
    father = _parent(obj, "father")
    mother = _parent(obj, "mother")
    return CaseInput(as_of, child, father, mother, region, case_id)


def _parent(obj: Mapping[str, Any], key: str) -> Person | None:
    raw = obj.get(key)
    return None if raw is None else _person(raw, key, PARENT_FIELDS)


def _no_unknown(obj: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    for key in obj:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise _Bad(where, "未知的字段")


def _person(raw: object, path: str, schema: Mapping[str, tuple[str, ...]]) -> Person:
    if not isinstance(raw, dict):
        raise _Bad(path, "应为 JSON 对象")
    _no_unknown(raw, CHILD_KEYS, path)
    id_number = raw.get("id_number")
    if id_number is not None and not isinstance(id_number, str):
        raise _Bad(f"{path}.id_number", "应为字符串")
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise _Bad(f"{path}.name", "应为字符串")
    birth = _date(raw, "birth_date", path) if raw.get("birth_date") is not None else None
    facts_raw = raw.get("facts")
    facts_raw = [] if facts_raw is None else facts_raw
    if not isinstance(facts_raw, list):
        raise _Bad(f"{path}.facts", "应为列表")
    facts = tuple(_fact(f, f"{path}.facts[{i}]", schema) for i, f in enumerate(facts_raw))
    cleaned = normalize_id_number(id_number) if id_number else ""
    return Person(facts=facts, id_number=cleaned or None, birth_date=birth)


def _date(obj: Mapping[str, Any], key: str, path: str) -> date:
    value = parse_iso_date(obj[key])
    if value is None:
        where = f"{path}.{key}" if path else key
        raise _Bad(where, "日期无效，应为 YYYY-MM-DD（1800—2199年）")
    return value


def _fact(raw: object, path: str, schema: Mapping[str, tuple[str, ...]]) -> Fact:
    if not isinstance(raw, dict):
        raise _Bad(path, "应为 JSON 对象")
    fact_type = raw.get("type")
    if not isinstance(fact_type, str):
        raise _Bad(f"{path}.type", "缺少事实类型")
    if fact_type not in schema:
        raise _Bad(f"{path}.type", f"未知的事实类型 {_token(fact_type)}")
    allowed = schema[fact_type]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "type":
            continue
        if key not in allowed:
            raise _Bad(f"{path}.{key}", f"{fact_type} 事实没有这个字段")
        if value is not None:
            values[key] = _field_value(fact_type, key, value, f"{path}.{key}")
    return Fact(type=fact_type, **values)


def _field_value(fact_type: str, key: str, value: object, path: str) -> object:
    if key in DATE_FIELDS:
        parsed = parse_iso_date(value)
        if parsed is None:
            raise _Bad(path, "日期无效，应为 YYYY-MM-DD（1800—2199年）")
        return parsed
    if key in BOOL_FIELDS:
        if not isinstance(value, bool):
            raise _Bad(path, "应为 true 或 false")
        return value
    if key == "level":
        return _level(fact_type, value, path)
    if key == "category":
        if value not in DISABILITY_CATEGORIES:
            raise _Bad(path, f"残疾类别应为 {'、'.join(DISABILITY_CATEGORIES)} 之一")
        return value
    if not isinstance(value, str) or not value.strip():
        raise _Bad(path, "应为非空字符串")
    return value.strip()


def _level(fact_type: str, value: object, path: str) -> str:
    if fact_type == "severe_disability":
        level = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if level not in DISABILITY_LEVELS:
            raise _Bad(path, f"残疾等级应为 {'、'.join(DISABILITY_LEVELS)} 之一")
        return level
    if not isinstance(value, str) or not value.strip():
        raise _Bad(path, "学段应为非空字符串")
    return value.strip()
