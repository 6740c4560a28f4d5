"""POST /api/v1/cases/{case_id}/reports — 强制报告的接口：与网页表单同一个服务、同样的权限和审计。

用平台账户的会话调用（经办人员、儿童主任、督导员），与网页一样只能报告辖区内保障中的儿童。
部门系统的接口凭证只能报送数据，不能直接报告（部门用户在平台上看不到儿童）。
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shouhu.web import access
from shouhu.web.accounts.permissions import Right
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.register_risk import child_report_create
from shouhu.web.cases.reports import ReportInput, mandatory_report_create

router = Router(tags=["个案工作"])


class ReportIn(Schema):
    reporter_kind: str  # school | hospital | police | village_committee | civil_affairs | other
    reporter_org: str
    reporter_name: str
    reporter_phone: str = ""
    seen_at: datetime
    what_seen: str


class ReportOut(Schema):
    id: int
    case_id: int
    reported_at: datetime
    visit_due_at: datetime  # 儿童主任须在此前走访到位


@router.post(
    "/cases/{case_id}/reports",
    response={201: ReportOut},
    summary="强制报告：儿童处于危险之中（儿童临时按高风险，24 小时内须走访）",
)
def report_create(request: HttpRequest, case_id: int, payload: ReportIn) -> Status:
    ctx = request_context(request, Purpose.CASE_WORK)
    case = access.access_case_work(ctx, case_id, Right.REPORT_CHILD)
    report = mandatory_report_create(ctx=ctx, case=case, data=ReportInput(**payload.dict()))
    change = report.change
    out = ReportOut(id=report.pk, case_id=case.pk, reported_at=change.occurred_at,
                    visit_due_at=change.visit_due_at)  # fmt: skip
    return Status(201, out)


class ChildReportIn(ReportIn):
    # 儿童不在保障中、也不在名册上时登记的情形：guardian_abuse（受监护人侵害）| sudden_event
    kind: str = ""


class ChildReportOut(Schema):
    id: int
    case_id: int | None  # 有保障中的个案时记在个案上
    register_entry_id: int | None  # 否则记在名册登记上（没有时按报告新登记）
    reported_at: datetime
    visit_due_at: datetime


@router.post(
    "/persons/{person_id}/reports",
    response={201: ChildReportOut},
    summary="强制报告任何一名儿童（有没有个案都行）：临时按高风险，24 小时内须走访",
)
def child_report_create_api(request: HttpRequest, person_id: int, payload: ChildReportIn) -> Status:
    ctx = request_context(request, Purpose.CASE_WORK)
    child = access.access_child_report(ctx, person_id)
    fields = payload.dict()
    kind = fields.pop("kind")
    report = child_report_create(ctx=ctx, child=child, data=ReportInput(**fields), kind=kind)
    change = report.change
    out = ChildReportOut(
        id=report.pk, case_id=change.case_id, register_entry_id=change.entry_id,
        reported_at=change.occurred_at, visit_due_at=change.visit_due_at,
    )  # fmt: skip
    return Status(201, out)
