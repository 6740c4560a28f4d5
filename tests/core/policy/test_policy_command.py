"""`shouhu assess`（docs/formats/assess.md）与输入校验：坏输入以状态 2 退出，消息指明案例和字段，
标准输出为空；父母省略、null、{} 的含义。"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner
from policy_cases import DEAD, JAILED, case_json

from shouhu.cli import main
from shouhu.core.errors import InvalidInput
from shouhu.core.policy import case_from_json


def invoke(data: Any, *args: str, raw: str | None = None) -> Any:
    text = raw if raw is not None else json.dumps(data, ensure_ascii=False)
    return CliRunner().invoke(main, ["assess", "-", *args], input=text)


def test_single_object_gives_single_result() -> None:
    result = invoke(case_json(father=[JAILED], mother=[DEAD]))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["status"] == "eligible"
    assert out["category"] == "de_facto_unsupported"
    assert out["reviews_per_year"] == 2
    assert out["case_id"] == "t"


def test_list_gives_list_and_defaults_fill_missing_as_of_and_region() -> None:
    one = case_json(father=[DEAD], mother=[DEAD])
    two = case_json(father=[JAILED], mother=[])
    for c in (one, two):
        del c["as_of"], c["region"]
    result = invoke([one, two], "--as-of", "2030-03-04", "--region", "370114")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [r["status"] for r in out] == ["not_eligible", "not_eligible"]
    assert out[0]["as_of"] == "2030-03-04"
    assert out[0]["param_region"] == "370114"


def test_reads_a_file_path(tmp_path: Any) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([case_json(father=[DEAD], mother=[DEAD])]), encoding="utf-8")
    result = CliRunner().invoke(main, ["assess", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["category"] == "orphan"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda c: c["father"]["facts"].append({"type": "jailed"}),
            '案例 t：father.facts[0].type 未知的事实类型 "jailed"',
        ),
        (
            lambda c: c["mother"]["facts"].append({"type": "deceased", "date": "2020-13-01"}),
            "案例 t：mother.facts[0].date",
        ),
        (lambda c: c.pop("child"), "案例 t：child 缺少儿童信息"),
        (lambda c: c["child"].update(birth_date="2012/03/04"), "案例 t：child.birth_date 日期无效"),
        (
            lambda c: c["father"]["facts"].append({"type": "deceased", "when": "2020-01-01"}),
            "案例 t：father.facts[0].when",
        ),
        (lambda c: c.update(nickname="x"), "案例 t：nickname 未知的字段"),
        (lambda c: c.update(as_of="tomorrow"), "案例 t：as_of 日期无效"),
        (lambda c: c.update(region="15080"), "案例 t：region"),
        (
            lambda c: c["father"]["facts"].append({"type": "severe_disability", "level": 5}),
            "father.facts[0].level",
        ),
        (
            lambda c: c["father"]["facts"].append({"type": "severe_disability", "category": "x"}),
            "father.facts[0].category",
        ),
        (
            lambda c: c["father"]["facts"].append({"type": "imprisoned", "life": "yes"}),
            "father.facts[0].life",
        ),
    ],
)
def test_bad_input_exits_2_naming_case_and_field(mutate: Any, expected: str) -> None:
    good = case_json(father=[], mother=[])
    bad = case_json(father=[], mother=[])
    mutate(bad)
    result = invoke([good, bad])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr


def test_case_without_id_is_named_by_position() -> None:
    bad = case_json(father=[], mother=[])
    del bad["case_id"]
    bad["child"]["facts"] = [{"type": "flying"}]
    result = invoke([case_json(), bad])
    assert result.exit_code == 2
    assert "案例 #2：child.facts[0].type" in result.stderr


def test_missing_as_of_without_default_is_an_error() -> None:
    c = case_json()
    del c["as_of"]
    result = invoke(c)
    assert result.exit_code == 2
    assert "as_of" in result.stderr


def test_invalid_json_exits_2() -> None:
    result = invoke(None, raw="{not json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "JSON" in result.stderr


def test_bad_as_of_option_exits_2() -> None:
    assert invoke(case_json(), "--as-of", "2026-02-30").exit_code == 2


def test_error_message_does_not_echo_personal_data() -> None:
    c = case_json()
    c["child"]["birth_date"] = "1999-99-99"
    with pytest.raises(InvalidInput) as info:
        case_from_json(c)
    assert "1999-99-99" not in info.value.message


def test_birth_date_may_be_omitted_with_a_valid_id() -> None:
    case = case_from_json(case_json(birth=None, id_number="15080220120304002X"))
    assert case.child.birth_date is None
    assert case.child.id_number == "15080220120304002X"


def test_birth_date_required_without_a_valid_id() -> None:
    with pytest.raises(InvalidInput, match=r"child\.birth_date 缺少出生日期"):
        case_from_json(case_json(birth=None, id_number="150802201203040021"))


def test_parent_omitted_or_null_is_unknown_but_empty_object_is_known() -> None:
    base = case_json(father=[DEAD])
    base["mother"] = {}
    assert case_from_json(base).mother is not None
    base["mother"] = None
    assert case_from_json(base).mother is None
    del base["mother"]
    assert case_from_json(base).mother is None


def test_parsed_fact_fields() -> None:
    c = case_json(
        father=[
            {
                "type": "severe_disability",
                "level": 3,
                "category": "mental",
                "valid_until": "2027-01-01",
            }
        ]
    )
    fact = case_from_json(c).father.facts[0]  # type: ignore[union-attr]
    assert (fact.level, fact.category, fact.valid_until) == ("3", "mental", date(2027, 1, 1))
