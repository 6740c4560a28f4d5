"""闭环，按议题的检查走一遍：民政发布资助参保名单；医保在网页上确认一半，其余下载名单填好
“反馈”列上传（同一文件再传不重复记入）；一名儿童退出保障后，下一份变动名单告诉医保停办。
另有一个坏的反馈文件：逐处说明文件、行、列，一行也不记。"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.web.accounts.models import Agency
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.services import case_close
from shouhu.web.shares.models import FeedbackBatch, ShareEntry, ShareFeedback, ShareList
from shouhu.web.shares.reminders import share_reminders
from shouhu.web.todo import todo_for
from tests.web import factories as f
from tests.web.shares.conftest import ctx_for, upload, xlsx

pytestmark = pytest.mark.django_db


def _publish(client) -> ShareList:  # type: ignore[no-untyped-def]
    agency = Agency.objects.get(name="临河区医疗保障局")
    response = client.post("/shares/", {"receiver": f"{agency.pk}:insurance_enrolment"})
    share_list = ShareList.objects.order_by("-pk").first()
    assert share_list is not None
    assert response["Location"] == f"/shares/{share_list.pk}/"
    return share_list


def test_medical_insurance_list_from_publishing_to_stop(personas, shares) -> None:
    civil = f.client_for(personas.caseworker_a)
    first = _publish(civil)
    assert (first.number, first.full, first.enrol_count, first.exit_count) == (1, True, 4, 0)
    # 只带授权的字段：有身份证号和纳入日期，没有照料人的电话；五原县的儿童不在临河区的名单上
    entry = first.entries.first()
    assert entry is not None
    assert "id_number" in entry.data
    assert "opened_on" in entry.data
    assert "carer_phone" not in entry.data
    assert sorted(e.data["name"] for e in first.entries.all()) == [
        "王小一",
        "王小三",
        "王小二",
        "王小四",
    ]

    dept = f.client_for(shares.department_a)
    assert [t.label for t in todo_for(shares.department_a)] == ["推送名单待反馈"]
    home = dept.get("/shares/").content.decode()
    assert "资助参保和医疗救助" in home
    assert "0 / 4" in home
    assert f.client_for(shares.department_b).get(f"/shares/{first.pk}/").status_code == 404

    # 网页上确认一半（勾选两人）
    ids = list(first.entries.order_by("pk").values_list("pk", flat=True))
    yesterday = timezone.localdate() - timedelta(days=1)
    dept.post(f"/shares/{first.pk}/feedback/", {"entry": ids[:2], "outcome": "done",
              "done_on": yesterday.isoformat(), "reference": "YB001"})  # fmt: skip
    assert ShareFeedback.objects.filter(outcome="done", reference="YB001").count() == 2

    # 其余两人：下载名单（经统一导出），在“反馈”列填写后上传
    book = load_workbook(io.BytesIO(dept.get(f"/shares/{first.pk}/export/").content))
    rows = [list(r) for r in book["数据"].iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["名单编号", "变动", "姓名"]
    assert "联系电话" not in header
    assert [r[header.index("反馈")] or "" for r in rows[1:]] == ["已办理", "已办理", "", ""]
    for row in rows[3:]:
        row[header.index("反馈")] = "已参保"
        row[header.index("办理日期")] = yesterday
        row[header.index("办理编号")] = "YB002"
    data = xlsx(rows)
    assert upload(dept, first.pk, data).status_code == 302
    assert upload(dept, first.pk, data).status_code == 302  # 同一文件再传：不重复记入
    assert FeedbackBatch.objects.count() == 1
    assert ShareFeedback.objects.filter(outcome="done").count() == 4
    assert todo_for(shares.department_a) == []

    # 一名儿童退出保障：下一份变动名单只有这一名，变动为“停止”
    case_close(ctx=ctx_for(personas.caseworker_a, "case_work"), case=shares.cases[0],
               reason_code="adopted", reason="已被依法收养")  # fmt: skip
    second = _publish(civil)
    assert (second.number, second.full, second.enrol_count, second.exit_count) == (2, False, 0, 1)
    stop = second.entries.get()
    assert (stop.change, stop.data["name"], stop.data["closed_on"]) == (
        "exit", "王小一", timezone.localdate().isoformat())  # fmt: skip
    page = dept.get(f"/shares/{second.pk}/?show=exit").content.decode()
    assert "停止" in page
    assert "王小一" in page
    assert (
        civil.post("/shares/", {"receiver": f"{first.agency_id}:insurance_enrolment"}).status_code
        == 400
    )

    # 反馈提醒（每天的提醒任务）：只有部门、用途、份数、人数和截止日
    shares.department_a.email = "yibao@example.cn"
    shares.department_a.save(update_fields=["email"])
    (notice,) = share_reminders(second.due_on + timedelta(days=1))
    assert notice.to == ("yibao@example.cn",)
    assert "1 份推送名单待反馈，其中 1 份已逾期" in notice.subject
    assert "资助参保和医疗救助名单第 2 份：1 名儿童待反馈" in notice.body
    assert "王小一" not in notice.body

    # 民政看闭环；儿童页显示医保办了什么
    closure = civil.get("/shares/").content.decode()
    assert "临河区医疗保障局：资助参保和医疗救助" in closure
    child = civil.get(f"/persons/{shares.cases[2].child_id}/").content.decode()  # 王小三
    assert "推送给部门的名单和办理情况" in child
    assert "YB001" in child
    kinds = set(AuditEntry.objects.values_list("action", "object_type"))
    assert {("create", "share_list"), ("export", "share_list"), ("create", "share_feedback"),
            ("view", "share_list")} <= kinds  # fmt: skip


def test_a_bad_feedback_file_is_refused_whole_with_each_problem_named(personas, shares) -> None:
    first = _publish(f.client_for(personas.caseworker_a))
    refs = [e.ref for e in ShareEntry.objects.filter(share_list=first).order_by("pk")]
    tomorrow = timezone.localdate() + timedelta(days=1)
    rows = [
        ["名单编号", "反馈", "办理日期", "办理编号", "未能办理原因"],
        [refs[0], "已办理", date(2026, 3, 5), "YB1", ""],  # 这一行没问题，也不记
        ["99-1", "已办理", date(2026, 3, 5), "", ""],
        [refs[1], "好了", "", "", ""],
        [refs[2], "已办理", "", "", ""],
        [refs[3], "未能办理", "", "", ""],
        [refs[0], "已办理", tomorrow, "", ""],
    ]
    response = upload(f.client_for(shares.department_a), first.pk, xlsx(rows), "医保反馈.xlsx")
    text = response.content.decode()
    assert response.status_code == 400
    assert "一行也没有记入" in text
    assert "文件「医保反馈.xlsx」第3行「名单编号」列" in text
    assert "第4行「反馈」列的值“好了”：应为“已办理”“不适用”或“未能办理”" in text
    assert "第5行「办理日期」列：已办理的须填办理日期" in text
    assert "第6行「未能办理原因」列：未能办理的须写明原因" in text
    assert "第7行「名单编号」列" in text
    assert "出现了两次" in text
    assert not ShareFeedback.objects.exists()
    assert not FeedbackBatch.objects.exists()
    # 民政经办人员看得到名单，但不能替部门反馈
    civil = f.client_for(personas.caseworker_a)
    assert upload(civil, first.pk, xlsx(rows)).status_code == 403
