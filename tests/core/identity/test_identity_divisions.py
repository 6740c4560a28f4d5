from __future__ import annotations

import pytest

from shouhu.core.identity import (
    LEVELS,
    InvalidDivisionCode,
    canonical_division_code,
    division_level_of,
    division_table,
)

TABLE = division_table()


def codes(divisions: object) -> list[str]:
    return [d.code for d in divisions]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- table consistency


def test_every_parent_exists_one_level_up_and_contains_the_child() -> None:
    for division in TABLE:
        if division.level == "province":
            assert division.parent_code is None
            continue
        assert division.parent_code is not None
        parent = TABLE.get(division.parent_code)
        assert parent is not None, division.code
        assert LEVELS.index(parent.level) == LEVELS.index(division.level) - 1
        assert TABLE.is_within(division.code, parent.code)


def test_levels_match_code_shapes() -> None:
    for division in TABLE:
        assert division_level_of(division.code) == division.level
        assert canonical_division_code(division.code) == division.code
        assert division.name.strip() == division.name != ""


def test_only_villages_are_synthetic() -> None:
    for division in TABLE:
        assert division.synthetic == (division.level == "village"), division.code


def test_all_34_province_level_units_are_present() -> None:
    provinces = [d for d in TABLE if d.level == "province"]
    assert len(provinces) == 34
    assert {"150000", "370000", "340000", "710000", "810000", "820000"} <= set(codes(provinces))


def test_bayannur_has_all_seven_county_level_units() -> None:
    assert [(d.code, d.name) for d in TABLE.children("150800")] == [
        ("150802", "临河区"),
        ("150821", "五原县"),
        ("150822", "磴口县"),
        ("150823", "乌拉特前旗"),
        ("150824", "乌拉特中旗"),
        ("150825", "乌拉特后旗"),
        ("150826", "杭锦后旗"),
    ]


def test_inner_mongolia_has_its_twelve_leagues_and_cities() -> None:
    names = {d.name for d in TABLE.children("150000")}
    assert len(names) == 12
    assert {"呼和浩特市", "巴彦淖尔市", "兴安盟", "锡林郭勒盟", "阿拉善盟"} <= names


def test_weifang_has_all_districts_counties_and_cities() -> None:
    assert codes(TABLE.children("370700")) == [
        "370702", "370703", "370704", "370705", "370724", "370725",
        "370781", "370782", "370783", "370784", "370785", "370786",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "name"),
    [("370114", "章丘区"), ("341324", "泗县"), ("341300", "宿州市"), ("370100", "济南市")],
)
def test_seed_regions_are_present(code: str, name: str) -> None:
    division = TABLE.get(code)
    assert division is not None
    assert division.name == name


def test_every_linhe_township_has_three_to_eight_villages() -> None:
    townships = TABLE.children("150802")
    assert len(townships) >= 20
    assert TABLE.get("150802102") is not None  # 干召庙镇
    for township in townships:
        assert township.level == "township"
        assert 3 <= len(TABLE.children(township.code)) <= 8, township.code


# ---------------------------------------------------------------- navigation


def test_ancestors_are_root_first() -> None:
    assert codes(TABLE.ancestors("150802102200")) == ["150000", "150800", "150802", "150802102"]
    assert TABLE.ancestors("150000") == ()


def test_ancestors_of_a_village_missing_from_the_table_come_from_its_code() -> None:
    assert codes(TABLE.ancestors("150802102299")) == ["150000", "150800", "150802", "150802102"]


def test_descendants_cover_the_whole_subtree() -> None:
    below = codes(TABLE.descendants("150800"))
    assert "150802" in below
    assert "150802102200" in below
    assert "150800" not in below
    assert len(below) == len(set(below))
    assert all(TABLE.is_within(code, "150800") for code in below)
    linhe = [d for d in TABLE if d.code.startswith("150802") and d.code != "150802"]
    assert len(TABLE.descendants("150802")) == len(linhe)


@pytest.mark.parametrize(
    ("code", "ancestor", "expected"),
    [
        ("150802102200", "150802", True),
        ("150802102200", "150800", True),
        ("150802102200", "150000", True),
        ("150802102200", "150802102", True),
        ("150802", "150802", True),
        ("150802102200", "150821", False),
        ("150802102200", "370000", False),
        ("150802", "150802102", False),
        ("150802102299", "150802", True),
        ("150802000000", "150800", True),
        ("1508", "150000", True),
        ("370114", "370100", True),
        ("370114", "370700", False),
        ("abc", "150000", False),
        ("150802", "15080", False),
    ],
)
def test_is_within(code: str, ancestor: str, expected: bool) -> None:
    assert TABLE.is_within(code, ancestor) is expected


def test_get_accepts_zero_padded_codes_and_rejects_garbage_quietly() -> None:
    assert TABLE.get("150802000000") == TABLE.get("150802")
    assert TABLE.get("not-a-code") is None
    assert TABLE.children("???") == ()
    assert "150802" in TABLE
    assert "999999" not in TABLE


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("150000", "province"),
        ("150800", "city"),
        ("152900", "city"),
        ("150802", "county"),
        ("150802102", "township"),
        ("150802102200", "village"),
        ("150802000000", "county"),
        ("150000000000", "province"),
        ("150802102000", "township"),
    ],
)
def test_level_from_code_shape(code: str, level: str) -> None:
    assert division_level_of(code) == level


@pytest.mark.parametrize(
    "bad", ["", "1508021", "15080210", "1508021022001", "15o802", "１５０８０２"]
)
def test_malformed_codes_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidDivisionCode):
        division_level_of(bad)


def test_table_is_loaded_once() -> None:
    assert division_table() is TABLE
    assert len(TABLE) == len(list(TABLE))
