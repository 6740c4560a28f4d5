"""The bulk loader (`registry_bulk_load`) gives what the submission path gives, on the same files.

Two generated snapshots of one county (seeded): the first full, the second with births, deaths,
moves, a new number, conflicts, bad cells of every field type, odd spellings (full-width digits,
a 15-digit number, 2026/1/5) and 6% missing, so it is held. Both files go through
`submission_ingest`, the tables are emptied, and both go through the bulk loader; every person,
link, version, former number, issue, held absence, count and row error must be the same.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection

from shouhu.core.identity import id_number_generate
from shouhu.core.identity.id_number import convert_15_to_18
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.exchange.errorlists import errors_unpack
from shouhu.web.exchange.models import Submission, SubmissionErrors
from shouhu.web.exchange.services import submission_ingest
from shouhu.web.registry import bulk_rebuild
from shouhu.web.registry.bulk import registry_bulk_load
from shouhu.web.registry.bulk_rebuild import REBUILD_SHARE
from shouhu.web.registry.models import (
    FormerNumber,
    ParentLink,
    PendingAbsence,
    Person,
    PersonVersion,
    RegistryIssue,
    RegistryLoad,
)
from tests.web.registry.conftest import FEB, JAN

VILLAGES = ("150802100201", "150802100", "150802")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class Generator:
    def __init__(self, seed: int) -> None:
        self.rand = random.Random(seed)
        self.used: set[str] = set()

    def number(self, birth: date, gender: str, division: str = "150802") -> str:
        while True:
            found = id_number_generate(
                division_code=division, birth_date=birth, sequence=self.rand.randrange(100),
                gender=gender,
            )  # fmt: skip
            if found not in self.used:
                self.used.add(found)
                return found

    def birth(self, first: int, last: int) -> date:
        return date(first, 1, 1) + timedelta(days=self.rand.randrange((last - first) * 365))

    def person(self, name: str, birth: date, gender: str, household: str) -> dict[str, str]:
        return {
            "id_number": self.number(birth, gender),
            "name": name,
            "gender": "男" if gender == "M" else "女",
            "birth_date": birth.isoformat(),
            "division_code": self.rand.choice(VILLAGES),
            "household_number": household,
        }

    def families(self, count: int) -> list[dict[str, str]]:
        rows = []
        for index in range(count):
            house = f"H{index:04d}"
            father = self.person(f"张父{_cn(index)}", self.birth(1960, 1990), "M", house)
            mother = self.person(f"李母{_cn(index)}", self.birth(1962, 1992), "F", house)
            child = self.person(f"张子{_cn(index)}", self.birth(2010, 2020), "M", house)
            if index % 7 == 3:  # 父亲只有姓名：同户中找
                child["father_name"] = father["name"]
            else:
                child["father_id_number"] = father["id_number"]
            if index % 11 == 5:  # 母亲在外地
                away = self.birth(1970, 1990)
                child["mother_id_number"] = self.number(away, "F", "110101")
                child["mother_name"] = "外母"
            else:
                child["mother_id_number"] = mother["id_number"]
            rows += [father, mother, child]
        return rows


def _cn(index: int) -> str:
    return "".join("零一二三四五六七八九"[int(d)] for d in str(index))


def second_snapshot(gen: Generator, first: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = [dict(row) for row in first]
    missing = set(range(0, len(rows), 16))  # ≈ 6%：挂起
    rows[1]["registry_status"] = "死亡"
    rows[1]["status_date"] = "2026-01-20"
    rows[4]["division_code"] = "150802100" if rows[4]["division_code"] != "150802100" else "150802"
    rows[38] = dict(rows[38], father_id_number="", father_name="钱某")  # 同户中没有此人
    rows[5]["name"] = "李母改名"
    old = rows[7]["id_number"]
    rows[7]["former_id_number"] = old
    rows[7]["id_number"] = gen.number(date.fromisoformat(rows[7]["birth_date"]), "M")
    rows[10]["id_number"] = rows[10]["id_number"].translate(FULL_WIDTH)  # 全角数字
    rows[13]["birth_date"] = rows[13]["birth_date"].replace("-0", "/").replace("-", "/")
    rows[14]["gender"] = " 女 "
    rows[17]["division_code"] = "150802999999"  # 区划表中没有的村：按上级登记并列为问题
    rows[19] = dict(rows[19], name="另一人", gender="女", birth_date="2001-01-01")  # 同号不同人
    rows[22]["registry_status"] = "迁出"
    bad = {
        25: ("id_number", "150802199001011234"),  # 校验位错
        26: ("name", "张3"),
        27: ("gender", "未知"),
        28: ("birth_date", "2026-13-01"),
        29: ("division_code", "12345"),
        31: ("household_number", "户" * 60),
        30: ("registry_status", "失踪"),
        34: ("status_date", "昨天"),
    }
    for index, (key, value) in bad.items():
        rows[index][key] = value
    rows[35]["father_id_number"] = "150802199001011234"  # 宽松：接收并提示
    kept = [row for index, row in enumerate(rows) if index not in missing]
    legacy = _legacy_person(gen)
    baby_of = first[2]
    baby = gen.person("张新生", date(2026, 1, 10), "F", baby_of["household_number"])
    baby["father_id_number"] = first[0]["id_number"]
    baby["mother_id_number"] = first[1]["id_number"]
    young = gen.person("周小", date(2012, 1, 1), "M", "H9000")
    older_child = gen.person("周大", date(2005, 1, 1), "M", "H9000")
    older_child["father_id_number"] = young["id_number"]  # 父亲不比孩子年长
    twice = gen.person("吴双", date(2000, 5, 5), "M", "")
    twice_b = dict(twice, household_number="H8000")
    return [*kept, legacy, baby, young, older_child, twice, twice_b, dict(kept[40])]


def _legacy_person(gen: Generator) -> dict[str, str]:
    """一个 15 位号码（升 18 位后合规）的人。"""
    while True:
        rand = gen.rand
        born = f"{rand.randrange(50, 99)}0{rand.randrange(1, 10)}1{rand.randrange(1, 10)}"
        s15 = f"150802{born}{rand.randrange(100, 999)}"
        full = convert_15_to_18(s15)
        if full not in gen.used:
            gen.used.add(full)
            return {"id_number": s15, "name": "老号码", "gender": "1", "division_code": "150802"}


def csv_bytes(item: Any, rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spec.header for spec in item.fields])
    for row in rows:
        writer.writerow([row.get(spec.key, "") for spec in item.fields])
    return out.getvalue().encode("utf-8")


def snapshot() -> dict[str, Any]:
    """The registry as the loads left it, by ID number and load order (no keys, no clocks)."""
    order = {
        pk: i
        for i, pk in enumerate(RegistryLoad.objects.order_by("pk").values_list("pk", flat=True))
    }
    number = dict(Person.objects.values_list("pk", "id_number"))
    versions = [
        (number[v.person_id], order[v.load_id], v.valid_from, v.changes, v.id_number,
         v.former_id_number, v.name, v.gender, v.birth_date, v.division_code,
         v.household_number, v.status, v.father_id_number, v.mother_id_number)
        for v in PersonVersion.objects.order_by("pk")
    ]  # fmt: skip
    submissions = [
        (s.rows_total, s.rows_accepted, s.rows_rejected, s.status, s.error_count,
         s.warning_count, s.nil_return, s.invalid_ids)
        for s in Submission.objects.order_by("pk")
    ]  # fmt: skip
    errors = [
        (sorted((e.row, e.column, e.value, e.message) for e in errors_unpack(x.errors)),
         sorted((e.row, e.column, e.value, e.message) for e in errors_unpack(x.warnings)))
        for x in SubmissionErrors.objects.order_by("pk")
    ]  # fmt: skip
    return {
        "persons": sorted(
            Person.objects.values_list(
                "id_number",
                "name",
                "name_pinyin",
                "gender",
                "birth_date",
                "division_id",
                "registry_status",
                "household_number",
            )
        ),
        "links": sorted(
            (number[c], r, number[p], b)
            for c, r, p, b in ParentLink.objects.values_list("child", "relation", "parent", "basis")
        ),
        "versions": sorted(versions, key=lambda v: (v[0], v[1])),
        "former": sorted(
            (n, number[p], order[ld])
            for n, p, ld in FormerNumber.objects.values_list("id_number", "person", "load")
        ),
        "issues": sorted(
            (order[i.load_id], i.kind, i.row, number.get(i.person_id), i.note)
            for i in RegistryIssue.objects.all()
        ),
        "pending": sorted(
            (order[a], number[p]) for a, p in PendingAbsence.objects.values_list("load", "person")
        ),
        "loads": [(x.mode, x.status, x.counts) for x in RegistryLoad.objects.order_by("pk")],
        "submissions": submissions,
        "errors": errors,
    }


def registry_flush() -> None:
    for model in (RegistryIssue, PendingAbsence, PersonVersion, FormerNumber, ParentLink):
        model.objects.all().delete()
    Person.objects.all().delete()
    RegistryLoad.objects.all().delete()
    SubmissionErrors.objects.all().delete()
    Submission.objects.all().delete()


@pytest.mark.parametrize("share", [REBUILD_SHARE, 0.0], ids=["first_load_rebuilds", "both_rebuild"])
def test_the_bulk_loader_gives_what_the_submission_path_gives(
    region, police, item, tmp_path, share, monkeypatch
):
    if share != REBUILD_SHARE and connection.vendor != "postgresql":
        pytest.skip("只有 PostgreSQL 上重建索引")
    monkeypatch.setattr(bulk_rebuild, "REBUILD_SHARE", share)
    gen = Generator(2026)
    first = gen.families(60)  # 180 persons
    files = [csv_bytes(item, first), csv_bytes(item, second_snapshot(gen, first))]
    agency, clerk = police
    ctx = RequestContext(user=clerk, client_ip="cli", purpose=Purpose.SUBMISSION)
    for data, period in zip(files, (JAN, FEB), strict=True):
        result = submission_ingest(
            ctx=ctx, agency=agency, item_code=item.code, period=period, channel="cli",
            filename="户籍.csv", data=data, full_snapshot=True,
        )  # fmt: skip
        assert result.submission is not None, result.rejected_whole
    expected = snapshot()
    registry_flush()
    for index, (data, period) in enumerate(zip(files, (JAN, FEB), strict=True)):
        path = tmp_path / f"{index}" / "户籍.csv"
        path.parent.mkdir()
        path.write_bytes(data)
        report = tmp_path / f"errors{index}.csv"
        bulk = registry_bulk_load(
            ctx=ctx, agency=agency, period=period, path=path, full_snapshot=True,
            error_report=report, batch_rows=64,
        )  # fmt: skip
        assert bulk.submission is not None, bulk.rejected_whole
        rebuilt = "indexes_rebuild" in bulk.timings
        assert rebuilt == (connection.vendor == "postgresql" and (index == 0 or share == 0.0))
    got = snapshot()
    assert expected["loads"][1][1] == "held"
    assert expected["submissions"][1][-1] == 2  # 身份证号不合格：退回的第 25 行和接收的第 35 行
    for key in expected:
        assert got[key] == expected[key], key


def test_the_same_file_twice_loads_once_and_errors_go_to_a_csv_report(
    region, police, item, tmp_path
):
    gen = Generator(7)
    rows = gen.families(3)
    rows[0]["name"] = "张3"
    path = tmp_path / "户籍.csv"
    path.write_bytes(csv_bytes(item, rows))
    agency, clerk = police
    ctx = RequestContext(user=clerk, client_ip="cli", purpose=Purpose.SUBMISSION)
    report = tmp_path / "errors.csv"
    first = registry_bulk_load(
        ctx=ctx, agency=agency, period=JAN, path=path, full_snapshot=False, error_report=report
    )
    again = registry_bulk_load(ctx=ctx, agency=agency, period=JAN, path=path, full_snapshot=False)
    assert (first.rows_total, first.rows_accepted, first.duplicate) == (9, 8, False)
    assert again.duplicate
    assert RegistryLoad.objects.count() == 1
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "文件,行,列,值,说明"
    assert "第2行「姓名」列" in lines[1]


def test_a_row_outside_the_area_refuses_the_whole_file(region, police, item, tmp_path):
    rows = Generator(8).families(2)
    rows[3]["division_code"] = "150821100200"
    path = tmp_path / "户籍.csv"
    path.write_bytes(csv_bytes(item, rows))
    agency, clerk = police
    ctx = RequestContext(user=clerk, client_ip="cli", purpose=Purpose.SUBMISSION)
    result = registry_bulk_load(ctx=ctx, agency=agency, period=JAN, path=path, full_snapshot=False)
    assert result.submission is None
    assert "第5行" in (result.rejected_whole or "")
    assert (Person.objects.count(), Submission.objects.count()) == (0, 0)


def _catalog() -> set[tuple[str, ...]]:
    tables = ["registry_person", "registry_parentlink", "registry_personversion"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables]
        )
        found = {tuple(row) for row in cursor.fetchall()}
        cursor.execute(
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid),
                 condeferrable::text, condeferred::text, convalidated::text
               FROM pg_constraint WHERE conrelid = ANY(CAST(%s AS regclass[]))""",
            [tables],
        )
        return found | {tuple(row) for row in cursor.fetchall()}


def test_a_large_load_on_postgresql_puts_back_every_index_and_constraint(
    region, police, item, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("只有 PostgreSQL 上重建索引")
    before = _catalog()
    assert len(before) > 20
    path = tmp_path / "户籍.csv"
    path.write_bytes(csv_bytes(item, Generator(9).families(4)))
    agency, clerk = police
    ctx = RequestContext(user=clerk, client_ip="cli", purpose=Purpose.SUBMISSION)
    result = registry_bulk_load(ctx=ctx, agency=agency, period=JAN, path=path, full_snapshot=True)
    assert "indexes_rebuild" in result.timings
    assert _catalog() == before
    assert ParentLink.objects.count() == 8
