"""记录关联：每种“错法”能否找回本人，找不准时是否留空而不是乱猜。

一次关联跑完（模块级夹具）：背景是 3000 人的小地区与 1500 条脏记录（提供标注样本），
再加上为每种情形特意造的人和记录。
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from tests.engine.conftest import (
    FULL_WIDTH,
    Person,
    Region,
    facts_table,
    record_of,
    region_build,
    registry_table,
)

from shouhu.core.errors import DomainError
from shouhu.core.identity import check_digit
from shouhu.engine.linkage import LinkSettings, link_records, settings_default

SPECIAL = {
    "exact": Person("150802201003150014", "司马鑫淼", "M", date(2010, 3, 15), "150802"),
    "short": Person("150802198506070025", "欧阳晓峰", "F", date(1985, 6, 7), "150802"),
    "lower_x": Person("15080220120101002X", "公孙玲", "F", date(2012, 1, 1), "150802"),
    "typo": Person("150821200805050031", "诸葛文博", "M", date(2008, 5, 5), "150821"),
    "swap": Person("150821200907070047", "皇甫丽丽", "F", date(2009, 7, 7), "150821"),
    "letter_o": Person("150821201001020058", "端木青", "M", date(2010, 1, 2), "150821"),
    "missing": Person("150822201104040050", "尉迟浩然", "M", date(2011, 4, 4), "150822"),
    "homophone": Person("150822201206060061", "慕容静怡", "F", date(2012, 6, 6), "150822"),
    "traditional": Person("150823201308080073", "龙国华", "M", date(2013, 8, 8), "150823"),
    "twin_a": Person("150823201509090084", "上官明月", "F", date(2015, 9, 9), "150823"),
    "twin_b": Person("150823201509090287", "上官明月", "F", date(2015, 9, 9), "150823"),
    "other_life": Person("370114199001010096", "东方白", "F", date(1990, 1, 1), "370114"),
}


def _fixed(person: Person) -> Person:
    """特例人员的号码按 core 的规则补上正确的校验码（上面只写了前 17 位的意思）。"""
    return Person(
        person.id_number[:17] + check_digit(person.id_number[:17]),
        person.name,
        person.gender,
        person.birth,
        person.division,
    )


def _zeroed_pair() -> tuple[Person, Person]:
    """(号码末三位为 000 的人, 前 15 位与他相同的另一人)：后者的号码被 Excel 存成数字、
    只留 15 位有效数字时，写出来正是前者的号码。"""
    for month in range(1, 13):
        for day in range(1, 29):
            born = date(1988, month, day)
            first17 = f"150824{born:%Y%m%d}100"
            if check_digit(first17) == "0":
                owner = Person(first17 + "0", "钱多多", "F", born, "150824")
                other = Person(f"150824{born:%Y%m%d}124", "孙晓燕", "F", born, "150824")
                return owner, _fixed(other)
    raise AssertionError("没有这样的号码")


PEOPLE = {key: _fixed(p) for key, p in SPECIAL.items()}
PEOPLE["zeroed_owner"], PEOPLE["zeroed"] = _zeroed_pair()


def _typo(number: str) -> str:
    return number[:9] + str((int(number[9]) + 3) % 10) + number[10:]


def _swap(number: str) -> str:
    i = next(i for i in range(12, 16) if number[i] != number[i + 1])
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def _special_records() -> dict[str, dict[str, str | None]]:
    p = PEOPLE
    short = p["short"].id_number
    return {
        "exact": record_of(p["exact"], "s_exact"),
        "short": record_of(p["short"], "s_short", id_number=short[:6] + short[8:17]),
        "full_width": record_of(
            p["exact"], "s_full_width", id_number=p["exact"].id_number.translate(FULL_WIDTH)
        ),
        "spaces": record_of(
            p["exact"], "s_spaces", id_number=" 150802 2010-0315 " + p["exact"].id_number[14:]
        ),
        "lower_x": record_of(p["lower_x"], "s_lower_x", id_number=p["lower_x"].id_number.lower()),
        "typo": record_of(p["typo"], "s_typo", id_number=_typo(p["typo"].id_number)),
        "swap": record_of(p["swap"], "s_swap", id_number=_swap(p["swap"].id_number)),
        "letter_o": record_of(
            p["letter_o"],
            "s_letter_o",
            id_number=p["letter_o"].id_number[:8] + "O" + p["letter_o"].id_number[9:],
        ),
        "missing": record_of(p["missing"], "s_missing", id_number=None),
        "homophone": record_of(p["homophone"], "s_homophone", id_number="", name="慕容敬怡"),
        "traditional": record_of(p["traditional"], "s_traditional", id_number="", name="龍國華"),
        "twin": record_of(p["twin_a"], "s_twin", id_number=""),
        "stranger": record_of(
            p["missing"], "s_stranger", id_number="", name="闻人不在", birth_date="1971-02-03"
        ),
        "other_life": record_of(
            p["other_life"], "s_other_life", id_number="", birth_date="1961-05-05", gender="M"
        ),
        "zeroed": record_of(p["zeroed"], "s_zeroed", id_number=p["zeroed_owner"].id_number),
    }


@pytest.fixture(scope="module")
def case_region(small_region: Region) -> tuple[pa.Table, pa.Table]:
    registry = pa.concat_tables([small_region.registry, registry_table(list(PEOPLE.values()))])
    specials = facts_table(list(_special_records().values()))
    return registry, pa.concat_tables([small_region.facts, specials])


@pytest.fixture(scope="module")
def links(case_region: tuple[pa.Table, pa.Table]) -> dict[str, dict[str, object]]:
    registry, facts = case_region
    table = link_records(registry=registry, facts=facts)
    return {row["record_id"]: row for row in table.to_pylist()}


def test_exact_id_links_with_full_confidence(links: dict[str, dict[str, object]]) -> None:
    row = links["s_exact"]
    assert (row["id_number"], row["method"], row["confidence"]) == (
        PEOPLE["exact"].id_number,
        "exact_id",
        100,
    )


def test_fifteen_digit_id_is_converted_then_linked(links: dict[str, dict[str, object]]) -> None:
    row = links["s_short"]
    assert (row["id_number"], row["method"]) == (PEOPLE["short"].id_number, "converted_15")


@pytest.mark.parametrize("record", ["s_full_width", "s_spaces"])
def test_written_forms_of_the_id_link_exactly(
    links: dict[str, dict[str, object]], record: str
) -> None:
    assert (links[record]["id_number"], links[record]["method"]) == (
        PEOPLE["exact"].id_number,
        "exact_id",
    )


def test_lowercase_x_links_exactly(links: dict[str, dict[str, object]]) -> None:
    assert (links["s_lower_x"]["id_number"], links["s_lower_x"]["method"]) == (
        PEOPLE["lower_x"].id_number,
        "exact_id",
    )


@pytest.mark.parametrize("kind", ["typo", "swap", "letter_o"])
def test_near_miss_id_recovers_the_person(links: dict[str, dict[str, object]], kind: str) -> None:
    row = links[f"s_{kind}"]
    assert (row["id_number"], row["method"]) == (PEOPLE[kind].id_number, "near_miss")
    assert isinstance(row["confidence"], int)
    assert row["confidence"] >= settings_default().threshold


def test_excel_zeroed_number_that_is_someone_elses_links_by_the_name(
    links: dict[str, dict[str, object]],
) -> None:
    """issue 13：Excel 存坏的号码（后三位成 000）恰是户籍里另一个人（同县同日生、顺序码 100）
    的号码。姓名对不上号码的主人、却对得上前 15 位相同的另一人：不按号码联给号码的主人。"""
    row = links["s_zeroed"]
    assert row["id_number"] == PEOPLE["zeroed"].id_number
    assert row["method"] != "exact_id"


@pytest.mark.parametrize(
    ("record", "person"),
    [("s_missing", "missing"), ("s_homophone", "homophone"), ("s_traditional", "traditional")],
)
def test_record_without_id_is_linked_by_name_birth_date_and_division(
    links: dict[str, dict[str, object]], record: str, person: str
) -> None:
    row = links[record]
    assert (row["id_number"], row["method"]) == (PEOPLE[person].id_number, "fuzzy")


def test_ambiguous_twins_are_left_unlinked_not_guessed(links: dict[str, dict[str, object]]) -> None:
    row = links["s_twin"]
    assert (row["id_number"], row["method"]) == (None, "unlinked")


def test_record_matching_nobody_is_unlinked_with_zero_confidence(
    links: dict[str, dict[str, object]],
) -> None:
    assert links["s_stranger"] == {
        "record_id": "s_stranger",
        "id_number": None,
        "method": "unlinked",
        "confidence": 0,
    }


def test_weak_candidate_below_threshold_is_unlinked(links: dict[str, dict[str, object]]) -> None:
    """同县同名，但生日、性别都对不上：有候选，分数不够。"""
    row = links["s_other_life"]
    assert (row["method"], row["id_number"]) == ("unlinked", None)
    assert isinstance(row["confidence"], int)
    assert row["confidence"] < settings_default().threshold


def test_every_record_gets_exactly_one_row(
    links: dict[str, dict[str, object]], case_region: tuple[pa.Table, pa.Table]
) -> None:
    assert sorted(links) == sorted(case_region[1].column("record_id").to_pylist())


def test_background_records_link_to_their_own_person(small_region: Region) -> None:
    rows = link_records(registry=small_region.registry, facts=small_region.facts).to_pylist()
    wrong = [
        r
        for r in rows
        if r["id_number"] is not None and r["id_number"] != small_region.truth[r["record_id"]]
    ]
    linked = [r for r in rows if r["id_number"] is not None]
    assert not wrong
    assert len(linked) >= 0.995 * len(rows)


def test_precision_and_recall_on_a_larger_dirty_region() -> None:
    region = region_build(seed=11, persons=20000, records=4000)
    rows = link_records(registry=region.registry, facts=region.facts).to_pylist()
    linked = [r for r in rows if r["id_number"] is not None]
    correct = sum(1 for r in linked if r["id_number"] == region.truth[r["record_id"]])
    assert correct / len(linked) >= 0.999
    assert correct / len(rows) >= 0.995


def test_missing_required_column_names_table_and_column_without_data(small_region: Region) -> None:
    facts = small_region.facts.drop_columns(["record_id"])
    with pytest.raises(DomainError) as caught:
        link_records(registry=small_region.registry, facts=facts)
    message = caught.value.message
    assert "record_id" in message
    assert "lk_in_facts" in message
    assert not any(p.id_number in message or p.name in message for p in small_region.people[:50])


def test_settings_with_unknown_blocking_key_are_rejected(small_region: Region) -> None:
    settings = LinkSettings(fields=settings_default().fields, blocking=(("name:soundex",),))
    with pytest.raises(ValueError, match="soundex"):
        link_records(registry=small_region.registry, facts=small_region.facts, settings=settings)


def test_same_input_gives_the_same_links_twice(small_region: Region) -> None:
    rng = random.Random(3)
    facts = small_region.facts.take(sorted(rng.sample(range(small_region.facts.num_rows), 400)))
    first = link_records(registry=small_region.registry, facts=facts)
    second = link_records(registry=small_region.registry, facts=facts)
    assert first.equals(second)


def test_precision_and_recall_on_a_synthetic_region_from_the_synth_generator() -> None:
    """另一个生成器（shouhu.engine.synth）造的地区：户籍外的人（in_registry 为假）不得联上。"""
    synth = pytest.importorskip("shouhu.engine.synth")
    region = synth.synth_region(persons=60000, seed=2, as_of=date(2025, 6, 30))
    truth = {
        r["record_id"]: r["id_number"] if r["in_registry"] else None
        for r in region.truth_links.to_pylist()
    }
    rows = link_records(registry=region.registry, facts=region.facts).to_pylist()
    linked = [r for r in rows if r["id_number"] is not None]
    correct = sum(1 for r in linked if r["id_number"] == truth[r["record_id"]])
    assert correct / len(linked) >= 0.999
    assert correct / sum(1 for t in truth.values() if t is not None) >= 0.995


def test_csv_files_link_like_arrow_tables(small_region: Region, tmp_path: Path) -> None:
    facts = small_region.facts.slice(0, 200)
    pacsv.write_csv(small_region.registry, tmp_path / "registry.csv")
    pacsv.write_csv(facts, tmp_path / "facts.csv")
    from_files = link_records(registry=tmp_path / "registry.csv", facts=tmp_path / "facts.csv")
    assert (
        from_files.to_pylist()
        == link_records(registry=small_region.registry, facts=facts).to_pylist()
    )
