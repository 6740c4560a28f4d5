"""个案工作的页面：儿童页面的“个案工作”一栏，儿童主任记录探访，经办人员评估确认风险、
核查后终止，强制报告，首页待办和清单；辖区外的个案与不存在的同一答复，角色不能做的答 403。"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.web.accounts.models import RosterMember
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import MajorChange, RiskChange, Visit
from tests.web import factories as f
from tests.web.factories import client_for
from tests.web.test_pages_speak_chinese import ALLOWED_WORDS, codes_in, visible_text

pytestmark = pytest.mark.django_db

VISIT = {
    "place": "儿童家中",
    "seen": "儿童、祖母",
    **{f"check_{c}": "ok" for c in ("safety", "food", "school", "health", "carer")},
    "check_food": "concern",
    "note_food": "冰箱里没有吃的",
}


USERNAMES = {
    "director_a",
    "caseworker_a",
    "caseworker_b",
    "court_clerk_a",
    "supervisor_a",
}  # 页头的账户名


def _text(response) -> str:
    text = visible_text(response.content.decode())
    assert codes_in(text, ALLOWED_WORDS | USERNAMES) == []
    return text


def test_the_director_records_a_visit_from_the_child_page(casework, personas) -> None:
    client = client_for(personas.child_director_a)
    page = _text(client.get(f"/persons/{casework.child.pk}/"))
    assert "个案工作" in page
    assert "记录探访" in page
    assert "风险评估和确认" not in page  # 儿童主任不能确认风险等级
    url = f"/cases/{casework.case.pk}/visits/new/"
    assert "安全" in _text(client.get(url))
    when = f"{timezone.localtime() - timedelta(hours=1):%Y-%m-%dT%H:%M}"
    bad = client.post(url, VISIT | {"visited_at": when, "note_food": ""})
    assert bad.status_code == 400
    assert "饮食" in _text(bad)
    assert "冰箱" not in _text(bad)  # 没填的说明不会凭空出现
    assert not Visit.objects.exists()
    done = client.post(url, VISIT | {"visited_at": when})
    assert done.status_code == 302
    page = _text(client.get(done["Location"]))
    assert "饮食：有问题（冰箱里没有吃的）" in page
    assert "已记录探访" in page


def test_the_caseworker_assesses_and_confirms_the_risk(casework, personas) -> None:
    client = client_for(personas.caseworker_a)
    url = f"/cases/{casework.case.pk}/risk/"
    assert '<option value="general" selected>' in client.get(url).content.decode()  # 现在的等级
    answers = {"q_care": "unable", "q_harm": "none", "q_health": "good", "q_school": "normal",
               "q_family": "some"}  # fmt: skip
    proposed = client.post(url, answers | {"step": "propose"})
    assert "评估建议：高风险" in _text(proposed)
    assert '<option value="high" selected>' in proposed.content.decode()
    assert not RiskChange.objects.exists()
    blank = client.post(url, answers | {"step": "confirm", "level": "high", "reason": " "})
    assert blank.status_code == 400
    done = client.post(url, answers | {"step": "confirm", "level": "high", "reason": "无人照料"})
    assert done.status_code == 302
    page = _text(client.get(done["Location"]))
    assert "一般 → 高风险" in page
    assert "评估建议高风险" in page


def test_a_review_proposing_termination_leads_to_the_close_form(casework, personas) -> None:
    client = client_for(personas.caseworker_a)
    today = timezone.localdate().isoformat()
    done = client.post(f"/cases/{casework.case.pk}/reviews/new/",
                       {"reviewed_on": today, "outcome": "termination_proposed",
                        "note": "父亲已康复出院"})  # fmt: skip
    assert done.status_code == 302
    page = _text(client.get(done["Location"]))
    assert "建议终止" in page
    assert "办理终止" in page
    assert "核查建议终止，待办理" in _text(client.get("/"))
    reason = {"reason_code": "no_qualifying_condition", "reason": "父亲已康复"}
    closed = client.post(f"/cases/{casework.case.pk}/close/", reason)
    assert closed.status_code == 302
    casework.case.refresh_from_db()
    assert casework.case.status == "closed"


def test_a_mandatory_report_shows_on_the_director_first_page(casework, personas) -> None:
    director = client_for(personas.child_director_a)
    seen = f"{timezone.localtime() - timedelta(hours=2):%Y-%m-%dT%H:%M}"
    done = director.post(f"/cases/{casework.case.pk}/reports/new/",
                         {"reporter_kind": "school", "reporter_org": "示范小学",
                          "reporter_name": "王老师", "seen_at": seen,
                          "what_seen": "手臂有淤青"})  # fmt: skip
    assert done.status_code == 302
    assert MajorChange.objects.get().kind == "mandatory_report"
    home = _text(director.get("/"))
    assert "24 小时内须走访" in home
    listing = _text(director.get("/cases/work/?list=visits_urgent"))
    assert casework.child.name in listing
    due = MajorChange.objects.get().visit_due_at
    assert f"{timezone.localtime(due):%H:%M} 前" in listing  # 24 小时的期限，到分钟
    caseworker_home = _text(client_for(personas.caseworker_a).get("/"))
    assert "重大变故待复核" in caseworker_home
    entry = AuditEntry.objects.filter(object_type="mandatory_report").get()
    assert "淤青" not in str(entry.detail)


def test_out_of_scope_is_missing_and_a_role_that_cannot_is_refused(casework, personas) -> None:
    other = client_for(personas.caseworker_b)
    for url in (f"/cases/{casework.case.pk}/visits/new/", f"/cases/{casework.case.pk}/risk/"):
        assert other.get(url).status_code == 404
    assert other.get("/cases/987654321/visits/new/").status_code == 404
    director = client_for(personas.child_director_a)
    assert director.get(f"/cases/{casework.case.pk}/risk/").status_code == 403
    assert director.get(f"/cases/{casework.case.pk}/close/").status_code == 403
    assert client_for(personas.court_clerk_a).get("/cases/work/").status_code == 403
    denied = AuditEntry.objects.filter(action="deny", object_type="case").count()
    assert denied == 5  # 辖区外 2、不存在 1、角色不能 2


def test_the_supervisor_sees_overdue_visits_with_the_village_directors(
    casework, region, personas
) -> None:
    personas.child_director_a.full_name = "张海军"
    personas.child_director_a.save(update_fields=["full_name"])
    RosterMember.objects.create(
        duty="child_director", full_name="李春花", division=region.village_a
    )
    supervisor = f.user("supervisor_a", "supervisor", region.township_a)
    client = client_for(supervisor)
    assert "探访逾期" in _text(client.get("/"))  # 2025 年纳入，至今未探访
    listing = _text(client.get("/cases/work/?list=visits_overdue"))
    assert casework.child.name in listing
    assert "儿童主任 李春花、张海军" in listing
    assert "已逾期" in listing
    raw = client.get("/cases/work/?list=visits_overdue").content.decode()
    assert "/cases/work/export.xlsx?list=visits_overdue" in raw
    answer = client.get("/cases/work/export.xlsx", {"list": "visits_overdue"})
    sheet = load_workbook(io.BytesIO(answer.content))["数据"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert (rows[0][0], rows[0][2], rows[0][5]) == (casework.child.name, "李春花、张海军", "逾期")
    assert AuditEntry.objects.filter(action="export", object_type="case_work_list").exists()
