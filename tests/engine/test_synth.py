"""合成人口：可复现、号码合格、错误比例、真值与户籍和规则一致、流式写文件。"""

from __future__ import annotations

import csv
import math
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from shouhu.cli import main
from shouhu.core.catalog.facts import CHILD_FACTS, PARENT_FACTS
from shouhu.core.errors import InvalidInput
from shouhu.core.identity import (
    check_digit,
    division_table,
    id_number_generate,
    is_valid_id_number,
    normalize_id_number,
    parse_id_number,
)
from shouhu.core.policy import assess_case, case_from_json
from shouhu.engine.synth import DirtyRates, SynthRegion, synth_region, synth_write
from shouhu.engine.synth.dirty import subject_write
from shouhu.engine.synth.ids import check_digits, id_numbers_build, sequences_assign
from shouhu.engine.synth.villages import villages_of

AS_OF = date(2026, 11, 1)
AGENCY_TYPES = {
    "civil_affairs", "court", "procuratorate", "public_security", "justice", "education",
    "big_data_center", "finance", "health", "medical_insurance", "rural_revitalization",
    "womens_federation", "disabled_federation", "human_resources", "housing", "youth_league",
    "trade_union", "elders_committee", "women_children_committee",
}  # fmt: skip


@pytest.fixture(scope="module")
def county() -> SynthRegion:
    return synth_region(persons=20_000, seed=7, as_of=AS_OF)


def _rows(table: Any) -> list[dict[str, Any]]:
    return list(table.to_pylist())


def test_same_seed_gives_the_same_region_and_another_seed_does_not() -> None:
    a = synth_region(persons=3000, seed=1, as_of=AS_OF)
    b = synth_region(persons=3000, seed=1, as_of=AS_OF)
    c = synth_region(persons=3000, seed=2, as_of=AS_OF)
    for name in ("registry", "register", "facts", "truth_links", "truth_findings"):
        assert getattr(a, name).equals(getattr(b, name)), name
    assert not a.registry.equals(c.registry)


def test_registry_ids_are_valid_unique_and_agree_with_birth_date_gender_and_county(
    county: SynthRegion,
) -> None:
    rows = _rows(county.registry)
    ids = [r["id_number"] for r in rows]
    assert len(set(ids)) == len(ids) == 20_000
    for row in rows:
        parsed = parse_id_number(row["id_number"], today=AS_OF)
        assert parsed.division_code == "150802"
        assert parsed.birth_date.isoformat() == row["birth_date"]
        assert parsed.gender == row["gender"]


def test_demo_county_keeps_the_tables_villages_and_another_county_gets_invented_ones() -> None:
    region = synth_region(persons=400, seed=3, division_codes=["150802", "150821"], as_of=AS_OF)
    codes = Counter((r["id_number"][:6], r["division_code"]) for r in _rows(region.registry))
    assert {county for county, _ in codes} == {"150802", "150821"}
    for county, code in codes:
        assert code.startswith(county)
        division = division_table().get(code)
        if county == "150802":
            assert division is not None
            assert division.level == "village"
        else:
            assert division is None
            assert _shaped_like_a_village(code)


def _shaped_like_a_village(code: str) -> bool:
    """统计用区划代码：街道 001–099 下居委会 001–099，镇乡 100–399 下村委会 201–299。"""
    if len(code) != 12 or not code.isdigit():
        return False
    township, village = int(code[6:9]), int(code[9:])
    if 1 <= township <= 99:
        return 1 <= village <= 99
    return 100 <= township <= 399 and 201 <= village <= 299


def test_a_county_without_villages_in_the_table_gets_about_one_per_1500_persons() -> None:
    shandong = "370114"  # 章丘区：区划表里没有乡村两级
    for persons, villages in ((1000, 1), (1_000_000, 666), (5_000_000, 3333)):
        codes = villages_of(shandong, persons=persons)
        townships = Counter(code[:9] for code in codes)
        assert len(set(codes)) == villages
        assert all(code.startswith(shandong) and _shaped_like_a_village(code) for code in codes)
        assert max(townships.values()) <= 15
        assert len(townships) == math.ceil(villages / 15)
    assert villages_of(shandong, persons=30_000, county_only=True) == [shandong]


def test_a_shandong_county_writes_village_codes_in_the_registry_and_half_the_records() -> None:
    a = synth_region(persons=30_000, seed=8, division_codes=["370114"], as_of=AS_OF)
    b = synth_region(persons=30_000, seed=8, division_codes=["370114"], as_of=AS_OF)
    assert a.registry.column("division_code").equals(b.registry.column("division_code"))
    home = {r["id_number"]: r["division_code"] for r in _rows(a.registry)}
    assert len(set(home.values())) == 20
    assert set(home.values()) == set(villages_of("370114", persons=30_000))
    assert all(len(r["division_code"]) == 12 for r in _rows(a.register))
    truth = {r["record_id"]: r for r in _rows(a.truth_links)}
    local = [f for f in _rows(a.facts) if truth[f["record_id"]]["in_registry"]]
    full = [f for f in local if len(f["division_code"]) == 12]
    assert 0.4 < len(full) / len(local) < 0.6
    assert all(f["division_code"] == home[truth[f["record_id"]]["id_number"]] for f in full)


def test_county_only_writes_six_digit_codes_even_where_the_table_has_villages() -> None:
    region = synth_region(
        persons=3000, seed=3, division_codes=["150802", "370114"], as_of=AS_OF, county_only=True
    )
    for name in ("registry", "register", "facts"):
        codes = getattr(region, name).column("division_code").to_pylist()
        assert codes, name
        assert all(len(code) == 6 for code in codes), name


def test_vectorised_id_numbers_agree_with_core() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    birth = np.datetime64("1920-01-01") + rng.integers(0, 38000, n).astype("timedelta64[D]")
    code = rng.choice(np.array([150802, 370114, 341324, 110101]), n)
    sequence = rng.integers(0, 100, n)
    male = rng.random(n) < 0.5
    built = id_numbers_build(code, birth, sequence, male)
    for i in range(n):
        expected = id_number_generate(
            division_code=str(code[i]), birth_date=birth[i].item(), sequence=int(sequence[i]),
            gender="M" if male[i] else "F",
        )  # fmt: skip
        assert built[i].decode() == expected


def test_vectorised_check_digit_agrees_with_core_on_arbitrary_digits() -> None:
    digits = np.random.default_rng(5).integers(0, 10, (5000, 17))
    vectorised = check_digits(digits)
    for row, check in zip(digits, vectorised, strict=True):
        assert chr(check) == check_digit("".join(map(str, row)))


def test_parents_are_plausibly_older_and_most_children_have_both(county: SynthRegion) -> None:
    birth = {r["id_number"]: date.fromisoformat(r["birth_date"]) for r in _rows(county.registry)}
    rows = [r for r in _rows(county.registry) if r["father_id_number"] or r["mother_id_number"]]
    minors = [r for r in rows if (AS_OF - birth[r["id_number"]]).days < 18 * 365]
    both = sum(1 for r in minors if r["father_id_number"] and r["mother_id_number"])
    assert both / len(minors) > 0.9
    for row in rows:
        for parent in (row["father_id_number"], row["mother_id_number"]):
            if parent:
                gap = (birth[row["id_number"]] - birth[parent]).days / 365.25
                assert 15 <= gap <= 60
    minor_share = sum(1 for b in birth.values() if (AS_OF - b).days < 18 * 365) / len(birth)
    assert 0.12 < minor_share < 0.25


def test_every_fact_type_of_the_policy_is_sent_by_a_glossary_department(
    county: SynthRegion,
) -> None:
    facts = _rows(county.facts)
    assert {f["type"] for f in facts} == set(PARENT_FACTS) | set(CHILD_FACTS)
    assert {f["agency_type"] for f in facts} <= AGENCY_TYPES
    assert len({f["record_id"] for f in facts}) == len(facts)


def test_boundary_cases_are_present(county: SynthRegion) -> None:
    """刑期不足6个月、恰好6个月、无期，失联恰好6个月，as_of 当天满18周岁。"""
    facts = _rows(county.facts)
    prison = [f for f in facts if f["type"] == "imprisoned" and f["start"] and f["end"]]
    months = {_months(f["start"], f["end"]) for f in prison}
    assert min(months) < 6
    assert 6 in months
    assert any(f["life"] == "true" for f in facts if f["type"] == "imprisoned")
    lost = [f["start"] for f in facts if f["type"] == "lost_contact" and f["start"]]
    assert "2026-05-01" in lost
    assert any(r["birth_date"] == "2008-11-01" for r in _rows(county.registry))


def _months(start: str, end: str) -> int:
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return (b.year - a.year) * 12 + b.month - a.month


def test_dirty_rates_are_close_to_the_configured_ones() -> None:
    rng = np.random.default_rng(9)
    rates = DirtyRates()
    n = 40_000
    number = id_number_generate(
        division_code="150802", birth_date=date(1985, 6, 1), sequence=7, gender="M"
    )
    written = [subject_write(rng, rates, number, "王伟", True) for _ in range(n)]
    noise = Counter(w.id_noise.split("+")[0] for w in written)
    for kind, p in (
        ("typo", rates.id_typo),
        ("swap", rates.id_swap),
        ("missing", rates.id_missing),
    ):
        assert abs(noise[kind] / n - p) < 4 * math.sqrt(p * (1 - p) / n), kind
    names = Counter(w.name_noise for w in written)
    name_p = rates.name_wrong_char + rates.name_traditional
    assert abs((names["wrong_char"] + names["traditional"]) / n - name_p) < 0.004


def test_noise_tags_describe_what_was_written(county: SynthRegion) -> None:
    truth = {r["record_id"]: r for r in _rows(county.truth_links)}
    seen = Counter()
    for fact in _rows(county.facts):
        link = truth[fact["record_id"]]
        written, true_id, noise = fact["id_number"], link["id_number"], link["id_noise"]
        seen[noise.split("+")[0]] += 1
        if noise == "":
            assert written == true_id
        elif noise == "missing":
            assert written == ""
        elif noise.startswith("15_digit"):
            assert len(written.replace(" ", "").replace("\u3000", "")) == 15
            assert normalize_id_number(written) == true_id  # 旧号升位后就是真号
        elif noise.startswith(("typo", "swap")):
            cleaned = normalize_id_number(written)
            differing = [i for i in range(18) if cleaned[i] != true_id[i]]
            assert 1 <= len(differing) <= 2
        elif noise.startswith(("dropped", "added")):
            cleaned = normalize_id_number(written)
            longer, shorter = (true_id, cleaned) if len(cleaned) == 17 else (cleaned, true_id)
            assert any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
        elif noise == "excel_zeroed":
            assert written in (true_id[:15] + "000", true_id)  # 末位 X 的号码不受影响
        elif noise == "excel_scientific":
            assert written == true_id or written.replace(".", "").startswith(true_id[:6])
        elif noise.startswith("ocr"):
            cleaned = normalize_id_number(written)
            assert cleaned != true_id
            assert len(cleaned) == 18
        else:
            assert normalize_id_number(written) == true_id
    assert {"", "typo", "swap", "missing", "15_digit"} <= set(seen)


def test_clean_region_has_no_errors() -> None:
    region = synth_region(persons=3000, seed=4, as_of=AS_OF, dirty_rate=0)
    names = {r["id_number"]: r["name"] for r in _rows(region.registry)}
    truth = {r["record_id"]: r for r in _rows(region.truth_links)}
    for fact in _rows(region.facts):
        link = truth[fact["record_id"]]
        assert fact["id_number"] == link["id_number"]
        assert is_valid_id_number(fact["id_number"], today=AS_OF)
        if link["in_registry"]:
            assert fact["name"] == names[link["id_number"]]


def test_truth_links_point_into_the_registry_except_outsiders(county: SynthRegion) -> None:
    ids = set(county.registry.column("id_number").to_pylist())
    links = _rows(county.truth_links)
    assert all((r["id_number"] in ids) == r["in_registry"] for r in links)
    outsiders = {r["record_id"] for r in links if not r["in_registry"]}
    unlinked = {r["record_ids"] for r in _rows(county.truth_findings) if r["kind"] == "unlinked"}
    assert outsiders == unlinked


def test_findings_agree_with_the_register(county: SynthRegion) -> None:
    active = {r["child_id_number"]: r for r in _rows(county.register) if r["status"] == "active"}
    findings = [r for r in _rows(county.truth_findings) if r["kind"] != "unlinked"]
    kinds = Counter(r["kind"] for r in findings)
    assert {"enrol", "exit", "change", "review"} <= set(kinds)
    assert len({r["child_id_number"] for r in findings}) == len(findings)
    for finding in findings:
        case = active.get(finding["child_id_number"])
        if finding["kind"] == "enrol":
            assert case is None
            assert finding["category"]
        elif finding["kind"] == "change":
            assert case["case_id"] == finding["case_id"]
            assert case["category"] != finding["category"]
        elif finding["kind"] == "exit":
            assert case["case_id"] == finding["case_id"]
            assert finding["category"] == ""


def test_truth_findings_follow_from_the_written_tables_by_the_rules(county: SynthRegion) -> None:
    """独立地从写出的表（事实 + 真值关联 + 户籍父母）重组案例，交规则引擎判定，与真值一致。"""
    facts_of: dict[str, list[dict[str, Any]]] = {}
    truth = {r["record_id"]: r["id_number"] for r in _rows(county.truth_links)}
    for fact in _rows(county.facts):
        facts_of.setdefault(truth[fact["record_id"]], []).append(fact)
    registry = {r["id_number"]: r for r in _rows(county.registry)}
    findings = [r for r in _rows(county.truth_findings) if r["kind"] != "unlinked"]
    for finding in findings:
        child = registry[finding["child_id_number"]]
        case = {"child": _person(child["id_number"], facts_of, CHILD_FACTS)}
        for role in ("father", "mother"):
            parent = child[f"{role}_id_number"]
            case[role] = _person(parent, facts_of, PARENT_FACTS) if parent else None
        result = assess_case(case_from_json(case, default_as_of=AS_OF, default_region="150802"))
        expected = {"enrol": "eligible", "change": "eligible", "review": "needs_review"}
        assert result.status == expected.get(finding["kind"], "not_eligible")
        assert (result.category or "") == finding["category"]


def _person(id_number: str, facts_of: dict[str, list[dict[str, Any]]], allowed: Any) -> Any:
    fields = ("date", "start", "end", "valid_until", "category", "level", "disease")
    facts = []
    for fact in facts_of.get(id_number, []):
        if fact["type"] not in allowed:
            continue
        item: dict[str, Any] = {"type": fact["type"]}
        item |= {k: fact[k] for k in fields if fact[k] is not None}
        item |= {k: fact[k] == "true" for k in ("qualifying", "life", "consent") if fact[k]}
        if fact["type"] == "severe_disability" and "level" in item:
            item["level"] = int(item["level"])
        facts.append(item)
    return {"id_number": id_number, "facts": facts}


def test_a_county_of_twenty_thousand_has_dozens_of_protected_children(county: SynthRegion) -> None:
    register = _rows(county.register)
    active = Counter(r["category"] for r in register if r["status"] == "active")
    assert active["orphan"] >= 10
    assert active["de_facto_unsupported"] >= 30
    assert any(r["status"] == "closed" and r["close_reason"] for r in register)
    reviews = [r for r in _rows(county.truth_findings) if r["kind"] == "review"]
    assert len(reviews) >= 5


def test_streaming_write_matches_in_memory_and_scales_over_counties(tmp_path: Path) -> None:
    summary = synth_write(
        tmp_path / "p", persons=6000, seed=5, division_codes=["150800"], as_of=AS_OF, workers=2
    )
    assert len(summary.counties) == 7
    assert summary.rows["registry"] == 6000
    written = pq.read_table(tmp_path / "p" / "registry.parquet")
    in_memory = synth_region(persons=6000, seed=5, division_codes=["150800"], as_of=AS_OF)
    assert written.equals(in_memory.registry)
    assert pq.read_table(tmp_path / "p" / "truth_findings.parquet").equals(in_memory.truth_findings)


def test_cli_writes_csv_tables(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["synth", "--persons", "800", "--out", str(tmp_path), "--format", "csv",
               "--as-of", "2026-11-01", "--seed", "3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {f"{t}.csv" for t in ("registry", "register", "facts", "truth_links",
                                          "truth_findings")}  # fmt: skip
    header = (tmp_path / "facts.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith('"record_id","agency_type","type","id_number"')


def test_cli_county_only_flag_writes_county_codes(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["synth", "--persons", "3000", "--out", str(tmp_path), "--format", "csv",
               "--as-of", "2026-11-01", "--region", "370114", "--county-only"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with (tmp_path / "registry.csv").open(encoding="utf-8", newline="") as f:
        codes = {row["division_code"] for row in csv.DictReader(f)}
    assert codes == {"370114"}


def test_bad_region_and_future_as_of_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        synth_region(persons=10, seed=1, division_codes=["999999"], as_of=AS_OF)
    with pytest.raises(InvalidInput):
        synth_region(persons=10, seed=1, division_codes=["150802001"], as_of=AS_OF)
    with pytest.raises(InvalidInput):
        synth_region(persons=10, seed=1, as_of=date(2999, 1, 1))
    result = CliRunner().invoke(main, ["synth", "--persons", "5", "--out", str(tmp_path),
                                       "--region", "999999"])  # fmt: skip
    assert result.exit_code != 0
    assert "999999" in result.output


def test_sequence_numbers_are_unique_per_day_and_overflow_is_reported() -> None:
    n = 150
    birth = np.full(n, np.datetime64("1990-05-05"))
    code, male = np.full(n, 150802), np.ones(n, dtype=bool)
    sequence, overflow = sequences_assign(np.random.default_rng(1), code, birth, male)
    assert overflow.sum() == 50
    assert len(set(sequence[~overflow].tolist())) == 100
