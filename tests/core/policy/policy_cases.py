"""构造测试个案的小工具（assess-format 的 JSON，经 case_from_json 解析）。"""

from __future__ import annotations

from datetime import date
from typing import Any

from shouhu.core.policy import Assessment, assess_case, case_from_json

AS_OF = "2026-11-01"
BIRTH = "2012-03-04"  # 2030-03-04 满18周岁
UNSET: Any = object()


def case_json(
    *,
    father: Any = UNSET,
    mother: Any = UNSET,
    child: list[dict[str, Any]] | None = None,
    as_of: str = AS_OF,
    birth: str | None = BIRTH,
    id_number: str | None = None,
    region: str | None = "150800",
) -> dict[str, Any]:
    """father/mother 给事实列表；None 表示该方未登记；省略表示已登记、无事实。"""
    kid: dict[str, Any] = {"facts": child or []}
    if birth is not None:
        kid["birth_date"] = birth
    if id_number is not None:
        kid["id_number"] = id_number
    obj: dict[str, Any] = {"case_id": "t", "as_of": as_of, "child": kid}
    if region is not None:
        obj["region"] = region
    for key, facts in (("father", father), ("mother", mother)):
        if facts is UNSET:
            obj[key] = {"facts": []}
        elif facts is not None:
            obj[key] = {"facts": facts}
    return obj


def run(**kwargs: Any) -> Assessment:
    return assess_case(case_from_json(case_json(**kwargs)))


def codes(a: Assessment) -> set[str]:
    return {r.code for r in a.reasons}


def d(text: str) -> date:
    return date.fromisoformat(text)


DEAD = {"type": "deceased", "date": "2020-05-01"}
JAILED = {"type": "imprisoned", "start": "2025-01-10", "end": "2031-01-09"}
