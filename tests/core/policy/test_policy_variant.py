"""拟议参数（规则变更模拟）：覆盖本地区及下级地区的同名参数，别处不变；清单按增删修改。"""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from shouhu.core.policy import PolicyParams, load_params
from shouhu.core.policy.variant import (
    InvalidVariant,
    names_change_text,
    names_edit,
    params_with_variant,
    variant_check,
)

ON = date(2026, 11, 1)
COUNTY_FILE = """region = "150802"
name = "临河区"
[sources.s]
title = "某文件"
[[reviews_per_year.orphan]]
value = 3
source = "s"
clause = "第一条"
"""


def _with_county_file() -> PolicyParams:
    root = resources.files("shouhu.core.policy") / "params"
    texts = {
        f.name: f.read_text(encoding="utf-8") for f in root.iterdir() if f.name.endswith(".toml")
    }
    return PolicyParams.from_texts({**texts, "150802.toml": COUNTY_FILE})


def test_a_city_variant_overrides_its_counties_own_values_and_nothing_outside() -> None:
    params = _with_county_file()
    assert params.resolve("150802", ON).values["reviews_per_year.orphan"] == 3
    proposed = params_with_variant(
        params, "150800", variant_check({"reviews_per_year.orphan": "4"})
    )
    assert proposed.resolve("150802", ON).values["reviews_per_year.orphan"] == 4
    assert proposed.resolve("150821", ON).values["reviews_per_year.orphan"] == 4
    assert proposed.resolve("370114", ON).values["reviews_per_year.orphan"] == 0
    # the other values of the county file and the rest of the chain are untouched
    for region in ("150802", "370114"):
        before, after = params.resolve(region, ON).values, proposed.resolve(region, ON).values
        assert {k for k in before if before[k] != after[k]} <= {"reviews_per_year.orphan"}


def test_a_county_variant_needs_no_file_of_its_own() -> None:
    params = load_params()
    assert "150821" not in params.regions
    proposed = params_with_variant(
        params, "150821", variant_check({"past_18_in_school.supported": "是"})
    )
    assert proposed.resolve("150821", ON).values["past_18_in_school.supported"] is True
    assert proposed.resolve("150802", ON).values["past_18_in_school.supported"] is False


def test_lists_are_edited_by_adding_and_removing() -> None:
    current = ("恶性肿瘤", "白血病")
    assert names_edit("severe_illness.list", current, "渐冻症\n", "白血病") == [
        "恶性肿瘤",
        "渐冻症",
    ]
    assert names_edit("severe_illness.list", current, " ", "") is None
    with pytest.raises(InvalidVariant, match="“重病病种目录”中要删去的“哮喘”不在现行目录中"):
        names_edit("severe_illness.list", current, "", "哮喘")
    assert names_change_text(current, ["恶性肿瘤", "渐冻症"]) == "增加渐冻症；删去白血病"
