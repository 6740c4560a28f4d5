"""比对引擎的输入与命令：取值写法、缺失、同名歧义、坏输入（状态 2，指明表和列）、重跑结果相同。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from shouhu.cli import main
from shouhu.core.errors import InvalidInput
from shouhu.core.identity import id_number_generate
from shouhu.engine.comparison import CompareResult, compare_dir, compare_tables
from shouhu.engine.synth import synth_region

AS_OF = date(2026, 11, 1)
COUNTY = "150802"
FACT_COLUMNS = (
    "record_id",
    "agency_type",
    "type",
    "id_number",
    "name",
    "birth_date",
    "gender",
    "division_code",
    "date",
    "start",
    "end",
    "qualifying",
    "life",
    "level",
)


def _id(born: date, sequence: int, gender: str) -> str:
    return id_number_generate(
        division_code=COUNTY, birth_date=born, sequence=sequence, gender=gender
    )


CHILD = _id(date(2015, 3, 9), 41, "F")
FATHER = _id(date(1985, 6, 1), 42, "M")
MOTHER = _id(date(1987, 2, 3), 43, "F")
HOMONYM = _id(date(1979, 10, 21), 44, "M")  # 与父亲同名同性别、同县
NAMESAKES = {  # 与儿童、母亲同名同性别、同县的人（需要时加进户籍）
    "child": (_id(date(2012, 8, 8), 45, "F"), "欧阳小雪", "F", "2012-08-08"),
    "mother": (_id(date(1980, 4, 4), 46, "F"), "司马兰", "F", "1980-04-04"),
}


@cache
def _background() -> Any:
    return synth_region(persons=3000, seed=5, as_of=AS_OF)


def _registry(*namesakes: str) -> pa.Table:
    extra = [NAMESAKES[key] for key in namesakes]
    family = pa.table(
        {
            "id_number": [CHILD, FATHER, MOTHER, HOMONYM, *(e[0] for e in extra)],
            "name": ["欧阳小雪", "欧阳振华", "司马兰", "欧阳振华", *(e[1] for e in extra)],
            "gender": ["F", "M", "F", "M", *(e[2] for e in extra)],
            "birth_date": [
                "2015-03-09",
                "1985-06-01",
                "1987-02-03",
                "1979-10-21",
                *(e[3] for e in extra),
            ],
            "division_code": [COUNTY] * (4 + len(extra)),
            "father_id_number": [FATHER, *[None] * (3 + len(extra))],
            "mother_id_number": [MOTHER, *[None] * (3 + len(extra))],
        }
    )
    return pa.concat_tables([_background().registry.select(family.column_names), family])


def _register(*cases: tuple[str, str]) -> pa.Table:
    rows = [
        {"case_id": case_id, "child_id_number": CHILD, "category": category, "status": "active"}
        for case_id, category in cases
    ]
    base = _background().register.select(["case_id", "child_id_number", "category", "status"])
    return pa.concat_tables([base, pa.Table.from_pylist(rows, schema=base.schema)])


def _facts(*rows: dict[str, str]) -> pa.Table:
    base = _background().facts.select(list(FACT_COLUMNS))
    extra = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in FACT_COLUMNS})
    return pa.concat_tables([base, extra])


def _fact(record_id: str, person: str, name: str, type_: str, **fields: str) -> dict[str, str]:
    return {
        "record_id": record_id,
        "agency_type": "civil_affairs",
        "type": type_,
        "id_number": person,
        "name": name,
        "division_code": COUNTY,
        **fields,
    }


MOTHER_DEAD = _fact("Z001", MOTHER, "司马兰", "deceased", date="2024-05-01")


def _finding(findings: pa.Table, child: str = CHILD) -> dict[str, Any] | None:
    rows = [r for r in findings.to_pylist() if r["child_id_number"] == child]
    assert len(rows) <= 1
    return rows[0] if rows else None


BOOLEAN_FORMS = {"true": "enrol", "是": "enrol", "1": "enrol", "TRUE": "enrol",
                 "否": None, "0": None, "false": None}  # fmt: skip


def test_boolean_forms_are_read_as_compare_format_says() -> None:
    """每种写法一户（母亲已死亡，父亲重病，“是否符合重病条件”按这种写法填）：一次比对看全部。"""
    families, facts = [], []
    for n, written in enumerate(BOOLEAN_FORMS):
        born = [(2014, "M"), (1984, "M"), (1986, "F")]
        child, father, mother = (_id(date(y, 5, 1 + n), 60 + 3 * n + k, g)
                                 for k, (y, g) in enumerate(born))  # fmt: skip
        families += [(child, f"公孙小{n}", "M", f"2014-05-{1 + n:02d}", father, mother),
                     (father, f"公孙振{n}", "M", f"1984-05-{1 + n:02d}", None, None),
                     (mother, f"慕容兰{n}", "F", f"1986-05-{1 + n:02d}", None, None)]  # fmt: skip
        facts += [_fact(f"D{n}", mother, f"慕容兰{n}", "deceased", date="2024-05-01"),
                  _fact(f"I{n}", father, f"公孙振{n}", "severe_illness", disease="某病",
                        qualifying=written, start="2023-01-01")]  # fmt: skip
    columns = ("id_number", "name", "gender", "birth_date", "father_id_number", "mother_id_number")
    extra = pa.table({c: [row[i] for row in families] for i, c in enumerate(columns)})
    registry = _registry()
    registry = pa.concat_tables(
        [registry, extra.append_column("division_code", pa.array([COUNTY] * len(families)))
         .select(registry.column_names)]
    )  # fmt: skip
    result = compare_tables(registry=registry, register=_register(), facts=_facts(*facts),
                            as_of=AS_OF)  # fmt: skip
    for n, (written, kind) in enumerate(BOOLEAN_FORMS.items()):
        found = _finding(result.findings, families[3 * n][0])
        assert (found and found["kind"]) == kind, written
        if found:
            assert found["category"] == "de_facto_unsupported"
            assert found["record_ids"] == f"D{n};I{n}"


def test_empty_cells_are_absent_and_an_open_term_needs_review() -> None:
    prison = _fact("Z003", FATHER, "欧阳振华", "imprisoned", start="2025-01-01", end=" ", life="")
    result = compare_tables(
        registry=_registry(), register=_register(), facts=_facts(MOTHER_DEAD, prison), as_of=AS_OF
    )
    found = _finding(result.findings)
    assert found is not None
    assert found["kind"] == "review"
    assert "missing_end" in found["reasons"].split(";")


def test_active_case_that_no_longer_qualifies_is_an_exit_with_its_case() -> None:
    released = _fact("Z004", FATHER, "欧阳振华", "imprisoned", start="2020-01-01", end="2026-01-01")
    result = compare_tables(
        registry=_registry(),
        register=_register(("CASE-9", "de_facto_unsupported")),
        facts=_facts(MOTHER_DEAD, released),
        as_of=AS_OF,
    )
    found = _finding(result.findings)
    assert found is not None
    assert (found["kind"], found["case_id"], found["category"]) == ("exit", "CASE-9", None)


def test_record_that_may_belong_to_either_namesake_turns_an_exit_into_a_review() -> None:
    """号码缺失、无出生日期的重病记录：县里两个“欧阳振华”分不清，记录不关联；它若是父亲的，
    个案仍然符合，所以不能判 exit。"""
    illness = _fact(
        "Z005", "", "欧阳振华", "severe_illness", qualifying="true", disease="某病", gender="男"
    )
    result = compare_tables(
        registry=_registry(),
        register=_register(("CASE-9", "de_facto_unsupported")),
        facts=_facts(MOTHER_DEAD, illness),
        as_of=AS_OF,
    )
    links = {r["record_id"]: r for r in result.links.to_pylist()}
    assert links["Z005"]["method"] == "unlinked"
    found = _finding(result.findings)
    assert found is not None
    assert found["kind"] == "review"
    assert found["reasons"].split(";")[-1] == "unresolved_record"
    assert "Z005" in found["record_ids"].split(";")
    unlinked = {r["record_ids"]: r for r in result.findings.to_pylist() if r["kind"] == "unlinked"}
    assert unlinked["Z005"]["reasons"] == "ambiguous_match"
    assert unlinked["Z005"]["link_confidence"] is None


def _exit_or_review(*records: dict[str, str], namesakes: tuple[str, ...] = ()) -> dict[str, Any]:
    """在保（事实无人抚养）的儿童，只有 records 这些记录时的发现。"""
    result = compare_tables(
        registry=_registry(*namesakes),
        register=_register(("CASE-9", "de_facto_unsupported")),
        facts=_facts(*records),
        as_of=AS_OF,
    )
    found = _finding(result.findings)
    assert found is not None
    return found


UNCLEAR_ILLNESS = _fact(
    "Z005", "", "欧阳振华", "severe_illness", qualifying="true", disease="某病", gender="男"
)


def test_record_with_no_candidate_that_may_be_the_fathers_turns_an_exit_into_a_review() -> None:
    """号码缺失、名字错一个字、没有出生日期：记录关联连候选都没有（分块要全名或出生日期）。
    反查要关闭的个案一家：同县的父亲名字只差一字、性别相同，记录可能是他的，不能判 exit。"""
    misspelt = _fact(
        "Z007", "", "欧阳振化", "severe_illness", qualifying="true", disease="某病", gender="男"
    )
    found = _exit_or_review(MOTHER_DEAD, misspelt)
    assert found["kind"] == "review"
    assert found["reasons"].split(";")[-1] == "unresolved_record"
    assert "Z007" in found["record_ids"].split(";")
    # 性别矛盾的同一条记录不算
    assert _exit_or_review(MOTHER_DEAD, {**misspelt, "gender": "女"})["kind"] == "exit"


def test_a_surname_only_record_with_the_fathers_birth_date_turns_an_exit_into_a_review() -> None:
    """对外公开的名单只写姓（“欧阳某”）、没有号码：记录关联不敢联（姓名不过硬条件），但它与
    父亲同姓、出生日期相同、同县——可能是他的重病记录，不能判 exit。出生日期对不上的不算。"""
    surname_only = _fact(
        "Z009", "", "欧阳某", "severe_illness", qualifying="true", disease="某病", gender="男"
    )
    found = _exit_or_review(MOTHER_DEAD, {**surname_only, "birth_date": "1985-06-01"})
    assert found["kind"] == "review"
    assert found["reasons"].split(";")[-1] == "unresolved_record"
    assert "Z009" in found["record_ids"].split(";")
    # 只凭姓和县不算（县里同姓的人太多）
    assert _exit_or_review(MOTHER_DEAD, surname_only)["kind"] == "exit"


def test_a_namesakes_record_does_not_hide_the_record_that_matters() -> None:
    """两条未关联记录都可能挂到这一家：父亲的重病记录（县里两个同名者）与一条“欧阳小雪”的
    死亡记录（县里两个同名儿童）。一起挂上时儿童“已死亡”，看不出重病记录的作用；逐条假设
    才看得出：重病记录若是父亲的，个案仍然符合。"""
    dead = _fact("Z008", "", "欧阳小雪", "deceased", date="2025-01-01", gender="女")
    found = _exit_or_review(MOTHER_DEAD, UNCLEAR_ILLNESS, dead, namesakes=("child",))
    assert found["kind"] == "review"
    assert "Z005" in found["record_ids"].split(";")


def test_two_unlinked_records_that_matter_only_together_turn_an_exit_into_a_review() -> None:
    """母亲的死亡记录与父亲的重病记录都因同名者未关联：单挂哪一条，儿童都不符合（一方死亡、
    另一方无情形）；两条都挂上才符合——“全部挂上”的假设。"""
    mother_dead = {**MOTHER_DEAD, "id_number": "", "gender": "女"}
    found = _exit_or_review(mother_dead, UNCLEAR_ILLNESS, namesakes=("mother",))
    assert found["kind"] == "review"
    assert {"Z001", "Z005"} <= set(found["record_ids"].split(";"))


def test_mothers_death_record_with_a_dropped_digit_never_lets_the_case_exit() -> None:
    """issue 13：母亲的死亡记录号码丢了一位（17 位），另又错一位，没写区划和出生日期——
    连“插一位过校验”的候选也没有。县取号码前 6 位反查到母亲（同名、同性别）：不能判 exit。
    （只丢一位的号码能直接联上，见 test_linkage_repair。）"""
    short = MOTHER[:9] + MOTHER[10:]
    typo = short[:12] + str((int(short[12]) + 3) % 10) + short[13:]
    dead = {**MOTHER_DEAD, "id_number": typo, "gender": "女", "division_code": ""}
    illness = _fact("Z006", FATHER, "欧阳振华", "severe_illness", qualifying="是", disease="x")
    found = _exit_or_review(dead, illness)
    assert found["kind"] == "review"
    assert found["reasons"].split(";")[-1] == "unresolved_record"
    assert "Z001" in found["record_ids"].split(";")


def test_a_child_recorded_dead_and_later_at_school_shows_the_contradiction() -> None:
    """部门记录互相矛盾（issue 13 第 6 项）：规则照旧判“儿童已死亡”（exit 不变），发现上加上
    矛盾的原因，两条记录都列出。"""
    dead = _fact("Z101", CHILD, "欧阳小雪", "deceased", date="2024-01-01")
    school = {**_fact("Z102", CHILD, "欧阳小雪", "in_school", level="primary",
                      start="2024-09-01"), "agency_type": "education"}  # fmt: skip
    found = _exit_or_review(MOTHER_DEAD, dead, school)
    assert (found["kind"], found["status"]) == ("exit", "not_eligible")
    assert found["reasons"].split(";") == ["child_deceased", "contradiction_child_alive"]
    assert {"Z101", "Z102"} <= set(found["record_ids"].split(";"))


def test_deported_while_imprisoned_and_born_after_the_fathers_death_are_reviews() -> None:
    """母亲被遣送出境期间又在服刑；父亲死亡 310 天之后孩子才出生。规则的结论（符合）不变，
    本无发现的在保儿童也送核查。"""
    father_dead = _fact("Z201", FATHER, "欧阳振华", "deceased", date="2013-01-01")
    deported = _fact("Z202", MOTHER, "司马兰", "deported", date="2023-01-01")
    prison = _fact("Z203", MOTHER, "司马兰", "imprisoned", start="2024-01-01", end="2030-01-01")
    found = _exit_or_review(father_dead, deported, prison)
    assert (found["kind"], found["status"]) == ("review", "eligible")
    assert found["reasons"].split(";")[-2:] == [
        "contradiction_born_after_death",
        "contradiction_deported_imprisoned",
    ]
    assert {"Z201", "Z202", "Z203"} <= set(found["record_ids"].split(";"))


def test_gender_written_in_chinese_and_fifteen_digit_ids_still_link() -> None:
    old = MOTHER[:6] + MOTHER[8:17]
    dead = {**MOTHER_DEAD, "id_number": old, "gender": "女"}
    illness = _fact("Z006", FATHER, "欧阳振华", "severe_illness", qualifying="是", disease="x")
    result = compare_tables(
        registry=_registry(), register=_register(), facts=_facts(dead, illness), as_of=AS_OF
    )
    assert {r["record_id"]: r["method"] for r in result.links.to_pylist()}["Z001"] == (
        "converted_15"
    )
    found = _finding(result.findings)
    assert found is not None
    assert found["kind"] == "enrol"


# ---------------------------------------------------------------- 文件与命令


def _write_dir(directory: Path, *, fmt: str = "parquet", **tables: pa.Table) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if fmt == "parquet":
            pq.write_table(table, directory / f"{name}.parquet")
        else:
            pacsv.write_csv(table, directory / f"{name}.csv")
    return directory


def _inputs() -> dict[str, pa.Table]:
    illness = _fact("Z002", FATHER, "欧阳振华", "severe_illness", qualifying="是", disease="x")
    return {
        "registry": _registry(),
        "register": _register(),
        "facts": _facts(MOTHER_DEAD, illness),
    }


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, ["compare", *args])


@dataclass(frozen=True)
class Ran:
    """一份输入的三次运行（各一次完整比对的固定开销，所以三个测试共用）：命令行读 CSV，
    compare_dir 读 parquet 两次。"""

    root: Path
    command: Any  # click 的运行结果
    parquet: CompareResult
    again: CompareResult


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    root = tmp_path_factory.mktemp("ran")
    tables = _inputs()
    as_csv = _write_dir(root / "csv", fmt="csv", **tables)
    command = _run("--input", str(as_csv), "--as-of", "2026-11-01", "--out", str(root / "c"))
    as_parquet = _write_dir(root / "parquet", **tables)
    parquet = compare_dir(as_parquet, root / "a", as_of=AS_OF)
    again = compare_dir(as_parquet, root / "b", as_of=AS_OF)
    return Ran(root, command, parquet, again)


def test_command_writes_findings_and_prints_one_summary_line(ran: Ran) -> None:
    result = ran.command
    assert result.exit_code == 0, result.output
    summary = [line for line in result.stdout.splitlines() if line.startswith("比对完成")]
    assert len(summary) == 1
    assert "应纳入" in summary[0]
    assert "秒" in summary[0]
    findings = pq.read_table(ran.root / "c" / "findings.parquet")
    assert _finding(findings) is not None
    csv_text = (ran.root / "c" / "findings.csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[0].startswith('"kind","child_id_number","category","case_id"')


def test_parquet_and_csv_inputs_give_the_same_findings(ran: Ran) -> None:
    as_csv = pq.read_table(ran.root / "c" / "findings.parquet")
    assert as_csv.num_rows == ran.parquet.findings.num_rows > 0
    assert as_csv.equals(ran.parquet.findings)


def test_a_rerun_gives_byte_identical_files(ran: Ran) -> None:
    assert ran.again.findings.equals(ran.parquet.findings)
    for name in ("findings.parquet", "findings.csv"):
        assert (ran.root / "a" / name).read_bytes() == (ran.root / "b" / name).read_bytes()
    assert not list((ran.root / "a").glob(".*part"))


def test_missing_table_exits_2_naming_it(tmp_path: Path) -> None:
    tables = _inputs()
    del tables["facts"]
    source = _write_dir(tmp_path / "in", **tables)
    result = _run("--input", str(source), "--as-of", "2026-11-01", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "facts" in result.stderr
    assert not (tmp_path / "o" / "findings.parquet").exists()


@pytest.mark.parametrize(
    ("table", "column"),
    [("register", "status"), ("registry", "id_number"), ("facts", "record_id"), ("facts", "type")],
)
def test_missing_required_column_exits_2_naming_table_and_column(
    tmp_path: Path, table: str, column: str
) -> None:
    tables = _inputs()
    tables[table] = tables[table].drop_columns([column])
    source = _write_dir(tmp_path / "in", fmt="csv", **tables)
    result = _run("--input", str(source), "--as-of", "2026-11-01", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert table in result.stderr
    assert column in result.stderr


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_unreadable_file_exits_2_naming_the_table(tmp_path: Path, suffix: str) -> None:
    source = _write_dir(tmp_path / "in", **_inputs())
    (source / "registry.parquet").unlink()
    (source / f"registry.{suffix}").write_bytes(b"\xff\xfe\x00garbage\x81\x82")
    result = _run("--input", str(source), "--as-of", "2026-11-01", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "registry" in result.stderr


def test_duplicate_record_ids_are_bad_input() -> None:
    tables = _inputs()
    facts = pa.concat_tables([tables["facts"], tables["facts"].slice(0, 1)])
    with pytest.raises(InvalidInput, match="record_id"):
        compare_tables(
            registry=tables["registry"], register=tables["register"], facts=facts, as_of=AS_OF
        )


def test_young_adults_in_school_are_assessed_where_a_region_supports_them() -> None:
    """“肯定已成年”的预筛按参数放宽：开启在校就读延续保障时，20 岁在读的孩子照样判定。"""
    from importlib import resources

    from shouhu.core.policy import PolicyParams, assess_case, case_from_json, load_params

    root = resources.files("shouhu.core.policy") / "params"
    texts = {
        f.name: f.read_text(encoding="utf-8") for f in root.iterdir() if f.name.endswith("toml")
    }
    marker = "[[past_18_in_school.supported]]\nvalue = false"
    assert marker in texts["000000.toml"]
    texts["000000.toml"] = texts["000000.toml"].replace(marker, marker.replace("false", "true"))
    supported = PolicyParams.from_texts(texts)
    student = _id(date(2006, 3, 9), 45, "M")
    registry = pa.concat_tables(
        [
            _registry(),
            pa.table(
                {
                    "id_number": [student],
                    "name": ["欧阳晓东"],
                    "gender": ["M"],
                    "birth_date": ["2006-03-09"],
                    "division_code": ["370114"],
                    "father_id_number": [FATHER],
                    "mother_id_number": [MOTHER],
                }
            ),
        ]
    )
    school = {
        **_fact("Z007", student, "欧阳晓东", "in_school", start="2025-09-01"),
        "level": "senior_secondary",
    }
    father_dead = _fact("Z008", FATHER, "欧阳振华", "deceased", date="2020-01-01")
    facts = _facts(MOTHER_DEAD, father_dead)
    facts = pa.concat_tables(
        [facts, pa.table({c: [school.get(c)] for c in facts.column_names}, schema=facts.schema)]
    )
    case = case_from_json(
        {
            "child": {
                "id_number": student,
                "birth_date": "2006-03-09",
                "facts": [
                    {"type": "in_school", "level": "senior_secondary", "start": "2025-09-01"}
                ],
            },
            "father": {"facts": [{"type": "deceased", "date": "2020-01-01"}]},
            "mother": {"facts": [{"type": "deceased", "date": "2024-05-01"}]},
            "as_of": "2026-11-01",
            "region": "370114",
        }
    )
    for params, status in ((supported, "eligible"), (load_params(), "not_eligible")):
        assert assess_case(case, params=params).status == status
        result = compare_tables(
            registry=registry, register=_register(), facts=facts, as_of=AS_OF, params=params
        )
        found = _finding(result.findings, student)
        assert (found and found["kind"]) == ("enrol" if status == "eligible" else None), (
            (found["reasons"], found["record_ids"]) if found else None
        )
