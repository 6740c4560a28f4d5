"""The shipped table covers all of China to county level (NBS 2023 codes; docs in divisions.md)."""

from __future__ import annotations

from shouhu.core.identity import division_table

TABLE = division_table()


def _count(level: str, under: str | None = None) -> int:
    rows = TABLE.descendants(under) if under else tuple(TABLE)
    return sum(1 for d in rows if d.level == level)


def test_every_province_city_and_county_of_the_mainland_is_there():
    assert _count("province") == 34
    assert _count("city") == 342
    assert _count("county") == 2851
    assert _count("county", "370000") == 136  # 山东省
    assert _count("county", "150000") == 103  # 内蒙古自治区
    assert _count("city", "440000") == 21  # 广东省


def test_municipalities_and_directly_administered_counties_have_a_city_level_parent():
    assert TABLE.get("110101").parent_code == "110100"  # 北京市 › 市辖区 › 东城区
    hubei_direct = [d.name for d in TABLE.children("429000")]
    assert hubei_direct == ["仙桃市", "潜江市", "天门市", "神农架林区"]
    assert TABLE.children("441900") == ()  # 东莞市: towns sit directly under the city


def test_functional_zones_are_not_shipped():
    assert not [d.code for d in TABLE if d.level == "county" and d.code[4] == "7"]
