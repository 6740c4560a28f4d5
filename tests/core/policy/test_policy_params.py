"""参数即数据（issue 第2条，docs/rules.md §9）：校验、按地区和日期取值、改参数不改代码。"""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
from policy_cases import DEAD, case_json

from shouhu.core.policy import (
    InvalidPolicyParams,
    PolicyParams,
    assess_case,
    case_from_json,
    load_params,
)


def _builtin_texts() -> dict[str, str]:
    root = resources.files("shouhu.core.policy") / "params"
    return {
        f.name: f.read_text(encoding="utf-8") for f in root.iterdir() if f.name.endswith(".toml")
    }


def _with(filename: str, text: str) -> PolicyParams:
    return PolicyParams.from_texts({**_builtin_texts(), filename: text})


HEAD = 'region = "150800"\nname = "测试"\n[sources.s]\ntitle = "某文件"\n'


def test_builtin_params_load_for_the_seed_regions() -> None:
    params = load_params()
    assert {"000000", "150800", "370114", "370700", "341324"} <= set(params.regions)


def test_every_value_is_cited_or_marked_example() -> None:
    for region in load_params().regions.values():
        for entries in region.entries.values():
            for e in entries:
                assert e.example or (e.source is not None and e.clause), (region.region, e.name)


def test_amounts_not_in_the_seeds_are_examples() -> None:
    r = load_params().resolve("150800", date(2026, 1, 1))
    for rate in ("scattered_orphan", "institutional_orphan", "de_facto_unsupported"):
        assert r.entries[f"subsidy_fen.{rate}"].example
    assert r.entries["severe_illness.list"].example


def test_reviews_in_bayannur_cite_section_4_3() -> None:
    r = load_params().resolve("150800", date(2026, 1, 1))
    entry = r.entries["reviews_per_year.imprisoned"]
    assert entry.value == 2
    assert entry.source is not None
    assert entry.clause == "§4(三)"


@pytest.mark.parametrize(
    ("region", "subsidised"),
    [("150800", False), ("370114", True), ("370700", False), ("341324", True)],
)
def test_hiv_subsidy_is_on_only_where_the_seeds_say_so(region: str, subsidised: bool) -> None:
    assert (
        load_params().resolve(region, date(2026, 1, 1)).values["hiv_infected.subsidised"]
        is subsidised
    )


def test_past_18_schooling_is_off_in_all_seed_regions() -> None:
    for region in ("150800", "370114", "370700", "341324"):
        assert (
            load_params().resolve(region, date(2026, 1, 1)).values["past_18_in_school.supported"]
            is False
        )


def test_hiv_subsidy_starts_on_the_document_date() -> None:
    params = load_params()
    assert params.resolve("341324", date(2020, 3, 19)).values["hiv_infected.subsidised"] is False
    assert params.resolve("341324", date(2020, 3, 20)).values["hiv_infected.subsidised"] is True


def test_region_falls_back_to_city_province_and_national() -> None:
    params = load_params()
    assert params.param_region("150802") == "150800"
    assert params.param_region("110101") == "000000"
    assert params.param_region(None) == "000000"


def test_review_count_for_unlisted_condition_falls_back_to_default() -> None:
    r = load_params().resolve("370700", date(2026, 1, 1))
    assert r.values["reviews_per_year.deported"] == r.values["reviews_per_year.default"] == 1


CITED = 'source = "s"\nclause = "x"\n'


def entry(name: str, body: str) -> str:
    """一个参数取值条目的 TOML 文本。"""
    return f"[[{name}]]\n{body}"


DEFAULT = "reviews_per_year.default"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1\n" + HEAD, "未知的键 colour"),
        (HEAD + entry("reviews_per_year.typo", "value = 1\n" + CITED), "未知的参数"),
        (HEAD + entry(DEFAULT, "value = 1\nfrom_ = 2020-01-01\n" + CITED), "未知的键"),
        (HEAD + entry(DEFAULT, "value = 1\n"), "缺少出处"),
        (HEAD + entry(DEFAULT, "value = 1\nexample = true\n"), "须写 note"),
        (HEAD + entry(DEFAULT, 'value = 1\nsource = "nope"\nclause = "x"\n'), "不在本文件"),
        (HEAD + entry(DEFAULT, "value = -1\n" + CITED), "非负整数"),
        (HEAD + entry("hiv_infected.subsidised", "value = 1\n" + CITED), "true 或 false"),
        (
            HEAD
            + entry(DEFAULT, "value = 1\nfrom = 2020-01-01\n" + CITED)
            + entry(DEFAULT, "value = 2\nfrom = 2021-01-01\n" + CITED),
            "日期区间重叠",
        ),
        (
            HEAD + entry(DEFAULT, "value = 1\nfrom = 2022-01-01\nto = 2021-01-01\n" + CITED),
            "from 应早于 to",
        ),
    ],
)
def test_invalid_parameter_files_are_rejected(text: str, message: str) -> None:
    with pytest.raises(InvalidPolicyParams, match=message):
        _with("150800.toml", text)


def test_file_name_must_match_region() -> None:
    with pytest.raises(InvalidPolicyParams, match="文件名应与 region"):
        _with("150900.toml", HEAD)


def test_national_defaults_must_cover_all_dates() -> None:
    texts = _builtin_texts()
    texts["000000.toml"] = texts["000000.toml"].replace(
        "[[reviews_per_year.orphan]]\n", "[[reviews_per_year.orphan]]\nfrom = 2000-01-01\n"
    )
    with pytest.raises(InvalidPolicyParams, match=r"reviews_per_year\.orphan"):
        PolicyParams.from_texts(texts)


def test_changing_the_illness_list_changes_the_decision_without_code() -> None:
    case = case_from_json(
        case_json(father=[{"type": "severe_illness", "disease": "感冒"}], mother=[DEAD])
    )
    assert assess_case(case).status == "not_eligible"
    local = HEAD + entry("severe_illness.list", 'value = ["感冒"]\nfrom = 2026-01-01\n' + CITED)
    assessed = assess_case(case, params=_with("150800.toml", local))
    assert (assessed.status, assessed.category) == ("eligible", "de_facto_unsupported")


def test_changing_a_review_count_changes_the_result_without_code() -> None:
    case = case_from_json(
        case_json(father=[{"type": "deported", "date": "2024-01-01"}], mother=[DEAD])
    )
    assert assess_case(case).reviews_per_year == 1
    local = HEAD + '[[reviews_per_year.deported]]\nvalue = 4\nsource = "s"\nclause = "x"\n'
    assert assess_case(case, params=_with("150800.toml", local)).reviews_per_year == 4


def test_schooling_past_18_as_a_region_parameter() -> None:
    school = {"type": "in_school", "level": "undergraduate", "start": "2029-09-01"}
    case = case_from_json(
        case_json(as_of="2030-06-01", father=[DEAD], mother=[DEAD], child=[school])
    )
    assert assess_case(case).status == "not_eligible"
    local = HEAD + '[[past_18_in_school.supported]]\nvalue = true\nsource = "s"\nclause = "x"\n'
    assert assess_case(case, params=_with("150800.toml", local)).category == "orphan"


def test_segments_split_at_document_dates() -> None:
    segs = [
        s
        for s in load_params().segments()
        if s.region == "341324" and s.name == "hiv_infected.subsidised"
    ]
    assert [(s.value, s.valid_from, s.valid_to) for s in segs] == [
        (False, None, date(2020, 3, 20)),
        (True, date(2020, 3, 20), None),
    ]
