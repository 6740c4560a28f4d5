"""Divisions: the national table (county level and above) synced into the database in one batch;
townships and villages imported from a code list — all rows or none, row-level Chinese errors,
idempotent, audited, only inside the importer's subtree; synthetic regions load the same way."""

from __future__ import annotations

import io
import time

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from shouhu.cli import main
from shouhu.core.identity import division_table
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from shouhu.web.registry.divisions import division_import, division_table_sync
from shouhu.web.registry.models import Division
from tests.web import factories as f

pytestmark = pytest.mark.django_db
CLI = RequestContext(user=None, client_ip="", purpose="administration")
LIST = """统计用区划代码,名称
150802000000,临河区
150802103000,狼山镇
150802103201,新红村
150802103202,联丰村
150802103001,狼山社区
"""


def _import(text: str, under=None, filename="代码表.csv"):
    return division_import(ctx=CLI, data=text.encode(), filename=filename, under=under)


def test_a_code_list_adds_the_township_and_its_villages(region):
    result = _import(LIST, under=region.county_a)
    assert result.ok, result.errors
    assert result.created == {"township": 1, "village": 3}
    assert result.unchanged == 1  # the county's own row: the national table wins
    village = Division.objects.get(code="150802103201")
    assert (village.name, village.level, village.parent_id) == ("新红村", "village", "150802103")
    assert village.path == "/150000/150800/150802/150802103/150802103201/"
    entry = AuditEntry.objects.get(object_type="division_import")
    assert entry.detail["created"] == 4
    assert entry.object_id == "150802"


def test_the_same_list_twice_changes_nothing_and_a_new_name_renames(region):
    _import(LIST)
    again = _import(LIST)
    assert again.ok
    assert again.created_total == 0
    assert again.unchanged == 5
    renamed = _import(LIST.replace("新红村", "新红村委会"))
    assert renamed.renamed == 1
    assert Division.objects.get(code="150802103201").name == "新红村委会"


def test_one_bad_row_stores_nothing_and_every_problem_is_named(region):
    bad = LIST + "150802104201,无上级村\n150899,编造的县\n150821100202,外县村\n15080210,坏代码\n"
    result = _import(bad, under=region.county_a)
    assert not result.ok
    rows = {e.row: e.message for e in result.errors}
    assert set(rows) == {7, 8, 9, 10}
    assert "所在乡镇（代码 150802104）不在区划表中" in rows[7]
    assert "随平台提供，不能导入" in rows[8]
    assert "不在您管辖的临河区范围内" in rows[9]
    assert "应为6位县级、9位乡级或12位村级" in rows[10]
    assert all(message.startswith("文件「代码表.csv」第") for message in rows.values())
    assert not Division.objects.filter(code__startswith="150802103").exists()
    assert not AuditEntry.objects.filter(object_type="division_import").exists()


def test_duplicate_codes_and_empty_names_are_row_errors(region):
    result = _import("区划代码,名称\n150802103,狼山镇\n150802103,又一个\n150802103201,\n")
    assert {e.row for e in result.errors} == {3, 4}


def test_an_xlsx_with_numeric_codes_imports(region):
    book = Workbook()
    sheet = book.active
    sheet.append(["代码", "名称"])
    sheet.append([150802103000, "狼山镇"])
    sheet.append([150802103201, "新红村"])
    data = io.BytesIO()
    book.save(data)
    result = division_import(ctx=CLI, data=data.getvalue(), filename="村.xlsx", under=None)
    assert result.ok, result.errors
    assert Division.objects.filter(code="150802103201").exists()


def test_an_unreadable_file_is_refused_whole(region):
    result = _import("这不是代码表\n1,2\n")
    assert result.rejected_whole
    assert not result.ok


def test_a_functional_zone_and_a_city_without_counties_take_their_townships():
    hebei = f.division("130000", "河北省")
    f.division("130100", "石家庄市", hebei)
    guangdong = f.division("440000", "广东省")
    f.division("441900", "东莞市", guangdong)
    text = ("区划代码,名称\n130171,石家庄高新技术产业开发区\n130171001,长江街道\n"
            "441900003,东城街道\n441900003001,花园社区\n")  # fmt: skip
    result = _import(text)
    assert result.ok, result.errors
    assert Division.objects.get(code="130171001").path == "/130000/130100/130171/130171001/"
    assert Division.objects.get(code="441900003").parent_id == "441900"


def test_the_web_page_imports_and_shows_errors_by_row(admin_client, region):
    upload = io.BytesIO(LIST.encode())
    upload.name = "狼山镇.csv"
    done = admin_client.post("/manage/divisions/", {"code_list": upload})
    assert done.status_code == 200
    assert "新增乡镇（街道） 1 个、村（居） 3 个" in done.content.decode()
    wrong = io.BytesIO("区划代码,名称\n150821100202,外县村\n".encode())
    wrong.name = "外县.csv"
    refused = admin_client.post("/manage/divisions/", {"code_list": wrong})
    assert refused.status_code == 400
    assert "第2行" in refused.content.decode()
    page = admin_client.get("/manage/divisions/").content.decode()
    assert "狼山镇" in page


def test_the_national_table_syncs_in_one_batch_and_again_changes_nothing():
    started = time.perf_counter()
    count = division_table_sync()
    first = time.perf_counter() - started
    print(f"division_table_sync: {count} rows in {first:.2f} s")
    assert count == len(division_table()) > 3000
    assert Division.objects.filter(level="county").count() >= 2800
    assert Division.objects.get(code="110101").path == "/110000/110100/110101/"
    assert first < 20  # generous on a shared machine; row-by-row took ~10 s on SQLite
    Division.objects.filter(code="150802").update(name="改过的名字")
    division_table_sync()
    assert Division.objects.get(code="150802").name == "临河区"
    assert Division.objects.count() == count


def test_a_synthetic_region_loads_its_villages_through_the_same_import(tmp_path):
    from shouhu.engine.synth import synth_write

    division_table_sync()
    synth_write(tmp_path, persons=3000, seed=5, division_codes=["370114"],
                as_of=__import__("datetime").date(2026, 11, 1), fmt="csv")  # fmt: skip
    listed = CliRunner().invoke(
        main, ["division", "code-list", "--from-region", str(tmp_path), "--out",
               str(tmp_path / "villages.csv")]
    )  # fmt: skip
    assert listed.exit_code == 0, listed.output
    assert (tmp_path / "villages.csv").read_bytes().startswith("\ufeff区划代码,名称".encode())
    loaded = CliRunner().invoke(main, ["division", "import", "--from-region", str(tmp_path)])
    assert loaded.exit_code == 0, loaded.output
    import csv

    with (tmp_path / "registry.csv").open(encoding="utf-8") as handle:
        codes = {r["division_code"] for r in csv.DictReader(handle)}
    assert codes
    assert all(len(c) == 12 for c in codes)
    assert Division.objects.filter(code__in=codes).count() == len(codes)
    assert all(Division.objects.filter(code__in=codes).values_list("synthetic", flat=True))
    again = CliRunner().invoke(main, ["division", "import", "--from-region", str(tmp_path)])
    assert "没有新增" in again.output
