"""强制报告（sixian §2(一)6、§2(二)9）：发现儿童处于危险之中，报告人一报告，儿童即临时按高风险，
儿童主任 24 小时内须走访到位，经办人员的待办里出现待复核。报告、响应（谁在何时走访）和
用时（报告到走访的小时数）都记下并显示。

报告人可以是经办人员、儿童主任、督导员代学校、医院、公安、村（居）委会填报；部门用户在平台上
看不到儿童（没有人员查询权限），不能在这里直接报告——见报告的“报告单位”。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import Case, MandatoryReport, ReporterKind
from shouhu.web.cases.risk import major_change_add
from shouhu.web.cases.services import REASON_MAX, case_locked
from shouhu.web.cases.visits import form_text, past_moment


@dataclass(frozen=True)
class ReportInput:
    reporter_kind: str
    reporter_org: str
    reporter_name: str
    reporter_phone: str
    seen_at: datetime | None
    what_seen: str
    # 收到报告的时间：离线应用带来手机上记录的时间（24 小时从那时算起）；网页表单为空，即现在
    reported_at: datetime | None = None


def report_checked(data: ReportInput) -> ReportInput:
    if data.reporter_kind not in ReporterKind.values:
        raise InvalidInput("请选择报告单位的类别。")
    seen_at = past_moment(data.seen_at, what="发现的时间")
    return ReportInput(
        reporter_kind=data.reporter_kind,
        reporter_org=form_text(data.reporter_org, what="报告单位", limit=100),
        reporter_name=form_text(data.reporter_name, what="报告人", limit=50),
        reporter_phone=form_text(data.reporter_phone, what="联系电话", limit=30, required=False),
        seen_at=seen_at,
        what_seen=form_text(data.what_seen, what="发现的情况", limit=REASON_MAX),
        reported_at=past_moment(data.reported_at or timezone.now(), what="收到报告的时间"),
    )


def mandatory_report_create(
    *, ctx: RequestContext, case: Case, data: ReportInput
) -> MandatoryReport:
    """收到一份强制报告：记为重大变故（报告之时起 24 小时内须走访），儿童临时按高风险。"""
    clean = report_checked(data)
    assert ctx.user is not None
    with transaction.atomic():
        locked = case_locked(case)
        change = major_change_add(
            user=ctx.user, case=locked, kind="mandatory_report",
            occurred_at=clean.reported_at or timezone.now(), note="",
        )  # fmt: skip
        report = MandatoryReport.objects.create(
            change=change, reporter_kind=clean.reporter_kind, reporter_org=clean.reporter_org,
            reporter_name=clean.reporter_name, reporter_phone=clean.reporter_phone,
            seen_at=clean.seen_at, what_seen=clean.what_seen,
        )  # fmt: skip
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.MANDATORY_REPORT,
            object_id=report.pk,
            detail={"case": locked.pk, "change": change.pk, "reporter_kind": clean.reporter_kind,
                    "what_seen_chars": len(clean.what_seen)},
        )  # fmt: skip
    return report
