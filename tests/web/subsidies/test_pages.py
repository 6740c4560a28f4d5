"""补贴发放的页面，走一遍经办人员的一个月：生成、审核、批准、导出（Excel 和银行代发文件）、
导入财政的发放结果（两行失败）、对账到分、失败进待办、下月名册重发。"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import CareArrangement, Case
from shouhu.web.subsidies.models import PaymentResult, RosterLine, SubsidyRoster
from shouhu.web.todo import todo_for
from tests.web import factories as f

pytestmark = pytest.mark.django_db


def _results(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["发放编号", "户名", "金额（元）", "发放结果", "失败原因"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, roster_id: int, data: bytes, name: str = "发放结果.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/subsidies/{roster_id}/results/", {"file": file})


def test_a_month_of_subsidies_from_roster_to_reconciliation(personas, region) -> None:
    for i in range(4):
        child = f.person(region.village_a, name=f"王小{'一二三四'[i]}")
        case = Case.objects.create(child=child, category="orphan", orphan_type="scattered",
                                   division=child.division, opened_on=date(2026, 3, 2))  # fmt: skip
        CareArrangement.objects.create(case=case, carer_name=f"王大{i}", bank_name="农商银行",
                                       bank_account=f"62210000000000{i:04d}",
                                       started_on=date(2026, 3, 2))  # fmt: skip
    client = f.client_for(personas.caseworker_a)
    assert client.get("/subsidies/").status_code == 200
    response = client.post("/subsidies/", {"month": "2026-04"})
    roster = SubsidyRoster.objects.get()
    assert response["Location"] == f"/subsidies/{roster.pk}/"
    page = client.get(f"/subsidies/{roster.pk}/").content.decode()
    assert "散居孤儿" in page
    assert "6,000.00" in page
    # 未批准不能导出；审核、批准
    assert client.get(f"/subsidies/{roster.pk}/export/bank/").status_code == 302
    client.post(f"/subsidies/{roster.pk}/review/")
    client.post(f"/subsidies/{roster.pk}/approve/")
    roster.refresh_from_db()
    assert roster.state == "approved"

    book = load_workbook(io.BytesIO(client.get(f"/subsidies/{roster.pk}/export/xlsx/").content))
    rows = list(book["数据"].iter_rows(min_row=2, values_only=True))
    assert [r[8] for r in rows] == ["1500.00"] * 4
    assert {r[4] for r in rows} == {"保障对象"}  # 给财政：看不到感染情况，每人同一类别，金额照实
    assert sum(r[9] for r in rows) == 600000
    bank = client.get(f"/subsidies/{roster.pk}/export/bank/")
    table = list(csv.reader(io.StringIO(bank.content.decode("gbk"))))
    assert table[0][:4] == ["序号", "发放编号", "户名", "账号"]
    assert [r[5] for r in table[1:]] == ["1500.00"] * 4
    assert AuditEntry.objects.filter(action="export", object_type="subsidy_roster").count() == 2

    refs = [r[1] for r in table[1:]]
    # 有问题的文件一行也不导入，逐处说明（文件、行、列）
    bad = _upload(client, roster.pk, _results([[refs[0], "王大0", "1500.1", "已发放", ""],
                                               ["9-9", "某某", "1500", "好了", ""]]))  # fmt: skip
    text = bad.content.decode()
    assert bad.status_code == 400
    assert "文件「发放结果.xlsx」第2行「金额（元）」列" in text
    assert "第3行「发放编号」列" in text
    assert not PaymentResult.objects.exists()

    data = _results([[refs[0], "", "1500.00", "已发放", ""], [refs[1], "", 1500, "成功", ""],
                     [refs[2], "", "1500", "发放失败", "卡已挂失"],
                     [refs[3], "", "1500", "账户有误", "户名不符"]])  # fmt: skip
    _upload(client, roster.pk, data)
    _upload(client, roster.pk, data)  # 同一文件第二次不再导入
    assert PaymentResult.objects.count() == 4
    page = client.get(f"/subsidies/{roster.pk}/").content.decode()
    assert "3,000.00" in page  # 已发放、未发放各3000元，加起来是名册实发6000元

    todo = {item.label: item for item in todo_for(personas.caseworker_a)}
    assert todo["补贴发放失败待核实账户"].count == 2
    assert todo["补贴发放失败待核实账户"].url == f"/subsidies/{roster.pk}/"

    # 下个月的名册：两名失败的儿童补发4月，其余只发5月
    client.post("/subsidies/", {"month": "2026-05"})
    may = SubsidyRoster.objects.get(month=date(2026, 5, 1))
    assert sorted(RosterLine.objects.filter(roster=may).values_list("net_fen", flat=True)) == [
        150000,
        150000,
        300000,
        300000,
    ]


def test_another_county_s_roster_is_not_found(personas, region) -> None:
    client = f.client_for(personas.caseworker_a)
    client.post("/subsidies/", {"month": "2026-04"})
    roster = SubsidyRoster.objects.get()
    other = f.client_for(personas.caseworker_b)
    assert other.get(f"/subsidies/{roster.pk}/").status_code == 404
    assert f.client_for(personas.leader_city).get("/subsidies/").status_code == 403
