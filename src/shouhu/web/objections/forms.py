"""把答复表单里的更正字段解析成 FactChanges；格式不对给出中文说明。"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from shouhu.core.catalog.facts import fact_fields
from shouhu.core.errors import InvalidInput
from shouhu.core.exchange.values import BadValue, parse_date
from shouhu.core.policy.vocabulary import FIELD_LABELS
from shouhu.web.exchange.models import Fact
from shouhu.web.objections.services import CORRECTABLE, FactChanges

FIELD_PREFIX: Final = "f_"
_TEXT_LIMITS: Final = {"level": 16, "category": 16, "disease": 100}
_DATES: Final = frozenset({"date", "start", "end", "valid_until"})
_BOOLS: Final = {"": None, "yes": True, "no": False}


def parse_changes(data: Mapping[str, str], fact: Fact) -> FactChanges:
    """表单中出现的、这类事实可带的字段；空值表示清空。"""
    allowed = fact_fields(fact.type)
    values: dict[str, object] = {}
    for name in CORRECTABLE:
        key = FIELD_PREFIX + name
        if name in allowed and key in data:
            values[name] = _parse(name, data[key].strip())
    return FactChanges(values)


def _parse(name: str, text: str) -> object:
    label = FIELD_LABELS[name]
    if name in _DATES:
        if not text:
            return None
        try:
            return parse_date(text)
        except BadValue as exc:
            raise InvalidInput(f"「{label}」{exc.problem}。") from None
    if name in _TEXT_LIMITS:
        if len(text) > _TEXT_LIMITS[name]:
            raise InvalidInput(f"「{label}」不能超过 {_TEXT_LIMITS[name]} 个字。")
        return text
    if text not in _BOOLS:
        raise InvalidInput(f"「{label}」应为“是”“否”或“不详”。")
    return _BOOLS[text]
