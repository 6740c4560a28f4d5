"""强制报告一名没有保障个案的儿童：学校报告 → 儿童登记到困境儿童名册、临时按高风险、24 小时内
须走访（儿童主任收到通知、待办和清单上有）→ 走访即响应 → 经办人员确认风险等级即复核。"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shouhu.core.policy.dates import add_months
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import MajorChange, RiskChange
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.cases.register_risk import child_report_create
from shouhu.web.cases.registers import EntryInput, register_entry_create
from shouhu.web.cases.reports import ReportInput
from shouhu.web.notifications.models import Notification
from shouhu.web.todo import todo_for
from tests.web import factories as f
from tests.web.cases.conftest import work_ctx

pytestmark = pytest.mark.django_db

CHECKS = {f"check_{c}": "ok" for c in ("safety", "food", "school", "health", "carer")}


def _labels(user) -> dict[str, int]:
    return {item.label: item.count for item in todo_for(user)}


def _report_form(seen) -> dict[str, str]:
    return {"reporter_kind": "school", "reporter_org": "示范村小学", "reporter_name": "王老师",
            "seen_at": f"{seen:%Y-%m-%dT%H:%M}",
            "what_seen": "孩子身上有多处淤青，说是被打的"}  # fmt: skip


def test_a_school_reports_a_child_not_in_care_and_the_director_visits_within_24_hours(
    region, personas, django_capture_on_commit_callbacks
) -> None:
    child = f.person(region.village_a, name="陈小草", birth=date(2016, 4, 4), gender="F")
    director = f.client_for(personas.child_director_a)
    page = director.get(reverse("person_detail", args=[child.pk])).content.decode()
    assert 'data-testid="child-report"' in page  # 不在保障中、不在名册上也能报告
    url = reverse("child_report_new", args=[child.pk])
    seen = timezone.localtime() - timedelta(hours=2)
    missing = director.post(url, _report_form(seen))  # 没选情形
    assert missing.status_code == 400
    assert "受监护人侵害" in missing.content.decode()
    assert not RegisterEntry.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        answer = director.post(url, _report_form(seen) | {"kind": "guardian_abuse"})
    assert answer.status_code == 302
    entry = RegisterEntry.objects.get()
    assert (entry.kind, entry.reason, entry.case, entry.entered_by) == (
        "guardian_abuse", "强制报告", None, personas.child_director_a)  # fmt: skip
    change = MajorChange.objects.get()
    assert (change.entry, change.case, change.report.reporter_org) == (entry, None, "示范村小学")
    assert change.visit_due_at - change.occurred_at == timedelta(hours=24)
    entry.refresh_from_db()
    assert entry.visit_due_on == timezone.localdate(change.visit_due_at)
    raised = RiskChange.objects.get()
    assert (raised.entry, raised.from_level, raised.to_level) == (entry, "general", "high")
    notice = Notification.objects.get(kind="visit_due_24h")  # 村里的儿童主任收到站内通知
    assert (notice.user_id, notice.urgent) == (personas.child_director_a.pk, True)
    assert "陈小草" not in notice.body
    assert _labels(personas.caseworker_a)["重大变故待复核（临时按高风险）"] == 1
    assert _labels(personas.child_director_a)["24 小时内须走访（重大变故、强制报告）"] == 1
    listing = director.get(reverse("case_work_list") + "?list=visits_urgent").content.decode()
    assert "陈小草" in listing
    shown = director.get(reverse("register_entry", args=[entry.pk])).content.decode()
    assert "高风险（临时）" in shown
    assert "须在" in shown

    after = timezone.localtime() + timedelta(minutes=1)  # 表单只到分钟：报告之后的一分钟
    visit = {"visited_at": f"{after:%Y-%m-%dT%H:%M}", "place": "儿童家中",
             "seen": "儿童、母亲", **CHECKS}  # fmt: skip
    assert director.post(reverse("register_visit_new", args=[entry.pk]), visit).status_code == 302
    change.refresh_from_db()
    assert change.visit is not None  # 走访即响应
    assert "24 小时内须走访（重大变故、强制报告）" not in _labels(personas.child_director_a)
    entry.refresh_from_db()
    assert entry.visit_due_on == timezone.localdate() + timedelta(days=7)  # 仍临时高风险：每周

    caseworker = f.client_for(personas.caseworker_a)
    assert director.post(reverse("register_entry", args=[entry.pk]),
                         {"action": "risk", "level": "key", "risk_reason": "x"}
                         ).status_code == 403  # fmt: skip
    confirm = {"action": "risk", "level": "key", "risk_reason": "已由派出所介入，母亲照料"}
    assert caseworker.post(reverse("register_entry", args=[entry.pk]), confirm).status_code == 302
    change.refresh_from_db()
    entry.refresh_from_db()
    assert change.reviewed_at is not None
    assert (entry.risk_level, entry.visit_due_on) == ("key", add_months(timezone.localdate(), 1))
    assert "重大变故待复核（临时按高风险）" not in _labels(personas.caseworker_a)
    audit = AuditEntry.objects.filter(object_type="mandatory_report").get()
    assert audit.detail["register_entry"] == entry.pk
    assert "淤青" not in json.dumps(AuditEntry.objects.values_list("detail", flat=True)[::1],
                                    ensure_ascii=False)  # fmt: skip


def test_a_report_on_a_register_child_uses_its_entry_and_one_with_a_case_goes_to_the_case(
    region, personas, casework
) -> None:
    child = f.person(region.village_a, name="孙留守", birth=date(2016, 2, 2))
    entry = register_entry_create(ctx=work_ctx(personas.caseworker_a), child=child, data=EntryInput(
        "street_child", "曾流浪", timezone.localdate()))  # fmt: skip
    data = ReportInput("police", "城关派出所", "李警官", "", timezone.now(), "夜间独自在街上")
    report = child_report_create(ctx=work_ctx(personas.caseworker_a), child=child, data=data)
    assert (report.change.entry, RegisterEntry.objects.count()) == (entry, 1)
    on_case = child_report_create(ctx=casework.director, child=casework.child, data=data)
    assert (on_case.change.case, on_case.change.entry) == (casework.case, None)


def test_the_api_reports_any_child_and_out_of_scope_is_not_found(region, personas) -> None:
    child = f.person(region.village_a, name="陈小草", birth=date(2016, 4, 4), gender="F")
    body = {"reporter_kind": "hospital", "reporter_org": "临河区人民医院",
            "reporter_name": "刘医生", "what_seen": "儿童营养不良，无人陪护",
            "kind": "sudden_event", "seen_at": timezone.now().isoformat()}  # fmt: skip
    url = f"/api/v1/persons/{child.pk}/reports"
    other = f.client_for(personas.caseworker_b)
    assert other.post(url, json.dumps(body), content_type="application/json").status_code == 404
    director = f.client_for(personas.child_director_a)
    answer = director.post(url, json.dumps(body), content_type="application/json")
    assert answer.status_code == 201
    out = answer.json()
    assert out["case_id"] is None
    assert RegisterEntry.objects.get(pk=out["register_entry_id"]).kind == "sudden_event"


def test_a_major_change_on_a_register_child_asks_for_a_visit_within_24_hours(
    region, personas
) -> None:
    child = f.person(region.village_a, name="孙留守", birth=date(2016, 2, 2))
    entry = register_entry_create(ctx=work_ctx(personas.caseworker_a), child=child, data=EntryInput(
        "left_behind", "父母外出务工", timezone.localdate(), "away_in_province",
        "away_in_province", "孙爷爷", "祖父"))  # fmt: skip
    director = f.client_for(personas.child_director_a)
    url = reverse("register_entry", args=[entry.pk])
    when = timezone.localtime() - timedelta(hours=3)
    form = {
        "action": "change",
        "change_kind": "carer_deceased",
        "occurred_at": f"{when:%Y-%m-%dT%H:%M}",
    }
    blank = director.post(url, form | {"change_note": " "})
    assert blank.status_code == 400
    assert not MajorChange.objects.exists()
    assert director.post(url, form | {"change_note": "祖父突发疾病去世"}).status_code == 302
    change = MajorChange.objects.get()
    assert (change.entry, change.kind) == (entry, "carer_deceased")
    assert change.visit_due_at == change.occurred_at + timedelta(hours=24)
    entry.refresh_from_db()
    assert entry.visit_due_on == timezone.localdate(change.visit_due_at)
    assert _labels(personas.child_director_a)["24 小时内须走访（重大变故、强制报告）"] == 1
    audit = AuditEntry.objects.get(object_type="major_change")
    assert audit.detail == {"register_entry": entry.pk, "kind": "carer_deceased", "note_chars": 8}
